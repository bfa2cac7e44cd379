import type pg from 'pg';
import type { TombstoneStore } from '../store.js';
import { storable } from './sql.js';

export class PostgresTombstoneStore implements TombstoneStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async add(mark: string, at: Date): Promise<void> {
    // The first time stays: a mark that is there is left alone.
    await this.#pool.query('INSERT INTO tombstones (mark, created_at) VALUES ($1, $2) ON CONFLICT (mark) DO NOTHING', [
      mark,
      at.getTime(),
    ]);
  }

  async existing(marks: readonly string[]): Promise<Set<string>> {
    const wanted = marks.filter(storable);
    if (wanted.length === 0) return new Set();
    // One array parameter: one primary-key look-up per mark, whatever the batch size.
    const { rows } = await this.#pool.query<{ mark: string }>(
      'SELECT mark FROM tombstones WHERE mark = ANY($1::text[])',
      [wanted],
    );
    return new Set(rows.map((row) => row.mark));
  }

  async remove(mark: string): Promise<boolean> {
    if (!storable(mark)) return false;
    const { rowCount } = await this.#pool.query('DELETE FROM tombstones WHERE mark = $1', [mark]);
    return (rowCount ?? 0) > 0;
  }

  async count(): Promise<number> {
    const { rows } = await this.#pool.query<{ n: number }>('SELECT count(*) AS n FROM tombstones');
    return rows[0]?.n ?? 0;
  }
}
