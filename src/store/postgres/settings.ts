import type pg from 'pg';
import type { SettingsStore } from '../store.js';

export class PostgresSettingsStore implements SettingsStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async get<T>(name: string): Promise<T | undefined> {
    const { rows } = await this.#pool.query<{ value: unknown }>('SELECT value FROM settings WHERE name = $1', [name]);
    return rows[0]?.value as T | undefined;
  }

  async set(name: string, value: unknown): Promise<void> {
    await this.#pool.query(
      `INSERT INTO settings (name, value, updated_at) VALUES ($1, $2::jsonb, $3)
       ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      [name, JSON.stringify(value), Date.now()],
    );
  }
}
