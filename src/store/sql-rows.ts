import type { Account, AccountOrigin, StoredPassword } from '../accounts/account.js';
import type { LegacyHashOptions } from '../passwords/legacy/legacy-hash.js';
import type { Factor, FactorKind } from './store.js';

/**
 * The rows the two SQL stores (embedded/, postgres/) share: one way to write the columns and one way to read them
 * back; each store only decodes what its engine types differently (SQLite's 0/1 and JSON text, PostgreSQL's boolean
 * and jsonb) and checks what its engine reports differently.
 */

/** A legacy hash's parameters, kept beside the hash (`password_legacy`). */
export interface LegacyPasswordColumn {
  options: LegacyHashOptions;
  salt?: string | undefined;
}

/** A stored password as the three password columns hold it (`password_legacy` as JSON text, for either engine). */
export function passwordColumns(password: StoredPassword): {
  password_kind: StoredPassword['kind'];
  password_hash: string;
  password_legacy: string | null;
} {
  switch (password.kind) {
    case 'bcrypt':
      return { password_kind: 'bcrypt', password_hash: password.hash, password_legacy: null };
    case 'legacy':
      return {
        password_kind: 'legacy',
        password_hash: password.hash,
        password_legacy: JSON.stringify({ options: password.options, salt: password.salt }),
      };
    case 'none':
      return { password_kind: 'none', password_hash: '', password_legacy: null };
  }
}

/** A row of `accounts` as SELECT * reads it, its engine's types decoded. */
export interface DecodedAccountRow {
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
  password_legacy: LegacyPasswordColumn | null;
  disabled: boolean;
  passkey_offer_declined_at: number | null;
  created_at: number;
  updated_at: number;
}

/** The account as every store returns it: optional fields as undefined keys, `disabled` only when set. */
export function accountFromRow(row: DecodedAccountRow): Account {
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
    password: passwordOf(row),
    // Only when set: an account that may sign in has no `disabled` key at all, as it had before the switch existed.
    ...(row.disabled ? { disabled: true } : {}),
    ...(row.passkey_offer_declined_at === null
      ? {}
      : { passkeyOfferDeclinedAt: new Date(row.passkey_offer_declined_at) }),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

function passwordOf(row: DecodedAccountRow): StoredPassword {
  if (row.password_kind === 'none') return { kind: 'none' };
  if (row.password_kind === 'legacy') {
    const legacy = row.password_legacy ?? { options: {} as LegacyHashOptions };
    return { kind: 'legacy', hash: row.password_hash, options: legacy.options, salt: legacy.salt };
  }
  return { kind: 'bcrypt', hash: row.password_hash };
}

/** A row of `factors`, its JSON decoded. */
export interface DecodedFactorRow {
  id: string;
  account_id: string;
  kind: string;
  credential_id: string | null;
  data: Record<string, unknown>;
  mark: number;
  label: string | null;
  created_at: number;
  last_used_at: number | null;
}

export function factorFromRow(row: DecodedFactorRow): Factor {
  return {
    id: row.id,
    accountId: row.account_id,
    kind: row.kind as FactorKind,
    credentialId: row.credential_id ?? undefined,
    data: row.data,
    mark: row.mark,
    label: row.label ?? undefined,
    createdAt: new Date(row.created_at),
    lastUsedAt: row.last_used_at === null ? undefined : new Date(row.last_used_at),
  };
}

/** `add` takes the factors of one account (what `replacing` applies to); a mixed batch is a caller's bug. */
export function assertOneAccount(factors: readonly Factor[]): void {
  const accountId = factors[0]?.accountId;
  if (factors.some((factor) => factor.accountId !== accountId)) {
    throw new Error('FactorStore.add: every factor of one batch must belong to the same account');
  }
}
