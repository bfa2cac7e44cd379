import type { Collection, Db } from 'mongodb';
import type { SettingsStore } from '../store.js';

interface SettingDocument {
  _id: string;
  /** JSON text, like secrets: values may hold keys MongoDB field names should not carry. */
  value: string;
  updatedAt: Date;
}

export class MongoSettingsStore implements SettingsStore {
  readonly #settings: Collection<SettingDocument>;

  constructor(db: Db) {
    this.#settings = db.collection<SettingDocument>('settings');
  }

  async get<T>(name: string): Promise<T | undefined> {
    const doc = await this.#settings.findOne({ _id: name });
    return doc ? (JSON.parse(doc.value) as T) : undefined;
  }

  async set(name: string, value: unknown): Promise<void> {
    await this.#settings.updateOne(
      { _id: name },
      { $set: { value: JSON.stringify(value), updatedAt: new Date() } },
      { upsert: true },
    );
  }
}
