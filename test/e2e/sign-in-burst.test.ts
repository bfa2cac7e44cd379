import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEMO_MAPPING } from '../../src/demo/demo-mode.js';
import { DEMO_USERS } from '../../src/demo/demo-users.js';
import { LegacyUserService } from '../../src/demo/legacy-service.js';
import { configSchema } from '../../src/config/schema.js';
import { createLogger } from '../../src/log/logger.js';
import { openSecretBox, sealedSecret } from '../../src/security/secret-keys.js';
import { openEmbeddedStore } from '../../src/store/embedded/embedded-store.js';
import { startBalancer } from '../support/balancer.js';
import { LEGACY_TOKEN } from '../support/harness.js';
import { PROCESS_ENV, startIdpProcess, writeIdpConfig, type IdpProcess } from '../support/idp-process.js';
import { signIn } from '../support/oidc-flow.js';
import { freePort } from '../support/servers/process.js';

/**
 * The legitimate user's worst minute: the same first sign-in sent twenty times at once (double submits, several
 * tabs and devices, a retrying client), through two IdP processes on one store, with the rate limits on at their
 * defaults. One legacy check decides; everyone is signed in to one account.
 */

const BURST = 20;
const MAX_WAIT_MS = 3_000;

describe('a burst of first sign-ins of one user across two processes', { timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'jit-idp-burst-'));
  const legacy = new LegacyUserService({ users: DEMO_USERS, token: LEGACY_TOKEN });
  const processes: IdpProcess[] = [];
  let balancer: Awaited<ReturnType<typeof startBalancer>>;
  const sqlitePath = join(dir, 'burst.sqlite');

  before(async () => {
    await legacy.start();
    // A slow legacy system widens the window in which the twenty overlap.
    legacy.delayMs = 300;
    const ports = await Promise.all([freePort(), freePort()]);
    balancer = await startBalancer(ports.map((port) => `http://127.0.0.1:${port}`));
    const config = writeIdpConfig(dir, {
      issuer: balancer.url,
      legacyUrl: legacy.url,
      sqlitePath,
      // A short wait for another attempt's check, so that the stuck holder below is waited out in seconds.
      extra: {
        rateLimits: { enabled: true },
        migration: { mapping: DEMO_MAPPING, singleFlightMaxWaitMs: MAX_WAIT_MS },
      },
    });
    processes.push(
      ...(await Promise.all(
        ports.map((port) => startIdpProcess({ IDP_CONFIG: config, PORT: String(port), ...PROCESS_ENV }, dir)),
      )),
    );
  });
  after(async () => {
    for (const { child } of processes) child.kill('SIGKILL');
    await balancer.close();
    await legacy.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs all twenty in with one legacy check and one account', async () => {
    legacy.resetCalls();
    const attempts = await Promise.all(
      Array.from({ length: BURST }, () => signIn(balancer.url, 'alice', 'wonderland')),
    );
    assert.deepEqual(
      attempts.map((a) => a.status),
      Array<number>(BURST).fill(303),
    );
    assert.equal(legacy.calls.authenticate, 1, 'one legacy check for the whole burst');
    assert.equal(new Set(attempts.map((a) => a.tokens?.claims()?.sub)).size, 1, 'one subject');
    assert.ok(
      balancer.counts.every((count) => count > BURST),
      `both processes served: ${balancer.counts.join(', ')}`,
    );
    const store = openEmbeddedStore(sqlitePath);
    try {
      assert.deepEqual(await store.accounts.countByOrigin(), { migrated: 1, registered: 0, imported: 0 });
      assert.equal((await store.events.list({ type: 'migrated' })).length, 1);
    } finally {
      await store.close();
    }
  });

  it('refuses a burst of wrong passwords without letting one of them wait on another forever', async () => {
    legacy.resetCalls();
    const attempts = await Promise.all(Array.from({ length: 6 }, (_, i) => signIn(balancer.url, 'bob', `nope-${i}`)));
    assert.deepEqual(
      attempts.map((a) => a.status),
      Array<number>(6).fill(401),
    );
    // Each wrong password is its own question: the legacy system answered every one, one at a time.
    assert.equal(legacy.calls.authenticate, 6);
    assert.equal((await signIn(balancer.url, 'bob', 'can-we-fix-it')).status, 303);
  });

  it('asks the legacy system itself once another attempt has held the check past the longest wait', async () => {
    legacy.resetCalls();
    // A holder that is alive but never finishes: its lease on carol's check runs far beyond the wait.
    const store = openEmbeddedStore(sqlitePath);
    try {
      // The processes' lease key, kept sealed in the store (no secretKeys here: under the key the store keeps).
      const box = await openSecretBox(configSchema.parse({}), store.secrets, createLogger('silent'));
      const secret = await sealedSecret(store.secrets, box, 'lease-key', () => 'unused: the processes made it first');
      const lease = `legacy-check:${createHmac('sha256', secret).update('carol').digest('base64url')}`;
      assert.ok(await store.leases.acquire(lease, 'a stuck holder', 120_000));
      const started = performance.now();
      const attempt = await signIn(balancer.url, 'carol', 'higher further faster');
      const waited = performance.now() - started;
      assert.equal(attempt.status, 303);
      assert.ok(waited >= MAX_WAIT_MS, `waited ${Math.round(waited)} ms for the holder first`);
      assert.equal(legacy.calls.authenticate, 1);
      await store.leases.release(lease, 'a stuck holder');
    } finally {
      await store.close();
    }
  });
});
