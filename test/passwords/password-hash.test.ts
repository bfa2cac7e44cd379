import assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import bcrypt from 'bcryptjs';
import { createPasswordHasher, type PasswordHasher } from '../../src/passwords/password-hasher.js';
import { UnsupportedPasswordHashError } from '../../src/passwords/password-hash.js';

describe('password hashing', () => {
  let hasher: PasswordHasher;
  before(async () => {
    hasher = await createPasswordHasher({ cost: 10, threads: 2 });
  });
  after(() => hasher.close());

  it('stores a password that fits bcrypt as a plain, portable bcrypt hash of the configured cost', async () => {
    const hash = await hasher.hash('correct horse battery staple');
    assert.match(hash, /^\$2b\$10\$/);
    // Any bcrypt implementation can verify it: here bcryptjs directly, outside the product's code.
    assert.equal(bcrypt.compareSync('correct horse battery staple', hash), true);
    assert.equal(await hasher.verify('correct horse battery staple', hash), true);
    assert.equal(await hasher.verify('correct horse battery stapl', hash), false);
  });

  it('never lets two passwords sharing their first 72 bytes verify against each other', async () => {
    const prefix = 'p'.repeat(72);
    const a = `${prefix}-first`;
    const b = `${prefix}-second`;
    const hash = await hasher.hash(a);
    assert.equal(await hasher.verify(a, hash), true);
    assert.equal(await hasher.verify(b, hash), false);
    assert.equal(await hasher.verify(prefix, hash), false);
    // Plain bcrypt would have accepted b: this is the truncation the format prevents.
    assert.equal(bcrypt.compareSync(b, bcrypt.hashSync(a, 4)), true);
  });

  it('counts bytes, not characters, toward the 72-byte limit', async () => {
    const prefix = 'é'.repeat(36); // 72 bytes in UTF-8
    const hash = await hasher.hash(`${prefix}x`);
    assert.equal(await hasher.verify(`${prefix}y`, hash), false);
    assert.equal(await hasher.verify(`${prefix}x`, hash), true);
  });

  it('refuses a password longer than 72 bytes against a plain bcrypt hash of its prefix', async () => {
    const prefix = 'q'.repeat(72);
    const legacyStyle = bcrypt.hashSync(prefix, 4);
    assert.equal(await hasher.verify(prefix, legacyStyle), true);
    assert.equal(await hasher.verify(`${prefix}tail`, legacyStyle), false);
  });

  it('rejects a malformed stored hash with a clear error that does not contain it', async () => {
    await assert.rejects(hasher.verify('x', 'plaintext-in-the-hash-column'), (error: Error) => {
      assert.equal(error.name, UnsupportedPasswordHashError.name);
      assert.ok(!error.message.includes('plaintext-in-the-hash-column'));
      return true;
    });
  });

  it('salts every hash', async () => {
    assert.notEqual(await hasher.hash('same password'), await hasher.hash('same password'));
  });

  it('never fails a decoy verification', async () => {
    assert.equal(await hasher.verifyDecoy('anything'), false);
  });

  it('keeps the event loop free while hashing', async () => {
    const slow = await createPasswordHasher({ cost: 12, threads: 1 });
    try {
      const delay = monitorEventLoopDelay({ resolution: 5 });
      delay.enable();
      // Each cost-12 hash takes ~250 ms of CPU; on the event loop that would be the delay measured.
      await Promise.all([slow.hash('one'), slow.hash('two'), slow.hash('three')]);
      delay.disable();
      // On the event loop this would be one ~250 ms block per hash; parallel test files on two cores add some noise.
      assert.ok(delay.max / 1e6 < 200, `event loop blocked for ${Math.round(delay.max / 1e6)} ms`);
    } finally {
      await slow.close();
    }
  });
});
