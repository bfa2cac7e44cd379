import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import { translatorFor } from '../i18n/request-locale.js';
import type { ResetOrigin } from '../password-reset/password-reset.js';

/**
 * Where "Sign in" leads from pages outside a sign-in (after a password reset, opened from a mail in another tab):
 * back into the sign-in in progress while it lasts, otherwise to the application that started it, never nowhere.
 */
export interface SignInLinks {
  /** The client of the sign-in in progress at `returnTo` (`/interaction/<uid>`), while it lasts. */
  clientOf(returnTo: string): Promise<string | undefined>;
  /** The link for this browser's page reached from `from`, or none when nothing is known of it. */
  after(ctx: Context, from: ResetOrigin): Promise<{ href: string; label: string } | undefined>;
}

export function signInLinks(provider: Provider): SignInLinks {
  const interactionOf = async (returnTo: string | undefined) => {
    const uid = returnTo?.split('/')[2];
    return uid ? await provider.Interaction.find(uid) : undefined;
  };
  return {
    async clientOf(returnTo) {
      const clientId = (await interactionOf(returnTo))?.params.client_id;
      return typeof clientId === 'string' ? clientId : undefined;
    },
    async after(ctx, from) {
      // Back into the sign-in only in the browser it belongs to (the reset mail may have been opened elsewhere).
      const own = await provider.interactionDetails(ctx.req, ctx.res).catch(() => undefined);
      if (from.returnTo && own && from.returnTo === `/interaction/${own.uid}`) {
        return { href: from.returnTo, label: translatorFor(ctx)('resetDone.signIn') };
      }
      const client = from.clientId ? await provider.Client.find(from.clientId) : undefined;
      if (!client) return undefined;
      // The client's own page that starts a sign-in (OpenID Connect's initiate_login_uri), else its home.
      const start = client.metadata().initiate_login_uri;
      const home =
        typeof start === 'string' ? start : client.redirectUris?.[0] && new URL(client.redirectUris[0]).origin;
      const label = translatorFor(ctx)('resetDone.signInTo', { client: client.clientName ?? client.clientId });
      return home ? { href: home, label } : undefined;
    },
  };
}
