import type { Collection, Filter, IndexDescription } from 'mongodb';
import type { Account } from '../../accounts/account.js';
import {
  compareText,
  EXACT_RANK,
  type ExactRank,
  type ListingSearch,
  type RankedRow,
  type SearchBackend,
  type SearchRow,
  type TextSearch,
} from '../account-search.js';
import { documentToAccount, type AccountDocument } from './account-document.js';

/**
 * The indexes of the account search (src/store/account-search.ts), beside the unique ones on usernameNorm, emailNorm
 * and legacy ids. Each with an origin leads with it, so that a search within one origin is one contiguous range
 * (a COUNT_SCAN for its total). The email ones carry usernameNorm: the email phase leaves out accounts whose
 * username matches too, and that test is then made on index keys, not on fetched documents. Not partial: a query
 * can use a partial index only when the planner can prove it a subset of the filter, and it cannot for `$type`.
 */
export const SEARCH_INDEXES: IndexDescription[] = [
  { key: { emailNorm: 1, usernameNorm: 1 }, name: 'email_search' },
  { key: { origin: 1, usernameNorm: 1 }, name: 'origin_username_search' },
  { key: { origin: 1, emailNorm: 1, usernameNorm: 1 }, name: 'origin_email_search' },
  { key: { createdAt: -1, _id: -1 }, name: 'listing' },
  { key: { origin: 1, createdAt: -1, _id: -1 }, name: 'origin_listing' },
];

/** The search's queries on those indexes, each hinted: a wrong plan here costs a scan of 10^6 accounts. */
export class MongoAccountSearch implements SearchBackend {
  readonly #accounts: Collection<AccountDocument>;

  constructor(accounts: Collection<AccountDocument>) {
    this.#accounts = accounts;
  }

  async exact(search: TextSearch): Promise<RankedRow[]> {
    // The partial unique indexes on legacy ids hold only string ids (`$type`), and the planner uses one only for a
    // filter that says so itself; `$type` here makes each branch of the $or an index look-up, not a collection scan.
    const legacyId = (id: string) => ({ $eq: id, $type: 'string' as const });
    const branches: Filter<AccountDocument>[] = [
      { usernameNorm: search.login },
      { emailNorm: search.login },
      { _id: search.raw },
      ...search.legacyPairs.map((pair) => ({ 'legacy.source': pair.source, 'legacy.id': legacyId(pair.id) })),
      { 'legacy.id': legacyId(search.raw) },
    ];
    const docs = await this.#accounts.find({ $or: branches, ...originOf(search) }).toArray();
    return docs.flatMap((doc) => {
      const rank = exactRank(search, doc);
      return rank === undefined ? [] : [{ ...searchRow(doc), rank }];
    });
  }

  async usernamePrefix(search: TextSearch, after: string | undefined, limit: number, exclude: string[]) {
    const docs = await this.#accounts
      .find({ usernameNorm: resumeRange(search, after), ...notIn(exclude), ...originOf(search) })
      .sort({ usernameNorm: 1 })
      .limit(limit)
      .hint(search.origin ? 'origin_username_search' : 'username_unique')
      .toArray();
    return docs.map(searchRow);
  }

  async emailPrefix(search: TextSearch, after: string | undefined, limit: number, exclude: string[]) {
    const docs = await this.#accounts
      .find({
        emailNorm: resumeRange(search, after),
        usernameNorm: notPrefix(search),
        ...notIn(exclude),
        ...originOf(search),
      })
      .sort({ emailNorm: 1 })
      .limit(limit)
      .hint(search.origin ? 'origin_email_search' : 'email_search')
      .toArray();
    return docs.map(searchRow);
  }

  countUsernamePrefix(search: TextSearch): Promise<number> {
    return this.#accounts.countDocuments(
      { usernameNorm: prefixRange(search), ...originOf(search) },
      { hint: search.origin ? 'origin_username_search' : 'username_unique' },
    );
  }

  countEmailPrefix(search: TextSearch): Promise<number> {
    return this.#accounts.countDocuments(
      { emailNorm: prefixRange(search), usernameNorm: notPrefix(search), ...originOf(search) },
      { hint: search.origin ? 'origin_email_search' : 'email_search' },
    );
  }

  async listing(
    search: ListingSearch,
    after: { createdAt: number; id: string } | undefined,
    limit: number,
  ): Promise<Account[]> {
    // Older than the last row: `$lte` bounds the index range (a deep page reads no more of it than the first one);
    // the `$or` then only drops the rows of the last row's instant up to and including it.
    const resume: Filter<AccountDocument> = after
      ? {
          createdAt: { $lte: new Date(after.createdAt) },
          $or: [{ createdAt: { $lt: new Date(after.createdAt) } }, { _id: { $lt: after.id } }],
        }
      : {};
    const docs = await this.#accounts
      .find({ ...resume, ...originOf(search) })
      .sort({ createdAt: -1, _id: -1 })
      .limit(limit)
      .hint(search.origin ? 'origin_listing' : 'listing')
      .toArray();
    return docs.map(documentToAccount);
  }

  countListing(search: ListingSearch): Promise<number> {
    if (search.origin) return this.#accounts.countDocuments({ origin: search.origin }, { hint: 'origin_listing' });
    // The collection's own count, kept by the server: counting 10^6 index keys on every listing page would be far
    // slower. It can drift only after an unclean shutdown (until the next validate) or with orphaned documents on a
    // sharded cluster mid-migration; a console's "of N accounts" can afford that, a query's matches are counted.
    return this.#accounts.estimatedDocumentCount();
  }
}

function originOf(search: { origin: TextSearch['origin'] }): Filter<AccountDocument> {
  return search.origin ? { origin: search.origin } : {};
}

function notIn(ids: string[]): Filter<AccountDocument> {
  return ids.length === 0 ? {} : { _id: { $nin: ids } };
}

function prefixRange(search: TextSearch) {
  return { $gte: search.login, $lt: search.prefixEnd };
}

function notPrefix(search: TextSearch) {
  return { $not: prefixRange(search) };
}

/**
 * The prefix range from just after the resume key; a key below the range (not one of this search's) starts it over.
 * Compared as the server compares strings, by UTF-8 bytes.
 */
function resumeRange(search: TextSearch, after: string | undefined) {
  return after === undefined || compareText(after, search.login) < 0
    ? prefixRange(search)
    : { $gt: after, $lt: search.prefixEnd };
}

function exactRank(search: TextSearch, doc: AccountDocument): ExactRank | undefined {
  if (doc.usernameNorm === search.login) return EXACT_RANK.username;
  if (doc.emailNorm === search.login) return EXACT_RANK.email;
  if (doc._id === search.raw) return EXACT_RANK.id;
  const legacy = doc.legacy;
  if (legacy && search.legacyPairs.some((pair) => pair.source === legacy.source && pair.id === legacy.id))
    return EXACT_RANK.legacyId;
  if (legacy?.id === search.raw) return EXACT_RANK.bareLegacyId;
  return undefined;
}

function searchRow(doc: AccountDocument): SearchRow {
  return { account: documentToAccount(doc), usernameNorm: doc.usernameNorm, emailNorm: doc.emailNorm };
}
