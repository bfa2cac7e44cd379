import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { DEMO_MAPPING } from '../../src/demo/demo-mode.js';
import { DEMO_USERS } from '../../src/demo/demo-users.js';
import { LegacyUserService } from '../../src/demo/legacy-service.js';
import { openEmbeddedStore } from '../../src/store/embedded/embedded-store.js';
import { LEGACY_TOKEN, RP_REDIRECT, TEST_CLIENTS } from '../support/harness.js';
import { signIn } from '../support/oidc-flow.js';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
// Resolved here, because the processes run in a scratch directory without node_modules.
const TSX = import.meta.resolve('tsx');

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** `npm start`'s entry point as its own process, with the given environment. */
function startMain(env: Record<string, string>, cwd: string, waitFor: RegExp | undefined): Promise<Started> {
  const child = spawn(process.execPath, ['--import', TSX, MAIN], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (waitFor?.test(output)) resolve({ child, output: () => output, exited });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      if (!waitFor) resolve({ child, output: () => output, exited });
      else reject(new Error(`exited with ${String(code)} before ${String(waitFor)}:\n${output}`));
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

describe('the IdP as real processes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jit-idp-proc-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses demo mode in production and names every missing setting', async () => {
    const started = await startMain({ NODE_ENV: 'production' }, dir, undefined);
    assert.equal(await started.exited, 78);
    const output = started.output();
    assert.match(output, /"legacy" is not configured: demo mode is for development only/);
    assert.match(output, /issuer must be an https URL/);
  });

  describe('two processes on one embedded store', { timeout: 60_000 }, () => {
    const legacy = new LegacyUserService({ users: DEMO_USERS, token: LEGACY_TOKEN });
    let a: Started;
    let b: Started;
    let issuer = '';
    let otherBase = '';

    before(async () => {
      await legacy.start();
      const [portA, portB] = [await freePort(), await freePort()];
      issuer = `http://127.0.0.1:${portA}`;
      otherBase = `http://127.0.0.1:${portB}`;
      const configFile = join(dir, 'idp.json');
      writeFileSync(
        configFile,
        JSON.stringify({
          issuer,
          host: '127.0.0.1',
          logLevel: 'warn',
          store: { sqlitePath: join(dir, 'shared.sqlite') },
          passwords: { hashingThreads: 1 },
          legacy: { kind: 'http', baseUrl: legacy.url, auth: { type: 'bearer', token: '${LEGACY_TOKEN}' } },
          migration: { mapping: DEMO_MAPPING },
          clients: [{ ...TEST_CLIENTS.firstParty, redirect_uris: [RP_REDIRECT], first_party: true }],
          rateLimits: { enabled: false },
        }),
      );
      const env = { IDP_CONFIG: configFile, LEGACY_TOKEN };
      // Both start at once on an empty file: schema creation and key generation race, and must agree.
      [a, b] = await Promise.all([
        startMain({ ...env, PORT: String(portA) }, dir, /listening on port/),
        startMain({ ...env, PORT: String(portB) }, dir, /listening on port/),
      ]);
    });
    after(async () => {
      a.child.kill('SIGKILL');
      b.child.kill('SIGKILL');
      await legacy.stop();
    });

    it('serve the same signing keys', async () => {
      const [jwksA, jwksB] = await Promise.all(
        [fetch(`${issuer}/jwks`), fetch(`${otherBase}/jwks`)].map(async (r) => (await r).text()),
      );
      assert.equal(jwksA, jwksB);
    });

    it('turn 20 parallel first sign-ins of one user, spread over both, into exactly one account', async () => {
      const attempts = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          signIn(issuer, 'carol', 'higher further faster', i % 2 ? { loginBase: otherBase } : {}),
        ),
      );
      assert.deepEqual(
        attempts.map((attempt) => attempt.status),
        Array.from({ length: 20 }, () => 303),
      );
      assert.equal(new Set(attempts.map((attempt) => attempt.tokens?.claims()?.sub)).size, 1);

      const store = openEmbeddedStore(join(dir, 'shared.sqlite'));
      try {
        const account = await store.accounts.findByLegacyId('legacy', 'L-1003');
        assert.ok(account);
        const migrations = (await store.events.list({ type: 'migrated' })).filter(
          (e) => e.type === 'migrated' && e.legacy.id === 'L-1003',
        );
        assert.equal(migrations.length, 1);
      } finally {
        await store.close();
      }
    });

    it('stop cleanly on SIGTERM', async () => {
      b.child.kill('SIGTERM');
      assert.equal(await b.exited, 0);
      // The other process keeps serving.
      assert.equal((await fetch(`${issuer}/healthz`)).status, 200);
    });
  });
});
