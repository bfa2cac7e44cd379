import { normaliseLogin, type Account, type AccountOrigin, type StoredPassword } from '../../accounts/account.js';
import type { LegacyHashOptions } from '../../passwords/legacy/legacy-hash.js';

/** A row of `accounts` as SELECT * reads it (jsonb parsed, bigint as number: see `storeTypes`). */
export interface AccountRow {
  id: string;
  username: string;
  username_norm: string;
  email: string | null;
  email_norm: string | null;
  email_verified: boolean;
  name: string | null;
  given_name: string | null;
  family_name: string | null;
  roles: string[];
  origin: string;
  legacy_source: string | null;
  legacy_id: string | null;
  migrated_at: number | null;
  password_kind: string;
  password_hash: string;
  password_legacy: { options: LegacyHashOptions; salt?: string } | null;
  disabled: boolean;
  passkey_offer_declined_at: number | null;
  created_at: number;
  updated_at: number;
}

/** The columns of an INSERT, in this order; `accountValues` gives the values in the same order. */
export const ACCOUNT_COLUMNS = [
  'id',
  'username',
  'username_norm',
  'email',
  'email_norm',
  'email_verified',
  'name',
  'given_name',
  'family_name',
  'roles',
  'origin',
  'legacy_source',
  'legacy_id',
  'migrated_at',
  'password_kind',
  'password_hash',
  'password_legacy',
  'disabled',
  'passkey_offer_declined_at',
  'created_at',
  'updated_at',
] as const;

/** The parameter types of `ACCOUNT_COLUMNS`, for a batch unnested from arrays. */
export const ACCOUNT_COLUMN_TYPES = [
  'text',
  'text',
  'text',
  'text',
  'text',
  'boolean',
  'text',
  'text',
  'text',
  'jsonb',
  'text',
  'text',
  'text',
  'bigint',
  'text',
  'text',
  'jsonb',
  'boolean',
  'bigint',
  'bigint',
  'bigint',
] as const;

export type AccountValue = string | number | boolean | null;

export function accountValues(account: Account): AccountValue[] {
  const password = passwordColumns(account.password);
  return [
    account.id,
    account.username,
    normaliseLogin(account.username),
    account.email ?? null,
    account.email === undefined ? null : normaliseLogin(account.email),
    account.emailVerified,
    account.name ?? null,
    account.givenName ?? null,
    account.familyName ?? null,
    JSON.stringify(account.roles),
    account.origin,
    account.legacy?.source ?? null,
    account.legacy?.id ?? null,
    account.legacy?.migratedAt.getTime() ?? null,
    password.kind,
    password.hash,
    password.legacy,
    account.disabled === true,
    account.passkeyOfferDeclinedAt?.getTime() ?? null,
    account.createdAt.getTime(),
    account.updatedAt.getTime(),
  ];
}

/** A stored password as the three password columns hold it (`legacy` as JSON text for a jsonb parameter). */
export function passwordColumns(password: StoredPassword): { kind: string; hash: string; legacy: string | null } {
  switch (password.kind) {
    case 'bcrypt':
      return { kind: 'bcrypt', hash: password.hash, legacy: null };
    case 'legacy':
      return {
        kind: 'legacy',
        hash: password.hash,
        legacy: JSON.stringify({ options: password.options, salt: password.salt }),
      };
    case 'none':
      return { kind: 'none', hash: '', legacy: null };
  }
}

/** The account as the other stores return it: optional fields as undefined keys, `disabled` only when set. */
export function rowToAccount(row: AccountRow): Account {
  return {
    id: row.id,
    username: row.username,
    email: row.email ?? undefined,
    emailVerified: row.email_verified,
    name: row.name ?? undefined,
    givenName: row.given_name ?? undefined,
    familyName: row.family_name ?? undefined,
    roles: row.roles,
    origin: row.origin as AccountOrigin,
    legacy:
      row.legacy_source !== null && row.legacy_id !== null && row.migrated_at !== null
        ? { source: row.legacy_source, id: row.legacy_id, migratedAt: new Date(row.migrated_at) }
        : undefined,
    password: toPassword(row),
    ...(row.disabled ? { disabled: true } : {}),
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
    const legacy = row.password_legacy ?? { options: {} as LegacyHashOptions };
    return { kind: 'legacy', hash: row.password_hash, options: legacy.options, salt: legacy.salt };
  }
  return { kind: 'bcrypt', hash: row.password_hash };
}
