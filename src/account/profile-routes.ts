import Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import { accountProfileSchema, type Account } from '../accounts/account.js';
import { formProblems } from '../i18n/problems.js';
import type { EraseAccount } from '../erasure/erase-account.js';
import type { RecordEvent } from '../events/recorder.js';
import type { Csrf } from '../http/csrf.js';
import { formField, parseForm } from '../http/forms.js';
import type { RenderPage } from '../http/pages.js';
import type { EndSessions } from '../oidc/end-sessions.js';
import { ACCOUNT_PAGES_CLIENT } from '../oidc/provider.js';
import { accountPageOf, type AccountPage } from '../oidc/session-sign-in.js';
import type { AccountStore, ArtifactStore } from '../store/store.js';
import { accountForPage } from './signed-in-account.js';
import { translatorFor } from '../i18n/request-locale.js';
import type { Translator } from '../i18n/translator.js';

/**
 * The user's own account: what the IdP holds about them (the profile), where they are signed in (sessions, each of
 * which they can end), and the way to erase the account (GDPR art. 17) behind a recent sign-in and a confirmation.
 * The sign-in these pages ask for comes back through `/account/callback` to the page that asked.
 */
export interface ProfileDependencies {
  issuer: string;
  recentSignInSeconds: number;
  provider: Provider;
  accounts: AccountStore;
  artifacts: ArtifactStore;
  endSessions: EndSessions;
  erase: EraseAccount;
  record: RecordEvent;
  render: RenderPage;
  csrf: Csrf;
}

const NAMES = accountProfileSchema({ emailRequired: false }).pick({ name: true, givenName: true, familyName: true });

interface SessionRow {
  id: string;
  /** ISO, to sort by. */
  signedInAt: string;
  /** As the page's language writes it. */
  signedIn: string;
  /** The applications signed in through it (names). */
  apps: string[];
  current: boolean;
}

export function accountProfileRoutes(deps: ProfileDependencies): Router {
  const router = new Router({ prefix: '/account' });
  const accountOf = (ctx: Context, page: AccountPage, recent = false) => accountForPage(ctx, deps, page, recent);

  const sessionsOf = async (account: Account, currentId: string, t: Translator): Promise<SessionRow[]> => {
    const names = new Map<string, string>();
    const nameOf = async (clientId: string) => {
      if (!names.has(clientId))
        names.set(clientId, (await deps.provider.Client.find(clientId))?.clientName ?? clientId);
      return names.get(clientId) ?? clientId;
    };
    const rows: SessionRow[] = [];
    for (const session of await deps.artifacts.findByAccount('Session', account.id)) {
      const { jti, loginTs, authorizations } = session;
      if (typeof jti !== 'string') continue;
      const clients = Object.keys((authorizations ?? {}) as Record<string, unknown>).filter(
        (clientId) => clientId !== ACCOUNT_PAGES_CLIENT,
      );
      rows.push({
        id: jti,
        signedInAt: typeof loginTs === 'number' ? new Date(loginTs * 1000).toISOString() : '',
        signedIn: typeof loginTs === 'number' ? t.date(new Date(loginTs * 1000), true) : '',
        apps: await Promise.all(clients.map(nameOf)),
        current: jti === currentId,
      });
    }
    // This browser first, then the newest sign-in.
    return rows.sort((a, b) => Number(b.current) - Number(a.current) || b.signedInAt.localeCompare(a.signedInAt));
  };

  router.get('/callback', (ctx) => {
    ctx.redirect(accountPageOf(ctx.query.state));
  });

  const profilePage = async (
    ctx: Context,
    account: Account,
    form: { values?: Record<string, string>; errors?: Record<string, string>; notice?: string } = {},
    status = 200,
  ) => {
    const t = translatorFor(ctx);
    const problems = formProblems(t, form.errors ?? {});
    await deps.render(ctx, {
      view: 'account-profile',
      title: t('account.profile.title'),
      status,
      locals: {
        notice: form.notice ?? '',
        fieldErrors: problems.fieldErrors,
        values: form.values ?? {
          name: account.name ?? '',
          givenName: account.givenName ?? '',
          familyName: account.familyName ?? '',
        },
        account: {
          username: account.username,
          email: account.email ?? '',
          emailVerified: account.emailVerified,
          name: account.name ?? '',
          givenName: account.givenName ?? '',
          familyName: account.familyName ?? '',
          since: t.date(account.createdAt),
          movedAt: account.legacy ? t.date(account.legacy.migratedAt) : '',
        },
      },
    });
  };

  router.get('/', async (ctx) => {
    const signed = await accountOf(ctx, 'profile');
    if (signed) await profilePage(ctx, signed.account);
  });

  // The names are the user's own to correct (the legacy system's spelling, a name changed since); the username and
  // email, which sign in, change elsewhere (the email behind a link to the new address).
  router.post('/profile', parseForm, deps.csrf.check, async (ctx) => {
    const signed = await accountOf(ctx, 'profile');
    if (!signed) return;
    const values = Object.fromEntries(
      (['name', 'givenName', 'familyName'] as const).map((field) => [field, formField(ctx.request.body, field)]),
    );
    const parsed = NAMES.safeParse(values);
    if (!parsed.success) {
      const errors = Object.fromEntries(parsed.error.issues.map((issue) => [String(issue.path[0]), issue.message]));
      await profilePage(ctx, signed.account, { values, errors }, 400);
      return;
    }
    await deps.accounts.updateNames(signed.account.id, parsed.data, new Date());
    await deps.record({ type: 'profile_changed', accountId: signed.account.id });
    const saved = await deps.accounts.findById(signed.account.id);
    if (saved) await profilePage(ctx, saved, { notice: translatorFor(ctx)('account.profile.saved') });
  });

  router.get('/sessions', async (ctx) => {
    const signed = await accountOf(ctx, 'sessions');
    if (!signed) return;
    await deps.render(ctx, {
      view: 'account-sessions',
      title: translatorFor(ctx)('account.sessions.title'),
      locals: { sessions: await sessionsOf(signed.account, signed.sessionId, translatorFor(ctx)) },
    });
  });

  // One session other than this browser's (that one signs out through "sign out everywhere" or the app's logout).
  router.post('/sessions/end-one', parseForm, deps.csrf.check, async (ctx) => {
    const signed = await accountOf(ctx, 'sessions');
    if (!signed) return;
    const sessionId = formField(ctx.request.body, 'session');
    const mine = await sessionsOf(signed.account, signed.sessionId, translatorFor(ctx));
    if (mine.some((session) => session.id === sessionId && !session.current)) {
      await deps.endSessions(signed.account.id, { sessionId });
      await deps.record({ type: 'sessions_ended', accountId: signed.account.id, scope: 'one' });
    }
    ctx.redirect('/account/sessions');
  });

  // Erasure needs a recent sign-in (password and any second step) and the username typed, like a change of sign-in
  // methods: a session left open must not be enough to erase someone, nor a slip of the finger. The page itself asks
  // for the sign-in, so the confirmation typed on it is not lost to one.
  router.get('/delete', async (ctx) => {
    const signed = await accountOf(ctx, 'delete', true);
    if (signed) await confirmPage(ctx, signed.account);
  });

  router.post('/delete', parseForm, deps.csrf.check, async (ctx) => {
    const signed = await accountOf(ctx, 'delete', true);
    if (!signed) return;
    const typed = formField(ctx.request.body, 'confirm').trim();
    if (typed.toLowerCase() !== signed.account.username.toLowerCase()) {
      await confirmPage(ctx, signed.account, 'mismatch', 400);
      return;
    }
    await deps.erase(signed.account.id, { kind: 'user' });
    await deps.render(ctx, { view: 'account-deleted', title: translatorFor(ctx)('account.deleted.title') });
  });

  const confirmPage = (ctx: Context, account: Account, error = '', status = 200) =>
    deps.render(ctx, {
      view: 'account-delete',
      title: translatorFor(ctx)('account.delete.title'),
      status,
      locals: { username: account.username, migrated: account.legacy !== undefined, error },
    });

  return router;
}
