import type pg from 'pg';
import type { SecretStore } from '../store.js';

export class PostgresSecretStore implements SecretStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async getOrCreate<T>(name: string, create: () => T): Promise<T> {
    const existing = await this.#find(name);
    if (existing) return existing.value as T;
    // Whoever inserts first wins. A loser's insert waits for the winner's commit and then does nothing; it reads the
    // winner's value in a statement of its own, since its own statement's snapshot predates that commit.
    const { rows } = await this.#pool.query<{ value: unknown }>(
      `INSERT INTO secrets (name, value, created_at) VALUES ($1, $2::jsonb, $3)
       ON CONFLICT (name) DO NOTHING RETURNING value`,
      [name, JSON.stringify(create()), Date.now()],
    );
    const stored = rows[0] ?? (await this.#find(name));
    if (!stored) throw new Error(`secret ${name} vanished right after being stored`);
    return stored.value as T;
  }

  async find<T>(name: string): Promise<T | undefined> {
    return (await this.#find(name))?.value as T | undefined;
  }

  async remove(name: string): Promise<void> {
    await this.#pool.query('DELETE FROM secrets WHERE name = $1', [name]);
  }

  async put(name: string, value: unknown): Promise<void> {
    await this.#pool.query(
      `INSERT INTO secrets (name, value, created_at) VALUES ($1, $2::jsonb, $3)
       ON CONFLICT (name) DO UPDATE SET value = excluded.value`,
      [name, JSON.stringify(value), Date.now()],
    );
  }

  async #find(name: string): Promise<{ value: unknown } | undefined> {
    const { rows } = await this.#pool.query<{ value: unknown }>('SELECT value FROM secrets WHERE name = $1', [name]);
    return rows[0];
  }
}
