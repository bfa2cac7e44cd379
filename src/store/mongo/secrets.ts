import type { Collection, Db } from 'mongodb';
import type { SecretStore } from '../store.js';
import { duplicateKeyPattern } from './mongo-store.js';

interface SecretDocument {
  _id: string;
  value: string;
  createdAt: Date;
}

export class MongoSecretStore implements SecretStore {
  readonly #secrets: Collection<SecretDocument>;

  constructor(db: Db) {
    this.#secrets = db.collection<SecretDocument>('secrets');
  }

  async getOrCreate<T>(name: string, create: () => T): Promise<T> {
    const existing = await this.#secrets.findOne({ _id: name });
    if (existing) return JSON.parse(existing.value) as T;
    try {
      await this.#secrets.insertOne({ _id: name, value: JSON.stringify(create()), createdAt: new Date() });
    } catch (error) {
      // Another process stored it first: theirs is the value everyone uses.
      if (!duplicateKeyPattern(error)) throw error;
    }
    const stored = await this.#secrets.findOne({ _id: name });
    if (!stored) throw new Error(`secret ${name} vanished right after being stored`);
    return JSON.parse(stored.value) as T;
  }

  async find<T>(name: string): Promise<T | undefined> {
    const stored = await this.#secrets.findOne({ _id: name });
    return stored ? (JSON.parse(stored.value) as T) : undefined;
  }

  async remove(name: string): Promise<void> {
    await this.#secrets.deleteOne({ _id: name });
  }

  async put(name: string, value: unknown): Promise<void> {
    await this.#secrets.updateOne(
      { _id: name },
      { $set: { value: JSON.stringify(value) }, $setOnInsert: { createdAt: new Date() } },
      { upsert: true },
    );
  }
}
