import Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import { ADMIN_CONSOLE_CLIENT } from '../admin/admin-access.js';
import type { Csrf } from '../http/csrf.js';
import { formField, parseForm } from '../http/forms.js';
import type { RenderPage } from '../http/pages.js';
import { translatorFor } from '../i18n/request-locale.js';
import { ACCOUNT_PAGES_CLIENT } from '../oidc/provider.js';
import type { AccountStore, ArtifactStore } from '../store/store.js';
import { accountForPage } from './signed-in-account.js';

/**
 * The applications a user has allowed (their consent, remembered across sessions until revoked), and the way to
 * take it back: the grant and every token issued under it go, and the application asks again next time.
 */
export interface AppsDependencies {
  issuer: string;
  provider: Provider;
  accounts: AccountStore;
  recentSignInSeconds: number;
  artifacts: ArtifactStore;
  render: RenderPage;
  csrf: Csrf;
}

/** The IdP's own clients: the pages a user or operator uses here are not "apps you allowed". */
const OWN_CLIENTS = new Set([ADMIN_CONSOLE_CLIENT, ACCOUNT_PAGES_CLIENT]);

interface AllowedApp {
  clientId: string;
  name: string;
  scopes: string[];
  grantIds: string[];
}

export function accountAppsRoutes(deps: AppsDependencies): Router {
  const router = new Router({ prefix: '/account' });

  const accountOf = async (ctx: Context) => (await accountForPage(ctx, deps, 'apps'))?.account.id;

  const appsOf = async (accountId: string): Promise<AllowedApp[]> => {
    const byClient = new Map<string, AllowedApp>();
    for (const grant of await deps.artifacts.findByAccount('Grant', accountId)) {
      const { clientId, jti } = grant;
      if (typeof clientId !== 'string' || typeof jti !== 'string' || OWN_CLIENTS.has(clientId)) continue;
      const client = await deps.provider.Client.find(clientId);
      const app = byClient.get(clientId) ?? {
        clientId,
        name: client?.clientName ?? clientId,
        scopes: [],
        grantIds: [],
      };
      const scope = (grant.openid as { scope?: unknown } | undefined)?.scope;
      if (typeof scope === 'string') app.scopes = [...new Set([...app.scopes, ...scope.split(' ')])];
      app.grantIds.push(jti);
      byClient.set(clientId, app);
    }
    return [...byClient.values()].sort((a, b) => a.name.localeCompare(b.name));
  };

  router.get('/apps', async (ctx) => {
    const accountId = await accountOf(ctx);
    if (!accountId) return;
    await deps.render(ctx, {
      view: 'account-apps',
      title: translatorFor(ctx)('apps.title'),
      locals: { apps: await appsOf(accountId) },
    });
  });

  router.post('/apps/revoke', parseForm, deps.csrf.check, async (ctx) => {
    const accountId = await accountOf(ctx);
    if (!accountId) return;
    const clientId = formField(ctx.request.body, 'clientId');
    const app = (await appsOf(accountId)).find((candidate) => candidate.clientId === clientId);
    for (const grantId of app?.grantIds ?? []) {
      // The grant and every code and token issued under it.
      await deps.artifacts.revokeByGrantId(grantId);
      await deps.artifacts.destroy('Grant', grantId);
    }
    ctx.redirect('/account/apps');
  });

  return router;
}
