import { z } from 'zod';
import { normaliseLogin, type Account, type AccountOrigin } from '../accounts/account.js';
import type { AccountPage, AccountSearch } from './store.js';

/**
 * The account search both stores run (see `AccountSearch`): the phases, their order, the cursor and the total live
 * here once; each store only answers the few index-backed queries of `SearchBackend`.
 *
 * A search for text runs three phases, each ordered by a unique key so that a page can resume after its last row:
 * exact matches (few; by rank, then id), username prefix matches (by normalised username) and email prefix matches of
 * accounts whose username does not also start with the text (by normalised email). No account is in two phases: the
 * prefix phases leave out the exact matches, the email phase the username prefix ones. Without text, every account,
 * newest first (created, then id, both descending).
 */

export const DEFAULT_SEARCH_LIMIT = 50;
export const MAX_SEARCH_LIMIT = 500;

/** The order of exact matches: what an operator most likely meant comes first. */
export const EXACT_RANK = { username: 0, email: 1, id: 2, legacyId: 3, bareLegacyId: 4 } as const;
export type ExactRank = (typeof EXACT_RANK)[keyof typeof EXACT_RANK];

/**
 * Where a page ended, by phase: the last row's key in that phase's order. Encoded as base64url JSON of a short
 * tuple (`["u","alice"]`); operators never see it, but it rides in URLs.
 */
export type SearchCursor =
  | { phase: 'exact'; rank: number; id: string }
  | { phase: 'username'; after: string }
  | { phase: 'email'; after: string }
  | { phase: 'listing'; createdAt: number; id: string };

const cursorTuple = z.union([
  z.tuple([z.literal('x'), z.number().int(), z.string()]),
  z.tuple([z.literal('u'), z.string()]),
  z.tuple([z.literal('e'), z.string()]),
  z.tuple([z.literal('l'), z.number().int(), z.string()]),
]);

export function encodeCursor(cursor: SearchCursor): string {
  const tuple =
    cursor.phase === 'exact'
      ? ['x', cursor.rank, cursor.id]
      : cursor.phase === 'username'
        ? ['u', cursor.after]
        : cursor.phase === 'email'
          ? ['e', cursor.after]
          : ['l', cursor.createdAt, cursor.id];
  return Buffer.from(JSON.stringify(tuple)).toString('base64url');
}

/** The cursor, or undefined for anything that is not one (edited, truncated, from another version): the start. */
export function decodeCursor(text: string | undefined): SearchCursor | undefined {
  if (text === undefined || text === '') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = cursorTuple.safeParse(json);
  if (!parsed.success) return undefined;
  const tuple = parsed.data;
  switch (tuple[0]) {
    case 'x':
      return { phase: 'exact', rank: tuple[1], id: tuple[2] };
    case 'u':
      return { phase: 'username', after: tuple[1] };
    case 'e':
      return { phase: 'email', after: tuple[1] };
    case 'l':
      return { phase: 'listing', createdAt: tuple[1], id: tuple[2] };
  }
}

/** What the stores' queries need to know of a search for text. */
export interface TextSearch {
  /** As typed, without surrounding space: matched exactly against ids and legacy ids. */
  raw: string;
  /** `normaliseLogin(text)`: matched exactly and as a prefix against normalised usernames and emails. */
  login: string;
  /** The exclusive upper end of the prefix range of `login`. */
  prefixEnd: string;
  /** Every reading of `raw` as the console's `source:id` (split at each ':'); sources and ids may hold ':'. */
  legacyPairs: { source: string; id: string }[];
  origin: AccountOrigin | undefined;
}

/** What a listing's queries need to know. */
export interface ListingSearch {
  origin: AccountOrigin | undefined;
}

/**
 * The end of a prefix range: every string that starts with `prefix` sorts below `prefix + U+10FFFF` in both stores'
 * orders (SQLite's BINARY and MongoDB's default string order compare UTF-8 bytes), except strings with U+10FFFF
 * itself, a noncharacter. U+FFFF would not do: characters beyond the BMP (emoji, say) encode above it in UTF-8.
 */
export function prefixEnd(prefix: string): string {
  return `${prefix}\u{10FFFF}`;
}

/** Whether a normalised login falls in `search`'s prefix range (the JS twin of the stores' range conditions). */
function inPrefix(search: TextSearch, login: string | undefined): boolean {
  return login !== undefined && login.startsWith(search.login) && !login.includes('\u{10FFFF}');
}

export function legacyPairs(raw: string): { source: string; id: string }[] {
  const pairs: { source: string; id: string }[] = [];
  for (let at = raw.indexOf(':'); at !== -1; at = raw.indexOf(':', at + 1)) {
    if (at > 0 && at < raw.length - 1) pairs.push({ source: raw.slice(0, at), id: raw.slice(at + 1) });
  }
  return pairs;
}

/** A matching account with the normalised keys the phases order by. */
export interface SearchRow {
  account: Account;
  usernameNorm: string;
  emailNorm: string | undefined;
}

export interface RankedRow extends SearchRow {
  rank: ExactRank;
}

/**
 * The queries a store answers for a search; every one an index range or a handful of index look-ups. Prefix pages
 * take the phase's last key (`after`, exclusive; undefined: from the start of the range), at most `limit` rows, and
 * the ids of the exact matches to leave out.
 */
export interface SearchBackend {
  /** Exact matches of every kind, each with its rank; an account may come more than once (under several ranks). */
  exact(search: TextSearch): Promise<RankedRow[]>;
  /** Username in the prefix range, by username. */
  usernamePrefix(search: TextSearch, after: string | undefined, limit: number, exclude: string[]): Promise<SearchRow[]>;
  /** Email in the prefix range and username not, by email. */
  emailPrefix(search: TextSearch, after: string | undefined, limit: number, exclude: string[]): Promise<SearchRow[]>;
  /** How many `usernamePrefix` would return in all from the start, not leaving out any exact match. */
  countUsernamePrefix(search: TextSearch): Promise<number>;
  /** Likewise for `emailPrefix`. */
  countEmailPrefix(search: TextSearch): Promise<number>;
  /** Newest first, strictly after (older than) `after`. */
  listing(
    search: ListingSearch,
    after: { createdAt: number; id: string } | undefined,
    limit: number,
  ): Promise<Account[]>;
  countListing(search: ListingSearch): Promise<number>;
}

export function searchLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_SEARCH_LIMIT;
  return Math.min(Math.max(Math.floor(limit), 1), MAX_SEARCH_LIMIT);
}

export async function runSearch(query: AccountSearch, backend: SearchBackend): Promise<AccountPage> {
  const limit = searchLimit(query.limit);
  const cursor = decodeCursor(query.cursor);
  const raw = (query.text ?? '').trim();
  const login = normaliseLogin(raw);
  const origin = query.origin;
  if (login === '') return runListing({ origin }, cursor?.phase === 'listing' ? cursor : undefined, limit, backend);

  const search: TextSearch = { raw, login, prefixEnd: prefixEnd(login), legacyPairs: legacyPairs(raw), origin };
  // A listing cursor means nothing to a search for text: start over.
  const resume = cursor?.phase === 'listing' ? undefined : cursor;
  // The total, counted while the pages are read: the prefix counts come straight from index ranges; the exact
  // matches they also hold are taken off below.
  const counts = Promise.all([backend.countUsernamePrefix(search), backend.countEmailPrefix(search)]);
  // Awaited below; until then a failure must not count as unhandled when a page query fails first.
  counts.catch(() => undefined);
  // One row per account, under its best rank, ordered by (rank, id): the exact phase's keyset order.
  const best = new Map<string, RankedRow>();
  for (const row of await backend.exact(search)) {
    const seen = best.get(row.account.id);
    if (!seen || row.rank < seen.rank) best.set(row.account.id, row);
  }
  const exact = [...best.values()].sort((a, b) => a.rank - b.rank || compareText(a.account.id, b.account.id));
  const exclude = exact.map((row) => row.account.id);

  // One row more than the page: whether it exists says whether there is a next page.
  const wanted = limit + 1;
  const page: { row: SearchRow; key: SearchCursor }[] = [];
  if (resume === undefined || resume.phase === 'exact') {
    for (const row of exact) {
      if (
        resume &&
        (row.rank < resume.rank || (row.rank === resume.rank && compareText(row.account.id, resume.id) <= 0))
      )
        continue;
      page.push({ row, key: { phase: 'exact', rank: row.rank, id: row.account.id } });
    }
  }
  if (page.length < wanted && resume?.phase !== 'email') {
    const after = resume?.phase === 'username' ? resume.after : undefined;
    for (const row of await backend.usernamePrefix(search, after, wanted - page.length, exclude))
      page.push({ row, key: { phase: 'username', after: row.usernameNorm } });
  }
  if (page.length < wanted) {
    const after = resume?.phase === 'email' ? resume.after : undefined;
    for (const row of await backend.emailPrefix(search, after, wanted - page.length, exclude))
      page.push({ row, key: { phase: 'email', after: row.emailNorm ?? '' } });
  }

  const [usernameCount, emailCount] = await counts;
  const exactInUsername = exact.filter((row) => inPrefix(search, row.usernameNorm)).length;
  const exactInEmail = exact.filter(
    (row) => !inPrefix(search, row.usernameNorm) && inPrefix(search, row.emailNorm),
  ).length;
  const total = exact.length + usernameCount - exactInUsername + emailCount - exactInEmail;
  return pageOf(
    page.map(({ row, key }) => ({ account: row.account, key })),
    limit,
    total,
  );
}

async function runListing(
  search: ListingSearch,
  cursor: Extract<SearchCursor, { phase: 'listing' }> | undefined,
  limit: number,
  backend: SearchBackend,
): Promise<AccountPage> {
  const [accounts, total] = await Promise.all([
    backend.listing(search, cursor, limit + 1),
    backend.countListing(search),
  ]);
  return pageOf(
    accounts.map((account) => ({
      account,
      key: { phase: 'listing', createdAt: account.createdAt.getTime(), id: account.id } as const,
    })),
    limit,
    total,
  );
}

function pageOf(rows: { account: Account; key: SearchCursor }[], limit: number, total: number): AccountPage {
  const shown = rows.slice(0, limit);
  const last = shown.at(-1);
  return {
    accounts: shown.map((row) => row.account),
    total,
    ...(rows.length > limit && last ? { next: encodeCursor(last.key) } : {}),
  };
}

/** Code-point order, as the stores compare ids (UTF-8 bytes), not JS's UTF-16 code units. */
export function compareText(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
