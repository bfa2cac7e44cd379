import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEMO_USERS } from '../../src/demo/demo-users.js';
import { LegacyUserService } from '../../src/demo/legacy-service.js';
import { openEmbeddedStore } from '../../src/store/embedded/embedded-store.js';
import { LEGACY_TOKEN } from '../support/harness.js';
import { PROCESS_ENV, startIdpProcess, writeIdpConfig, type IdpProcess } from '../support/idp-process.js';
import { signIn } from '../support/oidc-flow.js';
import { freePort } from '../support/servers/process.js';

describe('the IdP as real processes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jit-idp-proc-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses demo mode in production and names every missing setting', async () => {
    const started = await startIdpProcess({ NODE_ENV: 'production' }, dir, null);
    assert.equal(await started.exited, 78);
    const output = started.output();
    assert.match(output, /"legacy" is not configured: demo mode is for development only/);
    assert.match(output, /issuer must be an https URL/);
  });

  it('serves /metrics on a listener of its own when asked, and on its public port not at all', async () => {
    const legacy = new LegacyUserService({ users: DEMO_USERS, token: LEGACY_TOKEN });
    await legacy.start();
    const [port, metricsPort] = [await freePort(), await freePort()];
    const issuer = `http://127.0.0.1:${port}`;
    const configFile = writeIdpConfig(dir, {
      issuer,
      legacyUrl: legacy.url,
      sqlitePath: join(dir, 'metrics.sqlite'),
      extra: { metrics: { port: metricsPort } },
    });
    const idp = await startIdpProcess({ IDP_CONFIG: configFile, PORT: String(port), ...PROCESS_ENV }, dir);
    try {
      assert.equal((await fetch(`${issuer}/metrics`)).status, 404, 'not on the public port');
      const scraped = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      assert.equal(scraped.status, 200);
      assert.match(await scraped.text(), /^# HELP idp_sign_ins_total/m);
      assert.equal((await fetch(`http://127.0.0.1:${metricsPort}/jwks`)).status, 404, 'nothing else there');
    } finally {
      idp.child.kill('SIGKILL');
      await legacy.stop();
    }
  });

  describe('two processes on one embedded store', { timeout: 60_000 }, () => {
    const legacy = new LegacyUserService({ users: DEMO_USERS, token: LEGACY_TOKEN });
    let a: IdpProcess;
    let b: IdpProcess;
    let issuer = '';
    let otherBase = '';

    before(async () => {
      await legacy.start();
      const [portA, portB] = [await freePort(), await freePort()];
      issuer = `http://127.0.0.1:${portA}`;
      otherBase = `http://127.0.0.1:${portB}`;
      const configFile = writeIdpConfig(dir, {
        issuer,
        legacyUrl: legacy.url,
        sqlitePath: join(dir, 'shared.sqlite'),
      });
      const env = { IDP_CONFIG: configFile, ...PROCESS_ENV };
      // Both start at once on an empty file: schema creation and key generation race, and must agree.
      [a, b] = await Promise.all([
        startIdpProcess({ ...env, PORT: String(portA) }, dir),
        startIdpProcess({ ...env, PORT: String(portB) }, dir),
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
