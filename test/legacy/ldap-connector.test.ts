import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { legacySchema, type LdapConnectorConfig } from '../../src/config/legacy-schema.js';
import type { LegacyConnector } from '../../src/legacy/connector.js';
import { createLdapConnector, refusalOf } from '../../src/legacy/ldap-connector.js';
import {
  closedPort,
  ldapStoreSkip,
  startBlackHole,
  startLdapLegacyStore,
  type LdapLegacyStore,
} from '../support/legacy-stores.js';
import { connectorContract } from './connector-contract.js';

const skip = ldapStoreSkip();
const within = (ms = 5000) => ({ signal: AbortSignal.timeout(ms) });

function ldapConfig(store: LdapLegacyStore, overrides: Partial<LdapConnectorConfig> = {}): LdapConnectorConfig {
  const config = legacySchema.parse({
    kind: 'ldap',
    source: 'directory',
    url: store.server.ldapsUrl,
    caFile: store.server.caFile,
    bindDn: store.server.serviceDn,
    bindPassword: store.server.servicePassword,
    searchBase: store.server.usersDn,
    disabledFilter: '(employeeType=disabled)',
    timeoutMs: 2000,
    ...overrides,
  });
  assert.equal(config.kind, 'ldap');
  return config;
}

connectorContract(
  'LDAP (OpenLDAP over ldaps://)',
  skip
    ? { skip }
    : async () => {
        const store = await startLdapLegacyStore();
        const config = ldapConfig(store);
        // Read now: the server deletes its CA file when it stops.
        const down = createLdapConnector({
          ...config,
          url: `ldap://127.0.0.1:${await closedPort()}`,
          caFile: undefined,
        });
        const live = createLdapConnector(config);
        let broken = false;
        const hole = await startBlackHole();
        const { lena, otto } = store.users;
        return {
          connector: {
            source: live.source,
            passwordJudge: live.passwordJudge,
            authenticate: (...args) => (broken ? down : live).authenticate(...args),
            findUser: (...args) => (broken ? down : live).findUser(...args),
            close: () => Promise.resolve(),
          } satisfies LegacyConnector,
          valid: { login: lena.login, password: lena.password, legacyId: lena.id, email: lena.email },
          idField: 'entryUUID',
          disabled: { login: otto.login, password: otto.password },
          unjudgeable: { login: 'twins@example.com', password: 'dup-pw' },
          secretFields: ['userPassword'],
          breakDown: () => {
            broken = true;
            return Promise.resolve();
          },
          restore: () => {
            broken = false;
            return Promise.resolve();
          },
          hanging: () => createLdapConnector({ ...config, url: `ldap://127.0.0.1:${hole.port}`, caFile: undefined }),
          close: async () => {
            await hole.close();
            await store.stop();
          },
        };
      },
);

describe('LDAP connector: transports, profile, Active Directory codes', { skip, timeout: 120_000 }, () => {
  let store: LdapLegacyStore;
  let ca: Buffer;
  before(async () => {
    store = await startLdapLegacyStore();
    ca = readFileSync(store.server.caFile);
  });
  after(() => store.stop());

  const signInWith = (connector: LegacyConnector) => connector.authenticate('lena', 'lena-ldap-pw', within());

  it('works over ldap:// upgraded with StartTLS', async () => {
    const outcome = await signInWith(createLdapConnector(ldapConfig(store, { url: store.server.url, startTls: true })));
    assert.equal(outcome.kind === 'valid' && outcome.profile.entryUUID, store.ids.lena);
  });

  it('refuses a directory certificate it was not told to trust', async () => {
    const outcome = await signInWith(createLdapConnector(ldapConfig(store, { caFile: undefined })));
    assert.equal(outcome.kind, 'unavailable');
    assert.ok(ca.length > 0);
  });

  it('makes the entry’s attributes the profile, with its DN, and never its password', async () => {
    const outcome = await signInWith(createLdapConnector(ldapConfig(store)));
    assert.equal(outcome.kind, 'valid');
    assert.deepEqual(
      { ...outcome.profile, entryUUID: 'x' },
      {
        dn: `uid=lena,${store.server.usersDn}`,
        uid: 'lena',
        mail: 'lena@example.com',
        cn: 'Lena Directory',
        givenName: 'Lena',
        sn: 'Directory',
        entryUUID: 'x',
      },
    );
  });

  it('never lets a password attribute into the profile, even when asked for and readable', async () => {
    const admin = createLdapConnector(
      ldapConfig(store, {
        bindDn: store.server.adminDn,
        bindPassword: store.server.adminPassword,
        attributes: ['*', 'entryUUID'],
      }),
    );
    const outcome = await signInWith(admin);
    assert.equal(outcome.kind, 'valid');
    assert.equal(outcome.profile.userPassword, undefined);
    assert.equal(outcome.profile.uid, 'lena');
  });

  it('tells a look-up that an entry is disabled', async () => {
    const connector = createLdapConnector(ldapConfig(store));
    const otto = await connector.findUser('otto', within());
    assert.equal(otto.kind === 'found' && otto.disabled, true);
    const lena = await connector.findUser('lena', within());
    assert.equal(lena.kind === 'found' && lena.disabled, false);
  });

  it('escapes the login in the search filter', async () => {
    const connector = createLdapConnector(ldapConfig(store));
    // `$&`-style sequences would be expanded by a string replacement, putting the template's parentheses back.
    for (const login of ['$`', "$'", '$&', '$$', 'lena$&']) {
      assert.deepEqual(await connector.authenticate(login, 'lena-ldap-pw', within()), { kind: 'invalid' }, login);
    }
    assert.deepEqual(await connector.authenticate('*', 'lena-ldap-pw', within()), { kind: 'invalid' });
    assert.deepEqual(await connector.authenticate('lena)(uid=*', 'lena-ldap-pw', within()), { kind: 'invalid' });
    assert.deepEqual(await connector.findUser('*', within()), { kind: 'not-found' });
  });

  it('answers an ambiguous login as unjudgeable, after the same connections and bind as a wrong password', async () => {
    const proxy = await startCountingProxy(store.server.port);
    try {
      const connector = createLdapConnector(
        ldapConfig(store, { url: `ldap://127.0.0.1:${proxy.port}`, startTls: true }),
      );
      const wrong = await proxy.counting(() => connector.authenticate('lena', 'not-lenas-password', within()));
      const twins = await proxy.counting(() => connector.authenticate('twins@example.com', 'dup-pw', within()));
      assert.deepEqual(wrong.outcome, { kind: 'invalid' });
      assert.deepEqual(twins.outcome, {
        kind: 'unjudgeable',
        reason: 'ambiguous_login',
        cause: 'several directory entries match the login',
      });
      // One service connection (the search), one user bind: skipping the bind would make the answer quicker.
      assert.equal(wrong.connections, 2);
      assert.equal(twins.connections, wrong.connections);
    } finally {
      await proxy.close();
    }
  });

  it('fails closed when the service account cannot bind', async () => {
    const outcome = await signInWith(createLdapConnector(ldapConfig(store, { bindPassword: 'wrong' })));
    assert.equal(outcome.kind, 'unavailable');
  });
});

/** A TCP relay to the directory that counts the connections opened through it. */
async function startCountingProxy(targetPort: number) {
  let connections = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    connections++;
    const upstream = connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    async counting<T>(work: () => Promise<T>): Promise<{ outcome: T; connections: number }> {
      const before = connections;
      const outcome = await work();
      return { outcome, connections: connections - before };
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('Active Directory bind failures (messages as AD writes them; no AD server exists here)', () => {
  const message = (code: string) =>
    `80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data ${code}, v4563`;
  it('maps disabled, expired and must-change codes to a refusal, and locked (sent whatever the password) and the rest to wrong credentials', () => {
    for (const code of ['530', '531', '532', '533', '701', '773'])
      assert.deepEqual(refusalOf(message(code)), { kind: 'disabled' });
    for (const code of ['52e', '525', '775']) assert.deepEqual(refusalOf(message(code)), { kind: 'invalid' });
    assert.deepEqual(refusalOf('Invalid Credentials'), { kind: 'invalid' });
  });
});
