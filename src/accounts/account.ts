import { z } from 'zod';

import type { StoredPassword } from '../passwords/stored-password.js';

/** migrated: moved at its first sign-in; registered: signed up here; imported: brought over by a bulk import. */
export type AccountOrigin = 'migrated' | 'registered' | 'imported';

/** Defined with the passwords, which know nothing of accounts; part of what an account is. */
export type { StoredPassword };

export interface LegacyReference {
  /** Which legacy system (the connector's `source`); legacy ids are unique per source. */
  source: string;
  id: string;
  migratedAt: Date;
}

/** The profile part of an account: what a migration or a registration decides. */
export interface AccountProfile {
  username: string;
  email?: string | undefined;
  emailVerified: boolean;
  name?: string | undefined;
  givenName?: string | undefined;
  familyName?: string | undefined;
  roles: string[];
}

export interface Account extends AccountProfile {
  /** The IdP's own stable id, used as `sub`; never the legacy id. */
  id: string;
  origin: AccountOrigin;
  legacy?: LegacyReference | undefined;
  password: StoredPassword;
  /** An operator has switched sign-in off for this account (absent: it may sign in). */
  disabled?: boolean;
  /** When the user asked not to be offered a passkey after signing in again (absent: the offer stands). */
  passkeyOfferDeclinedAt?: Date;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * The one normalisation of anything a user types to identify themselves: surrounding space removed, compatibility
 * forms folded (NFKC, so a full-width "ａｌｉｃｅ" is "alice") and case folded. Stores index this form.
 */
export function normaliseLogin(login: string): string {
  return login.normalize('NFKC').trim().toLowerCase();
}

// Control characters, the Unicode line/paragraph separators, and zero-width characters that make look-alike names.
// eslint-disable-next-line no-control-regex -- the point is to reject control characters
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]/u;

/** True when text carries control or invisible characters: never part of a real username, email or name. */
export function hasInvisibleCharacters(text: string): boolean {
  return INVISIBLE.test(text);
}

const visibleText = (max: number) =>
  z
    .string()
    .transform((s) => s.normalize('NFKC').trim())
    .pipe(
      z
        .string()
        .min(1, 'must not be empty')
        .max(max, `must be at most ${max} characters`)
        .refine((s) => !INVISIBLE.test(s), 'must not contain control or invisible characters'),
    );

export const usernameSchema = visibleText(64).pipe(
  z
    .string()
    // '@' is reserved so that a login is unambiguously a username or an email.
    .regex(/^[^\s@]+$/u, 'must not contain spaces or "@"')
    .refine((s) => !/^\.+$/.test(s), 'must contain more than dots'),
);

/** The longest login anyone can have here: an email address (usernames are shorter). */
export const MAX_LOGIN_LENGTH = 254;

export const emailSchema = visibleText(MAX_LOGIN_LENGTH).pipe(z.email('must be an email address'));

const optionalText = (max: number) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), visibleText(max).optional());

export const optionalNameSchema = optionalText(128);

/** What every account's profile must satisfy, whether it came from a legacy system or a sign-up form. */
export function accountProfileSchema(options: { emailRequired: boolean }) {
  return z.strictObject({
    username: usernameSchema,
    email: options.emailRequired
      ? emailSchema
      : z.preprocess((v) => (v === '' ? undefined : v), emailSchema.optional()),
    emailVerified: z.boolean().default(false),
    name: optionalText(256),
    givenName: optionalNameSchema,
    familyName: optionalNameSchema,
    roles: z.array(visibleText(128)).max(100, 'at most 100 roles').default([]),
  });
}
