import type { KoaContextWithOIDC } from 'oidc-provider';
import type { RenderPage } from '../http/pages.js';
import { preferUiLocales, translatorFor } from '../i18n/request-locale.js';
import type { MessageKey } from '../i18n/translator.js';
import type { ProviderPages } from '../oidc/provider.js';

/**
 * The pages oidc-provider renders itself (logout confirmation, signed out, protocol errors), in the product's look
 * and in the language the request asked for (`ui_locales` of the authorization or logout request, when it has one).
 */
export function providerPages(render: RenderPage): ProviderPages {
  const translatorOf = (ctx: KoaContextWithOIDC) => {
    preferUiLocales(ctx, ctx.oidc.params?.ui_locales);
    return translatorFor(ctx);
  };
  return {
    logout: (ctx, form) =>
      render(ctx, {
        view: 'logout',
        title: translatorOf(ctx)('logout.title'),
        locals: { form, clientName: ctx.oidc.client?.clientName ?? '' },
      }),
    loggedOut: (ctx) =>
      render(ctx, {
        view: 'logged-out',
        title: translatorOf(ctx)('loggedOut.title'),
        locals: { clientName: ctx.oidc.client?.clientName ?? '' },
      }),
    error: (ctx, out) => {
      const t = translatorOf(ctx);
      const plain = PLAIN_WORDS[out.error];
      return render(ctx, {
        view: 'error',
        title: t('error.protocol.title'),
        // oidc-provider has set the status; keep it.
        status: ctx.status,
        locals: {
          heading: plain
            ? t(plain.heading)
            : t(ctx.status === 503 ? 'error.unavailable.heading' : 'error.protocol.heading'),
          message: plain ? t(plain.message) : (out.error_description ?? t('error.protocol.message')),
          // The protocol's own words stay visible for the application's developers.
          code: out.error_description ? `${out.error}: ${out.error_description}` : out.error,
        },
      });
    },
  };
}

/**
 * Protocol errors a person may meet when an application is set up wrong, in plain words. Only errors shown before
 * the request can be sent back to the application: after that, the application shows its own page.
 */
const PLAIN_WORDS: Readonly<Record<string, { heading: MessageKey; message: MessageKey }>> = {
  invalid_client: { heading: 'error.invalidClient.heading', message: 'error.invalidClient.message' },
  invalid_redirect_uri: { heading: 'error.invalidRedirectUri.heading', message: 'error.invalidRedirectUri.message' },
};
