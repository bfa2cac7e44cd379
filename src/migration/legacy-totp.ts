import { randomUUID } from 'node:crypto';
import { Secret } from 'otpauth';
import { laravelKeyBytes, type LegacyTotpFormat } from '../config/legacy-totp-schema.js';
import type { SecretBox } from '../security/secret-box.js';
import { totpSealContext, type TotpData } from '../mfa/second-factor.js';
import type { LegacyRef } from './adopt.js';
import { openAesGcm, openLaravel } from './legacy-secret-decryption.js';
import type { Factor, FactorStore } from '../store/store.js';

/**
 * A legacy user's TOTP secret (the authenticator app they already use), carried to their account so that someone
 * who had two-step verification in the legacy system is never without it here, not even for their first sign-in.
 *
 * The secret is never an account field: the mapping reads it (`migration.mapping.totpSecret`), the transform keeps
 * it beside the profile, and adopting the user stores it as a TOTP factor, sealed like one set up here. Between
 * pages (choosing new logins) it is kept sealed for the legacy user; it is never logged nor put in an event.
 */

/** What the mapping found: a usable secret (base32, normalised), or a value that cannot be one. */
export type LegacyTotp = { kind: 'valid'; secret: string } | { kind: 'invalid' };

/** What carrying a factor needs: where factors go, and what seals their secrets. */
export interface LegacyFactorDependencies {
  factors: FactorStore;
  secretBox: SecretBox;
}

/**
 * 80 bits. RFC 4226 asks for at least 128, but much of what users' apps hold is 80-bit: Google Authenticator's own
 * example, Google2FA (Laravel Fortify's default) and older PyOTP and ROTP made 16-character secrets. Refusing them
 * would leave those users with no second factor at all, which is worse than the secret they already trust.
 */
const MIN_SECRET_BYTES = 10;
/** Far above any app's secret (SHA-512's 64 bytes): junk in the column is not carried. */
const MAX_SECRET_BYTES = 128;
/** Lengths a base32 text of whole bytes can have, modulo 8 (RFC 4648, section 6). */
const WHOLE_BYTE_LENGTHS = new Set([0, 2, 4, 5, 7]);

/**
 * The secret as an authenticator app's base32 text, read as people and systems write it: any case, grouped with
 * spaces or dashes, with or without `=` padding. Absent (undefined) when the legacy user has none: no value, or an
 * empty one (a user who never turned it on).
 */
export function readLegacyTotpSecret(value: unknown): LegacyTotp | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') return { kind: 'invalid' };
  const secret = value
    .replace(/[\s-]+/g, '')
    .replace(/=+$/, '')
    .toUpperCase();
  if (secret === '') return undefined;
  if (!/^[A-Z2-7]+$/.test(secret) || !WHOLE_BYTE_LENGTHS.has(secret.length % 8)) return { kind: 'invalid' };
  const bytes = Math.floor((secret.length * 5) / 8);
  if (bytes < MIN_SECRET_BYTES || bytes > MAX_SECRET_BYTES) return { kind: 'invalid' };
  return { kind: 'valid', secret };
}

/** A secret's key bytes, checked for length and written as base32 (how factors keep it). */
function fromKeyBytes(bytes: Uint8Array): LegacyTotp {
  if (bytes.length < MIN_SECRET_BYTES || bytes.length > MAX_SECRET_BYTES) return { kind: 'invalid' };
  return { kind: 'valid', secret: new Secret({ buffer: Uint8Array.from(bytes).buffer }).base32 };
}

const isBytes = (value: unknown): value is Uint8Array => value instanceof Uint8Array;

/** The key bytes of a secret written in `encoding`; undefined when the value is not such a text. */
function decodeKey(value: string | Uint8Array, encoding: Exclude<LegacyTotpFormat['encoding'], 'base32'>) {
  if (encoding === 'bytes') return isBytes(value) ? value : undefined;
  const text = isBytes(value) ? Buffer.from(value).toString('utf8') : value;
  switch (encoding) {
    case 'text':
      return Buffer.from(text, 'utf8');
    case 'hex': {
      const hex = text.replace(/\s+/g, '');
      return /^(?:[0-9a-f]{2})+$/i.test(hex) ? Buffer.from(hex, 'hex') : undefined;
    }
    case 'base64': {
      const base64 = text.replace(/\s+/g, '');
      return /^[A-Za-z0-9+/_-]+={0,2}$/.test(base64) ? Buffer.from(base64, 'base64') : undefined;
    }
  }
}

/**
 * What the mapping read, as the legacy store wrote it (`migration.legacyTotp`): opened with the operator's keys if
 * the store encrypts secrets, then read in its encoding. Absent (undefined) when the user has none; a value that
 * does not open or decode is unusable (`invalid`), never an error.
 */
export function legacyTotpReader(format: LegacyTotpFormat): (value: unknown) => LegacyTotp | undefined {
  const { encryption, encoding } = format;
  const open =
    encryption?.format === 'laravel'
      ? (text: string) => openLaravel(text, encryption.keys.map(laravelKeyBytes))
      : encryption?.format === 'aes-256-gcm'
        ? (text: string) =>
            openAesGcm(
              Buffer.from(text.trim(), encryption.encoding),
              encryption.keys.map((key) => Buffer.from(key, 'base64')),
            )
        : undefined;

  return (value) => {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string' && !isBytes(value)) return { kind: 'invalid' };
    if ((typeof value === 'string' ? value.trim() : value).length === 0) return undefined;
    let written: string | Uint8Array = value;
    if (open) {
      const opened = open(isBytes(value) ? Buffer.from(value).toString('utf8') : value);
      if (!opened) return { kind: 'invalid' };
      written = encoding === 'bytes' ? opened : opened.toString('utf8');
    }
    if (encoding === 'base32')
      return readLegacyTotpSecret(isBytes(written) ? Buffer.from(written).toString('utf8') : written);
    const key = decodeKey(written, encoding);
    return key ? fromKeyBytes(key) : { kind: 'invalid' };
  };
}

/**
 * The TOTP factor an adopted account starts with. Mark 0: no time step is used yet, so the code the user types at
 * their first sign-in here is accepted (and then used).
 */
export function legacyTotpFactor(secretBox: SecretBox, accountId: string, secret: string, at: Date): Factor {
  const data: TotpData = { secret: secretBox.seal(secret, totpSealContext(accountId)) };
  return { id: randomUUID(), accountId, kind: 'totp', data: { ...data }, mark: 0, createdAt: at };
}

/** The context a secret waiting for the account is sealed in: it opens only for the same legacy user. */
const pendingContext = (legacy: LegacyRef) => `legacy-totp:${legacy.source}:${legacy.id}`;

/** Seals the secret to be kept between pages, before the account (and so its own context) exists. */
function sealPendingTotp(secretBox: SecretBox, legacy: LegacyRef, secret: string): string {
  return secretBox.seal(secret, pendingContext(legacy));
}

/** The secret kept by `sealPendingTotp`, or undefined when it does not open (a key removed meanwhile). */
function openPendingTotp(secretBox: SecretBox, legacy: LegacyRef, sealed: unknown): string | undefined {
  const opened = secretBox.open(sealed, pendingContext(legacy));
  return opened.kind === 'opened' ? opened.plaintext : undefined;
}

/** The secret as kept between pages, while the user chooses new logins: sealed, or the note that it was unusable. */
export type PendingTotp = { kind: 'sealed'; sealed: string } | { kind: 'invalid' };

export function toPendingTotp(
  deps: LegacyFactorDependencies | undefined,
  legacy: LegacyRef,
  totp: LegacyTotp | undefined,
): PendingTotp | undefined {
  if (totp?.kind !== 'valid') return totp;
  if (!deps) throw new Error('a legacy TOTP secret to keep, but no secret box to seal it');
  return { kind: 'sealed', sealed: sealPendingTotp(deps.secretBox, legacy, totp.secret) };
}

/**
 * The secret back from between pages. One that no longer opens (its key was removed from the configuration within
 * these minutes) counts as unusable: the operator is told by the `migrated` event, as for a bad legacy value.
 */
export function fromPendingTotp(
  deps: LegacyFactorDependencies | undefined,
  legacy: LegacyRef,
  pending: PendingTotp | undefined,
): LegacyTotp | undefined {
  if (pending?.kind !== 'sealed') return pending;
  const secret = deps ? openPendingTotp(deps.secretBox, legacy, pending.sealed) : undefined;
  return secret === undefined ? { kind: 'invalid' } : { kind: 'valid', secret };
}
