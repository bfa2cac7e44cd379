import Router from '@koa/router';
import { abortEndpoint } from './abort.js';
import { chooseLoginsEndpoint } from './choose-logins.js';
import { consentEndpoint, renderConsent } from './consent.js';
import { loadInteraction, type InteractionDependencies } from './interaction-steps.js';
import { newPasswordEndpoint } from './new-password.js';
import { passkeyOfferEndpoint, passkeyOfferOptionsEndpoint } from './passkey-offer.js';
import { passkeyOptionsEndpoint, passkeySignInEndpoint } from './passkey-sign-in.js';
import {
  secondFactorEndpoint,
  secondFactorPasskeyEndpoint,
  secondFactorPasskeyOptionsEndpoint,
} from './second-factor.js';
import { confirmSetupEndpoint, continueAfterSetupEndpoint } from './setup-second-factor.js';
import { renderSignIn, signInEndpoint } from './sign-in.js';
import { signUpEndpoint, signUpPage } from './sign-up.js';
import { showVerifyEmail, verifyEmailEndpoint } from './verify-email.js';
import { VERIFY_EMAIL_PROMPT } from '../oidc/login-policy.js';

export type { InteractionDependencies } from './interaction-steps.js';

/**
 * The hosted pages oidc-provider sends users to: sign-in, sign-up and consent, and the extra steps of a sign-in.
 * Each endpoint is a list of small named steps (one file per page); the domain work is done by the services they
 * call, and the result goes back to oidc-provider, which continues the authorization request.
 */
export function interactionRoutes(deps: InteractionDependencies): Router {
  const router = new Router({ prefix: '/interaction/:uid' });

  router.get('/', loadInteraction(deps.provider), async function showPrompt(ctx) {
    const { interaction } = ctx.state;
    if (interaction.prompt.name === 'login') {
      const hint = interaction.params.login_hint;
      await renderSignIn(deps, ctx, interaction, typeof hint === 'string' ? hint : '');
      return;
    }
    if (interaction.prompt.name === VERIFY_EMAIL_PROMPT) {
      await showVerifyEmail(deps, ctx, interaction);
      return;
    }
    await renderConsent(deps, ctx, interaction);
  });
  router.post('/login', ...signInEndpoint(deps));
  router.post('/passkey/options', ...passkeyOptionsEndpoint(deps));
  router.post('/passkey', ...passkeySignInEndpoint(deps));
  router.post('/logins', ...chooseLoginsEndpoint(deps));
  router.post('/password', ...newPasswordEndpoint(deps));
  router.post('/second-factor', ...secondFactorEndpoint(deps));
  router.post('/second-factor/passkey/options', ...secondFactorPasskeyOptionsEndpoint(deps));
  router.post('/second-factor/passkey', ...secondFactorPasskeyEndpoint(deps));
  router.post('/second-factor/setup', ...confirmSetupEndpoint(deps));
  router.post('/second-factor/setup/continue', ...continueAfterSetupEndpoint(deps));
  router.post('/passkey-offer/options', ...passkeyOfferOptionsEndpoint(deps));
  router.post('/passkey-offer', ...passkeyOfferEndpoint(deps));
  router.get('/register', ...signUpPage(deps));
  router.post('/register', ...signUpEndpoint(deps));
  router.post('/confirm', ...consentEndpoint(deps));
  router.post('/email', ...verifyEmailEndpoint(deps));
  router.post('/abort', ...abortEndpoint(deps));
  return router;
}
