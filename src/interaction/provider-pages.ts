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
    error: (ctx, out) =>
      render(ctx, {
        view: 'error',
        title: 'Sign-in error',
        // oidc-provider has set the status; keep it.
        status: ctx.status,
        locals: {
          heading: ctx.status === 503 ? 'Temporarily unavailable' : 'This sign-in request cannot be completed',
          message: out.error_description ?? 'The application sent a request that cannot be handled.',
          code: out.error,
        },
      }),
  };
}
