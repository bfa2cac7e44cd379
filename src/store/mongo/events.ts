import { ObjectId, type Collection, type Db, type Filter } from 'mongodb';
import type { EventQuery, IdpEvent, StoredEvent } from '../../events/event.js';
import type { EventStore } from '../store.js';

interface EventDocument {
  _id: ObjectId;
  type: IdpEvent['type'];
  at: Date;
  accountId?: string;
  data: IdpEvent;
}

const DEFAULT_LIMIT = 100;

export class MongoEventStore implements EventStore {
  readonly #events: Collection<EventDocument>;

  constructor(db: Db) {
    this.#events = db.collection<EventDocument>('events');
  }

  async createIndexes(): Promise<void> {
    await this.#events.createIndexes([
      { key: { type: 1, _id: -1 }, name: 'type' },
      { key: { accountId: 1, _id: -1 }, name: 'account', partialFilterExpression: { accountId: { $type: 'string' } } },
    ]);
  }

  async append(event: IdpEvent): Promise<StoredEvent> {
    const doc: EventDocument = {
      _id: new ObjectId(),
      type: event.type,
      at: new Date(),
      ...('accountId' in event ? { accountId: event.accountId } : {}),
      data: event,
    };
    await this.#events.insertOne(doc);
    return { ...event, id: doc._id.toHexString(), at: doc.at };
  }

  async list(query: EventQuery = {}): Promise<StoredEvent[]> {
    const filter: Filter<EventDocument> = {};
    if (query.type) filter.type = query.type;
    if (query.accountId) filter.accountId = query.accountId;
    // ObjectIds grow with time within a process and across processes to the second; ties are rare and harmless.
    const docs = await this.#events
      .find(filter)
      .sort({ _id: -1 })
      .limit(query.limit ?? DEFAULT_LIMIT)
      .toArray();
    return docs.map((doc) => ({ ...doc.data, id: doc._id.toHexString(), at: doc.at }));
  }
}
