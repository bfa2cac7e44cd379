import { MongoBulkWriteError, type Collection, type Db, type Filter, type WriteError } from 'mongodb';
import { normaliseLogin, type Account, type AccountOrigin, type StoredPassword } from '../../accounts/account.js';
import type {
  AccountField,
  AccountSearch,
  AccountStore,
  InsertAccountResult,
  LoginChange,
  UpdateLoginsResult,
} from '../store.js';
import { duplicateKeyPattern } from './mongo-store.js';

interface AccountDocument {
  _id: string;
  username: string;
  usernameNorm: string;
  email?: string;
  emailNorm?: string;
  emailVerified: boolean;
  name?: string;
  givenName?: string;
  familyName?: string;
  roles: string[];
  origin: AccountOrigin;
  legacy?: { source: string; id: string; migratedAt: Date };
  password: StoredPassword;
  createdAt: Date;
  updatedAt: Date;
}

export class MongoAccountStore implements AccountStore {
  readonly #accounts: Collection<AccountDocument>;

  constructor(db: Db) {
    this.#accounts = db.collection<AccountDocument>('accounts');
  }

  async createIndexes(): Promise<void> {
    await this.#accounts.createIndexes([
      { key: { usernameNorm: 1 }, name: 'username_unique', unique: true },
      // Partial, so any number of accounts may have no email or no legacy reference.
      {
        key: { emailNorm: 1 },
        name: 'email_unique',
        unique: true,
        partialFilterExpression: { emailNorm: { $type: 'string' } },
      },
      {
        key: { 'legacy.source': 1, 'legacy.id': 1 },
        name: 'legacy_id_unique',
        unique: true,
        partialFilterExpression: { 'legacy.id': { $type: 'string' } },
      },
      { key: { 'legacy.id': 1 }, name: 'legacy_id', partialFilterExpression: { 'legacy.id': { $type: 'string' } } },
      { key: { origin: 1 }, name: 'origin' },
      { key: { createdAt: -1 }, name: 'created' },
    ]);
  }

  async findById(id: string): Promise<Account | undefined> {
    return toAccount(await this.#accounts.findOne({ _id: id }));
  }

  async findByLogin(normalisedLogin: string): Promise<Account | undefined> {
    return toAccount(
      await this.#accounts.findOne({ $or: [{ usernameNorm: normalisedLogin }, { emailNorm: normalisedLogin }] }),
    );
  }

  async findByLegacyId(source: string, legacyId: string): Promise<Account | undefined> {
    return toAccount(await this.#accounts.findOne({ 'legacy.source': source, 'legacy.id': legacyId }));
  }

  async updateLogins(id: string, change: LoginChange): Promise<UpdateLoginsResult> {
    const set: Partial<AccountDocument> = { updatedAt: change.updatedAt };
    if (change.username !== undefined)
      Object.assign(set, { username: change.username, usernameNorm: normaliseLogin(change.username) });
    if (change.email !== undefined)
      Object.assign(set, { email: change.email, emailNorm: normaliseLogin(change.email) });
    if (change.emailVerified !== undefined) set.emailVerified = change.emailVerified;
    try {
      const updated = await this.#accounts.findOneAndUpdate(
        { _id: id, updatedAt: change.ifUpdatedAt },
        { $set: set },
        { returnDocument: 'after' },
      );
      const account = toAccount(updated);
      if (account) return { kind: 'updated', account };
      return (await this.#accounts.countDocuments({ _id: id }, { limit: 1 })) > 0
        ? { kind: 'stale' }
        : { kind: 'not-found' };
    } catch (error) {
      const keyPattern = duplicateKeyPattern(error);
      if (!keyPattern) throw error;
      return { kind: 'conflict', field: fieldOf(keyPattern) };
    }
  }

  async insertMany(accounts: readonly Account[]): Promise<InsertAccountResult[]> {
    const results: InsertAccountResult[] = accounts.map((account) => ({ kind: 'inserted', account }));
    if (accounts.length === 0) return results;
    try {
      // Unordered: every document is tried; the refused ones come back as write errors with their index.
      await this.#accounts.insertMany(accounts.map(toDocument), { ordered: false });
    } catch (error) {
      if (!(error instanceof MongoBulkWriteError)) throw error;
      const writeErrors = ([] as WriteError[]).concat(error.writeErrors);
      for (const writeError of writeErrors) {
        if (writeError.code !== 11000) throw error;
        results[writeError.index] = { kind: 'conflict', field: fieldOfIndex(writeError.errmsg ?? '') };
      }
    }
    return results;
  }

  async updatePassword(id: string, password: StoredPassword, updatedAt: Date, ifHash?: string): Promise<boolean> {
    const { matchedCount } = await this.#accounts.updateOne(
      { _id: id, ...(ifHash === undefined ? {} : { 'password.hash': ifHash }) },
      { $set: { password, updatedAt } },
    );
    return matchedCount > 0;
  }

  async countByOrigin(): Promise<Record<AccountOrigin, number>> {
    const counts: Record<AccountOrigin, number> = { migrated: 0, registered: 0, imported: 0 };
    const groups = this.#accounts.aggregate<{ _id: AccountOrigin; count: number }>([
      { $group: { _id: '$origin', count: { $sum: 1 } } },
    ]);
    for await (const group of groups) counts[group._id] = group.count;
    return counts;
  }

  countFromSource(source: string): Promise<number> {
    return this.#accounts.countDocuments({ 'legacy.source': source });
  }

  async existingLegacyIds(source: string, legacyIds: readonly string[]): Promise<Set<string>> {
    if (legacyIds.length === 0) return new Set();
    const found = await this.#accounts
      .find({ 'legacy.source': source, 'legacy.id': { $in: [...legacyIds] } }, { projection: { 'legacy.id': 1 } })
      .toArray();
    return new Set(found.flatMap((account) => (account.legacy ? [account.legacy.id] : [])));
  }

  async takenLogins(normalisedLogins: readonly string[]): Promise<Set<string>> {
    if (normalisedLogins.length === 0) return new Set();
    const wanted = [...normalisedLogins];
    const found = await this.#accounts
      .find(
        { $or: [{ usernameNorm: { $in: wanted } }, { emailNorm: { $in: wanted } }] },
        { projection: { usernameNorm: 1, emailNorm: 1 } },
      )
      .toArray();
    const asked = new Set(wanted);
    return new Set(
      found.flatMap((account) => [account.usernameNorm, account.emailNorm ?? ''].filter((l) => asked.has(l))),
    );
  }

  async search(query: AccountSearch): Promise<Account[]> {
    const filter: Filter<AccountDocument> = {};
    const text = normaliseLogin(query.text ?? '');
    if (text !== '') {
      const prefix = new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);
      filter.$or = [
        { usernameNorm: prefix },
        { emailNorm: prefix },
        { _id: query.text ?? '' },
        { 'legacy.id': query.text ?? '' },
      ];
    }
    if (query.origin) filter.origin = query.origin;
    const docs = await this.#accounts
      .find(filter)
      .sort({ createdAt: -1 })
      .limit(Math.min(Math.max(query.limit ?? 50, 1), 500))
      .toArray();
    return docs.map((doc) => toAccount(doc) as Account);
  }

  async insert(account: Account): Promise<InsertAccountResult> {
    try {
      await this.#accounts.insertOne(toDocument(account));
      return { kind: 'inserted', account };
    } catch (error) {
      const keyPattern = duplicateKeyPattern(error);
      if (!keyPattern) throw error;
      return { kind: 'conflict', field: fieldOf(keyPattern) };
    }
  }
}

/** From a duplicate-key message ("… index: email_unique dup key: …"), which unique index refused the write. */
function fieldOfIndex(message: string): AccountField {
  const index = /index: (\S+)/.exec(message)?.[1];
  if (index === 'username_unique') return 'username';
  if (index === 'email_unique') return 'email';
  if (index === 'legacy_id_unique') return 'legacyId';
  return 'id';
}

function fieldOf(keyPattern: Record<string, unknown>): AccountField {
  if ('usernameNorm' in keyPattern) return 'username';
  if ('emailNorm' in keyPattern) return 'email';
  if ('legacy.id' in keyPattern) return 'legacyId';
  return 'id';
}

function toDocument(account: Account): AccountDocument {
  return {
    _id: account.id,
    username: account.username,
    usernameNorm: normaliseLogin(account.username),
    ...(account.email === undefined ? {} : { email: account.email, emailNorm: normaliseLogin(account.email) }),
    emailVerified: account.emailVerified,
    ...(account.name === undefined ? {} : { name: account.name }),
    ...(account.givenName === undefined ? {} : { givenName: account.givenName }),
    ...(account.familyName === undefined ? {} : { familyName: account.familyName }),
    roles: account.roles,
    origin: account.origin,
    ...(account.legacy === undefined ? {} : { legacy: account.legacy }),
    password: account.password,
    createdAt: account.createdAt,
    updatedAt: account.updatedAt,
  };
}

function toAccount(doc: AccountDocument | null): Account | undefined {
  if (!doc) return undefined;
  return {
    id: doc._id,
    username: doc.username,
    email: doc.email,
    emailVerified: doc.emailVerified,
    name: doc.name,
    givenName: doc.givenName,
    familyName: doc.familyName,
    roles: doc.roles,
    origin: doc.origin,
    legacy: doc.legacy,
    password: doc.password,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}
