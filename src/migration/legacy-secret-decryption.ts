import { createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * Opens a secret the legacy store keeps encrypted, with the operator's keys, in the formats of the systems that do
 * so. Every failure (not that format, no key fits, a MAC or tag that does not verify) is the same `undefined`: the
 * caller treats the value as unusable, and nothing about the keys or the value leaks into an error.
 */

const GCM_NONCE_BYTES = 12;
const GCM_TAG_BYTES = 16;

/** Laravel's `encrypt()` payload, once its base64 is undone (Illuminate\Encryption\Encrypter). */
const laravelPayload = z.object({
  iv: z.string(),
  value: z.string(),
  mac: z.string(),
  tag: z.string().optional(),
});

/**
 * Laravel's `encrypt()` / `encryptString()`: base64 of JSON `{ iv, value, mac, tag }`. AES-CBC payloads carry an
 * HMAC-SHA256 of the base64 iv and value under the key, checked first (in constant time); AES-GCM payloads carry the
 * tag instead. AES-128 or AES-256 follows from the key's length. `encrypt()` serialises its value first (PHP's
 * `s:<bytes>:"…";`, as Fortify stores `two_factor_secret`): that wrapping is undone.
 */
export function openLaravel(text: string, keys: readonly Buffer[]): Buffer | undefined {
  let payload: z.infer<typeof laravelPayload>;
  try {
    const parsed = laravelPayload.safeParse(JSON.parse(Buffer.from(text, 'base64').toString('utf8')));
    if (!parsed.success) return undefined;
    payload = parsed.data;
  } catch {
    return undefined;
  }
  const iv = Buffer.from(payload.iv, 'base64');
  const ciphertext = Buffer.from(payload.value, 'base64');
  const tag = Buffer.from(payload.tag ?? '', 'base64');
  for (const key of keys) {
    const bits = key.length * 8;
    const opened =
      tag.length > 0
        ? openGcm(`aes-${String(bits)}-gcm`, key, iv, ciphertext, tag)
        : macMatches(key, payload)
          ? openCbc(`aes-${String(bits)}-cbc`, key, iv, ciphertext)
          : undefined;
    if (opened) return unserialisedString(opened) ?? opened;
  }
  return undefined;
}

/** 12-byte nonce, ciphertext, 16-byte tag, concatenated (what Go's `gcm.Seal(nonce, nonce, …)` writes). */
export function openAesGcm(sealed: Buffer, keys: readonly Buffer[]): Buffer | undefined {
  if (sealed.length < GCM_NONCE_BYTES + GCM_TAG_BYTES) return undefined;
  const nonce = sealed.subarray(0, GCM_NONCE_BYTES);
  const ciphertext = sealed.subarray(GCM_NONCE_BYTES, sealed.length - GCM_TAG_BYTES);
  const tag = sealed.subarray(sealed.length - GCM_TAG_BYTES);
  for (const key of keys) {
    const opened = openGcm('aes-256-gcm', key, nonce, ciphertext, tag);
    if (opened) return opened;
  }
  return undefined;
}

function macMatches(key: Buffer, payload: { iv: string; value: string; mac: string }): boolean {
  const expected = createHmac('sha256', key)
    .update(payload.iv + payload.value)
    .digest();
  const given = Buffer.from(payload.mac, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function openGcm(cipher: string, key: Buffer, iv: Buffer, ciphertext: Buffer, tag: Buffer): Buffer | undefined {
  try {
    const decipher = createDecipheriv(cipher as 'aes-256-gcm', key, iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    return undefined;
  }
}

function openCbc(cipher: string, key: Buffer, iv: Buffer, ciphertext: Buffer): Buffer | undefined {
  try {
    const decipher = createDecipheriv(cipher, key, iv);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    return undefined;
  }
}

/** PHP's serialised string `s:<byte length>:"<bytes>";`, unwrapped; undefined for anything else. */
function unserialisedString(bytes: Buffer): Buffer | undefined {
  const match = /^s:(\d+):"/.exec(bytes.subarray(0, 24).toString('latin1'));
  if (!match?.[1]) return undefined;
  const start = match[0].length;
  const length = Number(match[1]);
  const inner = bytes.subarray(start, start + length);
  return inner.length === length && bytes.subarray(start + length).toString('latin1') === '";' ? inner : undefined;
}
