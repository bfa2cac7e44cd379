import type { Account, AccountOrigin, StoredPassword } from '../../accounts/account.js';

/** An account as the `accounts` collection holds it; the normalised logins are what its unique indexes cover. */
export interface AccountDocument {
  _id: string;
  username: string;
  usernameNorm: string;
  email?: string;
  emailNorm?: string;
  emailVerified: boolean;
  name?: string;
  givenName?: string;
  familyName?: string;
  roles: string[];
  origin: AccountOrigin;
  legacy?: { source: string; id: string; migratedAt: Date };
  password: StoredPassword;
  /** Present (true) only while an operator has switched sign-in off. */
  disabled?: true;
  passkeyOfferDeclinedAt?: Date;
  createdAt: Date;
  updatedAt: Date;
}

export function documentToAccount(doc: AccountDocument): Account {
  return {
    id: doc._id,
    username: doc.username,
    email: doc.email,
    emailVerified: doc.emailVerified,
    name: doc.name,
    givenName: doc.givenName,
    familyName: doc.familyName,
    roles: doc.roles,
    origin: doc.origin,
    legacy: doc.legacy,
    password: doc.password,
    // Only when set, as the embedded store does: an enabled account has no `disabled` key.
    ...(doc.disabled ? { disabled: true } : {}),
    ...(doc.passkeyOfferDeclinedAt ? { passkeyOfferDeclinedAt: doc.passkeyOfferDeclinedAt } : {}),
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}
