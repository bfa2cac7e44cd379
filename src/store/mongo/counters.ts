import type { Collection, Db } from 'mongodb';
import type { CounterStore, WindowCounts } from '../store.js';

interface CounterDocument {
  _id: string;
  count: number;
  expiresAt: Date;
}

export class MongoCounterStore implements CounterStore {
  readonly #counters: Collection<CounterDocument>;

  constructor(db: Db) {
    this.#counters = db.collection<CounterDocument>('rate_counters');
  }

  async createIndexes(): Promise<void> {
    await this.#counters.createIndexes([{ key: { expiresAt: 1 }, name: 'expiry_ttl', expireAfterSeconds: 0 }]);
  }

  async hit(key: string, windowStart: number, windowMs: number): Promise<WindowCounts> {
    // The previous window no longer changes: read it beside the increment rather than after it.
    const [doc, previous] = await Promise.all([
      this.#counters.findOneAndUpdate(
        { _id: `${key}|${String(windowStart)}` },
        { $inc: { count: 1 }, $setOnInsert: { expiresAt: new Date(windowStart + 2 * windowMs) } },
        { upsert: true, returnDocument: 'after' },
      ),
      this.#count(key, windowStart - windowMs),
    ]);
    return { current: doc?.count ?? 1, previous };
  }

  async peek(key: string, windowStart: number, windowMs: number): Promise<WindowCounts> {
    const [current, previous] = await Promise.all([
      this.#count(key, windowStart),
      this.#count(key, windowStart - windowMs),
    ]);
    return { current, previous };
  }

  async clear(key: string): Promise<void> {
    // Keys are keyed hashes (base64url) and rule names: nothing to escape; the anchored prefix uses the _id index.
    await this.#counters.deleteMany({ _id: { $regex: `^${key.replace(/[^\w:-]/g, '\\$&')}\\|` } });
  }

  async #count(key: string, windowStart: number): Promise<number> {
    return (await this.#counters.findOne({ _id: `${key}|${String(windowStart)}` }))?.count ?? 0;
  }
}
