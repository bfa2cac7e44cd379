import type { Collection, Db } from 'mongodb';
import { artifactIndexKeys } from '../artifact-keys.js';
import type { ArtifactPayload, ArtifactStore } from '../store.js';

interface ArtifactDocument {
  _id: string;
  model: string;
  /** JSON text: payloads hold keys such as resource URLs that MongoDB field names should not carry. */
  payload: string;
  grantId?: string;
  uid?: string;
  userCode?: string;
  accountId?: string;
  expiresAt?: Date;
  consumed?: number;
}

export class MongoArtifactStore implements ArtifactStore {
  readonly #artifacts: Collection<ArtifactDocument>;

  constructor(db: Db) {
    this.#artifacts = db.collection<ArtifactDocument>('oidc_artifacts');
  }

  async createIndexes(): Promise<void> {
    await this.#artifacts.createIndexes([
      // The TTL monitor deletes expired artifacts about once a minute; reads also filter on expiry meanwhile.
      { key: { expiresAt: 1 }, name: 'expiry_ttl', expireAfterSeconds: 0 },
      { key: { grantId: 1 }, name: 'grant', partialFilterExpression: { grantId: { $type: 'string' } } },
      { key: { model: 1, uid: 1 }, name: 'uid', partialFilterExpression: { uid: { $type: 'string' } } },
      { key: { model: 1, userCode: 1 }, name: 'user_code', partialFilterExpression: { userCode: { $type: 'string' } } },
      // `$exists`, not `$type`: the planner proves `accountId: <string>` a subset of `$exists: true`, not of `$type`.
      { key: { accountId: 1, model: 1 }, name: 'account', partialFilterExpression: { accountId: { $exists: true } } },
    ]);
  }

  /**
   * Gives the artifacts stored before `accountId` was a field of its own that field, from their payload (JSON text,
   * which no server-side update can read). Idempotent; the caller runs it once per database.
   */
  async backfillAccountIds(): Promise<void> {
    const pending = this.#artifacts.find(
      { accountId: { $exists: false }, payload: { $regex: '"accountId":"' } },
      { projection: { payload: 1 } },
    );
    let batch: { updateOne: { filter: { _id: string }; update: { $set: { accountId: string } } } }[] = [];
    for await (const doc of pending) {
      const { accountId } = artifactIndexKeys(JSON.parse(doc.payload) as ArtifactPayload);
      if (accountId === undefined) continue;
      batch.push({ updateOne: { filter: { _id: doc._id }, update: { $set: { accountId } } } });
      if (batch.length === 1000) {
        await this.#artifacts.bulkWrite(batch, { ordered: false });
        batch = [];
      }
    }
    if (batch.length > 0) await this.#artifacts.bulkWrite(batch, { ordered: false });
  }

  async upsert(model: string, id: string, payload: ArtifactPayload, expiresInSeconds: number | undefined) {
    const keys = artifactIndexKeys(payload);
    await this.#artifacts.replaceOne(
      { _id: key(model, id) },
      {
        model,
        payload: JSON.stringify(payload),
        ...(keys.grantId === undefined ? {} : { grantId: keys.grantId }),
        ...(keys.uid === undefined ? {} : { uid: keys.uid }),
        ...(keys.userCode === undefined ? {} : { userCode: keys.userCode }),
        ...(keys.accountId === undefined ? {} : { accountId: keys.accountId }),
        ...(expiresInSeconds === undefined ? {} : { expiresAt: new Date(Date.now() + expiresInSeconds * 1000) }),
      },
      { upsert: true },
    );
  }

  async find(model: string, id: string) {
    return toPayload(await this.#artifacts.findOne({ _id: key(model, id), ...live() }));
  }

  async findByUid(model: string, uid: string) {
    return toPayload(await this.#artifacts.findOne({ model, uid, ...live() }));
  }

  async findByUserCode(model: string, userCode: string) {
    return toPayload(await this.#artifacts.findOne({ model, userCode, ...live() }));
  }

  async consume(model: string, id: string) {
    await this.#artifacts.updateOne({ _id: key(model, id) }, { $set: { consumed: Math.floor(Date.now() / 1000) } });
  }

  async take(model: string, id: string) {
    const doc = await this.#artifacts.findOneAndDelete({
      _id: key(model, id),
      consumed: { $exists: false },
      ...live(),
    });
    return doc ? (JSON.parse(doc.payload) as ArtifactPayload) : undefined;
  }

  async destroy(model: string, id: string) {
    await this.#artifacts.deleteOne({ _id: key(model, id) });
  }

  async revokeByGrantId(grantId: string) {
    await this.#artifacts.deleteMany({ grantId });
  }

  async findByAccount(model: string, accountId: string) {
    const docs = await this.#artifacts.find({ accountId, model, ...live() }).toArray();
    return docs.map(payloadOf);
  }

  async revokeByAccount(accountId: string) {
    await this.#artifacts.deleteMany({ accountId });
  }
}

function key(model: string, id: string): string {
  return `${model}:${id}`;
}

function live() {
  return { $or: [{ expiresAt: { $exists: false } }, { expiresAt: { $gt: new Date() } }] };
}

function toPayload(doc: ArtifactDocument | null): ArtifactPayload | undefined {
  return doc ? payloadOf(doc) : undefined;
}

function payloadOf(doc: ArtifactDocument): ArtifactPayload {
  const payload = JSON.parse(doc.payload) as ArtifactPayload;
  return doc.consumed === undefined ? payload : { ...payload, consumed: doc.consumed };
}
