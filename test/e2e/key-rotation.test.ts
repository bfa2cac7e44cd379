import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { DEMO_USERS } from '../../src/demo/demo-users.js';
import { LegacyUserService } from '../../src/demo/legacy-service.js';
import { startBalancer, type Balancer } from '../support/balancer.js';
import { LEGACY_TOKEN, RP_REDIRECT, TEST_CLIENTS } from '../support/harness.js';
import { PROCESS_ENV, startIdpProcess, writeIdpConfig, type IdpProcess } from '../support/idp-process.js';
import { discover, signIn } from '../support/oidc-flow.js';
import { freePort } from '../support/servers/process.js';

/**
 * A rotation of the signing keys, on demand, with two IdP processes on one store behind a balancer and a relying party
 * (openid-client, verifying every ID token's signature against the JWKS it caches) signing users in throughout.
 *
 * The publication lead is 62 s: openid-client keeps a JWKS for up to 5 minutes and fetches it again for an unknown
 * kid only once its copy is a minute old, so a key must be published that long before it signs (the default is an
 * hour). ID and access tokens live 8 s, so the replaced key retires 8 s + 15.5 s (a quarter of the lead for clock
 * skew) later.
 */
const LEAD_SECONDS = 62;
const ID_TOKEN_SECONDS = 8;
const RETIRE_AFTER_MS = (ID_TOKEN_SECONDS + LEAD_SECONDS / 4) * 1000;

const sleepUntil = (at: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));

describe(
  'signing keys rotated under two processes and a relying party that caches the JWKS',
  { timeout: 240_000 },
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'jit-idp-rotation-'));
    const legacy = new LegacyUserService({ users: DEMO_USERS, token: LEGACY_TOKEN });
    let balancer: Balancer;
    let processes: IdpProcess[] = [];
    let backends: string[] = [];

    before(async () => {
      await legacy.start();
      const ports = [await freePort(), await freePort()];
      backends = ports.map((port) => `http://127.0.0.1:${String(port)}`);
      balancer = await startBalancer(backends);
      const config = writeIdpConfig(dir, {
        issuer: balancer.url,
        legacyUrl: legacy.url,
        sqlitePath: join(dir, 'shared.sqlite'),
        extra: {
          signingKeys: { rotationDays: 0, publicationLeadSeconds: LEAD_SECONDS },
          ttl: { idToken: ID_TOKEN_SECONDS, accessToken: ID_TOKEN_SECONDS },
          clients: [
            { ...TEST_CLIENTS.firstParty, redirect_uris: [RP_REDIRECT], first_party: true },
            {
              ...TEST_CLIENTS.opsBot,
              grant_types: ['client_credentials'],
              response_types: [],
              redirect_uris: [],
              admin_api: true,
            },
          ],
        },
      });
      processes = await Promise.all(
        ports.map((port) => startIdpProcess({ IDP_CONFIG: config, PORT: String(port), ...PROCESS_ENV }, dir)),
      );
    });
    after(async () => {
      for (const idp of processes) idp.child.kill('SIGKILL');
      await balancer.close();
      await legacy.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    const jwksOf = async (base: string) => {
      const answer = await fetch(`${base}/jwks`);
      return {
        kids: ((await answer.json()) as { keys: { kid: string }[] }).keys.map((key) => key.kid),
        cacheControl: answer.headers.get('cache-control'),
      };
    };
    const adminToken = async () => {
      const bot = await discover(balancer.url, 'opsBot');
      return (await oidc.clientCredentialsGrant(bot, { scope: 'admin', resource: `${balancer.url}/admin/api` }))
        .access_token;
    };

    it('publishes the new key everywhere at once, signs with it after the lead, and retires the old one', async () => {
      const rp = await discover(balancer.url);
      oidc.enableNonRepudiationChecks(rp);
      /** Signs carol in through the balancer (its requests spread over both processes); the RP checks the ID token. */
      const signInOnce = async () => {
        const attempt = await signIn(balancer.url, 'carol', 'higher further faster', { config: rp });
        assert.equal(attempt.status, 303, 'no sign-in fails');
        const idToken = attempt.tokens?.id_token ?? '';
        return { idToken, kid: decodeProtectedHeader(idToken).kid ?? '' };
      };

      const first = await signInOnce();
      const before = await jwksOf(balancer.url);
      assert.equal(before.cacheControl, `public, max-age=${String(LEAD_SECONDS / 2)}`, 'cacheable for half the lead');
      assert.ok(before.kids.includes(first.kid));

      const rotated = await fetch(`${balancer.url}/admin/api/signing-keys/rotate`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await adminToken()}` },
      });
      assert.equal(rotated.status, 200);
      const { activeFrom } = (await rotated.json()) as { activeFrom: string };
      const switchAt = Date.parse(activeFrom);
      assert.ok(switchAt - Date.now() > (LEAD_SECONDS - 5) * 1000, 'the new keys sign only after the lead time');

      // Both processes publish the new keys within their poll interval (a quarter of the lead).
      let published: string[] = [];
      for (let tries = 0; tries < 100; tries++) {
        const [a, b] = await Promise.all(backends.map(jwksOf));
        published = a?.kids ?? [];
        if (published.length === 4 && JSON.stringify(b?.kids) === JSON.stringify(published)) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      assert.equal(published.length, 4, 'both processes publish two new keys beside the two old ones');
      assert.ok(Date.now() < switchAt, 'and do so well before the new keys sign');

      // During the lead time, every token is still signed by the old key.
      for (let i = 0; i < 3; i++) assert.equal((await signInOnce()).kid, first.kid);
      await sleepUntil(switchAt - 3000);
      const lastOld = await signInOnce();
      assert.equal(lastOld.kid, first.kid);

      // From activeFrom on, both processes sign with the new key; the RP, whose JWKS copy predates the new key, fetches
      // it again and verifies (enableNonRepudiationChecks would throw otherwise).
      await sleepUntil(switchAt + 500);
      const after = await Promise.all(Array.from({ length: 4 }, () => signInOnce()));
      const newKid = after[0]?.kid ?? '';
      assert.notEqual(newKid, first.kid);
      assert.ok(published.includes(newKid), 'the kid that was published ahead');
      assert.ok(after.every((token) => token.kid === newKid));

      // A token the old key signed just before the switch still verifies against the published keys.
      const fresh = createRemoteJWKSet(new URL(`${backends[1] ?? ''}/jwks`));
      const iat = new Date((decodeJwt(lastOld.idToken).iat ?? 0) * 1000);
      await jwtVerify(lastOld.idToken, fresh, { issuer: balancer.url, currentDate: iat });
      // And the admin API, behind both processes, takes tokens signed by the new key.
      const token = await adminToken();
      assert.equal(decodeProtectedHeader(token).kid, newKid);
      for (const base of backends) {
        const keys = await fetch(`${base}/admin/api/signing-keys`, { headers: { authorization: `Bearer ${token}` } });
        assert.equal(keys.status, 200);
      }

      // Once every token the old key signed has expired, it leaves the JWKS of both processes.
      await sleepUntil(switchAt + RETIRE_AFTER_MS + 1500);
      for (const base of backends) {
        const { kids } = await jwksOf(base);
        assert.equal(kids.length, 2, `${base}: only the new keys`);
        assert.ok(!kids.includes(first.kid));
      }
      await assert.rejects(
        jwtVerify(lastOld.idToken, createRemoteJWKSet(new URL(`${backends[0] ?? ''}/jwks`)), { currentDate: iat }),
        /no applicable key|matching key/i,
      );
      assert.equal((await signInOnce()).kid, newKid);
    });
  },
);
