import type { RegistrationOutcome } from '../accounts/register.js';
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

/** The legacy system or the store cannot be reached: nothing was decided, and trying again is the way on. */
export const SIGN_IN_UNAVAILABLE: Refusal = {
  status: 503,
  message: 'Sign-in is temporarily unavailable. Please try again in a few minutes.',
};

export function signInRefusal(outcome: Exclude<SignInOutcome, { kind: 'signed-in' | 'login-taken' }>): Refusal {
  switch (outcome.kind) {
    case 'invalid-credentials':
      return WRONG_CREDENTIALS;
    case 'legacy-disabled':
      return { status: 403, message: 'This account cannot sign in at the moment. Please contact support.' };
    case 'legacy-unavailable':
      return SIGN_IN_UNAVAILABLE;
    case 'migration-rejected':
      return { status: 422, message: 'Your account could not be moved to the new system. Please contact support.' };
  }
}

/** What the choose-new-logins page says when a chosen login cannot be had. */
export const CHOSEN_LOGIN_TAKEN = 'is already used by another account. Please choose another.';
export const CHOOSE_LOGINS_UNAVAILABLE: Refusal = {
  status: 503,
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
        status: 503,
        message: 'Sign-up is temporarily unavailable. Please try again later.',
        signInInstead: false,
      };
  }
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
