import type pg from 'pg';
import type { LeaseStore } from '../store.js';

export class PostgresLeaseStore implements LeaseStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async acquire(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    // One statement: a free name is inserted, an expired lease taken over, a live one left alone (no row). Concurrent
    // callers queue on the row's lock and each tests the expiry the one before left.
    const { rowCount } = await this.#pool.query(
      `INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
       WHERE leases.expires_at <= $4`,
      [name, holder, now + ttlMs, now],
    );
    return (rowCount ?? 0) > 0;
  }

  async renew(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    const { rowCount } = await this.#pool.query(
      'UPDATE leases SET expires_at = $3 WHERE name = $1 AND holder = $2 AND expires_at > $4',
      [name, holder, now + ttlMs, now],
    );
    return (rowCount ?? 0) > 0;
  }

  async release(name: string, holder: string): Promise<void> {
    await this.#pool.query('DELETE FROM leases WHERE name = $1 AND holder = $2', [name, holder]);
  }
}
