import { randomUUID } from 'node:crypto';
import type { SecretBox } from '../mfa/secret-box.js';
import { totpSealContext, type TotpData } from '../mfa/second-factor.js';
import type { LegacyRef } from './adopt.js';
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

/** RFC 4226 asks for at least 128 bits. */
const MIN_SECRET_BYTES = 16;
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
