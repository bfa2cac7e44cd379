import type { Database, Statement } from 'better-sqlite3';
import type { SettingsStore } from '../store.js';

export class SqliteSettingsStore implements SettingsStore {
  readonly #get: Statement<[string], { value: string }>;
  readonly #set: Statement<[string, string, number]>;

  constructor(db: Database) {
    this.#get = db.prepare('SELECT value FROM settings WHERE name = ?');
    this.#set = db.prepare(`INSERT INTO settings (name, value, updated_at) VALUES (?, ?, ?)
      ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`);
  }

  get<T>(name: string): Promise<T | undefined> {
    const row = this.#get.get(name);
    return Promise.resolve(row ? (JSON.parse(row.value) as T) : undefined);
  }

  set(name: string, value: unknown): Promise<void> {
    this.#set.run(name, JSON.stringify(value), Date.now());
    return Promise.resolve();
  }
}
