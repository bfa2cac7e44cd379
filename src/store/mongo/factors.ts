import { MongoBulkWriteError, type Collection, type Db, type MongoClient, type WriteError } from 'mongodb';
import type { Factor, FactorKind, FactorStore } from '../store.js';
import { duplicateKeyPattern } from './mongo-store.js';

/** The unique index on passkeys' credential ids; its name is how a refused write says what clashed. */
const CREDENTIAL_INDEX = 'credential_unique';

/** A factor as the `factors` collection holds it. */
interface FactorDocument {
  _id: string;
  accountId: string;
  kind: FactorKind;
  /** Absent for the kinds that have none: the unique index is partial, so they never clash. */
  credentialId?: string;
  /** JSON text, like settings: opaque to the store, and its keys need not be valid MongoDB field names. */
  data: string;
  mark: number;
  label?: string;
  createdAt: Date;
  lastUsedAt?: Date;
}

type AddResult = { kind: 'added' } | { kind: 'conflict' };

export class MongoFactorStore implements FactorStore {
  readonly #client: MongoClient;
  readonly #factors: Collection<FactorDocument>;

  /** `client` runs `add`'s transactions (the store is a replica set: docs/production.md). */
  constructor(client: MongoClient, db: Db) {
    this.#client = client;
    this.#factors = db.collection<FactorDocument>('factors');
  }

  async createIndexes(): Promise<void> {
    await this.#factors.createIndexes([
      {
        key: { credentialId: 1 },
        name: CREDENTIAL_INDEX,
        unique: true,
        partialFilterExpression: { credentialId: { $type: 'string' } },
      },
      { key: { accountId: 1, kind: 1 }, name: 'account_kind' },
    ]);
  }

  async listByAccount(accountId: string): Promise<Factor[]> {
    const docs = await this.#factors.find({ accountId }).sort({ createdAt: 1, _id: 1 }).toArray();
    return docs.map(documentToFactor);
  }

  async findByCredentialId(credentialId: string): Promise<Factor | undefined> {
    const doc = await this.#factors.findOne({ credentialId });
    return doc ? documentToFactor(doc) : undefined;
  }

  async add(factors: readonly Factor[], replacing?: FactorKind): Promise<AddResult> {
    assertOneAccount(factors);
    const accountId = factors[0]?.accountId;
    if (accountId === undefined) return { kind: 'added' };
    try {
      // One transaction: the factors replaced and the new ones change together, and a refused insert (its abort)
      // leaves neither. withTransaction retries the whole of it on a transient error (a write conflict).
      await this.#client.withSession((session) =>
        session.withTransaction(async () => {
          if (replacing !== undefined) await this.#factors.deleteMany({ accountId, kind: replacing }, { session });
          await this.#factors.insertMany(factors.map(toDocument), { session });
        }),
      );
      return { kind: 'added' };
    } catch (error) {
      if (isCredentialIdConflict(error)) return { kind: 'conflict' };
      throw error;
    }
  }

  async advance(id: string, mark: number, at: Date): Promise<boolean> {
    // One conditional update: the server applies it to the document atomically, so of concurrent callers with the
    // same mark only the first matches; the others find the mark already there.
    const { matchedCount } = await this.#factors.updateOne(
      { _id: id, mark: { $lt: mark } },
      { $set: { mark, lastUsedAt: at } },
    );
    return matchedCount > 0;
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.#factors.updateOne({ _id: id }, { $set: { lastUsedAt: at } });
  }

  async replaceData(id: string, data: Record<string, unknown>): Promise<boolean> {
    const { matchedCount } = await this.#factors.updateOne({ _id: id }, { $set: { data: JSON.stringify(data) } });
    return matchedCount > 0;
  }

  async remove(accountId: string, ids?: readonly string[]): Promise<number> {
    if (ids?.length === 0) return 0;
    const { deletedCount } = await this.#factors.deleteMany(
      ids === undefined ? { accountId } : { accountId, _id: { $in: [...ids] } },
    );
    return deletedCount;
  }

  async countAccountsByKind(): Promise<Record<FactorKind, number>> {
    const counts: Record<FactorKind, number> = { totp: 0, 'recovery-code': 0, passkey: 0 };
    const groups = this.#factors.aggregate<{ _id: FactorKind; count: number }>([
      // A used recovery code (mark 1) no longer counts.
      { $match: { $or: [{ kind: { $ne: 'recovery-code' } }, { mark: { $lt: 1 } }] } },
      // Once per account and kind, then accounts per kind.
      { $group: { _id: { kind: '$kind', accountId: '$accountId' } } },
      { $group: { _id: '$_id.kind', count: { $sum: 1 } } },
    ]);
    for await (const group of groups) counts[group._id] = group.count;
    return counts;
  }
}

/** `add` takes the factors of one account (what `replacing` applies to); a mixed batch is a caller's bug. */
function assertOneAccount(factors: readonly Factor[]): void {
  const accountId = factors[0]?.accountId;
  if (factors.some((factor) => factor.accountId !== accountId)) {
    throw new Error('FactorStore.add: every factor of one batch must belong to the same account');
  }
}

/** A write refused by the credential id index ("… index: credential_unique dup key: …"); not by a clash of ids. */
function isCredentialIdConflict(error: unknown): boolean {
  if (error instanceof MongoBulkWriteError) {
    const writeErrors = ([] as WriteError[]).concat(error.writeErrors);
    if (writeErrors.length > 0) {
      return writeErrors.every((e) => e.code === 11000 && (e.errmsg ?? '').includes(`index: ${CREDENTIAL_INDEX} `));
    }
  }
  const keyPattern = duplicateKeyPattern(error);
  return keyPattern !== undefined && 'credentialId' in keyPattern;
}

function toDocument(factor: Factor): FactorDocument {
  return {
    _id: factor.id,
    accountId: factor.accountId,
    kind: factor.kind,
    ...(factor.credentialId === undefined ? {} : { credentialId: factor.credentialId }),
    data: JSON.stringify(factor.data),
    mark: factor.mark,
    ...(factor.label === undefined ? {} : { label: factor.label }),
    createdAt: factor.createdAt,
    ...(factor.lastUsedAt === undefined ? {} : { lastUsedAt: factor.lastUsedAt }),
  };
}

function documentToFactor(doc: FactorDocument): Factor {
  return {
    id: doc._id,
    accountId: doc.accountId,
    kind: doc.kind,
    credentialId: doc.credentialId,
    data: JSON.parse(doc.data) as Record<string, unknown>,
    mark: doc.mark,
    label: doc.label,
    createdAt: doc.createdAt,
    lastUsedAt: doc.lastUsedAt,
  };
}
