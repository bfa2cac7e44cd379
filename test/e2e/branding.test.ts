import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { configSchema } from '../../src/config/schema.js';
import { inkFor } from '../../src/http/client-branding.js';
import { RP_REDIRECT, startTestIdp, TEST_CLIENTS, type TestIdp } from '../support/harness.js';
import { beginAuthorization } from '../support/oidc-flow.js';

/**
 * Per-client branding of the hosted pages: the sign-in page of a client with a logo and an accent colour shows its
 * logo (its origin allowed by the page's CSP) and loads its colour as a stylesheet; another client's page shows
 * neither.
 */
describe('hosted pages branded per client', () => {
  const LOGO = 'https://cdn.example.com/brand/logo.svg';
  let t: TestIdp;
  before(async () => {
    t = await startTestIdp({
      config: {
        clients: [
          {
            ...TEST_CLIENTS.firstParty,
            client_name: 'Branded App',
            redirect_uris: [RP_REDIRECT],
            first_party: true,
            logo_uri: LOGO,
            accent_color: '#ffcc00',
          },
          { ...TEST_CLIENTS.thirdParty, client_name: 'Plain App', redirect_uris: [RP_REDIRECT] },
        ],
      },
    });
  });
  after(() => t.close());

  it("shows the client's logo and colour on its sign-in page, and only there", async () => {
    const branded = await beginAuthorization(t.issuer, { client: 'firstParty' });
    const html = await branded.page.text();
    assert.match(html, /Branded App/);
    assert.match(html, /<img class="client-logo" src="https:\/\/cdn\.example\.com\/brand\/logo\.svg" alt=""/);
    assert.match(html, /<link rel="stylesheet" href="\/assets\/brand\/first-party-rp\.css">/);
    assert.match(
      branded.page.headers.get('content-security-policy') ?? '',
      /img-src 'self' data: https:\/\/cdn\.example\.com/,
    );

    const css = await fetch(`${t.issuer}/assets/brand/first-party-rp.css`);
    assert.equal(css.status, 200);
    assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
    // A pale yellow takes dark text: white on it would be unreadable.
    assert.equal(await css.text(), ':root{--accent:#ffcc00;--accent-ink:#1b1f24}\n');

    const plain = await (await beginAuthorization(t.issuer, { client: 'thirdParty' })).page.text();
    assert.match(plain, /Plain App/);
    assert.doesNotMatch(plain, /client-logo|\/assets\/brand\//);
    assert.equal((await fetch(`${t.issuer}/assets/brand/third-party-rp.css`)).status, 404);
    assert.equal((await fetch(`${t.issuer}/assets/brand/nobody.css`)).status, 404);
  });

  it('picks the text colour with the higher contrast on the accent', () => {
    assert.equal(inkFor('#0b57d0'), '#ffffff', 'the default blue takes white');
    assert.equal(inkFor('#ffffff'), '#1b1f24');
    assert.equal(inkFor('#000000'), '#ffffff');
    assert.equal(inkFor('#ffcc00'), '#1b1f24');
  });

  it('refuses a colour that is not #rrggbb and a logo that is not https, naming the key', () => {
    const parsed = configSchema.safeParse({
      clients: [{ client_id: 'x', accent_color: 'red', logo_uri: 'http://cdn.example.com/logo.svg' }],
    });
    assert.ok(!parsed.success);
    const paths = parsed.error.issues.map((issue) => issue.path.join('.'));
    assert.deepEqual(paths.sort(), ['clients.0.accent_color', 'clients.0.logo_uri']);
  });
});
