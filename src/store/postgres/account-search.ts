import type { Account } from '../../accounts/account.js';
import type { ExactRank, ListingSearch, RankedRow, SearchBackend, SearchRow, TextSearch } from '../account-search.js';
import { accountFromRow as rowToAccount } from '../sql-rows.js';
import type { AccountRow } from './account-rows.js';
import type { Queryable } from './sql.js';

/**
 * The account search's queries (see `SearchBackend`) on the indexes of schema migration 1. Each page is one index
 * range read in order from its resume key; each count a range counted in an index (index-only once the table has
 * been vacuumed). The key columns are `COLLATE "C"`, so the ranges and orders are code-point order, as the cursors
 * assume.
 *
 * Two lower bounds, `>= prefix` and `> after`, rather than one computed: the B-tree keeps the tighter of the two as
 * the start of the scan, so a deep page reads no more of the index than a first one, and a resume key from elsewhere
 * cannot leave the prefix range.
 */
export class PostgresAccountSearch implements SearchBackend {
  readonly #db: Queryable;

  constructor(db: Queryable) {
    this.#db = db;
  }

  async exact(search: TextSearch): Promise<RankedRow[]> {
    // Each branch is a look-up in a unique index (or the legacy_id one); the origin test runs on those few rows.
    const origin = 'AND ($3::text IS NULL OR origin = $3)';
    const { rows } = await this.#db.query<AccountRow & { match_rank: ExactRank }>(
      `SELECT 0 AS match_rank, * FROM accounts WHERE username_norm = $1 ${origin}
       UNION ALL SELECT 1, * FROM accounts WHERE email_norm = $1 ${origin}
       UNION ALL SELECT 2, * FROM accounts WHERE id = $2 ${origin}
       UNION ALL SELECT 3, a.* FROM unnest($4::text[], $5::text[]) AS pair (source, legacy_id)
         JOIN accounts a ON a.legacy_source = pair.source AND a.legacy_id = pair.legacy_id
         WHERE ($3::text IS NULL OR a.origin = $3)
       UNION ALL SELECT 4, * FROM accounts WHERE legacy_id = $2 ${origin}`,
      [
        search.login,
        search.raw,
        search.origin ?? null,
        search.legacyPairs.map((pair) => pair.source),
        search.legacyPairs.map((pair) => pair.id),
      ],
    );
    return rows.map((row) => ({ ...searchRow(row), rank: row.match_rank }));
  }

  async usernamePrefix(
    search: TextSearch,
    after: string | undefined,
    limit: number,
    exclude: string[],
  ): Promise<SearchRow[]> {
    const { rows } = await this.#db.query<AccountRow>(
      `SELECT * FROM accounts
       WHERE username_norm >= $1 AND username_norm > $2 AND username_norm < $3 AND id <> ALL($4::text[])
         ${search.origin ? 'AND origin = $6' : ''}
       ORDER BY username_norm LIMIT $5`,
      [search.login, resumeKey(after), search.prefixEnd, exclude, limit, ...originParam(search)],
    );
    return rows.map(searchRow);
  }

  async emailPrefix(
    search: TextSearch,
    after: string | undefined,
    limit: number,
    exclude: string[],
  ): Promise<SearchRow[]> {
    // The page's keys come from an index-only scan of the email index, which carries username, origin and id: the
    // accounts it passes over (their username matches too: listed in the username phase) cost no row reads. Only
    // the page's rows are then read, by primary key.
    const { rows } = await this.#db.query<AccountRow>(
      `SELECT a.* FROM (
         SELECT id, email_norm FROM accounts
         WHERE email_norm >= $1 AND email_norm > $2 AND email_norm < $3
           AND NOT (username_norm >= $1 AND username_norm < $3) AND id <> ALL($4::text[])
           ${search.origin ? 'AND origin = $6' : ''}
         ORDER BY email_norm LIMIT $5
       ) page JOIN accounts a ON a.id = page.id
       ORDER BY page.email_norm`,
      [search.login, resumeKey(after), search.prefixEnd, exclude, limit, ...originParam(search)],
    );
    return rows.map(searchRow);
  }

  async countUsernamePrefix(search: TextSearch): Promise<number> {
    return this.#count(
      `SELECT count(*) AS n FROM accounts WHERE username_norm >= $1 AND username_norm < $2
       ${search.origin ? 'AND origin = $3' : ''}`,
      [search.login, search.prefixEnd, ...originParam(search)],
    );
  }

  async countEmailPrefix(search: TextSearch): Promise<number> {
    return this.#count(
      `SELECT count(*) AS n FROM accounts
       WHERE email_norm >= $1 AND email_norm < $2 AND NOT (username_norm >= $1 AND username_norm < $2)
       ${search.origin ? 'AND origin = $3' : ''}`,
      [search.login, search.prefixEnd, ...originParam(search)],
    );
  }

  async listing(
    search: ListingSearch,
    after: { createdAt: number; id: string } | undefined,
    limit: number,
  ): Promise<Account[]> {
    // A row comparison is one index condition: the scan starts right below the last row of the previous page.
    const { rows } = await this.#db.query<AccountRow>(
      `SELECT * FROM accounts WHERE (created_at, id) < ($1::bigint, $2::text)
       ${search.origin ? 'AND origin = $4' : ''}
       ORDER BY created_at DESC, id DESC LIMIT $3`,
      [
        // The start: below every key, as no account is created at the end of time.
        after?.createdAt ?? Number.MAX_SAFE_INTEGER,
        after === undefined ? '' : beforeNul(after.id),
        limit,
        ...(search.origin ? [search.origin] : []),
      ],
    );
    return rows.map(rowToAccount);
  }

  countListing(search: ListingSearch): Promise<number> {
    // Kept by the account store (schema migration 1): one row per origin instead of 10^6 index entries.
    return search.origin
      ? this.#count('SELECT coalesce(sum(n), 0)::bigint AS n FROM account_counts WHERE origin = $1', [search.origin])
      : this.#count('SELECT coalesce(sum(n), 0)::bigint AS n FROM account_counts', []);
  }

  async #count(sql: string, params: unknown[]): Promise<number> {
    const { rows } = await this.#db.query<{ n: number }>(sql, params);
    return rows[0]?.n ?? 0;
  }
}

function originParam(search: TextSearch): string[] {
  return search.origin ? [search.origin] : [];
}

/** The start ('': before every login) or the resume key, as a parameter PostgreSQL text can hold. */
function resumeKey(after: string | undefined): string {
  return after === undefined ? '' : beforeNul(after);
}

/**
 * A key cut at its first U+0000, which PostgreSQL text cannot hold. Only a forged cursor carries one, and since no
 * stored key contains U+0000, the keys above `a\u0000…` are exactly those above `a`.
 */
function beforeNul(key: string): string {
  const at = key.indexOf('\u0000');
  return at === -1 ? key : key.slice(0, at);
}

function searchRow(row: AccountRow): SearchRow {
  return { account: rowToAccount(row), usernameNorm: row.username_norm, emailNorm: row.email_norm ?? undefined };
}
