import type { Account } from '../../accounts/account.js';
import { accountFromRow, type DecodedAccountRow, type LegacyPasswordColumn } from '../sql-rows.js';

/** A row of `accounts` as SELECT * reads it from SQLite: booleans as 0/1, JSON as text. */
export interface AccountRow extends Omit<
  DecodedAccountRow,
  'email_verified' | 'roles' | 'password_legacy' | 'disabled'
> {
  email_verified: number;
  roles: string;
  password_legacy: string | null;
  disabled: number;
}

export function rowToAccount(row: AccountRow): Account {
  return accountFromRow({
    ...row,
    email_verified: row.email_verified === 1,
    roles: JSON.parse(row.roles) as string[],
    password_legacy: row.password_legacy === null ? null : (JSON.parse(row.password_legacy) as LegacyPasswordColumn),
    disabled: row.disabled === 1,
  });
}
