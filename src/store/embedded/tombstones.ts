import type { Database, Statement } from 'better-sqlite3';
import type { TombstoneStore } from '../store.js';

export class SqliteTombstoneStore implements TombstoneStore {
  readonly #existing: Statement<[string], { mark: string }>;
  readonly #add: Statement<[string, number]>;
  readonly #remove: Statement<[string]>;
  readonly #count: Statement<[], { n: number }>;

  constructor(db: Database) {
    // json_each takes the whole batch as one parameter, so one statement serves every batch size.
    this.#existing = db.prepare('SELECT mark FROM tombstones WHERE mark IN (SELECT value FROM json_each(?))');
    this.#add = db.prepare('INSERT INTO tombstones (mark, created_at) VALUES (?, ?) ON CONFLICT (mark) DO NOTHING');
    this.#remove = db.prepare('DELETE FROM tombstones WHERE mark = ?');
    this.#count = db.prepare('SELECT count(*) AS n FROM tombstones');
  }

  add(mark: string, at: Date): Promise<void> {
    this.#add.run(mark, at.getTime());
    return Promise.resolve();
  }

  existing(marks: readonly string[]): Promise<Set<string>> {
    if (marks.length === 0) return Promise.resolve(new Set());
    const rows = this.#existing.all(JSON.stringify(marks));
    return Promise.resolve(new Set(rows.map((row) => row.mark)));
  }

  remove(mark: string): Promise<boolean> {
    return Promise.resolve(this.#remove.run(mark).changes > 0);
  }

  count(): Promise<number> {
    return Promise.resolve(this.#count.get()?.n ?? 0);
  }
}
