import { randomUUID } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';
import type { WebhookDelivery, WebhookStore } from '../store.js';

interface DeliveryRow {
  id: string;
  webhook: string;
  event_id: string;
  payload: string;
  attempts: number;
}

export class SqliteWebhookStore implements WebhookStore {
  readonly #db: Database;
  readonly #enqueue: Statement<[string, string, string, string, number, number]>;
  readonly #due: Statement<[number, number], DeliveryRow>;
  readonly #lease: Statement<[number, string]>;
  readonly #delivered: Statement<[string]>;
  readonly #failed: Statement<[string, number, string]>;
  readonly #dead: Statement<[string, string]>;
  readonly #counts: Statement<[], { state: string; count: number }>;

  constructor(db: Database) {
    this.#db = db;
    this.#enqueue = db.prepare(`INSERT OR IGNORE INTO webhook_deliveries
      (id, webhook, event_id, payload, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?)`);
    this.#due = db.prepare(`SELECT id, webhook, event_id, payload, attempts FROM webhook_deliveries
      WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?`);
    this.#lease = db.prepare('UPDATE webhook_deliveries SET next_attempt_at = ? WHERE id = ?');
    this.#delivered = db.prepare(
      "UPDATE webhook_deliveries SET state = 'delivered', attempts = attempts + 1 WHERE id = ?",
    );
    this.#failed = db.prepare(
      'UPDATE webhook_deliveries SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?',
    );
    this.#dead = db.prepare(
      "UPDATE webhook_deliveries SET state = 'dead', attempts = attempts + 1, last_error = ? WHERE id = ?",
    );
    this.#counts = db.prepare('SELECT state, count(*) AS count FROM webhook_deliveries GROUP BY state');
  }

  enqueue(deliveries: readonly { webhook: string; eventId: string; payload: string }[]): Promise<void> {
    const now = Date.now();
    this.#db.transaction(() => {
      for (const d of deliveries) this.#enqueue.run(randomUUID(), d.webhook, d.eventId, d.payload, now, now);
    })();
    return Promise.resolve();
  }

  claimDue(limit: number, leaseMs: number): Promise<WebhookDelivery[]> {
    // IMMEDIATE: read and lease under the write lock, so two processes never claim the same rows.
    const rows = this.#db
      .transaction(() => {
        const now = Date.now();
        const due = this.#due.all(now, limit);
        for (const row of due) this.#lease.run(now + leaseMs, row.id);
        return due;
      })
      .immediate();
    return Promise.resolve(
      rows.map((row) => ({
        id: row.id,
        webhook: row.webhook,
        eventId: row.event_id,
        payload: row.payload,
        attempts: row.attempts,
      })),
    );
  }

  delivered(id: string): Promise<void> {
    this.#delivered.run(id);
    return Promise.resolve();
  }

  failed(id: string, error: string, nextAttemptAt: Date | 'dead'): Promise<void> {
    if (nextAttemptAt === 'dead') this.#dead.run(error, id);
    else this.#failed.run(error, nextAttemptAt.getTime(), id);
    return Promise.resolve();
  }

  counts(): Promise<{ pending: number; delivered: number; dead: number }> {
    const counts = { pending: 0, delivered: 0, dead: 0 };
    for (const { state, count } of this.#counts.all()) {
      if (state === 'pending' || state === 'delivered' || state === 'dead') counts[state] = count;
    }
    return Promise.resolve(counts);
  }
}
