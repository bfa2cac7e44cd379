import type { RegistrationOutcome } from '../registration/register.js';
import type { SignInOutcome } from '../migration/sign-in.js';

/**
 * Everything the hosted pages tell a user about a failed sign-in or sign-up, in one place. The wording never tells
 * whether an account exists: an unknown login, a wrong password and a login unknown to both stores read alike.
 */
export interface Refusal {
  status: number;
  message: string;
}

const WRONG_CREDENTIALS: Refusal = { status: 401, message: 'Wrong username or password.' };
/** The same for every login, known or not. */
export const TOO_MANY: Refusal = {
  status: 429,
  message: 'Too many attempts. Please wait a few minutes and try again.',
};

/** The store cannot be reached: the IdP's own failure, a 503 to retry. Nothing was decided. */
export const SIGN_IN_UNAVAILABLE: Refusal = {
  status: 503,
  message: 'Sign-in is temporarily unavailable. Please try again in a few minutes.',
};

/**
 * The legacy system cannot answer: the same page and words, but not a 5xx. The IdP is healthy (its migrated users
 * sign in), and load balancers eject backends and alert on 5xx; 429 is the 4xx that carries `Retry-After`.
 */
export const LEGACY_UNAVAILABLE_STATUS = 429;
/** About the legacy circuit's half-open wait: by then a probe has found it up or down again. */
export const LEGACY_RETRY_AFTER_SECONDS = 10;

export function signInRefusal(outcome: Exclude<SignInOutcome, { kind: 'signed-in' | 'login-taken' }>): Refusal {
  switch (outcome.kind) {
    case 'invalid-credentials':
      return WRONG_CREDENTIALS;
    case 'legacy-disabled':
    case 'account-disabled':
      return { status: 403, message: 'This account cannot sign in at the moment. Please contact support.' };
    case 'legacy-unavailable':
      return { status: LEGACY_UNAVAILABLE_STATUS, message: SIGN_IN_UNAVAILABLE.message };
    case 'migration-rejected':
      return { status: 422, message: 'Your account could not be moved to the new system. Please contact support.' };
  }
}

/** What the choose-new-logins page says when a chosen login cannot be had. */
export const CHOSEN_LOGIN_TAKEN = 'is already used by another account: please choose another';
export const CHOOSE_LOGINS_UNAVAILABLE: Refusal = {
  status: LEGACY_UNAVAILABLE_STATUS,
  message: 'We cannot check that name right now. Please try again in a few minutes.',
};

export function registrationRefusal(
  outcome: Exclude<RegistrationOutcome, { kind: 'registered' | 'invalid-input' }>,
): Refusal & { signInInstead: boolean } {
  switch (outcome.kind) {
    case 'taken':
      return {
        status: 409,
        message: 'An account with this username or email already exists. Sign in with your existing password instead.',
        signInInstead: true,
      };
    case 'legacy-unavailable':
      return {
        status: LEGACY_UNAVAILABLE_STATUS,
        message: 'Sign-up is temporarily unavailable. Please try again later.',
        signInInstead: false,
      };
  }
}

const FIELD_SUBJECTS: Readonly<Record<string, string>> = {
  username: 'The username',
  email: 'The email address',
  givenName: 'The first name',
  familyName: 'The last name',
  password: 'The password',
};
/** Rules whose words read badly after their field's name, said as a whole sentence instead. */
const WHOLE_SENTENCES: Readonly<Record<string, string>> = {
  'must be an email address': 'Enter an email address, like name@example.com.',
  'must not be empty': 'This field is required.',
};

/** A form's problems: a sentence for each field, and one above the form. */
export function formProblems(errors: Readonly<Record<string, string>>): {
  fieldErrors: Record<string, string>;
  error: string;
} {
  return { fieldErrors: fieldSentences(errors), error: 'Please correct the highlighted fields.' };
}

/** A form's problems as sentences a person reads: "The username must not contain spaces or "@"." */
export function fieldSentences(errors: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(errors).map(([field, problem]) => [
      field,
      WHOLE_SENTENCES[problem] ?? `${FIELD_SUBJECTS[field] ?? 'This field'} ${problem.replace(/\.$/, '')}.`,
    ]),
  );
}

/** What each scope means to a person, for the consent page. */
export const SCOPE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  openid: 'Sign you in with your account',
  profile: 'See your name and username',
  email: 'See your email address',
  roles: 'See your roles',
  migration: 'See when your account was moved to this service',
  offline_access: 'Stay signed in while you are away',
};
