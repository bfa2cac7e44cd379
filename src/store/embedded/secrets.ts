import type { Database, Statement } from 'better-sqlite3';
import type { SecretStore } from '../store.js';

export class SqliteSecretStore implements SecretStore {
  readonly #insert: Statement<[string, string, number]>;
  readonly #get: Statement<[string], { value: string }>;

  constructor(db: Database) {
    this.#insert = db.prepare('INSERT OR IGNORE INTO secrets (name, value, created_at) VALUES (?, ?, ?)');
    this.#get = db.prepare('SELECT value FROM secrets WHERE name = ?');
  }

  getOrCreate<T>(name: string, create: () => T): Promise<T> {
    const existing = this.#get.get(name);
    if (existing) return Promise.resolve(JSON.parse(existing.value) as T);
    // Whoever inserts first wins; everyone then reads the winner's value.
    this.#insert.run(name, JSON.stringify(create()), Date.now());
    const stored = this.#get.get(name);
    if (!stored) throw new Error(`secret ${name} vanished right after being stored`);
    return Promise.resolve(JSON.parse(stored.value) as T);
  }
}
