import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createPasswordHasher, type PasswordHasher } from '../../../src/passwords/password-hasher.js';
import { MATCH, MISMATCH, options, requires, run } from './reference-tools.js';

describe('legacy verification on the hashing worker pool', () => {
  let hasher: PasswordHasher;
  before(async () => {
    hasher = await createPasswordHasher({ cost: 4, threads: 2 });
  });
  after(() => hasher.close());

  it('verifies openssl-made hashes across the worker thread', requires('openssl'), async () => {
    const sha512 = run('openssl', ['passwd', '-6', 'correct horse']);
    const apr1 = run('openssl', ['passwd', '-apr1', 'pässwörd']);
    const detect = options();
    const verdicts = await Promise.all([
      hasher.verifyLegacy('correct horse', sha512, detect),
      hasher.verifyLegacy('wrong horse', sha512, detect),
      hasher.verifyLegacy('pässwörd', apr1, options({ scheme: 'apr1' })),
      hasher.verifyLegacy('pässwörd', apr1, options({ scheme: 'md5-crypt' })),
    ]);
    assert.deepEqual(verdicts.slice(0, 3), [MATCH, MISMATCH, MATCH]);
    assert.equal(verdicts[3].kind, 'unsupported');
  });

  it('passes the separate salt and the salted-* options through', async () => {
    const hash = createHash('sha1').update('pwsalt').digest('hex');
    assert.deepEqual(await hasher.verifyLegacy('pw', hash, options({ scheme: 'salted-sha1' }), 'salt'), MATCH);
    assert.deepEqual(await hasher.verifyLegacy('pw', hash, options({ scheme: 'salted-sha1' }), 'pepper'), MISMATCH);
  });

  it('answers unsupported for a corrupt hash instead of rejecting', async () => {
    const verdict = await hasher.verifyLegacy('pw', 'not-a-hash', options());
    assert.equal(verdict.kind, 'unsupported');
  });
});
