import type { RenderPage } from '../http/pages.js';
import type { ProviderPages } from '../oidc/provider.js';

/** The pages oidc-provider renders itself (logout confirmation, signed out, protocol errors), in the product's look. */
export function providerPages(render: RenderPage): ProviderPages {
  return {
    logout: (ctx, form) =>
      render(ctx, {
        view: 'logout',
        title: 'Sign out?',
        locals: { form, clientName: ctx.oidc.client?.clientName ?? '' },
      }),
    loggedOut: (ctx) =>
      render(ctx, {
        view: 'logged-out',
        title: 'Signed out',
        locals: { clientName: ctx.oidc.client?.clientName ?? '' },
      }),
    error: (ctx, out) => {
      const plain = PLAIN_WORDS[out.error];
      return render(ctx, {
        view: 'error',
        title: 'Sign-in error',
        // oidc-provider has set the status; keep it.
        status: ctx.status,
        locals: {
          heading:
            plain?.heading ??
            (ctx.status === 503 ? 'Temporarily unavailable' : 'This sign-in request cannot be completed'),
          message: plain?.message ?? out.error_description ?? 'The application sent a request that cannot be handled.',
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
const PLAIN_WORDS: Readonly<Record<string, { heading: string; message: string }>> = {
  invalid_client: {
    heading: 'This application is not registered with this sign-in service',
    message: 'The application that sent you here is not known to this sign-in service. Please tell its developers.',
  },
  invalid_redirect_uri: {
    heading: 'This application is not set up correctly',
    message:
      'The application asked to have you sent back to an address it has not registered. Please tell its developers.',
  },
};
