import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { eventLimit, type EventQuery, type IdpEvent, type StoredEvent } from '../../events/event.js';
import type { EventStore } from '../store.js';
import { inTransaction, preparedStatement, storable } from './sql.js';

const APPEND = preparedStatement(
  'event_append',
  'INSERT INTO events (id, type, at, account_id, data) VALUES ($1, $2, $3, $4, $5::json)',
);

interface EventRow {
  id: string;
  at: number;
  /** `json`, parsed by pg. */
  data: IdpEvent;
}

export class PostgresEventStore implements EventStore {
  readonly #pool: pg.Pool;
  /** Erasure commits only once flushed, like the account's deletion it completes. */
  readonly #flushed: pg.Pool;

  /** `pool` for appends and reads (commits not waiting for the flush), `flushed` for erasure. */
  constructor(pool: pg.Pool, flushed: pg.Pool = pool) {
    this.#pool = pool;
    this.#flushed = flushed;
  }

  async append(event: IdpEvent): Promise<StoredEvent> {
    const stored: StoredEvent = { ...event, id: randomUUID(), at: new Date() };
    const accountId = 'accountId' in event ? (event.accountId ?? null) : null;
    await this.#pool.query(APPEND([stored.id, event.type, stored.at.getTime(), accountId, JSON.stringify(event)]));
    return stored;
  }

  async eraseAccount(accountId: string): Promise<number> {
    if (!storable(accountId)) return 0;
    // Rewritten here rather than in SQL (`data::jsonb - 'login'`, json_each): PostgreSQL's JSON functions fail on
    // an event holding text jsonb refuses (see schema.ts), and one such event would block the whole erasure. The
    // rows stay locked from read to write, so nothing changes them in between.
    return inTransaction(this.#flushed, async (client) => {
      const { rows } = await client.query<{ seq: number; data: Record<string, unknown> }>(
        'SELECT seq, data FROM events WHERE account_id = $1 FOR UPDATE',
        [accountId],
      );
      const erased = rows.filter((row) => 'login' in row.data);
      if (erased.length === 0) return 0;
      await client.query(
        `UPDATE events SET data = erased.data FROM unnest($1::bigint[], $2::json[]) AS erased (seq, data)
         WHERE events.seq = erased.seq`,
        [
          erased.map((row) => row.seq),
          erased.map((row) =>
            JSON.stringify(Object.fromEntries(Object.entries(row.data).filter(([key]) => key !== 'login'))),
          ),
        ],
      );
      return erased.length;
    });
  }

  async list(query: EventQuery = {}): Promise<StoredEvent[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${String(params.length)}`;
    };
    if (query.type) where.push(`type = ${param(query.type)}`);
    if (query.types) where.push(`type = ANY(${param(query.types)}::text[])`);
    if (query.accountId) {
      if (!storable(query.accountId)) return [];
      where.push(`account_id = ${param(query.accountId)}`);
    }
    if (query.accountIdPrefix) {
      if (!storable(query.accountIdPrefix)) return [];
      // A range on the account index: ids are UUIDs, so '~' sorts after any of their characters.
      where.push(
        `account_id >= ${param(query.accountIdPrefix)} AND account_id < ${param(`${query.accountIdPrefix}~`)}`,
      );
    }
    if (query.since) where.push(`at >= ${param(query.since.getTime())}`);
    const limit = param(eventLimit(query));
    const { rows } = await this.#pool.query<EventRow>(
      `SELECT id, at, data FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY seq DESC LIMIT ${limit}`,
      params,
    );
    return rows.map((row) => ({ ...row.data, id: row.id, at: new Date(row.at) }));
  }
}
