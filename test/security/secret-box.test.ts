import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { createSecretBox, type SecretBoxKey } from '../../src/security/secret-box.js';

/**
 * The secret box on keys made here: values open only with the same context and a configured key, any change to
 * any part of the sealed text is refused as a value (never an exception), and keys rotate without losing values.
 */

const key = (id: string): SecretBoxKey => ({ id, key: randomBytes(32) });
const CONTEXT = 'totp:account-1';
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

/** The sealed text with its part number `index` (0 version, 1 key id, 2 IV, 3 ciphertext and tag) replaced. */
function withPart(sealed: string, index: number, change: (part: string) => string): string {
  const parts = sealed.split('.');
  parts[index] = change(parts[index] ?? '');
  return parts.join('.');
}

/** The base64url text with one bit of its byte `at` flipped (negative: from the end). */
function flipBit(part: string, at: number): string {
  const bytes = Buffer.from(part, 'base64url');
  const index = at < 0 ? bytes.length + at : at;
  bytes[index] = (bytes[index] ?? 0) ^ 0x01;
  return bytes.toString('base64url');
}

describe('secret box', () => {
  it('opens what it sealed, with the key id, from text of the documented shape', () => {
    const box = createSecretBox([key('k2026')]);
    const sealed = box.seal(SECRET, CONTEXT);
    assert.match(sealed, /^v1\.k2026\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    assert.ok(!sealed.includes(SECRET), 'the plaintext must not show in the sealed text');
    assert.deepEqual(box.open(sealed, CONTEXT), { kind: 'opened', plaintext: SECRET, keyId: 'k2026' });
  });

  it('round-trips any text, the empty string and non-ASCII included', () => {
    const box = createSecretBox([key('k')]);
    for (const text of ['', 'x', 'é ✓ 𝄞', 'a'.repeat(1000)]) {
      assert.deepEqual(box.open(box.seal(text, CONTEXT), CONTEXT), { kind: 'opened', plaintext: text, keyId: 'k' });
    }
  });

  it('uses a fresh IV each time: the same value sealed twice gives different text', () => {
    const box = createSecretBox([key('k')]);
    const first = box.seal(SECRET, CONTEXT);
    const second = box.seal(SECRET, CONTEXT);
    assert.notEqual(first.split('.')[2], second.split('.')[2]);
    assert.notEqual(first, second);
  });

  it('refuses a value under another context (copied to another account)', () => {
    const box = createSecretBox([key('k')]);
    const sealed = box.seal(SECRET, 'totp:account-1');
    assert.deepEqual(box.open(sealed, 'totp:account-2'), { kind: 'invalid' });
    assert.deepEqual(box.open(sealed, 'totp:account-1 '), { kind: 'invalid' });
    assert.deepEqual(box.open(sealed, ''), { kind: 'invalid' });
  });

  describe('refuses a change to any part', () => {
    const box = createSecretBox([key('current'), key('other')]);
    const sealed = box.seal(SECRET, CONTEXT);

    it('the version', () => {
      assert.deepEqual(
        box.open(
          withPart(sealed, 0, () => 'v2'),
          CONTEXT,
        ),
        { kind: 'invalid' },
      );
      assert.deepEqual(
        box.open(
          withPart(sealed, 0, () => 'V1'),
          CONTEXT,
        ),
        { kind: 'invalid' },
      );
    });

    it('the key id: to another configured key, or to one that is not configured', () => {
      assert.deepEqual(
        box.open(
          withPart(sealed, 1, () => 'other'),
          CONTEXT,
        ),
        { kind: 'invalid' },
      );
      assert.deepEqual(
        box.open(
          withPart(sealed, 1, () => 'gone'),
          CONTEXT,
        ),
        { kind: 'unknown-key', keyId: 'gone' },
      );
    });

    it('the IV: one bit, or its length', () => {
      assert.deepEqual(
        box.open(
          withPart(sealed, 2, (iv) => flipBit(iv, 0)),
          CONTEXT,
        ),
        { kind: 'invalid' },
      );
      assert.deepEqual(
        box.open(
          withPart(sealed, 2, (iv) => flipBit(iv, -1)),
          CONTEXT,
        ),
        { kind: 'invalid' },
      );
      const longer = (iv: string) =>
        Buffer.concat([Buffer.from(iv, 'base64url'), Buffer.alloc(1)]).toString('base64url');
      assert.deepEqual(box.open(withPart(sealed, 2, longer), CONTEXT), { kind: 'invalid' });
    });

    it('the ciphertext: one bit, or a byte more or less', () => {
      assert.deepEqual(
        box.open(
          withPart(sealed, 3, (body) => flipBit(body, 0)),
          CONTEXT,
        ),
        { kind: 'invalid' },
      );
      const shorter = (body: string) => Buffer.from(body, 'base64url').subarray(1).toString('base64url');
      assert.deepEqual(box.open(withPart(sealed, 3, shorter), CONTEXT), { kind: 'invalid' });
      const longer = (body: string) =>
        Buffer.concat([Buffer.alloc(1), Buffer.from(body, 'base64url')]).toString('base64url');
      assert.deepEqual(box.open(withPart(sealed, 3, longer), CONTEXT), { kind: 'invalid' });
    });

    it('the tag (the last 16 bytes): one bit, or cut short', () => {
      assert.deepEqual(
        box.open(
          withPart(sealed, 3, (body) => flipBit(body, -1)),
          CONTEXT,
        ),
        { kind: 'invalid' },
      );
      assert.deepEqual(
        box.open(
          withPart(sealed, 3, (body) => flipBit(body, -16)),
          CONTEXT,
        ),
        { kind: 'invalid' },
      );
      const cut = (body: string) => Buffer.from(body, 'base64url').subarray(0, -1).toString('base64url');
      assert.deepEqual(box.open(withPart(sealed, 3, cut), CONTEXT), { kind: 'invalid' });
    });

    it('the spare bits of the last base64url character (the same bytes, another text)', () => {
      // 1 byte of plaintext and the 16-byte tag: 17 bytes, whose last character carries 2 bits that encode nothing.
      const short = box.seal('x', CONTEXT);
      const body = short.split('.')[3] ?? '';
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const last = alphabet[alphabet.indexOf(body.slice(-1)) ^ 0b01] ?? '';
      const respelt = withPart(short, 3, () => body.slice(0, -1) + last);
      assert.deepEqual(Buffer.from(respelt.split('.')[3] ?? '', 'base64url'), Buffer.from(body, 'base64url'));
      assert.deepEqual(box.open(respelt, CONTEXT), { kind: 'invalid' });
      assert.equal(box.open(short, CONTEXT).kind, 'opened');
    });

    it('the unchanged value still opens (the changes above are what is refused)', () => {
      assert.equal(box.open(sealed, CONTEXT).kind, 'opened');
    });
  });

  it('refuses malformed input as a value, without throwing', () => {
    const box = createSecretBox([key('k')]);
    const sealed = box.seal(SECRET, CONTEXT);
    const [, , iv = '', body = ''] = sealed.split('.');
    const malformed: unknown[] = [
      '',
      'v1',
      'v1.k',
      `v1.k.${iv}`,
      `${sealed}.extra`,
      `v1.k.${iv}.`,
      `v1..${iv}.${body}`,
      `v1.k!.${iv}.${body}`,
      `v1.k.${iv}=.${body}`,
      `v1.k.${iv}.${body}=`,
      `v1.k.${iv}.${body.slice(0, 10)}+/${body.slice(12)}`,
      ` ${sealed}`,
      `v1.k.${iv}.${Buffer.alloc(15).toString('base64url')}`,
      undefined,
      null,
      42,
      { sealed },
    ];
    for (const input of malformed) {
      assert.deepEqual(box.open(input, CONTEXT), { kind: 'invalid' }, `open(${JSON.stringify(input)})`);
    }
  });

  it('rotates keys: the first key seals, an older listed key still opens, and needsResealing tells them apart', () => {
    const old = key('2025');
    const before = createSecretBox([old]);
    const sealedBefore = before.seal(SECRET, CONTEXT);
    assert.equal(before.needsResealing(sealedBefore), false);

    const after = createSecretBox([key('2026'), old]);
    assert.deepEqual(after.open(sealedBefore, CONTEXT), { kind: 'opened', plaintext: SECRET, keyId: '2025' });
    assert.equal(after.needsResealing(sealedBefore), true);

    const resealed = after.seal(SECRET, CONTEXT);
    assert.match(resealed, /^v1\.2026\./);
    assert.equal(after.needsResealing(resealed), false);
    assert.deepEqual(after.open(resealed, CONTEXT), { kind: 'opened', plaintext: SECRET, keyId: '2026' });

    // Once the old key is dropped from the list, its values are reported, not silently lost.
    const later = createSecretBox([key('2027'), key('2026')]);
    assert.deepEqual(later.open(sealedBefore, CONTEXT), { kind: 'unknown-key', keyId: '2025' });
  });

  it('needs resealing for what it cannot read as sealed', () => {
    const box = createSecretBox([key('k')]);
    for (const input of ['', 'garbage', 'v2.k.x.y', undefined]) assert.equal(box.needsResealing(input), true);
  });

  it('refuses a key with the same id but other bytes (a key replaced instead of rotated)', () => {
    const sealed = createSecretBox([key('k')]).seal(SECRET, CONTEXT);
    assert.deepEqual(createSecretBox([key('k')]).open(sealed, CONTEXT), { kind: 'invalid' });
  });

  it('keeps its own copy of the key bytes', () => {
    const bytes = randomBytes(32);
    const box = createSecretBox([{ id: 'k', key: bytes }]);
    const sealed = box.seal(SECRET, CONTEXT);
    bytes.fill(0);
    assert.equal(box.open(sealed, CONTEXT).kind, 'opened');
  });

  describe('refuses a wrong key list at construction, saying what is wrong', () => {
    const cases: [string, SecretBoxKey[], RegExp][] = [
      ['no key', [], /at least one key/],
      ['a 16-byte key', [{ id: 'short', key: randomBytes(16) }], /key "short" must be 32 bytes, not 16/],
      ['a 33-byte key', [key('ok'), { id: 'long', key: randomBytes(33) }], /key "long" must be 32 bytes, not 33/],
      ['the same id twice', [key('twice'), key('twice')], /key id "twice" is listed twice/],
      ['an empty id', [key('')], /key 1's id must be/],
      ['an id with a dot (the separator)', [key('ok'), key('a.b')], /key 2's id must be/],
      ['an id with a space', [key('a b')], /key 1's id must be/],
    ];
    for (const [name, keys, message] of cases) {
      it(name, () => {
        assert.throws(() => createSecretBox(keys), message);
      });
    }

    it('a key that is not a Buffer (configuration read as text)', () => {
      const keys = [{ id: 'text', key: 'a'.repeat(32) as unknown as Buffer }];
      assert.throws(() => createSecretBox(keys), /key "text" must be a Buffer of 32 bytes/);
    });

    it('never puts key bytes in the message', () => {
      const bytes = randomBytes(31);
      assert.throws(
        () => createSecretBox([{ id: 'k', key: bytes }]),
        (error: Error) =>
          !error.message.includes(bytes.toString('hex')) && !error.message.includes(bytes.toString('base64')),
      );
    });
  });
});
