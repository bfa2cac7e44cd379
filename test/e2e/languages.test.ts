import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SentMail } from '../../src/mail/mailer.js';
import { alertText } from '../support/html.js';
import { startTestIdp, type TestIdp } from '../support/harness.js';
import { eventually } from '../support/eventually.js';
import { beginAuthorization, finishAuthorization, UserAgent } from '../support/oidc-flow.js';

const langOf = (html: string) => /<html lang="([^"]+)">/.exec(html)?.[1];
const headingOf = (html: string) => /<h1>([^<]*)<\/h1>/.exec(html)?.[1];

describe('the hosted pages in the user’s language', () => {
  let t: TestIdp;
  let outbox: readonly SentMail[];
  before(async () => {
    t = await startTestIdp();
    outbox = t.idp.outbox ?? [];
  });
  after(() => t.close());

  /** The sign-in page an authorization request lands on, as a browser sending `headers` sees it. */
  const signInPage = async (params: Record<string, string>, headers: Record<string, string> = {}) => {
    const start = await beginAuthorization(t.issuer, { params, agent: new UserAgent({ headers }) });
    return { ...start, html: await start.page.text() };
  };

  it('advertises the languages in discovery', async () => {
    const discovery = (await (await fetch(`${t.issuer}/.well-known/openid-configuration`)).json()) as {
      ui_locales_supported?: string[];
    };
    assert.deepEqual(discovery.ui_locales_supported, ['en', 'de', 'fr']);
  });

  it('shows the sign-in page in German for ui_locales=de, even to a browser that prefers French', async () => {
    const { page, html } = await signInPage({ ui_locales: 'de' }, { 'accept-language': 'fr' });
    assert.equal(page.status, 200);
    assert.equal(langOf(html), 'de');
    assert.equal(page.headers.get('content-language'), 'de');
    assert.equal(headingOf(html), 'Anmelden');
    assert.match(html, /<label for="login">Benutzername oder E-Mail-Adresse<\/label>/);
    assert.match(html, /um mit <strong>First Party App<\/strong> fortzufahren/);
    // The link to the forgotten-password page keeps the language the application asked for.
    assert.match(html, /href="\/password\/forgot\?return=\/interaction\/[\w-]+&amp;lang=de"/);
  });

  it('takes the first supported of several ui_locales', async () => {
    const { html } = await signInPage({ ui_locales: 'ja fr-CA de' });
    assert.equal(langOf(html), 'fr');
    assert.equal(headingOf(html), 'Connexion');
  });

  it('shows it in French to a browser asking for French, and says it varies with Accept-Language', async () => {
    const { page, html } = await signInPage({}, { 'accept-language': 'fr-CH, fr;q=0.9, en;q=0.8' });
    assert.equal(langOf(html), 'fr');
    assert.equal(page.headers.get('content-language'), 'fr');
    assert.match(page.headers.get('vary') ?? '', /accept-language/i);
    assert.match(html, /Nom d’utilisateur ou e-mail/);
    assert.match(html, /<button type="submit" class="primary">Se connecter<\/button>/);
  });

  it('stays English by default and for languages it does not have', async () => {
    for (const headers of [{}, { 'accept-language': 'es, ja;q=0.5' }] as Record<string, string>[]) {
      const { page, html } = await signInPage({}, headers);
      assert.equal(langOf(html), 'en');
      assert.equal(page.headers.get('content-language'), 'en');
      assert.equal(headingOf(html), 'Sign in');
    }
  });

  it('says a wrong password in German, and signs in from the German page', async () => {
    const start = await signInPage({ ui_locales: 'de' });
    const wrong = await start.agent.request(`${start.interactionUrl}/login`, {
      form: { login: 'alice', password: 'not her password' },
    });
    assert.equal(wrong.status, 401);
    const html = await wrong.text();
    assert.equal(langOf(html), 'de');
    assert.equal(alertText(html), 'Benutzername oder Passwort ist falsch.');

    const right = await start.agent.request(`${start.interactionUrl}/login`, {
      form: { login: 'alice', password: 'wonderland' },
    });
    assert.equal(right.status, 303);
    const next = await start.agent.follow(right, t.issuer);
    const tokens = await finishAuthorization(start, next.url);
    assert.equal(tokens.claims()?.preferred_username, 'alice');
  });

  it('says form problems in French on the sign-up page', async () => {
    const start = await signInPage({ ui_locales: 'fr' });
    const posted = await start.agent.request(`${start.interactionUrl}/register`, {
      form: { username: 'a b', email: 'nope', password: 'password' },
    });
    assert.equal(posted.status, 400);
    const html = await posted.text();
    assert.equal(alertText(html), 'Veuillez corriger les champs signalés.');
    assert.match(html, /Le nom d’utilisateur ne doit contenir ni espaces ni « @ »\./);
    assert.match(html, /Saisissez une adresse e-mail, par exemple name@example\.com\./);
    assert.match(html, /Le mot de passe fait partie des mots de passe les plus courants/);
  });

  it('mails a password reset asked for on a German page in German, with a link that opens in German', async () => {
    const agent = new UserAgent();
    const page = await agent.request(`${t.issuer}/password/forgot?lang=de`);
    assert.equal(langOf(await page.text()), 'de');
    const sent = outbox.length;
    const posted = await agent.request(`${t.issuer}/password/forgot?lang=de`, {
      form: { login: 'alice', returnTo: '' },
    });
    assert.equal(headingOf(await posted.text()), 'Sehen Sie in Ihrem Postfach nach');
    const mail = await eventually(() => (outbox.length > sent ? outbox[0] : undefined), { what: 'the reset mail' });
    assert.equal(mail.subject, 'Ihr Passwort für JIT Identity zurücksetzen');
    assert.match(mail.text, /^Hallo alice,/);
    const link = /https?:\/\/\S+/.exec(mail.text)?.[0] ?? '';
    assert.equal(new URL(link).searchParams.get('lang'), 'de');
    const opened = await new UserAgent().request(link);
    assert.equal(headingOf(await opened.text()), 'Neues Passwort wählen');
  });

  it('shows error pages in the browser’s language, and keeps JSON errors in English', async () => {
    const missing = await new UserAgent({ headers: { 'accept-language': 'de' } }).request(`${t.issuer}/nowhere`);
    assert.equal(missing.status, 404);
    assert.equal(headingOf(await missing.text()), 'Diese Seite gibt es nicht');

    const expired = await new UserAgent({ headers: { 'accept-language': 'fr' } }).request(
      `${t.issuer}/interaction/no-such-interaction`,
    );
    assert.equal(expired.status, 400);
    assert.equal(headingOf(await expired.text()), 'Cette page de connexion a expiré');

    const json = await fetch(`${t.issuer}/nowhere`, {
      headers: { accept: 'application/json', 'accept-language': 'de' },
    });
    assert.deepEqual(((await json.json()) as { error: string }).error, 'not_found');
  });
});
