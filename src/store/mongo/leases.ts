import type { Collection, Db } from 'mongodb';
import type { LeaseStore } from '../store.js';
import { duplicateKeyPattern } from './mongo-store.js';

interface LeaseDocument {
  _id: string;
  holder: string;
  expiresAt: Date;
}

export class MongoLeaseStore implements LeaseStore {
  readonly #leases: Collection<LeaseDocument>;

  constructor(db: Db) {
    this.#leases = db.collection<LeaseDocument>('leases');
  }

  async createIndexes(): Promise<void> {
    await this.#leases.createIndexes([{ key: { expiresAt: 1 }, name: 'expiry_ttl', expireAfterSeconds: 0 }]);
  }

  async acquire(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const now = new Date();
    try {
      // Matches only a free name (upserted) or an expired lease (taken over); a live lease makes the upsert collide
      // with its _id, which is the answer "held".
      await this.#leases.updateOne(
        { _id: name, expiresAt: { $lte: now } },
        { $set: { holder, expiresAt: new Date(now.getTime() + ttlMs) } },
        { upsert: true },
      );
      return true;
    } catch (error) {
      if (duplicateKeyPattern(error) !== undefined) return false;
      throw error;
    }
  }

  async renew(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const now = new Date();
    const result = await this.#leases.updateOne(
      { _id: name, holder, expiresAt: { $gt: now } },
      { $set: { expiresAt: new Date(now.getTime() + ttlMs) } },
    );
    return result.matchedCount > 0;
  }

  async release(name: string, holder: string): Promise<void> {
    await this.#leases.deleteOne({ _id: name, holder });
  }
}
