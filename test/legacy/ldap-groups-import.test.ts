/**
 * The LDAP connector's group memberships (groupOfNames, groupOfUniqueNames, nesting with a cycle) in the profile of
 * a sign-in, a look-up and an import, and the optional hash reader that lets an import keep directory hashes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from 'ldapts';
import { legacySchema, type LdapConnectorConfig } from '../../src/config/legacy-schema.js';
import { mappingSchema } from '../../src/config/schema.js';
import type { LegacyUserRecord } from '../../src/legacy/connector.js';
import { legacyHashOptionsSchema, verifyLegacyHash } from '../../src/passwords/legacy/legacy-hash.js';
import { createLdapConnector } from '../../src/legacy/ldap-connector.js';
import { applyMapping } from '../../src/migration/transform.js';
import { addEntries, sshaPassword, startOpenLdap, type OpenLdapServer } from '../support/servers/openldap.js';
import { missingTool } from '../support/tools.js';

const skip = missingTool('openldap');
const within = (ms = 5000) => ({ signal: AbortSignal.timeout(ms) });
/** `openssl passwd -6 -salt Zs8vQyWq crypt-pw` */
const CRYPT_HASH =
  '{CRYPT}$6$Zs8vQyWq$OLh4V3z0WNbOq5TRhh40T65DcC6LatBBReDThfqXT1.yrcOFW1kh99d8c5olwlcLlO04.U/jEAx8wKYvzHv7Q/';
/** Filter syntax in a DN: unescaped, `{dn}` would break the filter or match other entries. */
const KIM = 'kim (x)*';

let server: OpenLdapServer;

function ldapConfig(overrides: Record<string, unknown> = {}): LdapConnectorConfig {
  const config = legacySchema.parse({
    kind: 'ldap',
    url: server.url,
    bindDn: server.serviceDn,
    bindPassword: server.servicePassword,
    // The whole tree, so that groups (in ou=groups) are found under the default groups.searchBase.
    searchBase: server.baseDn,
    timeoutMs: 2000,
    ...overrides,
  });
  assert.equal(config.kind, 'ldap');
  return config;
}

async function listAll(config: LdapConnectorConfig): Promise<LegacyUserRecord[]> {
  const connector = createLdapConnector(config);
  const pages = connector.enumerateUsers?.(undefined, AbortSignal.timeout(10_000));
  assert.ok(pages, 'the LDAP connector can list its users');
  const records: LegacyUserRecord[] = [];
  for await (const page of pages) {
    records.push(...page.records);
  }
  return records;
}

const byUid = (records: LegacyUserRecord[], uid: string) => records.find((record) => record.profile.uid === uid);

before(async () => {
  if (skip) return;
  server = await startOpenLdap({ hashReader: true });
  const person = (uid: string, ...passwords: string[]) =>
    [
      `dn: uid=${uid},${server.usersDn}`,
      'objectClass: inetOrgPerson',
      `uid: ${uid}`,
      `cn: ${uid}`,
      'sn: Groups',
      ...passwords.map((password) => `userPassword: ${password}`),
    ].join('\n');
  const user = (uid: string) => `uid=${uid},${server.usersDn}`;
  const group = (cn: string) => `cn=${cn},${server.groupsDn}`;
  const groupOfNames = (cn: string, ...members: string[]) =>
    [`dn: ${group(cn)}`, 'objectClass: groupOfNames', `cn: ${cn}`, ...members.map((dn) => `member: ${dn}`)].join('\n');
  await addEntries(
    server,
    [
      person('lena', sshaPassword('lena-pw')),
      person(KIM, sshaPassword('kim-pw')),
      person('multi', sshaPassword('multi-pw'), sshaPassword('other-pw')),
      person('crypt', CRYPT_HASH),
      groupOfNames('staff', user('lena'), user(KIM)),
      [`dn: ${group('ops')}`, 'objectClass: groupOfUniqueNames', 'cn: ops', `uniqueMember: ${user('lena')}`].join('\n'),
      groupOfNames('admins', group('ops')),
      groupOfNames('special (x)', user(KIM)),
      groupOfNames('everyone', group('admins'), group('special (x)')),
      // A cycle: loop-a ⊂ loop-b ⊂ loop-a.
      groupOfNames('loop-a', user('lena'), group('loop-b')),
      groupOfNames('loop-b', group('loop-a')),
      groupOfNames('unrelated', server.serviceDn),
    ].join('\n\n'),
  );
});
// Undefined when the suites are skipped (no slapd here).
after(() => (server as OpenLdapServer | undefined)?.stop());

describe('LDAP groups into the profile', { skip, timeout: 120_000 }, () => {
  const LENA_DIRECT = ['loop-a', 'ops', 'staff'];
  const LENA_ALL = ['admins', 'everyone', 'loop-a', 'loop-b', 'ops', 'staff'];

  it('puts the direct groupOfNames and groupOfUniqueNames memberships under `groups`', async () => {
    const outcome = await createLdapConnector(ldapConfig({ groups: {} })).authenticate('lena', 'lena-pw', within());
    assert.equal(outcome.kind, 'valid');
    assert.deepEqual(outcome.profile.groups, LENA_DIRECT);
  });

  it('follows nesting when asked, through a cycle, and the mapping makes roles of the names', async () => {
    const outcome = await createLdapConnector(ldapConfig({ groups: { nested: true } })).authenticate(
      'lena',
      'lena-pw',
      within(),
    );
    assert.equal(outcome.kind, 'valid');
    assert.deepEqual(outcome.profile.groups, LENA_ALL);
    const mapping = mappingSchema.parse({
      legacyId: 'entryUUID',
      username: 'uid',
      roles: { path: 'groups', map: { admins: 'admin', staff: 'staff' } },
    });
    assert.deepEqual(applyMapping(mapping, outcome.profile).roles, ['admin', 'staff']);
  });

  it('escapes the member’s DN and the groups’ DNs in the filter', async () => {
    const connector = createLdapConnector(ldapConfig({ groups: { nested: true } }));
    const outcome = await connector.authenticate(KIM, 'kim-pw', within());
    assert.equal(outcome.kind, 'valid');
    assert.deepEqual(outcome.profile.groups, ['everyone', 'special (x)', 'staff']);
  });

  it('has no group field without the option, and an empty list for a member of none', async () => {
    const plain = await createLdapConnector(ldapConfig()).authenticate('lena', 'lena-pw', within());
    assert.equal(plain.kind === 'valid' && 'groups' in plain.profile, false);
    const none = await createLdapConnector(ldapConfig({ groups: {} })).authenticate('crypt', 'crypt-pw', within());
    assert.equal(none.kind, 'valid');
    assert.deepEqual(none.profile.groups, []);
  });

  it('takes its search base, name attribute and profile field from the config', async () => {
    const outcome = await createLdapConnector(
      ldapConfig({
        groups: {
          searchBase: server.groupsDn,
          scope: 'one',
          filter: '(&(objectClass=groupOfNames)(member={dn}))',
          nameAttribute: 'dn',
          profileField: 'memberships',
        },
      }),
    ).authenticate('lena', 'lena-pw', within());
    assert.equal(outcome.kind, 'valid');
    assert.deepEqual(outcome.profile.memberships, [`cn=loop-a,${server.groupsDn}`, `cn=staff,${server.groupsDn}`]);
    assert.equal(outcome.profile.groups, undefined);
  });

  it('refuses to make a profile that would lack groups beyond the bounds, and says which bound', async () => {
    const signIn = (groups: Record<string, unknown>) =>
      createLdapConnector(ldapConfig({ groups: { nested: true, ...groups } })).authenticate(
        'lena',
        'lena-pw',
        within(),
      );
    // lena's deepest chain: ops → admins → everyone, two levels above her direct groups.
    assert.deepEqual(await signIn({ maxDepth: 1 }), {
      kind: 'unusable',
      cause: 'group nesting deeper than groups.maxDepth (1)',
    });
    assert.deepEqual((await signIn({ maxDepth: 2 })).kind, 'valid');
    assert.deepEqual(await signIn({ maxGroups: 5 }), {
      kind: 'unusable',
      cause: 'member of more than groups.maxGroups (5) groups',
    });
    assert.deepEqual((await signIn({ maxGroups: 6 })).kind, 'valid');
    // A wrong password is told as such: groups are only read after the password was taken.
    const wrong = await createLdapConnector(ldapConfig({ groups: { nested: true, maxGroups: 1 } })).authenticate(
      'lena',
      'wrong',
      within(),
    );
    assert.deepEqual(wrong, { kind: 'invalid' });
  });

  it('gives a look-up and an import the same groups as a sign-in', async () => {
    const config = ldapConfig({ groups: { nested: true } });
    const found = await createLdapConnector(config).findUser('lena', within());
    assert.equal(found.kind, 'found');
    assert.deepEqual(found.profile.groups, LENA_ALL);
    const records = await listAll(config);
    assert.deepEqual(byUid(records, 'lena')?.profile.groups, LENA_ALL);
    assert.deepEqual(byUid(records, KIM)?.profile.groups, ['everyone', 'special (x)', 'staff']);
    assert.deepEqual(byUid(records, 'multi')?.profile.groups, []);
  });
});

describe('LDAP hash reader for imports', { skip, timeout: 120_000 }, () => {
  const stored = async (uid: string): Promise<unknown> => {
    const admin = new Client({ url: server.url });
    try {
      await admin.bind(server.adminDn, server.adminPassword);
      const { searchEntries } = await admin.search(`uid=${uid},${server.usersDn}`, {
        scope: 'base',
        attributes: ['userPassword'],
      });
      return searchEntries[0]?.userPassword;
    } finally {
      await admin.unbind();
    }
  };
  const withHashReader = (overrides: Record<string, unknown> = {}) =>
    ldapConfig({
      hashReader: { bindDn: server.hashReader?.dn, bindPassword: server.hashReader?.password, ...overrides },
    });

  it('without it, the service account cannot read userPassword and records carry no hash', async () => {
    const service = new Client({ url: server.url });
    try {
      await service.bind(server.serviceDn, server.servicePassword);
      const { searchEntries } = await service.search(`uid=lena,${server.usersDn}`, {
        scope: 'base',
        attributes: ['uid', 'userPassword'],
      });
      assert.equal(searchEntries[0]?.uid, 'lena');
      assert.deepEqual(searchEntries[0].userPassword, []);
    } finally {
      await service.unbind();
    }
    const records = await listAll(ldapConfig());
    assert.equal(records.length, 4);
    assert.ok(records.every((record) => record.password === undefined && record.passwordProblem === undefined));
  });

  it('with it, each record keeps its directory hash as an `ldap` scheme hash the IdP can verify', async () => {
    const records = await listAll(withHashReader());
    assert.equal(records.length, 4);
    const lena = byUid(records, 'lena');
    assert.ok(lena?.password);
    assert.equal(lena.password.hash, await stored('lena'));
    assert.match(lena.password.hash, /^\{SSHA\}/);
    assert.deepEqual(lena.password.options, legacyHashOptionsSchema.parse({ scheme: 'ldap' }));
    assert.deepEqual(await verifyLegacyHash('lena-pw', lena.password.hash, lena.password.options), { kind: 'match' });
    const crypt = byUid(records, 'crypt');
    assert.equal(crypt?.password?.hash, CRYPT_HASH);
    assert.deepEqual(
      await verifyLegacyHash('crypt-pw', CRYPT_HASH, legacyHashOptionsSchema.parse({ scheme: 'ldap' })),
      {
        kind: 'match',
      },
    );
    for (const record of records) {
      assert.equal(record.profile.userPassword, undefined, 'the hash never goes into the profile');
      assert.ok(!JSON.stringify(record.profile).includes('{SSHA}'));
    }
  });

  it('leaves out a multi-valued password attribute (a bind takes either value; one hash cannot)', async () => {
    const values = await stored('multi');
    assert.ok(Array.isArray(values) && values.length === 2, 'the directory holds two values');
    const multi = byUid(await listAll(withHashReader()), 'multi');
    assert.ok(multi);
    assert.equal(multi.password, undefined);
    assert.equal(multi.passwordProblem, 'several userPassword values, any of which a bind accepts');
  });

  it('is used only to list users: sign-ins and look-ups never bind as it', async () => {
    const broken = withHashReader({ bindPassword: 'not-its-password' });
    const connector = createLdapConnector(broken);
    assert.equal((await connector.authenticate('lena', 'lena-pw', within())).kind, 'valid');
    assert.equal((await connector.findUser('lena', within())).kind, 'found');
    await assert.rejects(listAll(broken), { name: 'InvalidCredentialsError' });
  });
});
