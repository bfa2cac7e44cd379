import type { Database, Statement } from 'better-sqlite3';
import type { Account } from '../../accounts/account.js';
import type { ExactRank, ListingSearch, RankedRow, SearchBackend, SearchRow, TextSearch } from '../account-search.js';
import { rowToAccount, type AccountRow } from './account-rows.js';

type Params = Record<string, string | number | null>;

/** A statement with and without `origin = @origin`: with a fixed condition each stays one index range. */
interface ByOrigin<R> {
  any: Statement<Params, R>;
  origin: Statement<Params, R>;
}

/**
 * The account search's queries (see `SearchBackend`) on the indexes of schema migration 7: each page is one index
 * range read in order from its resume key, each count a range counted inside an index without reading rows.
 */
export class SqliteAccountSearch implements SearchBackend {
  readonly #exact: Statement<Params, AccountRow & { match_rank: ExactRank }>;
  readonly #usernamePrefix: ByOrigin<AccountRow>;
  readonly #emailPrefix: ByOrigin<AccountRow>;
  readonly #countUsernamePrefix: ByOrigin<{ n: number }>;
  readonly #countEmailPrefix: ByOrigin<{ n: number }>;
  readonly #listing: ByOrigin<AccountRow>;
  readonly #countListing: ByOrigin<{ n: number }>;

  constructor(db: Database) {
    const prepare = <R>(sql: string) => db.prepare<Params, R>(sql);
    // Each branch is a look-up in a unique index (or the legacy_id one); the origin test runs on those few rows.
    // The pairs come first in their join so that each is one look-up in the (legacy_source, legacy_id) index.
    const origin = 'AND (@origin IS NULL OR origin = @origin)';
    this.#exact = prepare(`
      SELECT 0 AS match_rank, * FROM accounts WHERE username_norm = @login ${origin}
      UNION ALL SELECT 1, * FROM accounts WHERE email_norm = @login ${origin}
      UNION ALL SELECT 2, * FROM accounts WHERE id = @raw ${origin}
      UNION ALL SELECT 3, accounts.* FROM json_each(@pairs) AS pair CROSS JOIN accounts
        WHERE legacy_source = json_extract(pair.value, '$[0]') AND legacy_id = json_extract(pair.value, '$[1]')
          ${origin}
      UNION ALL SELECT 4, * FROM accounts WHERE legacy_id = @raw ${origin}`);

    // Resuming after @after ('' at the start): the range starts at the larger of the prefix and the resume key, so a
    // deep page reads no more of the index than a first one, and a key from elsewhere cannot leave the prefix.
    const usernameRange = 'username_norm >= max(@login, @after) AND username_norm < @end AND username_norm <> @after';
    const emailRange = 'email_norm >= max(@login, @after) AND email_norm < @end AND email_norm <> @after';
    const usernamePrefix = 'username_norm >= @login AND username_norm < @end';
    const notExact = 'id NOT IN (SELECT value FROM json_each(@exclude))';
    // INDEXED BY where SQLite, without statistics, would choose otherwise: for one origin it prefers the listing
    // index (then sorts every match), and for the email phase the unique email index (then reads each row to test
    // its username, tens of thousands for a short prefix).
    const page = 'SELECT * FROM accounts';
    this.#usernamePrefix = {
      any: prepare(`${page} WHERE ${usernameRange} AND ${notExact} ORDER BY username_norm LIMIT @limit`),
      origin: prepare(`${page} INDEXED BY accounts_username_search
        WHERE origin = @origin AND ${usernameRange} AND ${notExact} ORDER BY username_norm LIMIT @limit`),
    };
    const emailPage = (o: string) => `${page} INDEXED BY accounts_email_search
      WHERE ${emailRange} AND NOT (${usernamePrefix}) AND ${notExact} ${o} ORDER BY email_norm LIMIT @limit`;
    this.#emailPrefix = { any: prepare(emailPage('')), origin: prepare(emailPage('AND origin = @origin')) };
    const count = 'SELECT count(*) AS n FROM accounts';
    this.#countUsernamePrefix = {
      any: prepare(`${count} WHERE ${usernamePrefix}`),
      origin: prepare(`${count} INDEXED BY accounts_username_search WHERE origin = @origin AND ${usernamePrefix}`),
    };
    const emailCount = (o: string) => `${count} INDEXED BY accounts_email_search
      WHERE email_norm >= @login AND email_norm < @end AND NOT (${usernamePrefix}) ${o}`;
    this.#countEmailPrefix = { any: prepare(emailCount('')), origin: prepare(emailCount('AND origin = @origin')) };
    const listing = (o: string) => `${page} WHERE (created_at, id) < (@created_at, @id) ${o}
      ORDER BY created_at DESC, id DESC LIMIT @limit`;
    this.#listing = { any: prepare(listing('')), origin: prepare(listing('AND origin = @origin')) };
    // Kept by the account store (schema migration 7): one row per origin instead of 10^6 index entries.
    this.#countListing = {
      any: prepare('SELECT coalesce(sum(n), 0) AS n FROM account_counts'),
      origin: prepare('SELECT coalesce(sum(n), 0) AS n FROM account_counts WHERE origin = @origin'),
    };
  }

  exact(search: TextSearch): Promise<RankedRow[]> {
    const rows = this.#exact.all({
      login: search.login,
      raw: search.raw,
      pairs: JSON.stringify(search.legacyPairs.map((pair) => [pair.source, pair.id])),
      origin: search.origin ?? null,
    });
    return Promise.resolve(rows.map((row) => ({ ...searchRow(row), rank: row.match_rank })));
  }

  usernamePrefix(search: TextSearch, after: string | undefined, limit: number, exclude: string[]) {
    return Promise.resolve(this.#prefix(this.#usernamePrefix, search, after, limit, exclude));
  }

  emailPrefix(search: TextSearch, after: string | undefined, limit: number, exclude: string[]) {
    return Promise.resolve(this.#prefix(this.#emailPrefix, search, after, limit, exclude));
  }

  countUsernamePrefix(search: TextSearch): Promise<number> {
    return Promise.resolve(this.#count(this.#countUsernamePrefix, search));
  }

  countEmailPrefix(search: TextSearch): Promise<number> {
    return Promise.resolve(this.#count(this.#countEmailPrefix, search));
  }

  listing(search: ListingSearch, after: { createdAt: number; id: string } | undefined, limit: number) {
    const statement = search.origin ? this.#listing.origin : this.#listing.any;
    const rows = statement.all({
      // The start: below every key, as no account is created at the end of time.
      created_at: after?.createdAt ?? Number.MAX_SAFE_INTEGER,
      id: after?.id ?? '',
      limit,
      ...(search.origin ? { origin: search.origin } : {}),
    });
    return Promise.resolve(rows.map(rowToAccount) satisfies Account[]);
  }

  countListing(search: ListingSearch): Promise<number> {
    const row = search.origin
      ? this.#countListing.origin.get({ origin: search.origin })
      : this.#countListing.any.get({});
    return Promise.resolve(row?.n ?? 0);
  }

  #prefix(
    statements: ByOrigin<AccountRow>,
    search: TextSearch,
    after: string | undefined,
    limit: number,
    exclude: string[],
  ): SearchRow[] {
    const statement = search.origin ? statements.origin : statements.any;
    const rows = statement.all({
      login: search.login,
      end: search.prefixEnd,
      after: after ?? '',
      exclude: JSON.stringify(exclude),
      limit,
      ...(search.origin ? { origin: search.origin } : {}),
    });
    return rows.map(searchRow);
  }

  #count(statements: ByOrigin<{ n: number }>, search: TextSearch): number {
    const statement = search.origin ? statements.origin : statements.any;
    const row = statement.get({
      login: search.login,
      end: search.prefixEnd,
      ...(search.origin ? { origin: search.origin } : {}),
    });
    return row?.n ?? 0;
  }
}

function searchRow(row: AccountRow): SearchRow {
  return { account: rowToAccount(row), usernameNorm: row.username_norm, emailNorm: row.email_norm ?? undefined };
}
