import type { Database, Statement } from 'better-sqlite3';
import type { LeaseStore } from '../store.js';

export class SqliteLeaseStore implements LeaseStore {
  readonly #acquire: Statement<[string, string, number, number]>;
  readonly #renew: Statement<[number, string, string, number]>;
  readonly #release: Statement<[string, string]>;
  readonly #purge: Statement<[number]>;

  constructor(db: Database) {
    // One statement: a free name is inserted, an expired lease taken over, a live one left alone (no change).
    this.#acquire = db.prepare(`INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
      ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
      WHERE leases.expires_at <= ?`);
    this.#renew = db.prepare('UPDATE leases SET expires_at = ? WHERE name = ? AND holder = ? AND expires_at > ?');
    this.#release = db.prepare('DELETE FROM leases WHERE name = ? AND holder = ?');
    this.#purge = db.prepare('DELETE FROM leases WHERE expires_at <= ?');
  }

  acquire(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    return Promise.resolve(this.#acquire.run(name, holder, now + ttlMs, now).changes > 0);
  }

  renew(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    return Promise.resolve(this.#renew.run(now + ttlMs, name, holder, now).changes > 0);
  }

  release(name: string, holder: string): Promise<void> {
    this.#release.run(name, holder);
    return Promise.resolve();
  }

  purgeExpired(): void {
    this.#purge.run(Date.now());
  }
}
