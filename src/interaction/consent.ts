import type { Context } from 'koa';
import { errors } from 'oidc-provider';
import { parseForm } from '../http/forms.js';
import { preferUiLocales, translatorFor } from '../i18n/request-locale.js';
import {
  finishInteraction,
  loadInteraction,
  renderStep,
  type Interaction,
  type InteractionDependencies,
  type Step,
} from './interaction-steps.js';
import { scopeDescription } from './messages.js';

/** Consent: what the application asks for, in words, and the grant that allows it. */

type ConsentDependencies = Pick<InteractionDependencies, 'provider' | 'accounts' | 'render' | 'csrf'>;

/** What oidc-provider's consent prompt reports as not yet granted. */
interface ConsentDetails {
  missingOIDCScope?: string[];
  missingOIDCClaims?: string[];
  missingResourceScopes?: Record<string, string[]>;
}

export async function renderConsent(deps: ConsentDependencies, ctx: Context, interaction: Interaction): Promise<void> {
  const details = interaction.prompt.details as ConsentDetails;
  preferUiLocales(ctx, interaction.params.ui_locales);
  const t = translatorFor(ctx);
  const requested = [
    ...(details.missingOIDCScope ?? []).map((scope) => scopeDescription(t, scope)),
    ...(details.missingOIDCClaims ?? []).map((claim) => t('scope.claim', { claim: claim.replaceAll('_', ' ') })),
    ...Object.entries(details.missingResourceScopes ?? {}).map(([resource, scopes]) =>
      t('scope.resource', { resource, scopes: scopes.join(', ') }),
    ),
  ];
  const accountId = interaction.session?.accountId;
  const account = accountId ? await deps.accounts.findById(accountId) : undefined;
  await renderStep(deps, ctx, interaction, {
    view: 'consent',
    title: t('consent.title'),
    locals: {
      requested: requested.length > 0 ? requested : [t('scope.openid')],
      username: account?.username ?? '',
    },
  });
}

/** POST /interaction/:uid/confirm */
export function consentEndpoint(deps: ConsentDependencies): Step[] {
  const { provider } = deps;
  return [
    parseForm,
    deps.csrf.check,
    loadInteraction(provider, 'consent'),

    async function grantWhatIsMissing(ctx) {
      const { interaction } = ctx.state;
      const accountId = interaction.session?.accountId;
      if (!accountId) throw new errors.SessionNotFound('consent without a signed-in account');
      const details = interaction.prompt.details as ConsentDetails;
      const grant = interaction.grantId
        ? await provider.Grant.find(interaction.grantId)
        : new provider.Grant({ accountId, clientId: String(interaction.params.client_id) });
      if (!grant) throw new errors.SessionNotFound('grant not found');
      if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '));
      if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
      for (const [resource, scopes] of Object.entries(details.missingResourceScopes ?? {})) {
        grant.addResourceScope(resource, scopes.join(' '));
      }
      const grantId = await grant.save();
      await finishInteraction(ctx, interaction, { consent: interaction.grantId ? {} : { grantId } }, true);
    },
  ];
}
