import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { decodeProtectedHeader } from 'jose';
import Provider from 'oidc-provider';
import { stateAt, type KeyRing } from '../../src/oidc/key-ring.js';
import { generateSigningKey, type SigningJwk } from '../../src/oidc/keys.js';
import { providerJwks, useKeys } from '../../src/oidc/provider-keys.js';
import { requestListener } from '../../src/server.js';

/**
 * The one internal of oidc-provider the IdP relies on (src/oidc/provider-keys.ts), held to what rotation needs of it,
 * on a real Provider serving real requests: after `useKeys`, tokens are signed by the new signing key, the JWKS
 * publishes the new set, and a key only published ahead never signs. Fails if an upgrade of oidc-provider changes
 * how its keystore is built.
 */
describe("oidc-provider's keys replaced at run time", () => {
  let server: Server;
  let base = '';
  let provider: Provider;
  let keys: SigningJwk[] = [];

  const ring = (signing: SigningJwk, ahead?: SigningJwk): KeyRing => ({
    rotatedAt: 0,
    entries: [
      { jwk: signing, createdAt: 0, activeFrom: 0 },
      ...(ahead ? [{ jwk: ahead, createdAt: 0, activeFrom: Number.MAX_SAFE_INTEGER }] : []),
    ],
  });

  before(async () => {
    keys = await Promise.all([generateSigningKey('RS256'), generateSigningKey('RS256'), generateSigningKey('RS256')]);
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
    provider = new Provider(base, {
      jwks: providerJwks(stateAt(ring(keys[0] as SigningJwk, keys[1]), 0)),
      clients: [
        {
          client_id: 'machine',
          client_secret: 'machine-secret-0123456789abcdef0123',
          grant_types: ['client_credentials'],
          response_types: [],
          redirect_uris: [],
        },
      ],
      features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => 'https://api.test/',
          getResourceServerInfo: () => ({ scope: 'read', accessTokenFormat: 'jwt' }),
        },
      },
    });
    server.on('request', requestListener(provider));
  });
  after(() => server.close());

  const tokenKid = async () => {
    const answer = await fetch(`${base}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('machine:machine-secret-0123456789abcdef0123').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials&scope=read',
    });
    assert.equal(answer.status, 200);
    return decodeProtectedHeader(((await answer.json()) as { access_token: string }).access_token).kid;
  };
  const jwks = async () =>
    ((await (await fetch(`${base}/jwks`)).json()) as { keys: { kid: string; key_ops?: string[] }[] }).keys;

  it('signs with the signing key only, and publishes the key ahead as verify-only', async () => {
    assert.equal(await tokenKid(), keys[0]?.kid);
    assert.deepEqual(
      (await jwks()).map((key) => [key.kid, key.key_ops]),
      [
        [keys[0]?.kid, undefined],
        [keys[1]?.kid, ['verify']],
      ],
    );
  });

  it('signs and publishes the new set from the next request on', async () => {
    useKeys(provider, stateAt(ring(keys[1] as SigningJwk, keys[2]), 0));
    assert.equal(await tokenKid(), keys[1]?.kid);
    assert.deepEqual(
      (await jwks()).map((key) => key.kid),
      [keys[1]?.kid, keys[2]?.kid],
    );
  });
});
