import assert from 'node:assert/strict';
import { request, type IncomingHttpHeaders } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startTestIdp, type TestIdp } from '../support/harness.js';

/** A GET with the headers given, Host included (fetch will not send another Host than the URL's). */
function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Headers that say something about the answer itself, not about this one request. */
function lasting(headers: IncomingHttpHeaders): Record<string, unknown> {
  const perRequest = ['date', 'connection', 'keep-alive', 'content-length', 'etag', 'cache-control', 'x-request-id'];
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !perRequest.includes(name)));
}

describe('discovery and JWKS answered from a buffer rendered once', () => {
  let t: TestIdp;
  before(async () => {
    t = await startTestIdp();
  });
  after(() => t.close());

  for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server', '/jwks']) {
    it(`${path}: the bytes oidc-provider renders, with an ETag, a cache lifetime and CORS as it sets it`, async () => {
      const issuerHost = new URL(t.issuer).host;
      const fromBuffer = await get(`${t.issuer}${path}`);
      assert.equal(fromBuffer.status, 200);
      // The JWKS: half the signing keys' publication lead (an hour by default), so a cached copy holds a new key in
      // time; the documents: five minutes.
      assert.equal(fromBuffer.headers['cache-control'], `public, max-age=${path === '/jwks' ? '1800' : '300'}`);
      assert.match(fromBuffer.headers.etag ?? '', /^"[\w-]{27}"$/);
      assert.equal(fromBuffer.headers['access-control-allow-origin'], '*');
      assert.equal(fromBuffer.headers['x-request-id'], undefined, 'no request id copied from the rendering');

      // Another host is not the issuer: oidc-provider answers it itself, with that host in the URLs.
      const otherHost = `localhost:${new URL(t.issuer).port}`;
      const rendered = await get(`${t.issuer}${path}`, { host: otherHost });
      assert.equal(rendered.status, 200);
      assert.equal(rendered.headers.etag === fromBuffer.headers.etag, false);
      assert.deepEqual(
        JSON.parse(fromBuffer.body),
        JSON.parse(rendered.body.replaceAll(otherHost, issuerHost)),
        'the same document',
      );
      assert.deepEqual(lasting(fromBuffer.headers), lasting(rendered.headers), 'the same security and CORS headers');

      const again = await get(`${t.issuer}${path}`, { 'if-none-match': fromBuffer.headers.etag ?? '' });
      assert.equal(again.status, 304);
      assert.equal(again.body, '');
      const cors = await get(`${t.issuer}${path}`, { origin: 'https://spa.example' });
      assert.equal(cors.headers['access-control-allow-origin'], 'https://spa.example');
      assert.match(String(cors.headers.vary), /Origin/);
    });
  }

  it('publishes no private key material from the buffer', async () => {
    const jwks = JSON.parse((await get(`${t.issuer}/jwks`)).body) as { keys: Record<string, unknown>[] };
    assert.equal(jwks.keys.length, 2);
    for (const key of jwks.keys)
      for (const part of ['d', 'p', 'q', 'dp', 'dq', 'qi']) assert.equal(key[part], undefined);
  });
});
