import type { Account } from '../accounts/account.js';

/** An account as operators see it: everything but the password, whose kind alone is shown. */
export function publicAccount({ password, ...account }: Account) {
  return { ...account, password: password.kind };
}
