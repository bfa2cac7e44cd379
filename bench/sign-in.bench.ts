import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn, type ChildProcess } from 'node:child_process';
import bcrypt from 'bcryptjs';
import type { Account } from '../src/accounts/account.js';
import { LegacyUserService, type LegacyUserRecord } from '../src/demo/legacy-service.js';
import { LEGACY_TOKEN, TEST_CLIENTS } from '../test/support/harness.js';
import {
  buildIdp,
  NODE_FLAGS,
  PROCESS_ENV,
  startIdpProcess,
  writeIdpConfig,
  type IdpProcess,
} from '../test/support/idp-process.js';
import { beginAuthorization, discover } from '../test/support/oidc-flow.js';
import { freePort } from '../test/support/servers/process.js';
import { benchStoreKind, benchStores, type BenchStores } from './bench-stores.js';
import { basicAuthorization, leanSignIn } from './lean-sign-in.js';
import {
  AB_MISSING,
  abRate,
  bcryptBound,
  cpuMicros,
  cpuOutsideBusiest,
  quantile,
  residentBytes,
  threadCpuMicros,
  throughput,
  timed,
} from './measure.js';

/**
 * `npm run bench`, first part: the IdP under load, every figure from one run on this machine, printed as one table.
 * The IdP runs as its own process (`build/main.js`, as `npm start` runs it) on the embedded store (or a private
 * PostgreSQL on loopback, with `--store postgres`), with a legacy HTTP
 * stub on loopback; this process is the load generator. A sign-in is the whole authorization code flow with PKCE
 * through the hosted page, driven by the lean client of `lean-sign-in.ts`, since the generator shares the cores the
 * bound is measured on. Rate limits are off (the load comes from one IP); the equal failure timing is on, as by
 * default.
 */

const COST = 10;
/** Sign-ins in flight in the load phases: a few clients, then many. */
const LOADS = (process.env.BENCH_CONCURRENCY ?? '8,32').split(',').map(Number);
const CONCURRENCY = LOADS[0] ?? 8;
const SEQUENTIAL = Number(process.env.BENCH_SAMPLES ?? 60);
const LOAD_ROUNDS = Number(process.env.BENCH_ROUNDS ?? 600);
const ENDPOINT_SECONDS = Number(process.env.BENCH_ENDPOINT_SECONDS ?? 1.5);
const ENDPOINT_ROUNDS = Number(process.env.BENCH_ENDPOINT_ROUNDS ?? 8);
/** Enough requests in flight to keep either server busy, as a load tester's connections would. */
const ENDPOINT_LANES = Number(process.env.BENCH_ENDPOINT_LANES ?? 32);
const BIG_STORE = Number(process.env.BENCH_BIG_STORE ?? 1_000_000);
const SMALL_STORE = 1000;
/** Sign-ins on each of the two stores: a p95 of 200 moved by 7% between runs on this shared machine. */
const BIG_STORE_SAMPLES = Number(process.env.BENCH_BIG_STORE_SAMPLES ?? 400);
/** How long each measurement of the hashing bound runs (about 120 verifications on this machine). */
const BOUND_SECONDS = Number(process.env.BENCH_BOUND_SECONDS ?? 6);
/** How long the IdP sits idle before its resident memory is read (also read halfway). */
const IDLE_SETTLE_MS = Number(process.env.BENCH_IDLE_SECONDS ?? 60) * 1000;
/** The IdP's and the bare provider's node flags; `BENCH_NODE_FLAGS=` (empty) measures V8's defaults instead. */
const SERVER_FLAGS = process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? NODE_FLAGS;
/** Which store the IdP (and bare oidc-provider beside it) runs on: `--store postgres` or BENCH_STORE. */
const STORE = benchStoreKind(
  process.argv.includes('--store') ? process.argv[process.argv.indexOf('--store') + 1] : process.env.BENCH_STORE,
);

const password = (i: number) => `bench-password-${String(i)}`;
const users: LegacyUserRecord[] = Array.from({ length: 1000 }, (_, i) => ({
  password: password(i),
  profile: { uid: `B-${String(i)}`, user_name: `bench${String(i)}`, mail: `bench${String(i)}@example.com` },
}));
/** Which users each phase takes, so that a "first sign-in" is always a user not yet migrated. */
const RANGE = { sequential: [0, SEQUENTIAL], jitLoad: [100, 260], legacyRejected: [900, 1000] } as const;

const ms = (n: number) => `${n.toFixed(1)} ms`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const sleep = (msToWait: number) => new Promise((resolve) => setTimeout(resolve, msToWait));

interface Rate {
  perSecond: number;
  cpuPerRequest: number;
}

/**
 * Requests per second over `seconds`, each lane repeating `step` with its own state, and the CPU the serving process
 * spent per request (what the server costs, apart from the load generator sharing the machine).
 */
async function rate(lanes: number, seconds: number, pid: number, step: (lane: number) => Promise<void>): Promise<Rate> {
  const cpuBefore = cpuMicros(pid);
  let done = 0;
  const until = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      while (performance.now() < until) {
        await step(lane);
        done++;
      }
    }),
  );
  return {
    perSecond: done / ((performance.now() - started) / 1000),
    cpuPerRequest: (cpuMicros(pid) - cpuBefore) / done,
  };
}

/** The bench reads the IdP's own figures; /metrics is served only to a scraper with the token. */
const METRICS_TOKEN = 'bench-metrics-token-0123456789';

/**
 * One bcrypt verification at COST, on one thread of this process: its wall time (median) and CPU time (mean), the
 * same library the IdP's hashing threads run. What a sign-in costs beyond it is the IdP's own work.
 */
function oneHash(): { wallMs: number; cpuMs: number } {
  const hash = bcrypt.hashSync('benchmark password', COST);
  const walls: number[] = [];
  const cpuBefore = process.cpuUsage();
  for (let i = 0; i < 30; i++) {
    const started = performance.now();
    bcrypt.compareSync('x', hash);
    walls.push(performance.now() - started);
  }
  const cpu = process.cpuUsage(cpuBefore);
  return { wallMs: quantile(walls, 0.5), cpuMs: (cpu.user + cpu.system) / 1000 / walls.length };
}

/**
 * The IdP's own figures from its Prometheus endpoint; reading resets the event-loop delay histogram, so the delays
 * are those since the previous scrape.
 */
async function scrape(issuer: string): Promise<{ loopP99Ms: number; loopMaxMs: number; rssBytes: number }> {
  const text = await (
    await fetch(`${issuer}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
  ).text();
  const value = (series: string) =>
    Number(
      text
        .split('\n')
        .find((line) => line.startsWith(`${series} `))
        ?.split(' ')[1],
    );
  return {
    // The IdP's own figure: prom-client's nodejs_eventloop_lag_* include their 10 ms sampling interval.
    loopP99Ms: value('idp_event_loop_delay_seconds{quantile="0.99"}') * 1000,
    loopMaxMs: value('idp_event_loop_delay_seconds{quantile="1"}') * 1000,
    rssBytes: value('idp_process_resident_memory_bytes'),
  };
}

/** `count` accounts with one password's bcrypt hash, inserted in batches (the store's bulk path). */
async function populate(stores: BenchStores, name: string, count: number, hash: string): Promise<void> {
  const store = await stores.open(name);
  const at = new Date();
  for (let start = 0; start < count; start += 10_000) {
    const batch: Account[] = [];
    for (let i = start; i < Math.min(count, start + 10_000); i++) {
      batch.push({
        id: randomUUID(),
        username: `acct${String(i)}`,
        email: `acct${String(i)}@example.com`,
        emailVerified: true,
        roles: [],
        origin: 'imported',
        password: { kind: 'bcrypt', hash },
        createdAt: at,
        updatedAt: at,
      });
    }
    await store.accounts.insertMany(batch);
  }
  await store.close();
}

function startBareProvider(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      ...SERVER_FLAGS,
      '--import',
      import.meta.resolve('tsx'),
      fileURLToPath(new URL('./bare-provider.ts', import.meta.url)),
    ],
    { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`bare provider exited with ${String(code)}`)));
  });
}

async function main() {
  // The IdP runs as `npm start` runs it: the compiled build, made (or brought up to date) first.
  buildIdp();
  const dir = mkdtempSync(join(tmpdir(), 'jit-idp-bench-'));
  const stores = await benchStores(STORE, dir);
  const legacy = new LegacyUserService({ users, token: LEGACY_TOKEN });
  await legacy.start();
  const children: ChildProcess[] = [];
  const rows: [string, string][] = [];
  const row = (what: string, figure: string) => {
    rows.push([what, figure]);
    process.stderr.write(`  ${what}: ${figure}\n`);
  };
  try {
    row(
      'machine',
      `${String(availableParallelism())} cores, Node ${process.version}, bcrypt cost ${String(COST)}, ` +
        `servers run with [${SERVER_FLAGS.join(' ')}], store ${stores.kind}`,
    );

    const start = async (storeName: string): Promise<{ issuer: string; configFile: string; process: IdpProcess }> => {
      const port = await freePort();
      const issuer = `http://127.0.0.1:${String(port)}`;
      const config = writeIdpConfig(dir, {
        issuer,
        legacyUrl: legacy.url,
        store: await stores.config(storeName),
        extra: { passwords: { bcryptCost: COST, hashingThreads: 0 }, metrics: { bearerToken: METRICS_TOKEN } },
      });
      const started = await startIdpProcess(
        { IDP_CONFIG: config, PORT: String(port), ...PROCESS_ENV },
        dir,
        undefined,
        SERVER_FLAGS,
        'compiled',
      );
      children.push(started.child);
      return { issuer, configFile: config, process: started };
    };
    const main = await start('main');
    const { issuer } = main;
    const config = await discover(issuer);
    const signInOk = (login: string, pw: string, target = issuer) =>
      leanSignIn(target, TEST_CLIENTS.firstParty, login, pw);
    await signInOk('bench999', password(999)); // warm-up: keys, views, worker threads
    const idle = await scrape(issuer);
    // V8 gives memory back once a process has been idle for a while (its memory reducer): the figure a quiet IdP
    // holds, beside the one right after a sign-in. The reducer picks its own moment (30-40 s after the last request
    // in these runs), so the figure is read halfway and at the end, from /proc: a request would end the idleness.
    const idpPid = main.process.child.pid ?? 0;
    await sleep(IDLE_SETTLE_MS / 2);
    const idleHalfway = residentBytes(idpPid);
    await sleep(IDLE_SETTLE_MS / 2);
    const settled = residentBytes(idpPid);

    // 2. First sign-ins (JIT), one at a time, then the same users again: the migration's extra latency.
    const jit: number[] = [];
    const normal: number[] = [];
    for (let i = RANGE.sequential[0]; i < RANGE.sequential[1]; i++)
      jit.push(await timed(() => signInOk(`bench${String(i)}`, password(i))));
    for (let i = RANGE.sequential[0]; i < RANGE.sequential[1]; i++)
      normal.push(await timed(() => signInOk(`bench${String(i)}`, password(i))));
    row('normal sign-in (migrated user), median / p95', `${ms(quantile(normal, 0.5))} / ${ms(quantile(normal, 0.95))}`);
    row('first sign-in with JIT migration, median / p95', `${ms(quantile(jit, 0.5))} / ${ms(quantile(jit, 0.95))}`);
    row('JIT extra latency (median)', ms(quantile(jit, 0.5) - quantile(normal, 0.5)));
    const [jitFrom, jitTo] = RANGE.jitLoad;
    const jitRate = await throughput(CONCURRENCY, jitTo - jitFrom, async (n) => {
      await signInOk(`bench${String(jitFrom + n)}`, password(jitFrom + n));
    });
    row(`first sign-ins (JIT)/s, ${String(CONCURRENCY)} concurrent`, jitRate.toFixed(1));

    // 1, 4, 5. Sign-ins of migrated users at full load, first with a few in flight, then with many; the IdP's event
    // loop and memory sampled every second. A shared machine's speed drifts over minutes, so each load runs in three
    // parts with the bound measured around each, and the share is taken against their mean.
    const hashAlone = oneHash();
    row(
      'one bcrypt verification on one thread: wall (median) / CPU',
      `${ms(hashAlone.wallMs)} / ${ms(hashAlone.cpuMs)}`,
    );
    const single = quantile(normal, 0.5);
    row(
      '  one sign-in alone (median) beyond that hash (target <= 5 ms)',
      `${ms(single)} - ${ms(hashAlone.wallMs)} = ${ms(single - hashAlone.wallMs)}`,
    );
    const [seqFrom, seqTo] = RANGE.sequential;
    /** The event loop's delays over each third of each load (one scrape before, one after), and RSS every second. */
    const loopOfThirds: { loopP99Ms: number; loopMaxMs: number }[] = [];
    const rssUnderLoad: number[] = [];
    for (const lanes of LOADS) {
      const bounds = [await bcryptBound(COST, BOUND_SECONDS)];
      let signedIn = 0;
      let failed = 0;
      let loadMs = 0;
      const ratesOfThirds: number[] = [];
      const cpu = { idp: 0, outsideHashing: 0, generator: 0, storeServer: 0 };
      const storeServerCpu = stores.serverCpuMicros ?? (() => 0);
      for (let part = 0; part < 3; part++) {
        const loaded = new AbortController();
        const sampler = (async () => {
          for (;;) {
            await sleep(1000);
            if (loaded.signal.aborted) return;
            rssUnderLoad.push(residentBytes(idpPid));
          }
        })();
        await scrape(issuer);
        const rounds = Math.ceil(LOAD_ROUNDS / 3);
        const [idpBefore, threadsBefore, generatorBefore, storeServerBefore] = [
          cpuMicros(idpPid),
          threadCpuMicros(idpPid),
          process.cpuUsage(),
          storeServerCpu(),
        ];
        const perSecond = await throughput(lanes, rounds, async (n) => {
          const i = seqFrom + (n % (seqTo - seqFrom));
          await signInOk(`bench${String(i)}`, password(i)).catch(() => failed++);
        });
        const generatorUsed = process.cpuUsage(generatorBefore);
        cpu.idp += cpuMicros(idpPid) - idpBefore;
        cpu.outsideHashing += cpuOutsideBusiest(threadsBefore, threadCpuMicros(idpPid), availableParallelism());
        cpu.generator += generatorUsed.user + generatorUsed.system;
        cpu.storeServer += storeServerCpu() - storeServerBefore;
        loaded.abort();
        loopOfThirds.push(await scrape(issuer));
        await sampler;
        signedIn += rounds;
        loadMs += (rounds / perSecond) * 1000;
        ratesOfThirds.push(perSecond);
        bounds.push(await bcryptBound(COST, BOUND_SECONDS));
      }
      const load = signedIn / (loadMs / 1000);
      const bound = bounds.reduce((sum, b) => sum + b, 0) / bounds.length;
      const idpCpuMs = cpu.idp / signedIn / 1000;
      row(
        `${String(lanes)} in flight: hashing bound, bcrypt verifications/s on all cores, around each third`,
        bounds.map((b) => b.toFixed(1)).join(' / '),
      );
      row(
        `  full sign-ins/s (migrated users), errors`,
        `${load.toFixed(1)}, ${String(failed)} of ${String(signedIn)} failed`,
      );
      row('  as share of the hashing bound (target >= 92%)', `${((load / bound) * 100).toFixed(1)}%`);
      // A shared VM's speed can move within a load: each third against the bounds taken just before and after it
      // shows whether it did (the figure above is the whole load against all four).
      row(
        '    each third against the bound around it',
        ratesOfThirds
          .map((rate, k) => `${((rate / (((bounds[k] ?? 0) + (bounds[k + 1] ?? 0)) / 2)) * 100).toFixed(1)}%`)
          .join(' / '),
      );
      row(
        '  CPU per sign-in: the IdP (all threads, GC included) / this load generator',
        `${ms(idpCpuMs)} / ${ms(cpu.generator / signedIn / 1000)}`,
      );
      row(
        "  the IdP's CPU per sign-in beyond its hash: outside its hashing threads / all minus one hash here (target <= 3 ms)",
        `${ms(cpu.outsideHashing / signedIn / 1000)} / ${ms(idpCpuMs - hashAlone.cpuMs)}`,
      );
      if (stores.serverCpuMicros) {
        row("  CPU per sign-in of the store's server (all its processes)", ms(cpu.storeServer / signedIn / 1000));
      }
    }
    row(
      'IdP event-loop delay under those loads: p99 of each third, worst / median third (target < 10 ms); longest',
      `${ms(Math.max(...loopOfThirds.map((t) => t.loopP99Ms)))} / ${ms(
        quantile(
          loopOfThirds.map((t) => t.loopP99Ms),
          0.5,
        ),
      )}; ${ms(Math.max(...loopOfThirds.map((t) => t.loopMaxMs)))}`,
    );
    row(
      `IdP RSS after one sign-in / idle ${String(IDLE_SETTLE_MS / 2000)} s / idle ${String(IDLE_SETTLE_MS / 1000)} s ` +
        '(target <= 120 MB) / under load (max)',
      `${mb(idle.rssBytes)} / ${mb(idleHalfway)} / ${mb(settled)} / ${mb(Math.max(...rssUnderLoad))}`,
    );

    // 3. Token refresh, userinfo, discovery and JWKS: the IdP against bare oidc-provider on the same store (the IdP
    // answers discovery and JWKS from a buffer rendered once: src/http/static-metadata.ts).
    const barePort = await freePort();
    const bare = `http://127.0.0.1:${String(barePort)}`;
    children.push(
      await startBareProvider({ IDP_CONFIG: main.configFile, BARE_PORT: String(barePort), ...PROCESS_ENV }),
    );
    const lanes = ENDPOINT_LANES;
    const tokens = await Promise.all(
      Array.from({ length: lanes * 2 }, (_, lane) => signInOk(`bench${String(lane)}`, password(lane))),
    );
    const refreshTokens = tokens.map((t) => t.refresh_token ?? '');
    const basic = basicAuthorization(TEST_CLIENTS.firstParty);
    const endpoints: Record<string, (base: string, lane: number) => Promise<void>> = {
      'token refresh (rotating)': async (base, lane) => {
        const slot = base === issuer ? lane : lanes + lane;
        const answer = await fetch(`${base}/token`, {
          method: 'POST',
          headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshTokens[slot] ?? '' }),
        });
        const body = (await answer.json()) as { refresh_token?: string };
        if (!answer.ok || !body.refresh_token) throw new Error(`refresh failed at ${base}: ${answer.status}`);
        refreshTokens[slot] = body.refresh_token;
      },
      userinfo: async (base, lane) => {
        const answer = await fetch(`${base}/me`, {
          headers: { authorization: `Bearer ${tokens[lane]?.access_token ?? ''}` },
        });
        if (!answer.ok) throw new Error(`userinfo failed at ${base}: ${answer.status}`);
        await answer.arrayBuffer();
      },
      discovery: async (base) => {
        const answer = await fetch(`${base}/.well-known/openid-configuration`);
        if (!answer.ok) throw new Error(`discovery failed at ${base}: ${answer.status}`);
        await answer.arrayBuffer();
      },
      jwks: async (base) => {
        const answer = await fetch(`${base}/jwks`);
        if (!answer.ok) throw new Error(`jwks failed at ${base}: ${answer.status}`);
        await answer.arrayBuffer();
      },
    };
    const barePid = children.at(-1)?.pid ?? 0;
    for (const [name, step] of Object.entries(endpoints)) {
      // A first second each to warm up (compiled code, caches), then alternated, so that drift on the machine
      // affects both sides alike.
      await rate(lanes, 1, idpPid, (lane) => step(issuer, lane));
      await rate(lanes, 1, barePid, (lane) => step(bare, lane));
      // Short rounds, alternated, each pair compared on its own; the median pair leaves out a round that a burst on
      // the shared machine hit.
      const pairs: { ours: Rate; theirs: Rate }[] = [];
      for (let round = 0; round < ENDPOINT_ROUNDS; round++) {
        const ours = await rate(lanes, ENDPOINT_SECONDS, idpPid, (lane) => step(issuer, lane));
        pairs.push({ ours, theirs: await rate(lanes, ENDPOINT_SECONDS, barePid, (lane) => step(bare, lane)) });
      }
      /** The pair whose IdP/bare ratio of `key` is the median one. */
      const median = (key: keyof Rate) => {
        const sorted = [...pairs].sort((x, y) => x.ours[key] / x.theirs[key] - y.ours[key] / y.theirs[key]);
        const pair = sorted[Math.floor(sorted.length / 2)];
        if (!pair) throw new Error('no rounds measured');
        return { ours: pair.ours[key], theirs: pair.theirs[key], ratio: pair.ours[key] / pair.theirs[key] };
      };
      const requests = median('perSecond');
      const serverCpu = median('cpuPerRequest');
      row(
        `${name}: requests/s, IdP / bare oidc-provider, median pair (target >= 0.95x; discovery and JWKS >= 20,000/s)`,
        `${requests.ours.toFixed(0)} / ${requests.theirs.toFixed(0)} = ${requests.ratio.toFixed(2)}x`,
      );
      row(
        `  server CPU per request, IdP / bare, median pair`,
        `${serverCpu.ours.toFixed(0)} / ${serverCpu.theirs.toFixed(0)} us (capacity ${(1 / serverCpu.ratio).toFixed(2)}x)`,
      );
    }

    // Discovery and JWKS again, with a C client: at these rates a Node client measures mostly itself.
    for (const [name, path] of [
      ['discovery', '/.well-known/openid-configuration'],
      ['jwks', '/jwks'],
    ] as const) {
      const ours = abRate(`${issuer}${path}`, lanes, ENDPOINT_SECONDS * 2);
      const theirs = abRate(`${bare}${path}`, lanes, ENDPOINT_SECONDS * 2);
      if (!ours || !theirs) {
        row(`${name} with ApacheBench`, AB_MISSING);
        continue;
      }
      row(
        `${name} with ApacheBench (ab -k -c ${String(lanes)}): requests/s, IdP / bare (target >= 20,000/s), failed`,
        `${ours.perSecond.toFixed(0)} / ${theirs.perSecond.toFixed(0)}, ${String(ours.failed)} / ${String(theirs.failed)}`,
      );
    }
    const nodeFloor = abRate(`${bare}/floor`, lanes, ENDPOINT_SECONDS * 2);
    if (nodeFloor) {
      row(
        "  Node's own floor: the discovery document from node:http alone, no routing (ab, same settings)",
        `${nodeFloor.perSecond.toFixed(0)} requests/s`,
      );
    }

    // oidc-provider's own floor for a sign-in: the same flow through the bare provider's least interaction (no
    // hash, no product around it), alone and then loaded as the IdP was. What the IdP spends beyond its hash can
    // not go below what oidc-provider spends on the flow.
    const bareSingle: number[] = [];
    for (let i = 0; i < 40; i++) {
      const took = await timed(() => signInOk(`bench${String(i)}`, password(i), bare));
      if (i >= 10) bareSingle.push(took);
    }
    row(
      "oidc-provider's floor: the same flow with neither hash nor product, one sign-in alone (median)",
      ms(quantile(bareSingle, 0.5)),
    );
    for (const lanes of LOADS) {
      const [before, generatorBefore] = [cpuMicros(barePid), process.cpuUsage()];
      const flows = LOAD_ROUNDS;
      const perSecond = await throughput(lanes, flows, async (n) => {
        const i = seqFrom + (n % (seqTo - seqFrom));
        await signInOk(`bench${String(i)}`, password(i), bare);
      });
      const generatorUsed = process.cpuUsage(generatorBefore);
      row(
        `  at ${String(lanes)} in flight: flows/s; CPU per flow, bare oidc-provider (all threads) / this load generator`,
        `${perSecond.toFixed(0)}; ${ms((cpuMicros(barePid) - before) / flows / 1000)} / ${ms(
          (generatorUsed.user + generatorUsed.system) / flows / 1000,
        )}`,
      );
    }

    // 6. Sign-in latency with 1,000,000 accounts in the store against 1,000, samples alternated.
    const hash = bcrypt.hashSync('big store password', COST);
    const populated = await timed(async () => {
      await populate(stores, 'small', SMALL_STORE, hash);
      await populate(stores, 'big', BIG_STORE, hash);
    });
    process.stderr.write(`  (stores populated in ${(populated / 1000).toFixed(0)} s)\n`);
    const small = await start('small');
    const big = await start('big');
    const latency = { small: [] as number[], big: [] as number[] };
    for (let n = 0; n < BIG_STORE_SAMPLES + 10; n++) {
      for (const [name, target, size] of [
        ['small', small.issuer, SMALL_STORE],
        ['big', big.issuer, BIG_STORE],
      ] as const) {
        const i = Math.floor(Math.random() * size);
        const took = await timed(() => signInOk(`acct${String(i)}`, 'big store password', target));
        if (n >= 10) latency[name].push(took); // the first ten warm each process up
      }
    }
    for (const [stat, q] of [
      ['p95', 0.95],
      ['median', 0.5],
    ] as const) {
      const [onSmall, onBig] = [quantile(latency.small, q), quantile(latency.big, q)];
      row(
        `sign-in ${stat}, ${BIG_STORE.toLocaleString('en-US')} vs ${SMALL_STORE.toLocaleString('en-US')} accounts (target within 5%)`,
        `${ms(onBig)} vs ${ms(onSmall)} (${(((onBig - onSmall) / onSmall) * 100).toFixed(1)}%)`,
      );
    }

    // Refused sign-ins: unknown login, wrong password of a migrated user, password the legacy system rejects.
    const refusal = async (login: string) => {
      const started = await beginAuthorization(issuer, { config });
      await started.page.text();
      return async () => {
        const took = await timed(async () => {
          const answer = await started.agent.request(`${started.interactionUrl}/login`, {
            form: { login, password: 'not the password' },
          });
          if (answer.status !== 401) throw new Error(`expected a refusal for ${login}, got ${String(answer.status)}`);
          await answer.text();
        });
        return took;
      };
    };
    const kinds = {
      'unknown login': (n: number) => refusal(`nobody${String(n)}`),
      'wrong password (migrated user)': (n: number) => refusal(`bench${String(n % SEQUENTIAL)}`),
      'rejected by the legacy system': (n: number) => refusal(`bench${String(RANGE.legacyRejected[0] + (n % 100))}`),
    };
    const timings: Record<string, number[]> = {};
    for (let n = 0; n < 100; n++) {
      for (const [kind, make] of Object.entries(kinds)) {
        const took = await (await make(n))();
        if (n >= 20) (timings[kind] ??= []).push(took); // twenty to fill the windows the floor is taken from
      }
    }
    for (const [kind, values] of Object.entries(timings)) {
      row(
        `refused: ${kind}, min / median / p95`,
        `${ms(Math.min(...values))} / ${ms(quantile(values, 0.5))} / ${ms(quantile(values, 0.95))}`,
      );
    }

    const width = Math.max(...rows.map(([k]) => k.length));
    process.stdout.write(`\n${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n\n`);
  } finally {
    for (const child of children) child.kill('SIGKILL');
    await legacy.stop();
    await stores.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
