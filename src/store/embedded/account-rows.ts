import type { Account, AccountOrigin, StoredPassword } from '../../accounts/account.js';
import type { LegacyHashOptions } from '../../passwords/legacy/legacy-hash.js';

/** A row of `accounts` as SELECT * reads it. */
export interface AccountRow {
  id: string;
  username: string;
  username_norm: string;
  email: string | null;
  email_norm: string | null;
  email_verified: number;
  name: string | null;
  given_name: string | null;
  family_name: string | null;
  roles: string;
  origin: string;
  legacy_source: string | null;
  legacy_id: string | null;
  migrated_at: number | null;
  password_kind: string;
  password_hash: string;
  password_legacy: string | null;
  disabled: number;
  passkey_offer_declined_at: number | null;
  created_at: number;
  updated_at: number;
}

export function rowToAccount(row: AccountRow): Account {
  return {
    id: row.id,
    username: row.username,
    email: row.email ?? undefined,
    emailVerified: row.email_verified === 1,
    name: row.name ?? undefined,
    givenName: row.given_name ?? undefined,
    familyName: row.family_name ?? undefined,
    roles: JSON.parse(row.roles) as string[],
    origin: row.origin as AccountOrigin,
    legacy:
      row.legacy_source !== null && row.legacy_id !== null && row.migrated_at !== null
        ? { source: row.legacy_source, id: row.legacy_id, migratedAt: new Date(row.migrated_at) }
        : undefined,
    password: toPassword(row),
    // Only when set: an account that may sign in has no `disabled` key at all, as it had before the switch existed.
    ...(row.disabled === 1 ? { disabled: true } : {}),
    ...(row.passkey_offer_declined_at === null
      ? {}
      : { passkeyOfferDeclinedAt: new Date(row.passkey_offer_declined_at) }),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

function toPassword(row: AccountRow): StoredPassword {
  if (row.password_kind === 'none') return { kind: 'none' };
  if (row.password_kind === 'legacy') {
    const legacy = JSON.parse(row.password_legacy ?? '{}') as { options: LegacyHashOptions; salt?: string };
    return { kind: 'legacy', hash: row.password_hash, options: legacy.options, salt: legacy.salt };
  }
  return { kind: 'bcrypt', hash: row.password_hash };
}
