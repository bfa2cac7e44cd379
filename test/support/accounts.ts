import { randomUUID } from 'node:crypto';
import type { Account } from '../../src/accounts/account.js';
import type { AccountStore } from '../../src/store/store.js';

/** Stores a fresh account (random id and username, no password) with `fields` over the defaults, and returns it. */
export async function insertAccount(accounts: AccountStore, fields: Partial<Account> = {}): Promise<Account> {
  const at = new Date();
  const account: Account = {
    id: randomUUID(),
    username: `user-${randomUUID().slice(0, 8)}`,
    emailVerified: false,
    roles: [],
    origin: 'migrated',
    password: { kind: 'none' },
    createdAt: at,
    updatedAt: at,
    ...fields,
  };
  const stored = await accounts.insert(account);
  if (stored.kind !== 'inserted') throw new Error(`the test account was refused: ${stored.kind}`);
  return account;
}
