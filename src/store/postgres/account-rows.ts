import { normaliseLogin, type Account } from '../../accounts/account.js';
import { passwordColumns, type DecodedAccountRow } from '../sql-rows.js';

/** A row of `accounts` as SELECT * reads it (jsonb parsed, bigint as number: see `storeTypes`). */
export type AccountRow = DecodedAccountRow;

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
    password.password_kind,
    password.password_hash,
    password.password_legacy,
    account.disabled === true,
    account.passkeyOfferDeclinedAt?.getTime() ?? null,
    account.createdAt.getTime(),
    account.updatedAt.getTime(),
  ];
}
