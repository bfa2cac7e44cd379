/**
 * Three IdP hosts on one PostgreSQL server, over a real network: Linux network namespaces joined by two bridges.
 *
 *   root namespace: test runner, balancer (127.0.0.1), legacy service (front .1), psql-side inspection (back .1)
 *        │ front bridge 10.a.b.0/24                       │ back bridge 10.a.b+1.0/24
 *        ├── idp1 (front .11) ── idp1 (back .11) ─────────┤
 *        ├── idp2 (front .12) ── idp2 (back .12) ─────────┤
 *        └── idp3 (front .13) ── idp3 (back .13) ─────────┤
 *                                                          └── pg (back .10): PostgreSQL on port 5432
 *
 * Each IdP host is a namespace with a veth on each bridge, running the IdP's entry point (`ip netns exec`) on port
 * 3000 of its front address, with DATABASE_URL at the pg namespace and the same IDP_SECRET_KEYS; the hosts have no
 * route between the bridges, so a host whose back cable is pulled cannot reach the database any other way. One
 * issuer for all: the balancer's URL (round robin, a backend that refuses a connection skipped, `/readyz` probed
 * every 250 ms). Requests straight to a host carry the issuer's Host header. Subnets and names are random per run
 * (test/support/netns.ts), and everything is removed afterwards, also when the test process dies.
 *
 * What it proves: 1,000 concurrent first sign-ins spread over the hosts make exactly 1,000 accounts, and tokens one
 * host issued work on every other; a host killed mid-load fails only what it had in flight; a host cut from the
 * database says so (503, not ready) within seconds and recovers by itself; a database restart mid-load fails requests
 * cleanly and every host reconnects by itself. Root, iproute2 and PostgreSQL are needed; without them it is skipped.
 */
import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import type * as oidc from 'openid-client';
import pg from 'pg';
import { DEMO_MAPPING } from '../../src/demo/demo-mode.js';
import { LegacyUserService, type LegacyUserRecord } from '../../src/demo/legacy-service.js';
import { startBalancer, type Balancer } from '../support/balancer.js';
import { eventually } from '../support/eventually.js';
import { LEGACY_TOKEN, RP_REDIRECT, TEST_CLIENTS } from '../support/harness.js';
import { NODE_FLAGS } from '../support/idp-process.js';
import { inFlight } from '../support/in-flight.js';
import { createNetwork, netnsUnavailable, type Network, type NetHost } from '../support/netns.js';
import { beginAuthorization, discover, finishAuthorization, type SignInAttempt } from '../support/oidc-flow.js';
import { killNow, registerEmergencyCleanup } from '../support/servers/process.js';
import { startPostgres, type PostgresServer } from '../support/servers/postgres.js';
import { missingTool } from '../support/tools.js';

const skip = netnsUnavailable() || missingTool('postgres');

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
// Resolved here, because the processes run in a scratch directory without node_modules.
const TSX = import.meta.resolve('tsx');
const HOSTS = ['idp1', 'idp2', 'idp3'] as const;
const IDP_PORT = 3000;
/** The server cancels a statement after this; the client gives up on a silent server a second later. */
const STATEMENT_TIMEOUT_MS = 2000;

const USERS = 1000;
const TWICE = 100;
const IN_FLIGHT = 48;
const KILL_USERS = 300;
const CUT_USERS = 30;
const RESTART_USERS = 120;

const makeUsers = (prefix: string, count: number): LegacyUserRecord[] =>
  Array.from({ length: count }, (_, i) => ({
    password: `${prefix}-password-${String(i)}`,
    profile: {
      uid: `${prefix.toUpperCase()}-${String(i)}`,
      user_name: `${prefix}${String(i)}`,
      mail: `${prefix}${String(i)}@example.com`,
      first: prefix,
      last: String(i),
    },
  }));
const firstUsers = makeUsers('many', USERS);
const killUsers = makeUsers('kill', KILL_USERS);
const cutUsers = makeUsers('cut', CUT_USERS + 1);
const restartUsers = makeUsers('restart', RESTART_USERS + HOSTS.length);

/** Every response and network error one sign-in flow met, gathered through fetch (the flows' only way out). */
interface FlowLog {
  statuses: number[];
  errors: string[];
}
const flowLog = new AsyncLocalStorage<FlowLog>();

interface Outcome {
  user: LegacyUserRecord;
  sub: string | undefined;
  tokens: SignInAttempt['tokens'];
  /** Why there are no tokens. */
  failure: string | undefined;
  statuses: number[];
  errors: string[];
  ms: number;
  endedAt: number;
}

interface HostProcess {
  child: ChildProcess;
  output: () => string;
}

describe('three IdP hosts on one PostgreSQL over a real network', { skip, timeout: 300_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'jit-idp-hosts-'));
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  const unregisterDir = registerEmergencyCleanup(removeDir);
  const legacyUsers = [...firstUsers, ...killUsers, ...cutUsers, ...restartUsers];
  let network: Network;
  let postgres: PostgresServer;
  let legacy: LegacyUserService;
  let balancer: Balancer;
  let db: pg.Pool;
  let issuer = '';
  let clientConfig: oidc.Configuration;
  let hostEnv: Record<string, string> = {};
  const processes = new Map<string, HostProcess>();
  /** What before() set up, to be undone in after() however far it got. */
  const cleanups: (() => unknown)[] = [];
  const realFetch = globalThis.fetch;

  const hostOf = (name: string): NetHost => network.host(name);
  const hostUrl = (name: string) => `http://${hostOf(name).frontAddress ?? ''}:${String(IDP_PORT)}`;

  async function startHost(name: string): Promise<HostProcess> {
    const host = hostOf(name);
    const [command = 'ip', ...prefix] = host.exec;
    const child = spawn(command, [...prefix, process.execPath, ...NODE_FLAGS, '--import', TSX, MAIN], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', ...hostEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // `ip netns exec` execs the command: the pid is the IdP's.
    const pid = child.pid;
    const unregister = registerEmergencyCleanup(() => {
      if (pid !== undefined) killNow(pid);
    });
    child.once('exit', () => unregister());
    let output = '';
    const started = new Promise<HostProcess>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (/listening on port/.test(output)) resolve({ child, output: () => output });
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => reject(new Error(`${name} exited with ${String(code)}:\n${output}`)));
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    try {
      const running = await started;
      processes.set(name, running);
      return running;
    } finally {
      clearTimeout(timer);
    }
  }

  /** A request straight to one host, past the balancer, with the issuer's Host header. */
  function direct(
    name: string,
    path: string,
    init: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number } = {},
  ): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          host: hostOf(name).frontAddress,
          port: IDP_PORT,
          path,
          method: init.method ?? 'GET',
          headers: { host: new URL(issuer).host, ...init.headers },
          agent: false,
          timeout: init.timeoutMs ?? 20_000,
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${name} did not answer ${path} in time`)));
      req.on('error', reject);
      req.end(init.body);
    });
  }

  const readyz = async (name: string) => (await direct(name, '/readyz')).status;
  const endpoint = (which: 'token_endpoint' | 'userinfo_endpoint' | 'jwks_uri') =>
    new URL(clientConfig.serverMetadata()[which] ?? '').pathname;
  const basicAuth = `Basic ${Buffer.from(
    `${TEST_CLIENTS.firstParty.client_id}:${TEST_CLIENTS.firstParty.client_secret}`,
  ).toString('base64')}`;

  /**
   * One whole sign-in through the balancer (the form posted straight to a host with `loginBase`), step by step as
   * signIn does, with what it met on the way: each step that does not go on says why.
   */
  async function attempt(user: LegacyUserRecord, loginBase?: string): Promise<Outcome> {
    const log: FlowLog = { statuses: [], errors: [] };
    const started = performance.now();
    return flowLog.run(log, async () => {
      let tokens: SignInAttempt['tokens'];
      let failure: string | undefined;
      try {
        const start = await beginAuthorization(issuer, { config: clientConfig });
        if (start.interactionUrl.startsWith(RP_REDIRECT)) {
          const error = new URL(start.interactionUrl).searchParams.get('error');
          failure = `authorization: back to the client with error=${String(error)}`;
        } else if (!start.interactionUrl.startsWith(`${issuer}/interaction/`) || start.page.status !== 200) {
          // A browser shown an error page, not the form, has no form to post.
          failure = `authorization: the sign-in page answered ${String(start.page.status)}`;
        } else {
          const loginUrl = loginBase ? start.interactionUrl.replace(issuer, loginBase) : start.interactionUrl;
          const form = { login: user.profile.user_name, password: user.password };
          const posted = await start.agent.request(`${loginUrl}/login`, { form });
          if (posted.status !== 303) failure = `the form answered ${String(posted.status)}`;
          else tokens = await finishAuthorization(start, (await start.agent.follow(posted, issuer)).url);
        }
      } catch (error) {
        const cause = (error as { cause?: unknown }).cause;
        failure = `${String(error)}${cause instanceof Response ? ` (${String(cause.status)})` : ''}`;
      }
      const sub = tokens?.claims()?.sub;
      if (!sub) failure ??= 'no subject';
      const endedAt = performance.now();
      return { user, sub, tokens, failure, ...log, ms: endedAt - started, endedAt };
    });
  }

  /** The accounts of these users in the database, by legacy id; fails on a legacy id with two accounts. */
  async function accountsOf(users: readonly LegacyUserRecord[]): Promise<Map<string, string>> {
    const ids = users.map((user) => user.profile.uid);
    const { rows } = await db.query<{ legacy_id: string; id: string }>(
      'SELECT legacy_id, id FROM accounts WHERE legacy_id = ANY($1::text[])',
      [ids],
    );
    const byLegacyId = new Map<string, string>();
    for (const row of rows) {
      assert.equal(byLegacyId.has(row.legacy_id), false, `${row.legacy_id} has two accounts`);
      byLegacyId.set(row.legacy_id, row.id);
    }
    return byLegacyId;
  }

  const totalAccounts = async () =>
    Number((await db.query<{ n: string }>('SELECT count(*)::text AS n FROM accounts')).rows[0]?.n);

  const tally = (outcomes: readonly Outcome[]) => {
    const failures = new Map<string, number>();
    for (const outcome of outcomes) {
      if (outcome.failure !== undefined) failures.set(outcome.failure, (failures.get(outcome.failure) ?? 0) + 1);
    }
    return JSON.stringify([...failures]);
  };

  const warnings = () =>
    [...processes.entries()].flatMap(([name, p]) =>
      p
        .output()
        .split('\n')
        .filter((line) => line.includes('"level":50') || line.includes('"level":40'))
        .slice(-5)
        .map((line) => `${name}: ${line.slice(0, 400)}`),
    );

  before(async () => {
    network = await createNetwork([
      { name: 'pg', back: true },
      ...HOSTS.map((name) => ({ name, front: true, back: true })),
    ]);
    cleanups.push(() => network.destroy());
    const pgHost = network.host('pg');
    postgres = await startPostgres({ netns: pgHost.namespace, listenAddress: pgHost.backAddress, maxConnections: 60 });
    cleanups.push(() => postgres.stop());
    const admin = new pg.Client({ connectionString: postgres.adminUrl });
    await admin.connect();
    await admin.query('CREATE DATABASE idp');
    await admin.end();
    const databaseUrl = new URL(postgres.adminUrl);
    databaseUrl.pathname = '/idp';

    legacy = new LegacyUserService({ users: legacyUsers, token: LEGACY_TOKEN, host: network.rootFront });
    await legacy.start();
    cleanups.push(() => legacy.stop());
    balancer = await startBalancer(
      HOSTS.map((name) => hostUrl(name)),
      { healthPath: '/readyz', healthIntervalMs: 250, healthTimeoutMs: 2000 },
    );
    cleanups.push(() => balancer.close());
    issuer = balancer.url;

    const config = join(dir, 'idp.json');
    writeFileSync(
      config,
      JSON.stringify({
        issuer,
        logLevel: 'warn',
        store: { databaseUrl: databaseUrl.href, postgresStatementTimeoutMs: STATEMENT_TIMEOUT_MS },
        passwords: { hashingThreads: 1, bcryptCost: 10 },
        legacy: { kind: 'http', baseUrl: legacy.url, auth: { type: 'bearer', token: '${LEGACY_TOKEN}' } },
        migration: { mapping: DEMO_MAPPING },
        clients: [{ ...TEST_CLIENTS.firstParty, redirect_uris: [RP_REDIRECT], first_party: true }],
        rateLimits: { enabled: false },
        failedSignInTiming: { enabled: false },
      }),
    );
    hostEnv = {
      IDP_CONFIG: config,
      PORT: String(IDP_PORT),
      LEGACY_TOKEN,
      IDP_SECRET_KEYS: `hosts:${randomBytes(32).toString('base64')}`,
    };
    cleanups.push(() => {
      for (const { child } of processes.values()) child.kill('SIGKILL');
    });
    // All three start at once on an empty database: schema, signing keys and cookie secrets are made once.
    await Promise.all(HOSTS.map((name) => startHost(name)));
    db = new pg.Pool({ connectionString: databaseUrl.href, max: 2 });
    db.on('error', () => undefined);
    cleanups.push(() => db.end());

    // Every flow's requests and errors, recorded where a flow runs (AsyncLocalStorage), for the outcome.
    cleanups.push(() => {
      globalThis.fetch = realFetch;
    });
    globalThis.fetch = async (...args: Parameters<typeof fetch>) => {
      const log = flowLog.getStore();
      try {
        const response = await realFetch(...args);
        log?.statuses.push(response.status);
        return response;
      } catch (error) {
        log?.errors.push(String((error as { cause?: unknown }).cause ?? error));
        throw error;
      }
    };
    clientConfig = await discover(issuer);
    await eventually(() => balancer.inRotation().every(Boolean), { what: 'every host in rotation' });
  });

  after(async () => {
    // Last made, first undone; each one, whatever the others do (the network last: it kills what still runs in it).
    for (const cleanup of cleanups.reverse()) {
      await Promise.resolve()
        .then(cleanup)
        .catch(() => undefined);
    }
    removeDir();
    unregisterDir();
  });

  it(`${String(USERS)} concurrent first sign-ins over three hosts (${String(TWICE)} users twice at once): exactly ${String(USERS)} accounts, and one host's tokens work on every host`, async (t) => {
    const countsBefore = [...balancer.counts];
    const started = performance.now();
    const results = await inFlight(
      IN_FLIGHT,
      firstUsers.map((user, i) => () => Promise.all(Array.from({ length: i < TWICE ? 2 : 1 }, () => attempt(user)))),
    );
    const seconds = (performance.now() - started) / 1000;
    const outcomes = results.flat();
    const failed = outcomes.filter((outcome) => outcome.failure !== undefined);
    const served = balancer.counts.map((count, i) => count - (countsBefore[i] ?? 0));
    t.diagnostic(
      `${String(outcomes.length)} sign-ins (${String(USERS)} users, ${String(TWICE)} twice at once, ` +
        `${String(IN_FLIGHT)} users in flight) in ${seconds.toFixed(1)} s = ${(outcomes.length / seconds).toFixed(1)} ` +
        `sign-ins/s, ${String(failed.length)} failed; requests per host ${served.join(' / ')}`,
    );
    assert.equal(failed.length, 0, `failed: ${tally(outcomes)}\n${warnings().join('\n')}`);
    for (const [i, pair] of results.entries()) {
      assert.equal(new Set(pair.map((outcome) => outcome.sub)).size, 1, firstUsers[i]?.profile.user_name ?? '');
    }
    assert.ok(
      served.every((count) => count > USERS),
      `every host served its share: ${served.join(', ')}`,
    );
    assert.deepEqual(balancer.failures, [0, 0, 0]);

    const accounts = await accountsOf(firstUsers);
    assert.equal(accounts.size, USERS);
    assert.equal(await totalAccounts(), USERS);
    for (const [i, user] of firstUsers.entries()) {
      assert.equal(accounts.get(user.profile.uid), results[i]?.[0]?.sub, `${user.profile.user_name}'s tokens`);
    }
    assert.equal(new Set(accounts.values()).size, USERS);
    assert.equal(legacy.calls.authenticate, USERS, 'one legacy check per user, also for those signing in twice');

    // One sign-in's tokens, checked on every host straight: the same keys, the same store.
    const sample = results[TWICE]?.[0];
    const tokens = sample?.tokens;
    assert.ok(sample?.sub && tokens?.id_token && tokens.refresh_token);
    const idToken: string = tokens.id_token;
    const jwks = await Promise.all(HOSTS.map((name) => direct(name, endpoint('jwks_uri'))));
    assert.deepEqual(
      jwks.map((answer) => answer.status),
      [200, 200, 200],
    );
    assert.equal(new Set(jwks.map((answer) => answer.body)).size, 1, 'every host serves the same JWKS');
    for (const [i, name] of HOSTS.entries()) {
      const keys = createLocalJWKSet(JSON.parse(jwks[i]?.body ?? '{}') as JSONWebKeySet);
      const { payload } = await jwtVerify(idToken, keys, {
        issuer,
        audience: TEST_CLIENTS.firstParty.client_id,
      });
      assert.equal(payload.sub, sample.sub, `the ID token verifies with ${name}'s keys`);
    }
    const userinfo = async (name: string, accessToken: string) => {
      const answer = await direct(name, endpoint('userinfo_endpoint'), {
        headers: { authorization: `Bearer ${accessToken}` },
      });
      assert.equal(answer.status, 200, `userinfo on ${name}: ${answer.body}`);
      return (JSON.parse(answer.body) as { sub?: string }).sub;
    };
    for (const name of HOSTS) assert.equal(await userinfo(name, tokens.access_token), sample.sub);

    // A refresh token redeemed on each host in turn, each time one the previous host issued; and the access token
    // each host issued works on the next.
    let refreshToken = tokens.refresh_token;
    for (const [i, name] of HOSTS.entries()) {
      const answer = await direct(name, endpoint('token_endpoint'), {
        method: 'POST',
        headers: { authorization: basicAuth, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString(),
      });
      assert.equal(answer.status, 200, `refresh on ${name}: ${answer.body}`);
      const refreshed = JSON.parse(answer.body) as { access_token: string; refresh_token: string };
      assert.notEqual(refreshed.refresh_token, refreshToken, 'rotated');
      const nextHost = HOSTS[(i + 1) % HOSTS.length] ?? 'idp1';
      assert.equal(await userinfo(nextHost, refreshed.access_token), sample.sub, `${name}'s token on ${nextHost}`);
      refreshToken = refreshed.refresh_token;
    }
  });

  it(`SIGKILL of one host with ${String(KILL_USERS)} first sign-ins in flight: only what it had fails, nobody has two accounts, the failed users get through on the others`, async (t) => {
    const victim = 'idp2';
    const victimIndex = HOSTS.indexOf(victim);
    const victimProcess = processes.get(victim);
    assert.ok(victimProcess);
    const failuresBefore = [...balancer.failures];
    let through = 0;
    const started = performance.now();
    const running = killUsers.map((user) =>
      attempt(user).then((outcome) => {
        if (outcome.sub) through++;
        return outcome;
      }),
    );
    await eventually(() => through >= KILL_USERS / 5, {
      timeoutMs: 60_000,
      intervalMs: 5,
      what: 'a fifth of the users through',
    });
    const throughAtKill = through;
    victimProcess.child.kill('SIGKILL');
    const killedAt = performance.now();
    const outcomes = await Promise.all(running);
    const failed = outcomes.filter((outcome) => !outcome.sub);
    const broken = balancer.failures.map((count, i) => count - (failuresBefore[i] ?? 0));
    const lastMs = Math.max(...outcomes.map((outcome) => outcome.endedAt)) - killedAt;
    t.diagnostic(
      `killed ${victim} ${((killedAt - started) / 1000).toFixed(1)} s in, with ${String(throughAtKill)} of ` +
        `${String(KILL_USERS)} through: ${String(failed.length)} sign-ins failed (${String(broken[victimIndex])} ` +
        `requests it had were answered 502), ${String(KILL_USERS - failed.length)} completed, the last ` +
        `${(lastMs / 1000).toFixed(1)} s after the kill; failures: ${tally(outcomes)}`,
    );
    assert.ok(failed.length >= 1 && failed.length < KILL_USERS - throughAtKill, `${String(failed.length)} failed`);
    assert.deepEqual(
      broken.filter((_, i) => i !== victimIndex),
      [0, 0],
      'only the killed host broke off requests',
    );
    assert.ok(failed.length <= (broken[victimIndex] ?? 0), 'each failed sign-in lost a request the killed host had');
    for (const outcome of outcomes) {
      const serverErrors = outcome.statuses.filter((status) => status >= 500);
      assert.ok(
        serverErrors.every((status) => status === 502) && outcome.errors.length === 0,
        `${outcome.user.profile.user_name}: only the balancer's 502 (${JSON.stringify(outcome)})`,
      );
      if (!outcome.sub) assert.ok(serverErrors.length > 0, `${outcome.user.profile.user_name} failed without a 502`);
    }
    assert.ok(lastMs < 30_000, 'nothing hung on the dead host');

    const accounts = await accountsOf(killUsers);
    for (const outcome of outcomes) {
      if (outcome.sub) assert.equal(accounts.get(outcome.user.profile.uid), outcome.sub, 'whoever got tokens');
    }
    const withTokens = KILL_USERS - failed.length;
    assert.ok(accounts.size >= withTokens && accounts.size <= KILL_USERS);
    t.diagnostic(`${String(accounts.size - withTokens)} accounts were made by sign-ins whose answer was lost`);

    assert.equal(balancer.inRotation()[victimIndex], false, 'the dead host is out of rotation');
    const retryStarted = performance.now();
    const retried = await Promise.all(failed.map((outcome) => attempt(outcome.user)));
    const retryMs = performance.now() - retryStarted;
    assert.deepEqual(
      retried
        .filter((outcome) => !outcome.sub)
        .map((outcome) => `${outcome.user.profile.user_name}: ${String(outcome.failure)}`),
      [],
      'every failed user gets through on the other hosts',
    );
    const after = await accountsOf(killUsers);
    assert.equal(after.size, KILL_USERS);
    for (const outcome of retried) {
      const uid = outcome.user.profile.uid;
      assert.equal(after.get(uid), outcome.sub);
      // An account the dead host made before its answer was lost is the one the retry finds.
      if (accounts.has(uid)) assert.equal(outcome.sub, accounts.get(uid));
    }
    assert.equal(await totalAccounts(), USERS + KILL_USERS);
    t.diagnostic(
      `${String(retried.length)} retries through the other two hosts: all through in ${(retryMs / 1000).toFixed(1)} s`,
    );

    // Started again, the host rejoins the rotation.
    await startHost(victim);
    await eventually(() => balancer.inRotation()[victimIndex], { what: `${victim} back in rotation` });
  });

  it('a host cut from the database says 503 and not ready within seconds while the others serve; it recovers by itself', async (t) => {
    const cut = 'idp3';
    const cutIndex = HOSTS.indexOf(cut);
    const cutProcess = processes.get(cut);
    assert.ok(cutProcess);
    const probeUser = cutUsers[CUT_USERS];
    assert.ok(probeUser);
    // An interaction begun before the cut, whose form is then posted straight to the cut host.
    const start = await beginAuthorization(issuer, { config: clientConfig });
    const loginOnCutHost = `${start.interactionUrl.replace(issuer, hostUrl(cut))}/login`;
    const postLogin = () =>
      start.agent.request(loginOnCutHost, {
        form: { login: probeUser.profile.user_name, password: probeUser.password },
      });

    await network.setLink(cut, 'back', 'down');
    const cutAt = performance.now();
    const [refused, notReady] = await Promise.all([
      postLogin().then((answer) => ({ answer, ms: performance.now() - cutAt })),
      readyz(cut).then((status) => ({ status, ms: performance.now() - cutAt })),
    ]);
    assert.equal(refused.answer.status, 503);
    assert.equal(refused.answer.headers.get('retry-after'), '5');
    assert.match(await refused.answer.text(), /temporarily unavailable/i);
    assert.equal(notReady.status, 503);
    await eventually(() => !balancer.inRotation()[cutIndex], {
      timeoutMs: 15_000,
      what: 'the cut host out of rotation',
    });
    const outOfRotationMs = performance.now() - cutAt;
    t.diagnostic(
      `cut ${cut} from the database: a sign-in on it answered 503 after ${(refused.ms / 1000).toFixed(1)} s, ` +
        `/readyz 503 after ${(notReady.ms / 1000).toFixed(1)} s, out of the balancer's rotation after ` +
        `${(outOfRotationMs / 1000).toFixed(1)} s`,
    );
    assert.ok(refused.ms < 10_000, 'a sign-in on the cut host fails within seconds');
    assert.ok(notReady.ms < 6000, '/readyz answers within seconds');

    const countsBefore = [...balancer.counts];
    const during = await inFlight(
      6,
      cutUsers.slice(0, CUT_USERS).map((user) => () => attempt(user)),
    );
    const served = balancer.counts.map((count, i) => count - (countsBefore[i] ?? 0));
    assert.equal(during.filter((outcome) => !outcome.sub).length, 0, `during the cut: ${tally(during)}`);
    assert.equal(served[cutIndex], 0, 'nothing sent to the cut host');
    assert.ok(
      served.every((count, i) => i === cutIndex || count > 0),
      `the others served: ${served.join(', ')}`,
    );
    assert.equal(await readyz(cut), 503, 'still cut');

    await network.setLink(cut, 'back', 'up');
    const upAt = performance.now();
    await eventually(async () => (await readyz(cut)) === 200, {
      timeoutMs: 30_000,
      intervalMs: 100,
      what: 'the cut host ready again',
    });
    const readyMs = performance.now() - upAt;
    const accepted = await eventually(
      async () => {
        const answer = await postLogin();
        return answer.status === 303 && answer;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: 'a sign-in on the host again' },
    );
    const signInMs = performance.now() - upAt;
    const tokens = await finishAuthorization(start, (await start.agent.follow(accepted, issuer)).url);
    const account = await accountsOf([probeUser]);
    assert.equal(tokens.claims()?.sub, account.get(probeUser.profile.uid));
    assert.equal(cutProcess.child.exitCode, null, 'the same process, never restarted');
    assert.equal(cutProcess.child.signalCode, null);
    await eventually(() => balancer.inRotation()[cutIndex], { what: 'the host back in rotation' });
    t.diagnostic(
      `${String(CUT_USERS)} sign-ins through the other two during the cut, 0 failed; reconnected: /readyz 200 ` +
        `${(readyMs / 1000).toFixed(1)} s and a sign-in on it ${(signInMs / 1000).toFixed(1)} s after the link came back`,
    );
  });

  it('a PostgreSQL restart mid-load: requests fail cleanly with 503, none hangs, every host reconnects by itself, no duplicates', async (t) => {
    const users = restartUsers.slice(0, RESTART_USERS);
    let through = 0;
    const started = performance.now();
    const running = inFlight(
      40,
      users.map(
        (user) => () =>
          attempt(user).then((outcome) => {
            if (outcome.sub) through++;
            return outcome;
          }),
      ),
    );
    await eventually(() => through >= RESTART_USERS / 4, {
      timeoutMs: 60_000,
      intervalMs: 5,
      what: 'a quarter of the users through',
    });
    const downAt = performance.now();
    await postgres.shutDown();
    const stoppedMs = performance.now() - downAt;
    const duringOutage = await Promise.all(
      HOSTS.map(async (name) => {
        const asked = performance.now();
        const status = await readyz(name);
        return { status, ms: performance.now() - asked };
      }),
    );
    assert.deepEqual(
      duringOutage.map((probe) => probe.status),
      [503, 503, 503],
      'not ready while the database is down',
    );
    await sleep(2000);
    await postgres.startAgain();
    const upAt = performance.now();
    const outageMs = upAt - downAt;
    const reconnectMs = await Promise.all(
      HOSTS.map(async (name) => {
        await eventually(async () => (await readyz(name)) === 200, {
          timeoutMs: 30_000,
          intervalMs: 100,
          what: `${name} ready again`,
        });
        return performance.now() - upAt;
      }),
    );
    const outcomes = await running;
    const failed = outcomes.filter((outcome) => !outcome.sub);
    const longestMs = Math.max(...outcomes.map((outcome) => outcome.ms));
    t.diagnostic(
      `PostgreSQL shut down ${((downAt - started) / 1000).toFixed(1)} s in (fast shutdown ${String(Math.round(stoppedMs))} ms), ` +
        `down ${(outageMs / 1000).toFixed(1)} s, /readyz during it 503 in ` +
        `${duringOutage.map((probe) => String(Math.round(probe.ms))).join(' / ')} ms; every host ready again ` +
        `${reconnectMs.map((ms) => (ms / 1000).toFixed(1)).join(' / ')} s after the restart; ${String(failed.length)} ` +
        `of ${String(RESTART_USERS)} sign-ins failed (${tally(outcomes)}), the longest sign-in took ` +
        `${(longestMs / 1000).toFixed(1)} s`,
    );
    for (const outcome of outcomes) {
      const serverErrors = outcome.statuses.filter((status) => status >= 500);
      assert.ok(
        serverErrors.every((status) => status === 503) && outcome.errors.length === 0,
        `${outcome.user.profile.user_name}: only 503s, no broken connection (${JSON.stringify(outcome)})`,
      );
      if (!outcome.sub) {
        assert.ok(
          serverErrors.length > 0 || /temporarily_unavailable/.test(outcome.failure ?? ''),
          `${outcome.user.profile.user_name} failed cleanly: ${String(outcome.failure)}`,
        );
      }
    }
    assert.ok(longestMs < 30_000, 'no sign-in hung');

    // Every host serves sign-ins again, each with a form posted straight to it.
    for (const [i, name] of HOSTS.entries()) {
      const user = restartUsers[RESTART_USERS + i];
      assert.ok(user);
      const outcome = await attempt(user, hostUrl(name));
      assert.ok(outcome.sub, `a sign-in on ${name}: ${String(outcome.failure)}`);
    }
    const retried = await Promise.all(failed.map((outcome) => attempt(outcome.user)));
    assert.deepEqual(
      retried
        .filter((outcome) => !outcome.sub)
        .map((outcome) => `${outcome.user.profile.user_name}: ${String(outcome.failure)}`),
      [],
    );
    const accounts = await accountsOf(restartUsers);
    assert.equal(accounts.size, RESTART_USERS + HOSTS.length);
    for (const outcome of [...outcomes, ...retried]) {
      if (outcome.sub) assert.equal(accounts.get(outcome.user.profile.uid), outcome.sub);
    }
    const duplicates = await db.query(
      'SELECT legacy_id FROM accounts GROUP BY legacy_source, legacy_id HAVING count(*) > 1',
    );
    assert.equal(duplicates.rowCount, 0);
    assert.equal(await totalAccounts(), USERS + KILL_USERS + CUT_USERS + 1 + RESTART_USERS + HOSTS.length);
  });
});
