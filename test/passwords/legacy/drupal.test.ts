import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  assertUnsupported,
  assertVerifies,
  labelOf,
  MATCH,
  MISMATCH,
  options,
  phpJsonIn,
  requires,
  verifyWith,
} from './reference-tools.js';
import { DRUPAL_PASSWORD_INC } from './php-references.js';

const DRUPAL7 = options({ scheme: 'drupal7' });

type Made = { name: string; hash: string; says: boolean[] }[];

describe('Drupal 7', () => {
  it("judges $S$, U$, $P$ and $H$ hashes as Drupal 7's user_check_password does", requires('php'), async () => {
    const password = 'pässwörd €';
    const candidates = [password, ` ${password}\n`, `\0${password}`, `${password}\u00a0`, 'pässwörd', ''];
    const made = phpJsonIn<Made>(DRUPAL_PASSWORD_INC, { password, candidates });
    assert.equal(made.length, 6);
    for (const { name, hash, says } of made) {
      assert.deepEqual(says, [true, true, true, false, false, false], name);
      for (const [index, candidate] of candidates.entries()) {
        const expected = says[index] === true ? MATCH : MISMATCH;
        assert.deepEqual(await verifyWith(candidate, hash, DRUPAL7), expected, `${name}, candidate ${index}`);
      }
    }
    const labels = made.map(({ hash }) => labelOf(hash, DRUPAL7));
    assert.deepEqual(labels, ['drupal7', 'drupal7', 'drupal7-upgraded', 'phpass', 'phpass', 'drupal7-upgraded']);
  });

  it('refuses passwords above 512 bytes except behind U$, as Drupal does', requires('php'), async () => {
    for (const length of [512, 600]) {
      const password = 'd'.repeat(length);
      const made = phpJsonIn<{ name: string; hash: string | false; says: boolean[] }[]>(DRUPAL_PASSWORD_INC, {
        password,
        candidates: [password],
      });
      for (const { name, hash, says } of made) {
        // Above 512 bytes Drupal cannot even hash the password, except over its md5 (U$).
        const usable = length === 512 || name.startsWith('U');
        assert.equal(hash !== false, usable, `${name} at ${length}`);
        if (hash === false) continue;
        assert.deepEqual(says, [true], name);
        assert.deepEqual(await verifyWith(password, hash, DRUPAL7), MATCH, `${name} at ${length}`);
      }
    }
    // A 600-byte password against a $S$ hash is refused by Drupal without hashing it, and so it is here.
    const made = phpJsonIn<Made>(DRUPAL_PASSWORD_INC, { password: 'correct horse', candidates: ['d'.repeat(600)] });
    for (const { hash, says } of made) {
      assert.deepEqual(says, [false]);
      assert.deepEqual(await verifyWith('d'.repeat(600), hash, DRUPAL7), MISMATCH);
    }
  });

  it('reads $S$ and U$ by detection', requires('php'), async () => {
    const made = phpJsonIn<Made>(DRUPAL_PASSWORD_INC, { password: 'correct horse', candidates: [] });
    for (const { name, hash } of made.filter((entry) => entry.name === 'S' || entry.name === 'U')) {
      await assertVerifies(hash, 'correct horse', 'drupal7', name === 'S' ? 'drupal7' : 'drupal7-upgraded');
    }
  });

  it('refuses malformed values and counts beyond the bound without running them', async () => {
    const digest = 'x'.repeat(43);
    const started = performance.now();
    for (const hash of [
      `$S$Szzzzzzzz${digest}`, // 2^30 rounds: valid for Drupal, beyond the bound
      `$S$3zzzzzzzz${digest}`, // 2^5: below Drupal's minimum
      `$S$Dzzzzzzzz${digest}xx`,
      `U$S$Dzzzzzzzz${digest.slice(1)}`,
      'U$1$abc',
      `$Q$Dzzzzzzzz${digest}`,
    ]) {
      assertUnsupported(await verifyWith('hunter2hunter2', hash, DRUPAL7), hash, 'hunter2hunter2');
    }
    assert.ok(performance.now() - started < 200);
  });
});
