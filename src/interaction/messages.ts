import type { RegistrationOutcome } from '../registration/register.js';
import type { SignInOutcome } from '../migration/sign-in.js';
import type { MessageKey, Translator } from '../i18n/translator.js';

/**
 * Everything the hosted pages tell a user about a failed sign-in or sign-up, in one place, as keys of the message
 * catalogues (src/i18n/): a page says them in its language. The wording never tells whether an account exists: an
 * unknown login, a wrong password and a login unknown to both stores read alike.
 */
export interface Refusal {
  status: number;
  message: MessageKey;
}

const WRONG_CREDENTIALS: Refusal = { status: 401, message: 'signIn.error.wrongCredentials' };
/** The same for every login, known or not. */
export const TOO_MANY: Refusal = { status: 429, message: 'signIn.error.tooMany' };

/** The store cannot be reached: the IdP's own failure, a 503 to retry. Nothing was decided. */
export const SIGN_IN_UNAVAILABLE: Refusal = { status: 503, message: 'signIn.error.unavailable' };

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
      return { status: 403, message: 'signIn.error.cannotSignIn' };
    case 'legacy-unavailable':
      return { status: LEGACY_UNAVAILABLE_STATUS, message: SIGN_IN_UNAVAILABLE.message };
    case 'migration-rejected':
      return { status: 422, message: 'signIn.error.migrationRejected' };
  }
}

/**
 * What the choose-new-logins page says when a chosen login cannot be had: the domain's phrase for a field, said in
 * the page's language by src/i18n/problems.ts.
 */
export const CHOSEN_LOGIN_TAKEN = 'is already used by another account: please choose another';
export const CHOOSE_LOGINS_UNAVAILABLE: Refusal = {
  status: LEGACY_UNAVAILABLE_STATUS,
  message: 'chooseLogins.error.unavailable',
};

export function registrationRefusal(
  outcome: Exclude<RegistrationOutcome, { kind: 'registered' | 'invalid-input' }>,
): Refusal & { signInInstead: boolean } {
  switch (outcome.kind) {
    case 'taken':
      return { status: 409, message: 'signUp.error.taken', signInInstead: true };
    case 'legacy-unavailable':
      return { status: LEGACY_UNAVAILABLE_STATUS, message: 'signUp.error.unavailable', signInInstead: false };
  }
}

/** What each scope means to a person, for the consent page. */
const SCOPE_DESCRIPTIONS: Readonly<Record<string, MessageKey>> = {
  openid: 'scope.openid',
  profile: 'scope.profile',
  email: 'scope.email',
  roles: 'scope.roles',
  migration: 'scope.migration',
  offline_access: 'scope.offline_access',
};

export function scopeDescription(t: Translator, scope: string): string {
  const key = SCOPE_DESCRIPTIONS[scope];
  return key ? t(key) : t('scope.unknown', { scope });
}
