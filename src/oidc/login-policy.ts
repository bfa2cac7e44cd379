import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';

/**
 * When a sign-in must end with a second factor, and how the ID token says which kind of sign-in it was.
 *
 * Two ways to ask for one: a client declared with `require_mfa: true`, and a request whose `acr_values` ask for the
 * multi-factor ACR only (a client can make that its default with the standard `default_acr_values`). oidc-provider
 * treats `acr_values` as voluntary; here asking for the multi-factor value alone is binding, so a relying party
 * that wants a second factor for one action (a step-up) gets it, or no sign-in at all.
 */

/** Client metadata: every sign-in at this client ends with a second factor (set one up first if there is none). */
export const REQUIRE_MFA = 'require_mfa';

/** The `acr` of a sign-in with a password alone. */
export const ACR_PASSWORD = 'urn:jit-idp:acr:pwd';
/** The `acr` of a sign-in with a password and a second factor (amr `mfa`). */
export const ACR_MFA = 'urn:jit-idp:acr:mfa';
/** What discovery lists as `acr_values_supported`, and what `default_acr_values` may hold. */
export const ACR_VALUES: readonly string[] = [ACR_PASSWORD, ACR_MFA];

/** The reason the login prompt gives when the session is not good enough for the client or the request. */
export const MFA_REQUIRED = 'mfa_required';

/** Client metadata: no token for an account whose email address is not confirmed. */
export const REQUIRE_VERIFIED_EMAIL = 'require_verified_email';
/** The prompt a signed-in user meets at such a client until their address is confirmed. */
export const VERIFY_EMAIL_PROMPT = 'verify_email';

/** The ACR that a sign-in authenticated by `amr` (RFC 8176) reached. */
export function acrFor(amr: readonly string[]): string {
  return amr.includes('mfa') ? ACR_MFA : ACR_PASSWORD;
}

/**
 * Whether a sign-in for this client and request must end with a second factor. `acr_values` is a list of what the
 * client would accept: one that also names the password ACR (or names neither) is satisfied by a password.
 */
export function mfaRequired(
  clientMetadata: Readonly<Record<string, unknown>> | undefined,
  acrValues: unknown,
): boolean {
  if (clientMetadata?.[REQUIRE_MFA] === true) return true;
  const asked = typeof acrValues === 'string' ? acrValues.split(' ').filter(Boolean) : [];
  return asked.includes(ACR_MFA) && !asked.includes(ACR_PASSWORD);
}

/**
 * oidc-provider's default policy with one more check on the login prompt: a session whose sign-in used no second
 * factor does not satisfy a client or request that needs one, so the user is asked to sign in again (password,
 * then the second step, or its setup). A sign-in result always carries its full `amr` (oidc-provider replaces the
 * session's, it does not merge), so the check reads the session after the sign-in and passes once the second
 * factor is in.
 */
export function loginPolicy(deps: {
  /** Whether the account has an email address and it is confirmed. */
  hasVerifiedEmail(accountId: string): Promise<boolean>;
}): interactionPolicy.DefaultPolicy {
  const policy = interactionPolicy.base();
  const login = policy.get('login');
  if (!login) throw new Error("oidc-provider's default policy has no login prompt");
  login.checks.add(
    new interactionPolicy.Check(
      MFA_REQUIRED,
      'multi-factor authentication is required',
      // Given here: only the checks a prompt is built with get its error (login_required) by default.
      'login_required',
      (ctx: KoaContextWithOIDC) => {
        const { oidc } = ctx;
        if (!mfaRequired(oidc.client?.metadata(), oidc.params?.acr_values))
          return interactionPolicy.Check.NO_NEED_TO_PROMPT;
        return oidc.session?.amr?.includes('mfa') === true
          ? interactionPolicy.Check.NO_NEED_TO_PROMPT
          : interactionPolicy.Check.REQUEST_PROMPT;
      },
    ),
  );
  // After the sign-in (and consent), a client that requires a confirmed address gets no token until it is: the
  // user meets the `verify_email` page, whatever way they signed in (password, passkey, an earlier session).
  policy.add(
    new interactionPolicy.Prompt(
      { name: VERIFY_EMAIL_PROMPT, requestable: false },
      new interactionPolicy.Check(
        'email_unverified',
        'the client requires a confirmed email address',
        'interaction_required',
        async (ctx: KoaContextWithOIDC) => {
          const { oidc } = ctx;
          const accountId = oidc.session?.accountId;
          if (oidc.client?.metadata()[REQUIRE_VERIFIED_EMAIL] !== true || !accountId) {
            return interactionPolicy.Check.NO_NEED_TO_PROMPT;
          }
          return (await deps.hasVerifiedEmail(accountId))
            ? interactionPolicy.Check.NO_NEED_TO_PROMPT
            : interactionPolicy.Check.REQUEST_PROMPT;
        },
      ),
    ),
  );
  return policy;
}
