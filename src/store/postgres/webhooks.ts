import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { WebhookDelivery, WebhookStore } from '../store.js';

interface DeliveryRow {
  id: string;
  webhook: string;
  event_id: string;
  payload: string;
  attempts: number;
}

export class PostgresWebhookStore implements WebhookStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async enqueue(deliveries: readonly { webhook: string; eventId: string; payload: string }[]): Promise<void> {
    if (deliveries.length === 0) return;
    const now = Date.now();
    // One statement for the batch; the (webhook, event_id) unique constraint keeps one delivery per event.
    await this.#pool.query(
      `INSERT INTO webhook_deliveries (id, webhook, event_id, payload, next_attempt_at, created_at)
       SELECT id, webhook, event_id, payload, $5, $5 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
         AS batch (id, webhook, event_id, payload)
       ON CONFLICT (webhook, event_id) DO NOTHING`,
      [
        deliveries.map(() => randomUUID()),
        deliveries.map((d) => d.webhook),
        deliveries.map((d) => d.eventId),
        deliveries.map((d) => d.payload),
        now,
      ],
    );
  }

  async claimDue(limit: number, leaseMs: number): Promise<WebhookDelivery[]> {
    const now = Date.now();
    // Read and lease in one statement. SKIP LOCKED lets a concurrent claimer pass over the rows this one is leasing
    // instead of waiting; a row leased and committed meanwhile fails the due test when re-checked.
    const { rows } = await this.#pool.query<DeliveryRow>(
      `UPDATE webhook_deliveries SET next_attempt_at = $2
       FROM (SELECT id FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_at <= $1
             ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED) due
       WHERE webhook_deliveries.id = due.id
       RETURNING webhook_deliveries.id, webhook, event_id, payload, attempts`,
      [now, now + leaseMs, limit],
    );
    return rows.map((row) => ({
      id: row.id,
      webhook: row.webhook,
      eventId: row.event_id,
      payload: row.payload,
      attempts: row.attempts,
    }));
  }

  async delivered(id: string): Promise<void> {
    await this.#pool.query("UPDATE webhook_deliveries SET state = 'delivered', attempts = attempts + 1 WHERE id = $1", [
      id,
    ]);
  }

  async failed(id: string, error: string, nextAttemptAt: Date | 'dead'): Promise<void> {
    if (nextAttemptAt === 'dead') {
      await this.#pool.query(
        "UPDATE webhook_deliveries SET state = 'dead', attempts = attempts + 1, last_error = $2 WHERE id = $1",
        [id, textOnly(error)],
      );
    } else {
      await this.#pool.query(
        'UPDATE webhook_deliveries SET attempts = attempts + 1, last_error = $2, next_attempt_at = $3 WHERE id = $1',
        [id, textOnly(error), nextAttemptAt.getTime()],
      );
    }
  }

  async counts(): Promise<{ pending: number; delivered: number; dead: number }> {
    const counts = { pending: 0, delivered: 0, dead: 0 };
    const { rows } = await this.#pool.query<{ state: string; n: number }>(
      'SELECT state, count(*) AS n FROM webhook_deliveries GROUP BY state',
    );
    for (const { state, n } of rows) {
      if (state === 'pending' || state === 'delivered' || state === 'dead') counts[state] = n;
    }
    return counts;
  }
}

/** A receiver's error text may hold U+0000, which PostgreSQL text cannot: kept readable without it. */
function textOnly(error: string): string {
  return error.replaceAll('\u0000', '\uFFFD');
}
