import { MongoBulkWriteError, MongoServerError, type Collection, type Db, type WriteError } from 'mongodb';
import { normaliseLogin, type Account, type AccountOrigin, type StoredPassword } from '../../accounts/account.js';
import type {
  AccountNames,
  AccountField,
  AccountPage,
  AccountSearch,
  AccountStore,
  FactorStore,
  InsertAccountResult,
  LoginChange,
  UpdateLoginsResult,
} from '../store.js';
import { runSearch } from '../account-search.js';
import { MongoAccountSearch, SEARCH_INDEXES } from './account-search.js';
import { documentToAccount, type AccountDocument } from './account-document.js';
import { duplicateKeyPattern } from './mongo-store.js';

export class MongoAccountStore implements AccountStore {
  readonly #accounts: Collection<AccountDocument>;
  readonly #search: MongoAccountSearch;
  readonly #factors: Pick<FactorStore, 'remove'>;

  /** `factors`: where an account's second factors are, which go when it does. */
  constructor(db: Db, factors: Pick<FactorStore, 'remove'>) {
    this.#accounts = db.collection<AccountDocument>('accounts');
    this.#factors = factors;
    this.#search = new MongoAccountSearch(this.#accounts);
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
      ...SEARCH_INDEXES,
    ]);
    // Superseded by the search's listing indexes, which start with the same keys.
    for (const name of ['origin', 'created']) {
      try {
        await this.#accounts.dropIndex(name);
      } catch (error) {
        // IndexNotFound: dropped already (by another process, or at an earlier start).
        if (!(error instanceof MongoServerError && error.code === 27)) throw error;
      }
    }
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

  search(query: AccountSearch): Promise<AccountPage> {
    return runSearch(query, this.#search);
  }

  async updateNames(id: string, names: AccountNames, updatedAt: Date): Promise<boolean> {
    const set: Partial<AccountDocument> = { updatedAt };
    const unset: Record<string, ''> = {};
    for (const key of ['name', 'givenName', 'familyName'] as const) {
      const value = names[key];
      if (value === undefined) unset[key] = '';
      else set[key] = value;
    }
    const { matchedCount } = await this.#accounts.updateOne({ _id: id }, { $set: set, $unset: unset });
    return matchedCount > 0;
  }

  async setDisabled(id: string, disabled: boolean, updatedAt: Date): Promise<boolean> {
    // Enabled is the field's absence, as for every account stored before the switch existed.
    const { matchedCount } = await this.#accounts.updateOne(
      { _id: id },
      disabled ? { $set: { disabled: true, updatedAt } } : { $set: { updatedAt }, $unset: { disabled: '' } },
    );
    return matchedCount > 0;
  }

  async declinePasskeyOffer(id: string, at: Date): Promise<boolean> {
    const { matchedCount } = await this.#accounts.updateOne({ _id: id }, { $set: { passkeyOfferDeclinedAt: at } });
    return matchedCount > 0;
  }

  async delete(id: string): Promise<boolean> {
    const { deletedCount } = await this.#accounts.deleteOne({ _id: id });
    // Right after, not in one transaction with it: a process that dies in between leaves factors of an account that
    // is gone, which is harmless (account ids are random and never reused, so nothing can ever reach them), and a
    // repeated delete of the same id removes them. So they go even when the account was gone already.
    await this.#factors.remove(id);
    return deletedCount > 0;
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
    ...(account.disabled ? { disabled: true } : {}),
    ...(account.passkeyOfferDeclinedAt ? { passkeyOfferDeclinedAt: account.passkeyOfferDeclinedAt } : {}),
    createdAt: account.createdAt,
    updatedAt: account.updatedAt,
  };
}

function toAccount(doc: AccountDocument | null): Account | undefined {
  return doc ? documentToAccount(doc) : undefined;
}
