import { randomUUID } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import type { WebhookDelivery, WebhookStore } from '../store.js';

interface DeliveryDocument {
  _id: string;
  webhook: string;
  eventId: string;
  payload: string;
  state: 'pending' | 'delivered' | 'dead';
  attempts: number;
  nextAttemptAt: Date;
  lastError?: string;
  createdAt: Date;
}

export class MongoWebhookStore implements WebhookStore {
  readonly #deliveries: Collection<DeliveryDocument>;

  constructor(db: Db) {
    this.#deliveries = db.collection<DeliveryDocument>('webhook_deliveries');
  }

  async createIndexes(): Promise<void> {
    await this.#deliveries.createIndexes([
      { key: { webhook: 1, eventId: 1 }, name: 'once_per_event', unique: true },
      { key: { state: 1, nextAttemptAt: 1 }, name: 'due' },
    ]);
  }

  async enqueue(deliveries: readonly { webhook: string; eventId: string; payload: string }[]): Promise<void> {
    if (deliveries.length === 0) return;
    const now = new Date();
    // Upserts keyed by (webhook, event): enqueueing the same event twice leaves one delivery.
    await this.#deliveries.bulkWrite(
      deliveries.map((d) => ({
        updateOne: {
          filter: { webhook: d.webhook, eventId: d.eventId },
          update: {
            $setOnInsert: {
              _id: randomUUID(),
              payload: d.payload,
              state: 'pending' as const,
              attempts: 0,
              nextAttemptAt: now,
              createdAt: now,
            },
          },
          upsert: true,
        },
      })),
      { ordered: false },
    );
  }

  async claimDue(limit: number, leaseMs: number): Promise<WebhookDelivery[]> {
    const claimed: WebhookDelivery[] = [];
    for (let i = 0; i < limit; i++) {
      const now = new Date();
      // Each claim is one atomic find-and-lease: concurrent dispatchers never get the same delivery.
      const doc = await this.#deliveries.findOneAndUpdate(
        { state: 'pending', nextAttemptAt: { $lte: now } },
        { $set: { nextAttemptAt: new Date(now.getTime() + leaseMs) } },
        { sort: { nextAttemptAt: 1 }, returnDocument: 'after' },
      );
      if (!doc) break;
      claimed.push({
        id: doc._id,
        webhook: doc.webhook,
        eventId: doc.eventId,
        payload: doc.payload,
        attempts: doc.attempts,
      });
    }
    return claimed;
  }

  async delivered(id: string): Promise<void> {
    await this.#deliveries.updateOne({ _id: id }, { $set: { state: 'delivered' }, $inc: { attempts: 1 } });
  }

  async failed(id: string, error: string, nextAttemptAt: Date | 'dead'): Promise<void> {
    await this.#deliveries.updateOne(
      { _id: id },
      {
        $set: nextAttemptAt === 'dead' ? { state: 'dead', lastError: error } : { lastError: error, nextAttemptAt },
        $inc: { attempts: 1 },
      },
    );
  }

  async counts(): Promise<{ pending: number; delivered: number; dead: number }> {
    const counts = { pending: 0, delivered: 0, dead: 0 };
    for await (const group of this.#deliveries.aggregate<{ _id: keyof typeof counts; count: number }>([
      { $group: { _id: '$state', count: { $sum: 1 } } },
    ])) {
      counts[group._id] = group.count;
    }
    return counts;
  }
}
