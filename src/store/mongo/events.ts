import { ObjectId, type Collection, type Db, type Filter } from 'mongodb';
import { eventLimit, type EventQuery, type IdpEvent, type StoredEvent } from '../../events/event.js';
import type { EventStore } from '../store.js';

interface EventDocument {
  _id: ObjectId;
  type: IdpEvent['type'];
  at: Date;
  accountId?: string;
  data: IdpEvent;
}

export class MongoEventStore implements EventStore {
  readonly #events: Collection<EventDocument>;

  constructor(db: Db) {
    this.#events = db.collection<EventDocument>('events');
  }

  async createIndexes(): Promise<void> {
    await this.#events.createIndexes([
      { key: { at: -1, _id: -1 }, name: 'time' },
      { key: { type: 1, at: -1, _id: -1 }, name: 'type' },
      {
        key: { accountId: 1, at: -1, _id: -1 },
        name: 'account',
        partialFilterExpression: { accountId: { $type: 'string' } },
      },
    ]);
  }

  async append(event: IdpEvent): Promise<StoredEvent> {
    const doc: EventDocument = {
      _id: new ObjectId(),
      type: event.type,
      at: new Date(),
      ...('accountId' in event && event.accountId !== undefined ? { accountId: event.accountId } : {}),
      data: event,
    };
    await this.#events.insertOne(doc);
    return { ...event, id: doc._id.toHexString(), at: doc.at };
  }

  async eraseAccount(accountId: string): Promise<number> {
    const result = await this.#events.updateMany(
      { accountId, 'data.login': { $exists: true } },
      { $unset: { 'data.login': '' } },
    );
    return result.modifiedCount;
  }

  async list(query: EventQuery = {}): Promise<StoredEvent[]> {
    const filter: Filter<EventDocument> = {};
    if (query.type) filter.type = query.type;
    if (query.types) filter.type = { $in: query.types.filter((type) => !query.type || type === query.type) };
    if (query.accountId) filter.accountId = query.accountId;
    if (query.accountIdPrefix) {
      const prefix = { $gte: query.accountIdPrefix, $lt: `${query.accountIdPrefix}~` };
      filter.accountId = query.accountId === undefined ? prefix : { $eq: query.accountId, ...prefix };
    }
    if (query.since) filter.at = { $gte: query.since };
    // Millisecond time first: ObjectIds from different processes only order to the second.
    const docs = await this.#events.find(filter).sort({ at: -1, _id: -1 }).limit(eventLimit(query)).toArray();
    return docs.map((doc) => ({ ...doc.data, id: doc._id.toHexString(), at: doc.at }));
  }
}
