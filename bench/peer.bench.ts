import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LegacyUserService, type LegacyUserRecord } from '../src/demo/legacy-service.js';
import { LEGACY_TOKEN, RP_REDIRECT, TEST_CLIENTS } from '../test/support/harness.js';
import { buildIdp, NODE_FLAGS, PROCESS_ENV, startIdpProcess, writeIdpConfig } from '../test/support/idp-process.js';
import { freePort } from '../test/support/servers/process.js';
import { basicAuthorization, leanSignIn } from './lean-sign-in.js';
import { PeerMissing, pbkdf2Bound, startGlewlwyd, type PeerUser } from './peer/glewlwyd.js';
import { send } from './lean-http.js';
import {
  AB_MISSING,
  abRate,
  bcryptBound,
  cpuMicros,
  loadFor,
  mean,
  median,
  quantile,
  residentBytes,
  timed,
  type Load,
} from './measure.js';

/**
 * `npm run bench -- --peer glewlwyd`: the IdP and glewlwyd (Debian's package, a C IdP on SQLite) measured in the same
 * run on this machine, with one load generator (this process) and the same flow against both: the authorization
 * code flow with PKCE through each one's sign-in, a fresh cookie jar per flow, for users who already have an account
 * (migrated users on our side, created and consented once on glewlwyd's). Sides alternate wherever the machine's
 * drift could favour one. Each side's sign-in rate is also given as a share of its own hashing bound: the
 * verifications per second its password hash allows on all cores, measured just before and after that load.
 */

const PEERS = ['glewlwyd'] as const;
const BCRYPT_COST = 10;
const USERS = Number(process.env.BENCH_PEER_USERS ?? 64);
const SAMPLES = Number(process.env.BENCH_PEER_SAMPLES ?? 40);
const LOAD_SECONDS = Number(process.env.BENCH_PEER_LOAD_SECONDS ?? 20);
const LOAD_LANES = [8, 32] as const;
const ENDPOINT_SECONDS = Number(process.env.BENCH_PEER_ENDPOINT_SECONDS ?? 2);
const ENDPOINT_ROUNDS = Number(process.env.BENCH_PEER_ENDPOINT_ROUNDS ?? 3);
/** As a load tester's connections would, enough requests in flight to keep either server busy. */
const ENDPOINT_LANES = 32;
const BOUND_SECONDS = Number(process.env.BENCH_PEER_BOUND_SECONDS ?? 2);
/** `BENCH_PEER_GLEWLWYD_WAL=1` gives glewlwyd's SQLite file the write-ahead log our embedded store uses. */
const GLEWLWYD_WAL = process.env.BENCH_PEER_GLEWLWYD_WAL === '1';

/** One IdP under test, as the measurements see it. */
interface Contender {
  name: string;
  pid: number;
  passwordHash: string;
  store: string;
  signIn: (login: string, password: string) => Promise<{ refresh_token?: string }>;
  refresh: (refreshToken: string) => Promise<string>;
  discoveryUrl: string;
  jwksUrl: string;
  /** Password verifications per second on all cores, measured when called. */
  hashingBound: () => Promise<number>;
  /** The server's recent error log, where it keeps one apart from its answers. */
  log?: () => string;
}

const users: PeerUser[] = Array.from({ length: USERS }, (_, i) => ({
  login: `bench${String(i)}`,
  password: `bench-password-${String(i)}`,
}));
const userFor = (n: number): PeerUser => users[n % users.length] ?? { login: '', password: '' };

function requestedPeer(argv: readonly string[]): string | undefined {
  const at = argv.indexOf('--peer');
  if (at >= 0) return argv[at + 1];
  return argv.find((arg) => arg.startsWith('--peer='))?.slice('--peer='.length);
}

/** Our IdP as `npm start` runs it, on the embedded store; every bench user migrated by a first sign-in. */
async function startOurs(dir: string, legacyUrl: string): Promise<Contender & { stop: () => void }> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${String(port)}`;
  const config = writeIdpConfig(dir, {
    issuer,
    legacyUrl,
    sqlitePath: join(dir, 'idp.sqlite'),
    extra: { passwords: { bcryptCost: BCRYPT_COST, hashingThreads: 0 } },
  });
  const started = await startIdpProcess(
    { IDP_CONFIG: config, PORT: String(port), ...PROCESS_ENV },
    dir,
    undefined,
    NODE_FLAGS,
    'compiled',
  );
  const client = TEST_CLIENTS.firstParty;
  const signIn = (login: string, password: string) => leanSignIn(issuer, client, login, password);
  for (let i = 0; i < users.length; i += 4) {
    await Promise.all(users.slice(i, i + 4).map(({ login, password }) => signIn(login, password)));
  }
  return {
    name: 'jit-idp',
    pid: started.child.pid ?? 0,
    passwordHash: `bcrypt cost ${String(BCRYPT_COST)}`,
    store: 'SQLite, WAL',
    signIn,
    refresh: async (refreshToken) => {
      const answer = await send(new URL(`${issuer}/token`), {
        authorization: basicAuthorization(client),
        form: { grant_type: 'refresh_token', refresh_token: refreshToken },
      });
      const next = answer.status === 200 ? (JSON.parse(answer.body) as { refresh_token?: string }).refresh_token : '';
      if (!next) throw new Error(`refresh answered ${String(answer.status)}`);
      return next;
    },
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    jwksUrl: `${issuer}/jwks`,
    hashingBound: () => bcryptBound(BCRYPT_COST, BOUND_SECONDS),
    stop: () => started.child.kill('SIGKILL'),
  };
}

async function startPeer(): Promise<Contender & { stop: () => void }> {
  const peer = await startGlewlwyd({
    users,
    client: TEST_CLIENTS.firstParty,
    redirectUri: RP_REDIRECT,
    wal: GLEWLWYD_WAL,
  });
  const { iterations } = peer.passwordHash;
  return {
    name: `glewlwyd ${peer.version}`,
    pid: peer.pid,
    passwordHash: `PBKDF2-SHA256, ${iterations.toLocaleString('en-US')} iterations`,
    store: `SQLite, ${peer.journalMode}`,
    signIn: peer.signIn,
    refresh: peer.refresh,
    discoveryUrl: peer.discoveryUrl,
    jwksUrl: peer.jwksUrl,
    log: peer.log,
    hashingBound: async () => {
      const bound = await pbkdf2Bound(iterations, BOUND_SECONDS);
      if (bound.via !== 'nettle') process.stderr.write(`  (glewlwyd's bound measured with ${bound.via})\n`);
      return bound.perSecond;
    },
    stop: peer.stop,
  };
}

/** One sign-in at a time, the sides taking turns; a few first ones to warm each up are left out. */
async function aloneLatencies(sides: readonly Contender[]): Promise<number[][]> {
  const samples = sides.map((): number[] => []);
  for (let n = -5; n < SAMPLES; n++) {
    for (const [i, side] of sides.entries()) {
      const { login, password } = userFor(n + 5);
      const took = await timed(() => side.signIn(login, password));
      if (n >= 0) samples[i]?.push(took);
    }
  }
  return samples;
}

interface BoundedLoad extends Load {
  /** The server's CPU per successful sign-in: what it costs apart from the load generator. */
  cpuMsPerSignIn: number;
  /** The side's hashing bound, the mean of one measurement just before the load and one just after. */
  bound: number;
}

async function boundedSignInLoad(side: Contender, lanes: number): Promise<BoundedLoad> {
  const boundBefore = await side.hashingBound();
  let next = 0;
  const cpuBefore = cpuMicros(side.pid);
  const load = await loadFor(lanes, LOAD_SECONDS, () => {
    const { login, password } = userFor(next++);
    return side.signIn(login, password);
  });
  const cpuMsPerSignIn = (cpuMicros(side.pid) - cpuBefore) / 1000 / load.done;
  return { ...load, cpuMsPerSignIn, bound: mean([boundBefore, await side.hashingBound()]) };
}

const getOk = async (url: string) => {
  const answer = await send(new URL(url));
  if (answer.status !== 200) throw new Error(`${url} answered ${String(answer.status)}`);
};

/** Requests per second of one endpoint on each side: short rounds taken in turns, the median round per side. */
async function endpointRates(
  sides: readonly Contender[],
  stepOf: (side: Contender, sideIndex: number) => (lane: number) => Promise<unknown>,
): Promise<Load[]> {
  const rounds = sides.map((): Load[] => []);
  for (const [i, side] of sides.entries()) await loadFor(ENDPOINT_LANES, 1, stepOf(side, i)); // warm-up
  for (let round = 0; round < ENDPOINT_ROUNDS; round++) {
    for (const [i, side] of sides.entries())
      rounds[i]?.push(await loadFor(ENDPOINT_LANES, ENDPOINT_SECONDS, stepOf(side, i)));
  }
  return rounds.map((loads) => {
    const sorted = [...loads].sort((a, b) => a.perSecond - b.perSecond);
    const middle = sorted[Math.floor(sorted.length / 2)];
    if (!middle) throw new Error('no rounds measured');
    return { ...middle, errors: loads.reduce((sum, load) => sum + load.errors, 0) };
  });
}

/** A sign-in tried up to three times: setup for a later figure, which a sporadic refusal should not abort. */
async function signInRetrying(side: Contender, login: string, password: string): Promise<{ refresh_token?: string }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await side.signIn(login, password);
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

/** Each lane's own chain of one-time refresh tokens, per side. */
async function refreshChains(sides: readonly Contender[]): Promise<string[][]> {
  return Promise.all(
    sides.map(async (side) => {
      const chains: string[] = [];
      for (let lane = 0; lane < ENDPOINT_LANES; lane++) {
        const { login, password } = userFor(lane);
        chains.push((await signInRetrying(side, login, password)).refresh_token ?? '');
      }
      return chains;
    }),
  );
}

/**
 * Requests/s ApacheBench gets from each side's `url`, the sides taking turns, the median of the rounds, with the failed
 * requests of all rounds; undefined when ab is not installed. At these rates a Node client measures mostly itself.
 */
function abRates(sides: readonly Contender[], url: (side: Contender) => string): string[] | undefined {
  const rates = sides.map((): number[] => []);
  const failed = sides.map(() => 0);
  for (let round = 0; round < ENDPOINT_ROUNDS; round++) {
    for (const [i, side] of sides.entries()) {
      const got = abRate(url(side), ENDPOINT_LANES, ENDPOINT_SECONDS);
      if (!got) return undefined;
      rates[i]?.push(got.perSecond);
      failed[i] = (failed[i] ?? 0) + got.failed;
    }
  }
  return rates.map((values, i) => `${median(values).toFixed(0)}/s, ${String(failed[i] ?? 0)} failed`);
}

const ms = (n: number) => `${n.toFixed(1)} ms`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const perSecond = (load: Load) => `${load.perSecond.toFixed(1)}/s`;
const withErrors = (load: Load) => `${perSecond(load)}, ${String(load.errors)} errors`;
const share = (rate: number, bound: number) => `${((rate / bound) * 100).toFixed(0)}%`;

function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const all = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  process.stdout.write(
    `\n${[line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')}\n\n`,
  );
}

async function compare(ours: Contender, peer: Contender): Promise<void> {
  const sides = [ours, peer];
  const rows: string[][] = [];
  /** The first error of each measurement that had some, printed under the table: a count alone does not say why. */
  const notes: string[] = [];
  const row = (what: string, cells: readonly string[], loads: readonly Load[] = []) => {
    rows.push([what, ...cells]);
    process.stderr.write(`  ${what}: ${cells.join(' | ')}\n`);
    for (const [i, load] of loads.entries()) {
      if (load.firstError) notes.push(`${sides[i]?.name ?? ''}, ${what}, first error: ${load.firstError}`);
    }
  };
  row(
    'password hash',
    sides.map((side) => side.passwordHash),
  );
  row(
    'store',
    sides.map((side) => side.store),
  );

  await new Promise((resolve) => setTimeout(resolve, 2000)); // let setup's garbage settle before reading memory
  const idle = sides.map((side) => residentBytes(side.pid));

  const alone = await aloneLatencies(sides);
  row(
    `one sign-in alone, median / p95 of ${String(SAMPLES)}`,
    alone.map((values) => `${ms(median(values))} / ${ms(quantile(values, 0.95))}`),
  );

  // Each load is taken between two measurements of its side's hashing bound, and its share is of their mean: other
  // work on a shared machine moves both alike only if they are close in time.
  const loads = LOAD_LANES.map((): BoundedLoad[] => []);
  for (const [l, lanes] of LOAD_LANES.entries()) {
    for (const side of sides) {
      process.stderr.write(`  (${side.name}: ${String(LOAD_SECONDS)} s of sign-ins, ${String(lanes)} in flight)\n`);
      loads[l]?.push(await boundedSignInLoad(side, lanes));
    }
  }
  const loaded = sides.map((side) => residentBytes(side.pid));
  row(
    'hashing bound: verifications/s on all cores, mean',
    sides.map((_, i) => mean(loads.map((atLanes) => atLanes[i]?.bound ?? Number.NaN)).toFixed(1)),
  );
  for (const [l, lanes] of LOAD_LANES.entries()) {
    const measured = loads[l] ?? [];
    row(`sign-ins/s, ${String(lanes)} in flight (${String(LOAD_SECONDS)} s)`, measured.map(withErrors), measured);
    row(
      `  as share of its own hashing bound around it`,
      measured.map((load) => share(load.perSecond, load.bound)),
    );
    row(
      `  server CPU per sign-in (all its threads)`,
      measured.map((load) => ms(load.cpuMsPerSignIn)),
    );
  }

  const chains = await refreshChains(sides);
  const refreshes = await endpointRates(sides, (side, i) => async (lane) => {
    const chain = chains[i] ?? [];
    chain[lane] = await side.refresh(chain[lane] ?? '');
  });
  row(`refresh grants/s (one-time tokens), ${String(ENDPOINT_LANES)} in flight`, refreshes.map(withErrors), refreshes);
  const discovery = await endpointRates(sides, (side) => () => getOk(side.discoveryUrl));
  row(`discovery requests/s, ${String(ENDPOINT_LANES)} in flight`, discovery.map(withErrors), discovery);
  const jwks = await endpointRates(sides, (side) => () => getOk(side.jwksUrl));
  row(`JWKS requests/s, ${String(ENDPOINT_LANES)} in flight`, jwks.map(withErrors), jwks);
  for (const [name, url] of [
    ['discovery', (side: Contender) => side.discoveryUrl],
    ['JWKS', (side: Contender) => side.jwksUrl],
  ] as const) {
    const label = `${name} requests/s with ApacheBench (ab -k -c ${String(ENDPOINT_LANES)}), median of ${String(ENDPOINT_ROUNDS)}`;
    row(label, abRates(sides, url) ?? sides.map(() => AB_MISSING));
  }
  row(
    'resident memory idle / after the sign-in load',
    idle.map((bytes, i) => `${mb(bytes)} / ${mb(loaded[i] ?? Number.NaN)}`),
  );

  printTable(['', ...sides.map((side) => side.name)], rows);
  if (notes.length > 0) process.stdout.write(`${notes.join('\n')}\n\n`);
  for (const side of sides) {
    const log = side.log?.().trim().split('\n').slice(-5).join('\n');
    if (log) process.stdout.write(`${side.name}'s last logged errors:\n${log}\n\n`);
  }
}

async function main(): Promise<number> {
  const peerName = requestedPeer(process.argv.slice(2));
  if (!PEERS.some((known) => known === peerName)) {
    process.stderr.write(
      `usage: tsx bench/peer.bench.ts --peer glewlwyd (peers known: ${PEERS.join(', ')}); got ${String(peerName)}\n`,
    );
    return 2;
  }
  process.stderr.write(
    `peer comparison: ${String(availableParallelism())} cores, Node ${process.version}, ${String(USERS)} users\n`,
  );
  buildIdp(); // our IdP runs as `npm start` runs it
  const dir = mkdtempSync(join(tmpdir(), 'jit-idp-peer-bench-'));
  const records: LegacyUserRecord[] = users.map(({ login, password }, i) => ({
    password,
    profile: { uid: `B-${String(i)}`, user_name: login, mail: `${login}@example.com` },
  }));
  const legacy = new LegacyUserService({ users: records, token: LEGACY_TOKEN });
  await legacy.start();
  const stops: (() => void)[] = [];
  try {
    const peer = await startPeer();
    stops.push(peer.stop);
    const ours = await startOurs(dir, legacy.url);
    stops.push(ours.stop);
    await compare(ours, peer);
    return 0;
  } catch (error) {
    if (!(error instanceof PeerMissing)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 2;
  } finally {
    for (const stop of stops) stop();
    await legacy.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
