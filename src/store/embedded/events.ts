import { randomUUID } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';
import { eventLimit, type EventQuery, type IdpEvent, type StoredEvent } from '../../events/event.js';
import type { EventStore } from '../store.js';

interface EventRow {
  id: string;
  at: number;
  data: string;
}

export class SqliteEventStore implements EventStore {
  readonly #db: Database;
  readonly #append: Statement<[string, string, number, string | null, string]>;
  readonly #erase: Statement<[string]>;

  constructor(db: Database) {
    this.#db = db;
    this.#append = db.prepare('INSERT INTO events (id, type, at, account_id, data) VALUES (?, ?, ?, ?, ?)');
    this.#erase = db.prepare(`UPDATE events SET data = json_remove(data, '$.login')
      WHERE account_id = ? AND json_type(data, '$.login') IS NOT NULL`);
  }

  append(event: IdpEvent): Promise<StoredEvent> {
    const stored: StoredEvent = { ...event, id: randomUUID(), at: new Date() };
    const accountId = 'accountId' in event ? (event.accountId ?? null) : null;
    this.#append.run(stored.id, event.type, stored.at.getTime(), accountId, JSON.stringify(event));
    return Promise.resolve(stored);
  }

  eraseAccount(accountId: string): Promise<number> {
    return Promise.resolve(this.#erase.run(accountId).changes);
  }

  list(query: EventQuery = {}): Promise<StoredEvent[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (query.type) {
      where.push('type = ?');
      params.push(query.type);
    }
    if (query.types) {
      where.push(`type IN (${query.types.map(() => '?').join(', ') || "''"})`);
      params.push(...query.types);
    }
    if (query.accountId) {
      where.push('account_id = ?');
      params.push(query.accountId);
    }
    if (query.accountIdPrefix) {
      // A range on the account index: ids are UUIDs, so '~' sorts after any of their characters.
      where.push('account_id >= ? AND account_id < ?');
      params.push(query.accountIdPrefix, `${query.accountIdPrefix}~`);
    }
    if (query.since) {
      where.push('at >= ?');
      params.push(query.since.getTime());
    }
    params.push(eventLimit(query));
    const sql = `SELECT id, at, data FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY seq DESC LIMIT ?`;
    const rows = this.#db.prepare<(string | number)[], EventRow>(sql).all(...params);
    return Promise.resolve(
      rows.map((row) => ({ ...(JSON.parse(row.data) as IdpEvent), id: row.id, at: new Date(row.at) })),
    );
  }
}
