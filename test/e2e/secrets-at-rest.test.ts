import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../src/log/logger.js';
import { createSecretBox } from '../../src/security/secret-box.js';
import { openSigningKeys } from '../../src/oidc/signing-keys.js';
import { sealedSecret } from '../../src/security/secret-keys.js';
import { startTestIdp, type TestIdp } from '../support/harness.js';
import { signIn } from '../support/oidc-flow.js';

/**
 * What a copy of the store holds, read as bytes from its files while the IdP runs (a backup taken mid-service): no
 * private signing key, no generated cookie, CSRF, rate-limit or lease key in clear, all sealed under the
 * key-encryption key (`secretKeys`), which is not in the store. The same store with another key does not start.
 */
describe('secrets at rest: a copy of the store yields no usable key', () => {
  const kek = randomBytes(32);
  const secretKeys = [{ id: 'kek-1', key: kek.toString('base64') }];
  let t: TestIdp;
  before(async () => {
    t = await startTestIdp({ config: { secretKeys } });
  });
  after(() => t.close());

  it('keeps every key it generated sealed, none in clear in the files', async () => {
    assert.equal((await signIn(t.issuer, 'alice', 'wonderland')).status, 303, 'a session, tokens, cookies');
    const box = createSecretBox([{ id: 'kek-1', key: kek }]);
    const store = t.idp.store;
    // The keys as the IdP uses them, opened with the key-encryption key the test holds.
    const signing = await openSigningKeys({
      settings: store.settings,
      secrets: store.secrets,
      leases: store.leases,
      secretBox: box,
      timing: { leadMs: 1000, retireAfterMs: 1000 },
      rotationIntervalMs: 0,
      pollMs: 3_600_000,
      logger: createLogger('silent'),
    });
    signing.close();
    // Those this configuration made (no rate limits here; cookie keys only when not configured): each sealed.
    const generated: string[] = [];
    for (const name of ['cookie-keys', 'csrf-key', 'rate-limit-key', 'lease-key']) {
      if ((await store.secrets.find(`${name}.sealed`)) === undefined) continue;
      const value = await sealedSecret<string | string[]>(store.secrets, box, name, () => 'not made');
      generated.push(...(Array.isArray(value) ? value : [value]));
      assert.equal(await store.secrets.find(name), undefined, `${name}: nothing in clear`);
    }
    assert.ok(generated.length >= 2, 'the CSRF and lease keys at least');
    const privateParts = signing.current().published.flatMap((jwk) => [jwk.d, jwk.p, jwk.q].filter(Boolean));
    assert.equal(privateParts.length, 4, 'RSA d, p, q and EC d');

    const dir = dirname(t.sqlitePath ?? '');
    const bytes = readdirSync(dir)
      .filter((file) => file.startsWith('idp.sqlite'))
      .map((file) => readFileSync(join(dir, file)).toString('latin1'))
      .join('\n');
    assert.ok(bytes.length > 0);
    for (const secret of [...privateParts, ...generated]) {
      assert.ok(secret && !bytes.includes(secret), 'a secret in clear in the store files');
    }
  });

  it('opens nothing on the same store with another key-encryption key (the IdP does not start)', async () => {
    const wrong = createSecretBox([{ id: 'kek-2', key: randomBytes(32) }]);
    const store = t.idp.store;
    await assert.rejects(
      sealedSecret(store.secrets, wrong, 'csrf-key', () => 'not made'),
      /"csrf-key" cannot be opened: it is sealed with key "kek-1", which is not among secretKeys/,
    );
    await assert.rejects(
      openSigningKeys({
        settings: store.settings,
        secrets: store.secrets,
        leases: store.leases,
        secretBox: wrong,
        timing: { leadMs: 1000, retireAfterMs: 1000 },
        rotationIntervalMs: 0,
        pollMs: 3_600_000,
        logger: createLogger('silent'),
      }),
      /sealed with key "kek-1", which is not configured/,
    );
  });
});
