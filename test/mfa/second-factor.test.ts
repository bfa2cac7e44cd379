import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as OTPAuth from 'otpauth';
import type { IdpEvent } from '../../src/events/event.js';
import { createSecretBox } from '../../src/security/secret-box.js';
import { secondFactors, totpSealContext } from '../../src/mfa/second-factor.js';
import { newTotpSecret } from '../../src/mfa/totp.js';
import { unlimited, type RateLimiter } from '../../src/security/rate-limiter.js';
import { openEmbeddedStore } from '../../src/store/embedded/embedded-store.js';
import type { Store } from '../../src/store/store.js';

/** The second step against a real embedded store, with a clock of its own: codes at chosen instants. */
describe('the second step: TOTP codes across a key rotation', () => {
  let dir: string;
  let store: Store;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'jit-idp-mfa-'));
    store = openEmbeddedStore(join(dir, 'idp.sqlite'));
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const keys = { old: { id: 'k1', key: randomBytes(32) }, current: { id: 'k2', key: randomBytes(32) } };
  const t0 = new Date('2026-12-07T12:00:00Z');
  const at = (steps: number) => new Date(t0.getTime() + steps * 30_000);

  /** An account with a TOTP sealed under `key`; its app, to make codes with. */
  const enrolled = async (key: { id: string; key: Buffer }) => {
    const accountId = randomUUID();
    const secret = newTotpSecret();
    await store.factors.add([
      {
        id: randomUUID(),
        accountId,
        kind: 'totp',
        data: { secret: createSecretBox([key]).seal(secret, totpSealContext(accountId)) },
        mark: 0,
        createdAt: t0,
      },
    ]);
    const app = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) });
    return { accountId, code: (when: Date) => app.generate({ timestamp: when.getTime() }) };
  };

  const stepWith = (
    boxKeys: { id: string; key: Buffer }[],
    limiter: RateLimiter = unlimited,
    passkeysAvailable = true,
  ) => {
    const events: IdpEvent[] = [];
    const step = secondFactors({
      factors: store.factors,
      secretBox: createSecretBox(boxKeys),
      limiter,
      passkeysAvailable,
      record: (event) => {
        events.push(event);
        return Promise.resolve();
      },
    });
    return { step, events };
  };
  const sealedKeyOf = async (accountId: string) =>
    String((await store.factors.listByAccount(accountId))[0]?.data.secret).split('.')[1];

  it('seals a secret anew under the current key at its first use after a rotation, so the old key can go', async () => {
    const user = await enrolled(keys.old);
    const rotated = stepWith([keys.current, keys.old]);
    assert.deepEqual(await rotated.step.verify(user.accountId, user.code(at(1)), at(1)), {
      kind: 'accepted',
      factor: 'totp',
    });
    assert.equal(await sealedKeyOf(user.accountId), 'k2');
    const withoutOldKey = stepWith([keys.current]);
    assert.equal((await withoutOldKey.step.verify(user.accountId, user.code(at(2)), at(2))).kind, 'accepted');
  });

  it('refuses, without counting it against the user, a secret no configured key opens; the event says why', async () => {
    const user = await enrolled(keys.old);
    let counted = 0;
    const counting: RateLimiter = {
      ...unlimited,
      count: () => {
        counted++;
        return Promise.resolve();
      },
    };
    const lost = stepWith([keys.current], counting);
    assert.deepEqual(await lost.step.verify(user.accountId, user.code(at(1)), at(1)), { kind: 'refused' });
    assert.deepEqual(lost.events, [{ type: 'factor_failed', accountId: user.accountId, reason: 'unreadable_secret' }]);
    assert.equal(counted, 0);
    assert.equal(await sealedKeyOf(user.accountId), 'k1', 'left as it was');
  });

  it('accepts one step either side, refuses two away, and never the same step twice', async () => {
    const user = await enrolled(keys.current);
    const { step, events } = stepWith([keys.current]);
    assert.equal((await step.verify(user.accountId, user.code(at(9)), at(10))).kind, 'accepted');
    assert.equal((await step.verify(user.accountId, user.code(at(9)), at(10))).kind, 'refused', 'a replay');
    assert.equal((await step.verify(user.accountId, user.code(at(12)), at(10))).kind, 'refused', 'two steps ahead');
    assert.equal((await step.verify(user.accountId, user.code(at(11)), at(10))).kind, 'accepted');
    assert.equal((await step.verify(user.accountId, user.code(at(10)), at(10))).kind, 'refused', 'older than the last');
    assert.deepEqual(
      events.map((e) => (e.type === 'factor_failed' ? e.reason : e.type)),
      ['factor_used', 'replayed', 'wrong_code', 'factor_used', 'replayed'],
    );
  });

  it('counts a passkey as a second factor, and says which kinds an account can pass the step with', async () => {
    const { step } = stepWith([keys.current]);
    const accountId = randomUUID();
    assert.equal(await step.enrolled(accountId), false);
    await store.factors.add([
      {
        id: randomUUID(),
        accountId,
        kind: 'passkey',
        credentialId: randomBytes(16).toString('base64url'),
        data: { publicKey: '', transports: [], deviceType: 'singleDevice', backedUp: false, aaguid: '' },
        mark: 0,
        createdAt: t0,
      },
    ]);
    assert.equal(await step.enrolled(accountId), true);
    assert.deepEqual(await step.methods(accountId), { totp: false, recoveryCodes: false, passkeys: true });
    const user = await enrolled(keys.current);
    assert.deepEqual(await step.methods(user.accountId), { totp: true, recoveryCodes: false, passkeys: false });
    // Reached at an IP address, where browsers refuse passkeys: a step the account could not pass is not asked.
    const atAnAddress = stepWith([keys.current], unlimited, false).step;
    assert.equal(await atAnAddress.enrolled(accountId), false);
  });

  it('keeps a passkey attempt under the per-account failure limit: a failure counted, a blocked one not run', async () => {
    let counted = 0;
    let blocked = false;
    const limiter: RateLimiter = {
      ...unlimited,
      peek: () =>
        Promise.resolve(blocked ? { kind: 'blocked', retryAfterSeconds: 90 } : { kind: 'allowed', delayMs: 0 }),
      count: () => {
        counted++;
        return Promise.resolve();
      },
    };
    const { step, events } = stepWith([keys.current], limiter);
    const accountId = randomUUID();
    assert.deepEqual(await step.guard(accountId, () => Promise.resolve('failed')), { kind: 'failed' });
    assert.deepEqual(await step.guard(accountId, () => Promise.resolve('expired')), { kind: 'expired' });
    assert.deepEqual(await step.guard(accountId, () => Promise.resolve('passed')), { kind: 'passed' });
    assert.equal(counted, 1, 'only the failure');
    blocked = true;
    let ran = false;
    const outcome = await step.guard(accountId, () => {
      ran = true;
      return Promise.resolve('passed');
    });
    assert.deepEqual(outcome, { kind: 'rate-limited', retryAfterSeconds: 90 });
    assert.equal(ran, false);
    assert.deepEqual(events.at(-1), { type: 'factor_failed', accountId, reason: 'rate_limited' });
  });
});
