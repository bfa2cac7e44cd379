import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../src/log/logger.js';
import { createSecretBox } from '../../src/security/secret-box.js';
import type { KeyRingState } from '../../src/oidc/key-ring.js';
import { generateSigningKey, type SigningJwk } from '../../src/oidc/keys.js';
import { openSigningKeys, type SigningKeysOptions } from '../../src/oidc/signing-keys.js';
import { openEmbeddedStore } from '../../src/store/embedded/embedded-store.js';
import type { Store } from '../../src/store/store.js';

/**
 * The signing keys of several processes on one real embedded store (each `openSigningKeys` stands for a process),
 * with a clock the test moves: what each publishes and signs, the rotation, the schedule, and what the store's file
 * holds (no private key in clear).
 */
describe('signing keys on a store, rotated', () => {
  let dir: string;
  let store: Store;
  let clock = 1_000_000;
  const k1 = randomBytes(32);
  const box = createSecretBox([{ id: 'k1', key: k1 }]);
  const options = (extra: Partial<SigningKeysOptions> = {}): SigningKeysOptions => ({
    settings: store.settings,
    secrets: store.secrets,
    leases: store.leases,
    secretBox: box,
    timing: { leadMs: 60_000, retireAfterMs: 120_000 },
    rotationIntervalMs: 0,
    pollMs: 3_600_000,
    logger: createLogger('silent'),
    now: () => clock,
    ...extra,
  });
  const kids = (keys: readonly SigningJwk[]) => keys.map((k) => k.kid);
  let legacyKeys: SigningJwk[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'signing-keys-'));
    store = openEmbeddedStore(join(dir, 'idp.sqlite'));
    // What a store made by an earlier version holds: the two keys in clear.
    legacyKeys = await Promise.all([generateSigningKey('RS256'), generateSigningKey('ES256')]);
    await store.secrets.getOrCreate('signing-keys', () => legacyKeys);
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("adopts an earlier version's keys, sealed, and both processes starting at once agree on them", async () => {
    const [a, b] = await Promise.all([openSigningKeys(options()), openSigningKeys(options())]);
    try {
      assert.deepEqual(kids(a.current().signing), kids(legacyKeys), 'tokens signed before the upgrade still verify');
      assert.deepEqual(a.current(), b.current());
      assert.equal(await store.secrets.find('signing-keys'), undefined, 'the clear copy is gone');
    } finally {
      a.close();
      b.close();
    }
  });

  it('leaves no private key material in clear in the store file', async () => {
    const a = await openSigningKeys(options());
    a.close();
    await store.close();
    const bytes = readdirSync(dir)
      .map((file) => readFileSync(join(dir, file)).toString('latin1'))
      .join('');
    store = openEmbeddedStore(join(dir, 'idp.sqlite'));
    for (const jwk of legacyKeys) {
      assert.ok(jwk.d && !bytes.includes(jwk.d), `the private part of ${jwk.kid} is not in the file`);
      assert.ok(!bytes.includes(Buffer.from(jwk.d, 'base64url').toString('latin1')), 'nor its raw bytes');
    }
  });

  it('rotates: published at once everywhere, signing after the lead, the old key retired after its tokens', async () => {
    const a = await openSigningKeys(options());
    const b = await openSigningKeys(options());
    const changes: KeyRingState[] = [];
    await b.onChange((state) => {
      changes.push(state);
    });
    try {
      const rotation = await a.rotate();
      assert.ok(rotation.kind === 'rotated');
      const newKids = rotation.kids;
      assert.equal(rotation.activeFrom.getTime(), clock + 60_000);
      assert.deepEqual(kids(a.current().published), [...kids(legacyKeys), ...newKids]);
      assert.deepEqual(kids(a.current().signing), kids(legacyKeys), 'the new keys do not sign yet');
      assert.deepEqual(
        a.describe().map((k) => k.status),
        ['signing', 'signing', 'published ahead', 'published ahead'],
      );

      await b.refresh();
      assert.deepEqual(b.current(), a.current(), 'the other process publishes them after its next read');
      clock += 60_000;
      await Promise.all([a.refresh(), b.refresh()]);
      assert.deepEqual(kids(b.current().signing), newKids, 'both sign with the new keys from activeFrom');
      assert.deepEqual(kids(b.current().published), [...newKids, ...kids(legacyKeys)]);
      clock += 120_000;
      await b.refresh();
      assert.deepEqual(kids(b.current().published), newKids, 'the old keys leave after retireAfterMs');
      assert.deepEqual(
        changes.map((state) => state.published.length),
        [2, 4, 4, 2],
        'its listener heard each change once: start, published ahead, signing, retired',
      );
    } finally {
      a.close();
      b.close();
    }
  });

  it('rotates on the schedule, once across processes', async () => {
    const schedule = { rotationIntervalMs: 86_400_000 };
    const a = await openSigningKeys(options(schedule));
    const b = await openSigningKeys(options(schedule));
    try {
      const before = kids(a.current().published);
      clock += 86_400_000;
      await Promise.all([a.refresh(), b.refresh()]);
      await Promise.all([a.refresh(), b.refresh()]);
      const added = kids(b.current().published).filter((kid) => !before.includes(kid));
      assert.equal(added.length, 2, 'one new key per algorithm, not one set per process');
      assert.deepEqual(a.current().published, b.current().published);
    } finally {
      a.close();
      b.close();
    }
  });

  it('opens the ring after the key-encryption key is rotated, and seals it anew so the old key can leave', async () => {
    const k2 = randomBytes(32);
    const before = await openSigningKeys(options());
    before.close();
    const both = await openSigningKeys(
      options({
        secretBox: createSecretBox([
          { id: 'k2', key: k2 },
          { id: 'k1', key: k1 },
        ]),
      }),
    );
    both.close();
    const onlyNew = await openSigningKeys(options({ secretBox: createSecretBox([{ id: 'k2', key: k2 }]) }));
    onlyNew.close();
    assert.deepEqual(onlyNew.current(), before.current(), 'the same keys, opened with the new key alone');
    await assert.rejects(openSigningKeys(options()), /sealed with key "k2", which is not configured/);
  });
});
