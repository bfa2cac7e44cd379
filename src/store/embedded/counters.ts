import type { Database, Statement } from 'better-sqlite3';
import type { CounterStore, WindowCounts } from '../store.js';

export class SqliteCounterStore implements CounterStore {
  readonly #hit: Statement<[string, number, number], { count: number }>;
  readonly #get: Statement<[string, number], { count: number }>;
  readonly #purge: Statement<[number]>;
  readonly #clear: Statement<[string]>;

  constructor(db: Database) {
    this.#hit = db.prepare(`INSERT INTO rate_counters (key, window_start, count, expires_at) VALUES (?, ?, 1, ?)
      ON CONFLICT (key, window_start) DO UPDATE SET count = count + 1 RETURNING count`);
    this.#get = db.prepare('SELECT count FROM rate_counters WHERE key = ? AND window_start = ?');
    this.#purge = db.prepare('DELETE FROM rate_counters WHERE expires_at <= ?');
    this.#clear = db.prepare('DELETE FROM rate_counters WHERE key = ?');
  }

  hit(key: string, windowStart: number, windowMs: number): Promise<WindowCounts> {
    // Kept two windows: the sliding estimate needs the one before the current.
    const current = this.#hit.get(key, windowStart, windowStart + 2 * windowMs)?.count ?? 1;
    return Promise.resolve({ current, previous: this.#get.get(key, windowStart - windowMs)?.count ?? 0 });
  }

  peek(key: string, windowStart: number, windowMs: number): Promise<WindowCounts> {
    return Promise.resolve({
      current: this.#get.get(key, windowStart)?.count ?? 0,
      previous: this.#get.get(key, windowStart - windowMs)?.count ?? 0,
    });
  }

  clear(key: string): Promise<void> {
    this.#clear.run(key);
    return Promise.resolve();
  }

  purgeExpired(): void {
    this.#purge.run(Date.now());
  }
}
