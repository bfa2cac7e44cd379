import type pg from 'pg';
import type { CounterStore, WindowCounts } from '../store.js';
import { preparedStatement } from './sql.js';

// The increment takes the row's lock and returns the count it wrote, so concurrent hits each see their own number.
// The window before no longer changes: read beside it, in the same round trip. Kept two windows: the sliding
// estimate needs the one before the current. Several per sign-in, so prepared.
const HIT = preparedStatement(
  'counter_hit',
  `WITH hit AS (
     INSERT INTO rate_counters (key, window_start, count, expires_at) VALUES ($1, $2, 1, $3)
     ON CONFLICT (key, window_start) DO UPDATE SET count = rate_counters.count + 1
     RETURNING count
   )
   SELECT (SELECT count FROM hit) AS current,
          (SELECT count FROM rate_counters WHERE key = $1 AND window_start = $4) AS previous`,
);

export class PostgresCounterStore implements CounterStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async hit(key: string, windowStart: number, windowMs: number): Promise<WindowCounts> {
    const { rows } = await this.#pool.query<{ current: number; previous: number | null }>(
      HIT([key, windowStart, windowStart + 2 * windowMs, windowStart - windowMs]),
    );
    return { current: rows[0]?.current ?? 1, previous: rows[0]?.previous ?? 0 };
  }

  async peek(key: string, windowStart: number, windowMs: number): Promise<WindowCounts> {
    const { rows } = await this.#pool.query<{ window_start: number; count: number }>(
      'SELECT window_start, count FROM rate_counters WHERE key = $1 AND window_start IN ($2, $3)',
      [key, windowStart, windowStart - windowMs],
    );
    const at = (start: number) => rows.find((row) => row.window_start === start)?.count ?? 0;
    return { current: at(windowStart), previous: at(windowStart - windowMs) };
  }

  async clear(key: string): Promise<void> {
    await this.#pool.query('DELETE FROM rate_counters WHERE key = $1', [key]);
  }
}
