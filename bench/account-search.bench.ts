import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { normaliseLogin, type Account, type AccountOrigin } from '../src/accounts/account.js';
import { encodeCursor } from '../src/store/account-search.js';
import { openEmbeddedStore } from '../src/store/embedded/embedded-store.js';
import { openMongoStore } from '../src/store/mongo/mongo-store.js';
import { missingTool } from '../test/support/tools.js';
import { benchStores } from './bench-stores.js';
import type { AccountSearch, Store } from '../src/store/store.js';

/**
 * `npm run bench` (fifth part): the console's account search on 1,000,000 accounts (target: p95 under 50 ms for
 * every kind of query, its total included). The accounts mix realistic usernames and emails (names, initials,
 * `user<N>` accounts whose prefixes match 10^5 of them), legacy ids under two sources for most, and three origins,
 * imported ones created in bursts that share their instant. Each kind of query runs RUNS times with varying values,
 * on the embedded store, on PostgreSQL (a private server, where Debian's postgresql is installed), and on MongoDB
 * when MONGODB_URI is set.
 */

const ACCOUNTS = Number(process.env.BENCH_SEARCH_ACCOUNTS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_SEARCH_RUNS ?? 200);
const BATCH = 50_000;
/** The console's page size. */
const LIMIT = 100;
const TARGET_P95_MS = 50;

// A fixed seed: the same accounts every run, so runs compare.
let seed = 0x5eed;
function random(): number {
  // mulberry32
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

const FIRST = ['anna', 'ben', 'carla', 'david', 'emma', 'felix', 'greta', 'hugo', 'ida', 'jonas', 'karin', 'lukas'];
const FIRST_MORE = ['mia', 'noah', 'olga', 'paul', 'quinn', 'rosa', 'sven', 'tina', 'uwe', 'vera', 'willi', 'yusuf'];
const FIRSTS = [...FIRST, ...FIRST_MORE, 'zoe', 'ömer', 'łucja', 'jürgen', 'chloé', 'xu'];
const LASTS = ['schmidt', 'meyer', 'weber', 'fischer', 'wagner', 'becker', 'hoffmann', 'koch', 'richter', 'klein'];
const LASTS_MORE = ['wolf', 'neumann', 'braun', 'krüger', 'hartmann', 'lange', 'nguyen', 'garcia', 'smith', 'rossi'];
const ALL_LASTS = [...LASTS, ...LASTS_MORE, 'kowalski', 'yilmaz', 'ivanova', 'larsen', 'dubois', 'silva', 'okafor'];
const DOMAINS = ['example.com', 'mail.example', 'corp.example', 'web.example', 'post.example'];
const HASH = '$2b$10$abcdefghijklmnopqrstuuC3UUrS1rxvVq0n3p8H2Lk8dJxW0d1pW';
const START = Date.UTC(2022, 0, 1);
const SPAN_MS = 3 * 365 * 24 * 3600 * 1000;

/** What the queries are drawn from: every 20th account. */
interface Sample {
  id: string;
  username: string;
  email: string | undefined;
  legacy: { source: string; id: string } | undefined;
  createdAt: number;
}

function makeAccount(i: number, userNumber: () => number): Account {
  const tag = i.toString(36);
  const first = pick(FIRSTS);
  const last = pick(ALL_LASTS);
  const style = random();
  const username =
    style < 0.2
      ? `user${userNumber()}`
      : style < 0.5
        ? `${first}.${last}.${tag}`
        : style < 0.75
          ? `${first.slice(0, 1)}${last}${tag}`
          : style < 0.9
            ? `${first}_${tag}`
            : `${last}-${first}-${tag}`;
  const local = pick([`${first}.${last}`, `${first.slice(0, 1)}.${last}`, `${last}.${first}`, `${first}${last}`]);
  const email = random() < 0.85 ? `${local}.${tag}@${pick(DOMAINS)}` : undefined;
  const legacyKind = random();
  const legacy =
    legacyKind < 0.45
      ? { source: 'ldap', id: `uid-${100_000 + i}`, migratedAt: new Date(START) }
      : legacyKind < 0.8
        ? { source: 'shop-db', id: String(1 + i), migratedAt: new Date(START) }
        : undefined;
  const origin: AccountOrigin = legacy ? (random() < 0.75 ? 'migrated' : 'imported') : 'registered';
  // Imported accounts arrive in bursts of a few thousand that share their instant (the listing's ties).
  const at =
    origin === 'imported'
      ? START + Math.floor(i / 5000) * 5000 * (SPAN_MS / ACCOUNTS)
      : START + i * (SPAN_MS / ACCOUNTS);
  const createdAt = new Date(Math.floor(at / 1000) * 1000);
  return {
    id: randomUUID(),
    username: random() < 0.1 ? username.toUpperCase() : username,
    email,
    emailVerified: random() < 0.7,
    name: `${first} ${last}`,
    givenName: first,
    familyName: last,
    roles: ['customer'],
    origin,
    legacy,
    password: { kind: 'bcrypt', hash: HASH },
    createdAt,
    updatedAt: createdAt,
  };
}

async function fill(store: Store): Promise<{ samples: Sample[]; inserted: number; seconds: number }> {
  seed = 0x5eed;
  let users = 0;
  const samples: Sample[] = [];
  let inserted = 0;
  const started = performance.now();
  for (let from = 0; from < ACCOUNTS; from += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, ACCOUNTS - from) }, (_, k) =>
      makeAccount(from + k, () => users++),
    );
    const results = await store.accounts.insertMany(batch);
    results.forEach((result, k) => {
      if (result.kind !== 'inserted') return;
      inserted++;
      const a = batch[k];
      if (a && (from + k) % 20 === 0)
        samples.push({
          id: a.id,
          username: a.username,
          email: a.email,
          legacy: a.legacy,
          createdAt: a.createdAt.getTime(),
        });
    });
  }
  return { samples, inserted, seconds: (performance.now() - started) / 1000 };
}

interface Kind {
  name: string;
  /** The query of run `run`, and what its first account must be (for exact kinds). */
  query: (run: number) => { search: AccountSearch; firstId?: string };
}

function kinds(samples: Sample[]): Kind[] {
  const sample = () => pick(samples);
  const withEmail = samples.filter((s) => s.email !== undefined);
  const withLegacy = samples.filter((s) => s.legacy !== undefined);
  const userNamed = samples.filter((s) => /^user\d+$/i.test(s.username));
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const origins: AccountOrigin[] = ['migrated', 'registered', 'imported'];
  const prefixOf = (length: number) => () => {
    const s = sample();
    return { search: { text: normaliseLogin(s.username).slice(0, length) } };
  };
  return [
    {
      name: 'exact username (any case)',
      query: () => {
        const s = sample();
        return { search: { text: s.username.toUpperCase() }, firstId: s.id };
      },
    },
    {
      name: 'exact email',
      query: () => {
        const s = pick(withEmail);
        return { search: { text: s.email ?? '' }, firstId: s.id };
      },
    },
    {
      name: 'source:legacy id',
      query: () => {
        const s = pick(withLegacy);
        return { search: { text: `${s.legacy?.source ?? ''}:${s.legacy?.id ?? ''}` }, firstId: s.id };
      },
    },
    {
      name: 'bare legacy id',
      query: () => {
        const s = pick(withLegacy);
        return { search: { text: s.legacy?.id ?? '' }, firstId: s.id };
      },
    },
    {
      name: 'account id',
      query: () => {
        const s = sample();
        return { search: { text: s.id }, firstId: s.id };
      },
    },
    {
      name: "prefix, 1 char ('u', 'a' …)",
      query: (run) => ({
        search: { text: run % 4 === 0 ? 'u' : letters.charAt(Math.floor(random() * letters.length)) },
      }),
    },
    { name: "prefix 'user1'", query: () => ({ search: { text: 'user1' } }) },
    { name: 'prefix, 5 chars of a username', query: prefixOf(5) },
    {
      name: "prefix 'user12345'-like, 9 chars",
      query: () => ({ search: { text: normaliseLogin(pick(userNamed).username).slice(0, 9) } }),
    },
    {
      name: "prefix 'u', one origin",
      query: () => ({ search: { text: 'u', origin: pick(origins) } }),
    },
    {
      name: "prefix 'u', deep page (cursor)",
      query: () => ({
        search: {
          text: 'u',
          cursor: encodeCursor({ phase: 'username', after: normaliseLogin(pick(userNamed).username) }),
        },
      }),
    },
    {
      name: "prefix 'j', email phase (cursor)",
      query: () => {
        const emails = withEmail.filter((s) => s.email?.startsWith('j'));
        return {
          search: {
            text: 'j',
            cursor: encodeCursor({ phase: 'email', after: normaliseLogin(pick(emails).email ?? '') }),
          },
        };
      },
    },
    { name: 'listing, first page', query: () => ({ search: {} }) },
    { name: 'listing, first page, one origin', query: () => ({ search: { origin: pick(origins) } }) },
    {
      name: 'listing, deep page (cursor)',
      query: () => {
        const s = sample();
        return { search: { cursor: encodeCursor({ phase: 'listing', createdAt: s.createdAt, id: s.id }) } };
      },
    },
  ];
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

async function measure(label: string, store: Store, samples: Sample[]): Promise<boolean> {
  const rows: string[][] = [];
  let allMet = true;
  for (const kind of kinds(samples)) {
    const times: number[] = [];
    const totals: number[] = [];
    for (let run = -5; run < RUNS; run++) {
      const { search, firstId } = kind.query(run);
      const started = performance.now();
      const page = await store.accounts.search({ limit: LIMIT, ...search });
      const ms = performance.now() - started;
      if (firstId !== undefined && page.accounts[0]?.id !== firstId)
        throw new Error(`${kind.name}: ${JSON.stringify(search)} did not find ${firstId} first`);
      // The first five warm the statement caches and are not counted.
      if (run < 0) continue;
      times.push(ms);
      totals.push(page.total);
    }
    times.sort((a, b) => a - b);
    totals.sort((a, b) => a - b);
    const p95 = percentile(times, 95);
    allMet &&= p95 < TARGET_P95_MS;
    rows.push([
      kind.name,
      percentile(times, 50).toFixed(2),
      p95.toFixed(2),
      (times.at(-1) ?? NaN).toFixed(2),
      `${(totals[0] ?? 0).toLocaleString('en-US')} – ${(totals.at(-1) ?? 0).toLocaleString('en-US')}`,
      p95 < TARGET_P95_MS ? 'ok' : 'SLOW',
    ]);
  }
  const header = ['query', 'p50 ms', 'p95 ms', 'max ms', 'total (min – max)', `p95 < ${TARGET_P95_MS}`];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => (c === 0 || c === 4 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0)))
      .join('  ');
  process.stdout.write(`${label}\n${line(header)}\n${rows.map(line).join('\n')}\n\n`);
  return allMet;
}

/** Fills the store and measures its searches, under `label`. */
async function run(label: string, store: Store): Promise<void> {
  try {
    const { samples, inserted, seconds } = await fill(store);
    // As `npm run import` does at its end (PostgreSQL: VACUUM ANALYZE), and the database's own maintenance later.
    await store.accounts.settleAfterBulkInsert?.();
    await measure(
      `account search, ${label}: ${inserted.toLocaleString('en-US')} accounts (inserted in ${seconds.toFixed(1)} s), ` +
        `${RUNS} runs per query, ${LIMIT} per page, total counted on each`,
      store,
      samples,
    );
  } finally {
    await store.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'jit-idp-search-bench-'));
try {
  await run('embedded store', openEmbeddedStore(join(dir, 'idp.sqlite')));
  // A private, crash-safe PostgreSQL on loopback (Debian's postgresql), as the sign-in bench's `--store postgres`.
  if (missingTool('postgres')) {
    process.stdout.write(`account search, PostgreSQL: ${String(missingTool('postgres'))}\n\n`);
  } else {
    const stores = await benchStores('postgres', dir);
    try {
      await run('PostgreSQL', await stores.open('search'));
    } finally {
      await stores.close();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const uri = process.env.MONGODB_URI;
if (!uri) {
  process.stdout.write('account search, MongoDB: skipped (MONGODB_URI not set; no MongoDB server on this machine)\n\n');
} else {
  const database = `jit_idp_search_bench_${randomBytes(6).toString('hex')}`;
  try {
    await run('MongoDB', await openMongoStore(uri, database));
  } finally {
    const client = await MongoClient.connect(uri);
    await client.db(database).dropDatabase();
    await client.close();
  }
}
