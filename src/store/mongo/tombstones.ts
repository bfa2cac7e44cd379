import type { Collection, Db } from 'mongodb';
import type { TombstoneStore } from '../store.js';

interface TombstoneDocument {
  /** The mark itself: the primary key is the only index a look-up needs. */
  _id: string;
  createdAt: Date;
}

export class MongoTombstoneStore implements TombstoneStore {
  readonly #tombstones: Collection<TombstoneDocument>;

  constructor(db: Db) {
    this.#tombstones = db.collection<TombstoneDocument>('tombstones');
  }

  async add(mark: string, at: Date): Promise<void> {
    await this.#tombstones.updateOne({ _id: mark }, { $setOnInsert: { createdAt: at } }, { upsert: true });
  }

  async existing(marks: readonly string[]): Promise<Set<string>> {
    if (marks.length === 0) return new Set();
    const docs = await this.#tombstones.find({ _id: { $in: [...marks] } }, { projection: { _id: 1 } }).toArray();
    return new Set(docs.map((doc) => doc._id));
  }

  async remove(mark: string): Promise<boolean> {
    return (await this.#tombstones.deleteOne({ _id: mark })).deletedCount > 0;
  }

  count(): Promise<number> {
    return this.#tombstones.countDocuments();
  }
}
