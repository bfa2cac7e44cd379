import { formField, parseForm } from '../http/forms.js';
import type { PasskeySignIn } from '../mfa/passkeys.js';
import { answerPasskeyOptions, loadInteraction, type InteractionDependencies, type Step } from './interaction-steps.js';
import { signInRefusal, type Refusal } from './messages.js';
import { finishSignIn } from './finish-sign-in.js';
import { renderSignIn } from './sign-in.js';

/**
 * Signing in with a passkey alone, from the hosted sign-in page: no username, no password. The page's script asks
 * for options (a challenge kept for this interaction), the browser lets the user pick one of their passkeys for this
 * site and unlock it, and the answer comes back in an ordinary form post. Without JavaScript the page never shows
 * the button, and the password form is the way in.
 */

type PasskeySignInDependencies = Pick<InteractionDependencies, 'provider' | 'render' | 'csrf' | 'passkeys'>;

/**
 * How a passkey sign-in is authenticated (RFC 8176): proof of possession of a key (`hwk` when it never leaves its
 * authenticator, `swk` for a synced passkey, which its provider copies between devices in software), unlocked by
 * user verification (`user`: the authenticator checked a fingerprint, face or PIN, which every passkey here is made
 * and used with), so two factors at once (`mfa`): it satisfies a client or request that requires multi-factor
 * authentication, as a password and a code do.
 */
const passkeyAmr = (synced: boolean): readonly string[] => [synced ? 'swk' : 'hwk', 'user', 'mfa'];

/** The same words whatever went wrong: the page does not say whether a passkey or an account exists. */
const PASSKEY_REFUSED: Refusal = { status: 400, message: 'signIn.error.passkeyRefused' };
const PASSKEY_EXPIRED: Refusal = { status: 400, message: 'signIn.error.passkeyExpired' };

function refusalOf(outcome: Exclude<PasskeySignIn, { kind: 'signed-in' }>): Refusal {
  switch (outcome.kind) {
    case 'expired':
      return PASSKEY_EXPIRED;
    case 'account-disabled':
      return signInRefusal({ kind: 'account-disabled' });
    case 'unknown-passkey':
    case 'refused':
      return PASSKEY_REFUSED;
  }
}

/** POST /interaction/:uid/passkey/options: the options for `navigator.credentials.get()`, as JSON. */
export function passkeyOptionsEndpoint(deps: PasskeySignInDependencies): Step[] {
  return [
    parseForm,
    deps.csrf.check,
    loadInteraction(deps.provider, 'login'),

    answerPasskeyOptions(deps.passkeys, (ctx) => deps.passkeys.signInOptions(ctx.state.interaction.uid)),
  ];
}

/** POST /interaction/:uid/passkey: the browser's answer; signed in, or the sign-in page again with why not. */
export function passkeySignInEndpoint(deps: PasskeySignInDependencies): Step[] {
  return [
    parseForm,
    deps.csrf.check,
    loadInteraction(deps.provider, 'login'),

    async function signInWithPasskey(ctx) {
      const { interaction } = ctx.state;
      const outcome = await deps.passkeys.signIn(interaction.uid, formField(ctx.request.body, 'response'));
      if (outcome.kind === 'signed-in') {
        await finishSignIn(ctx, interaction, outcome.account.id, passkeyAmr(outcome.synced));
        return;
      }
      await renderSignIn(deps, ctx, interaction, '', refusalOf(outcome));
    },
  ];
}
