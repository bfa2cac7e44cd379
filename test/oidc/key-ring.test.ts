import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rotated, stateAt, type KeyRing } from '../../src/oidc/key-ring.js';
import type { SigningJwk } from '../../src/oidc/keys.js';

/** The ring's meaning at each moment, with exact times (no clock, no keys: kids stand for them). */
const key = (kid: string, alg: SigningJwk['alg'] = 'RS256'): SigningJwk => ({ kid, alg, use: 'sig', kty: 'RSA' });
const kids = (keys: readonly SigningJwk[]) => keys.map((k) => k.kid);
const TIMING = { leadMs: 1000, retireAfterMs: 5000 };

describe('the signing key ring', () => {
  const start: KeyRing = {
    rotatedAt: 0,
    entries: [
      { jwk: key('r1'), createdAt: 0, activeFrom: 0 },
      { jwk: key('e1', 'ES256'), createdAt: 0, activeFrom: 0 },
    ],
  };

  it('publishes a new key at once, signs with it only after the lead time, and retires the old one after', () => {
    const ring = rotated(start, 10_000, TIMING, [key('r2'), key('e2', 'ES256')]);
    assert.equal(ring.rotatedAt, 10_000);

    const during = stateAt(ring, 10_500);
    assert.deepEqual(kids(during.signing), ['r1', 'e1'], 'the old keys sign during the lead time');
    assert.deepEqual(kids(during.published), ['r1', 'e1', 'r2', 'e2'], 'signing keys first');
    assert.equal(during.nextChangeAt, 11_000);

    const after = stateAt(ring, 11_000);
    assert.deepEqual(kids(after.signing), ['r2', 'e2'], 'the new keys sign from activeFrom exactly');
    assert.deepEqual(kids(after.published), ['r2', 'e2', 'r1', 'e1'], 'the old ones stay for their tokens');
    assert.equal(after.nextChangeAt, 16_000);

    const retired = stateAt(ring, 16_000);
    assert.deepEqual(kids(retired.published), ['r2', 'e2'], 'gone once every token they signed has expired');
    assert.equal(retired.nextChangeAt, undefined);
  });

  it('keeps nothing from before the creation of a key, and nothing retired at the next rotation', () => {
    const first = rotated(start, 10_000, TIMING, [key('r2'), key('e2', 'ES256')]);
    assert.deepEqual(kids(stateAt(first, 9_999).published), ['r1', 'e1'], 'not published before it exists');
    const second = rotated(first, 20_000, TIMING, [key('r3'), key('e3', 'ES256')]);
    assert.deepEqual(
      second.entries.map((e) => [e.jwk.kid, e.activeFrom, e.retireAt]),
      [
        ['r2', 11_000, 26_000],
        ['e2', 11_000, 26_000],
        ['r3', 21_000, undefined],
        ['e3', 21_000, undefined],
      ],
    );
  });

  it('rotated twice within the lead time: each key signs in turn, none before its time', () => {
    const first = rotated(start, 10_000, TIMING, [key('r2')]);
    const second = rotated(first, 10_400, TIMING, [key('r3')]);
    assert.deepEqual(kids(stateAt(second, 10_900).signing), ['r1', 'e1']);
    assert.deepEqual(kids(stateAt(second, 11_000).signing), ['r2', 'e1']);
    assert.deepEqual(kids(stateAt(second, 11_400).signing), ['r3', 'e1']);
    assert.ok(kids(stateAt(second, 15_999).published).includes('r1'), 'r1 retires 5 s after r2 took over');
    assert.ok(!kids(stateAt(second, 16_000).published).includes('r1'));
  });
});
