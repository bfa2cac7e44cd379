import type { Database, Statement } from 'better-sqlite3';
import type { SecretStore } from '../store.js';

export class SqliteSecretStore implements SecretStore {
  readonly #insert: Statement<[string, string, number]>;
  readonly #get: Statement<[string], { value: string }>;
  readonly #remove: Statement<[string]>;
  readonly #put: Statement<[string, string, number]>;

  constructor(db: Database) {
    this.#insert = db.prepare('INSERT OR IGNORE INTO secrets (name, value, created_at) VALUES (?, ?, ?)');
    this.#get = db.prepare('SELECT value FROM secrets WHERE name = ?');
    this.#remove = db.prepare('DELETE FROM secrets WHERE name = ?');
    this.#put = db.prepare(`INSERT INTO secrets (name, value, created_at) VALUES (?, ?, ?)
      ON CONFLICT (name) DO UPDATE SET value = excluded.value`);
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

  find<T>(name: string): Promise<T | undefined> {
    const stored = this.#get.get(name);
    return Promise.resolve(stored ? (JSON.parse(stored.value) as T) : undefined);
  }

  remove(name: string): Promise<void> {
    this.#remove.run(name);
    return Promise.resolve();
  }

  put(name: string, value: unknown): Promise<void> {
    this.#put.run(name, JSON.stringify(value), Date.now());
    return Promise.resolve();
  }
}
