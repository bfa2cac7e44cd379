import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';

/**
 * Seals small secrets that must be stored but read back in clear (a TOTP secret, a private signing key), with
 * AES-256-GCM under keys the configuration names, so that a copy of the database alone reveals none of them.
 *
 * The sealed form is text, `v1.<key id>.<iv>.<ciphertext and tag>` (base64url), so the store keeps it as an opaque
 * string. Keys rotate: the first key seals, every listed key opens, and `needsResealing` says when a value opened
 * with an older key should be sealed again. The caller's `context` (`totp:<account id>`) is authenticated with
 * the value, so a sealed secret copied into another account's record does not open there.
 *
 * Nothing here logs, and no outcome carries key material or plaintext other than the opened value itself.
 */

export interface SecretBoxKey {
  /** A short name for the key, written into every value it seals: letters, digits, `_` and `-`. */
  id: string;
  /** 32 random bytes. */
  key: Buffer;
}

export type OpenOutcome =
  | { kind: 'opened'; plaintext: string; keyId: string }
  /** Sealed with a key that is no longer configured (removed too early from the list, or another deployment's). */
  | { kind: 'unknown-key'; keyId: string }
  /** Not a sealed value, altered, sealed for another context, or sealed with another key of the same id. */
  | { kind: 'invalid' };

export interface SecretBox {
  /** Seals with the current (first) key and a fresh random IV: sealing the same value twice gives different text. */
  seal(plaintext: string, context: string): string;
  /**
   * Opens a value sealed by any configured key for the same context. Never throws for bad input; takes `unknown`
   * because the value usually comes straight out of a factor's opaque JSON.
   */
  open(sealed: unknown, context: string): OpenOutcome;
  /** True when `sealed` was not sealed with the current key (including when it is not a sealed value at all). */
  needsResealing(sealed: unknown): boolean;
}

const VERSION = 'v1';
const KEY_BYTES = 32;
/** 96 bits: GCM's native IV size (other sizes are hashed into one), random per value. */
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9_-]{1,64}$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * The keys are start-up configuration, so a wrong list throws here, once, with what is wrong (never the key
 * itself); everything after construction returns outcomes.
 */
export function createSecretBox(keys: readonly SecretBoxKey[]): SecretBox {
  const first = keys[0];
  if (first === undefined) throw new Error('secret box: at least one key is needed (the first one seals)');
  const byId = new Map<string, KeyObject>();
  for (const [index, { id, key }] of keys.entries()) {
    if (!KEY_ID.test(id)) {
      throw new Error(`secret box: key ${index + 1}'s id must be 1 to 64 letters, digits, "_" or "-"`);
    }
    if (byId.has(id)) throw new Error(`secret box: key id "${id}" is listed twice`);
    if (!Buffer.isBuffer(key)) throw new Error(`secret box: key "${id}" must be a Buffer of ${KEY_BYTES} bytes`);
    if (key.length !== KEY_BYTES) {
      throw new Error(`secret box: key "${id}" must be ${KEY_BYTES} bytes, not ${key.length}`);
    }
    // A KeyObject holds its own copy (a later change to the caller's buffer does not reach it) and prints no bytes.
    byId.set(id, createSecretKey(Buffer.from(key)));
  }
  const currentId = first.id;
  const currentKey = byId.get(currentId);
  if (currentKey === undefined) throw new Error('secret box: unreachable: the first key was not stored');

  return {
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', currentKey, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(additionalData(currentId, context));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return [VERSION, currentId, iv.toString('base64url'), body.toString('base64url')].join('.');
    },

    open(sealed, context) {
      const parts = parse(sealed);
      if (parts === undefined) return { kind: 'invalid' };
      const key = byId.get(parts.keyId);
      if (key === undefined) return { kind: 'unknown-key', keyId: parts.keyId };
      const ciphertext = parts.body.subarray(0, parts.body.length - TAG_BYTES);
      const tag = parts.body.subarray(parts.body.length - TAG_BYTES);
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, parts.iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(additionalData(parts.keyId, context));
        decipher.setAuthTag(tag);
        const plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
        return { kind: 'opened', plaintext, keyId: parts.keyId };
      } catch {
        // final() throws when the tag does not match: altered, another context, or another key under this id.
        return { kind: 'invalid' };
      }
    },

    needsResealing(sealed) {
      return parse(sealed)?.keyId !== currentId;
    },
  };
}

/**
 * The version and key id are authenticated with the caller's context: a value cannot be relabelled as another
 * version's. The key id holds no dot, so the context after it cannot be confused with part of it.
 */
function additionalData(keyId: string, context: string): Buffer {
  return Buffer.from(`${VERSION}.${keyId}.${context}`, 'utf8');
}

function parse(sealed: unknown): { keyId: string; iv: Buffer; body: Buffer } | undefined {
  if (typeof sealed !== 'string') return undefined;
  const [version, keyId, iv, body, ...rest] = sealed.split('.');
  if (version !== VERSION || keyId === undefined || iv === undefined || body === undefined || rest.length > 0) {
    return undefined;
  }
  if (!KEY_ID.test(keyId)) return undefined;
  const ivBytes = strictBase64url(iv);
  const bodyBytes = strictBase64url(body);
  if (ivBytes?.length !== IV_BYTES || bodyBytes === undefined || bodyBytes.length < TAG_BYTES) return undefined;
  return { keyId, iv: ivBytes, body: bodyBytes };
}

/** Node's decoder skips characters it does not know; only the exact encoding of some bytes is accepted here. */
function strictBase64url(text: string): Buffer | undefined {
  if (!BASE64URL.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}
