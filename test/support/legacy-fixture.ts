import { randomBytes } from 'node:crypto';
import { Client } from 'ldapts';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { DRUPAL_PASSWORD_INC, WORDPRESS_68, WORDPRESS_OWN } from '../passwords/legacy/php-references.js';
import { htpasswd, opensslPbkdf2, phpJsonIn, pythonJson, run } from '../passwords/legacy/reference-tools.js';
import { addEntries, startOpenLdap, type OpenLdapServer } from './servers/openldap.js';
import { startMariaDb, type MariaDbServer } from './servers/mariadb.js';
import { startPostgres, type PostgresServer } from './servers/postgres.js';
import { missingTool } from './tools.js';

/**
 * Legacy stores as a migrating company has them, built at test time by the tools that made such data in the wild:
 * a PostgreSQL member table holding hashes of many eras side by side (PHP, passlib, Werkzeug, Django, WordPress's
 * phpass, Drupal 7, OpenSSL, htpasswd, libxcrypt's mkpasswd), a WordPress database on MariaDB, and an OpenLDAP
 * directory run with the password-policy overlay and groups. Each user says what a sign-in with the right password
 * must end in; a wrong password is always refused (see `wrongPassword`).
 */

/**
 * Why a fixture's suite must be skipped here (its server or a tool that makes its hashes is not installed), or
 * false: the node:test `skip` option for the suite that starts it.
 */
export const fixtureSkip = {
  postgres: () =>
    missingTool(
      'postgres',
      'php',
      'php-argon2',
      'wordpress',
      'python',
      'passlib',
      'werkzeug',
      'django',
      'mkpasswd',
      'htpasswd',
      'openssl',
    ),
  wordpress: () => missingTool('mariadb', 'php', 'php-argon2', 'wordpress', 'openssl'),
  directory: () => missingTool('openldap', 'slappasswd', 'openssl'),
};

/** What the hosted page must answer a sign-in with the right password. */
export type Expectation =
  /** Migrated and signed in. */
  | { kind: 'migrates' }
  /** Confirmed, but the username or email is another account's: the user chooses, then is signed in. */
  | { kind: 'chooses'; field: 'username' | 'email'; value: string }
  /** Refused exactly like a wrong password (401): the hash cannot be judged, or the login names several. */
  | { kind: 'neutral'; reason: 'unsupported_hash' | 'ambiguous_login' }
  /** "Cannot sign in, contact support" (403). */
  | { kind: 'disabled' }
  /** "Could not be moved" (422): the legacy password is right but the profile is refused. */
  | { kind: 'rejected' };

export interface FixtureUser {
  /** The legacy record's id as the mapping reads it. */
  id: string;
  /** What the user types to sign in (in the legacy system's own spelling). */
  login: string;
  /** The username as the legacy store holds it. */
  username: string;
  password: string;
  expect: Expectation;
  /** The scan's label for the stored hash; absent where the store's hash is not read (LDAP binds without a reader). */
  label?: string;
  /** A wrong password answers 403 too (the directory discloses a lock whatever the password). */
  disabledWhateverPassword?: boolean;
  /** Signs in only after the user listed here has (the second of a clash). */
  after?: string;
}

/** Differs in the first byte: a bcrypt store judges only 72 bytes, so a changed tail could still be right there. */
export function wrongPassword(user: FixtureUser): string {
  return `x${user.password}`;
}

const pw = (name: string) => `${name} pw ${randomBytes(3).toString('hex')}`;

// ---------------------------------------------------------------------------------------------------------------
// PostgreSQL: one member table, several eras
// ---------------------------------------------------------------------------------------------------------------

interface MemberRow extends FixtureUser {
  email: string | null;
  hash: string | null;
  algo: string | null;
  salt: string | null;
  locked: boolean;
}

/** Python's reference implementations, called once for every Python-made hash of the table. */
const PYTHON_HASHES = `
import passlib.hash as h
from werkzeug.security import generate_password_hash
from django.conf import settings
settings.configure(PASSWORD_HASHERS=["django.contrib.auth.hashers.%sPasswordHasher" % c
                                     for c in ("PBKDF2", "Argon2", "BCryptSHA256")])
from django.contrib.auth.hashers import make_password
p = json.loads(sys.argv[1])
salt = "Wk3rkz3ugSalt9"
n, r, par = 16384, 8, 1
key = hashlib.scrypt(p["werkzeug3"].encode(), salt=salt.encode(), n=n, r=r, p=par, maxmem=132 * n * r * par).hex()
print(json.dumps({
  "werkzeug": generate_password_hash(p["werkzeug"], method="pbkdf2:sha256:50000"),
  "werkzeug3": f"scrypt:{n}:{r}:{par}\${salt}\${key}",
  "django_pbkdf2": make_password(p["django_pbkdf2"], hasher="pbkdf2_sha256"),
  "django_argon2": make_password(p["django_argon2"], hasher="argon2"),
  "django_bcrypt_sha256": make_password(p["django_bcrypt_sha256"], hasher="bcrypt_sha256"),
  "passlib_pbkdf2": h.pbkdf2_sha256.using(rounds=29000).hash(p["passlib_pbkdf2"]),
}))
`;

/** PHP's own functions, WordPress's phpass (Debian's wordpress package) and Drupal 7's password.inc, in one run. */
const PHP_HASHES = `
echo json_encode([
  "bcrypt" => password_hash($in["bcrypt"], PASSWORD_BCRYPT, ["cost" => 10]),
  "long_bcrypt" => password_hash($in["long_bcrypt"], PASSWORD_BCRYPT, ["cost" => 10]),
  "argon2id" => password_hash($in["argon2id"], PASSWORD_ARGON2ID),
]);
`;

function phpass(password: string): string {
  const [made] = phpJsonIn<{ name: string; hash: string }[]>(WORDPRESS_OWN, { password, candidates: [] });
  return made?.hash ?? '';
}

function drupal7(password: string): string {
  const made = phpJsonIn<{ name: string; hash: string }[]>(DRUPAL_PASSWORD_INC, { password, candidates: [] });
  return made.find(({ name }) => name === 'S')?.hash ?? '';
}

function mkpasswd(method: string, password: string): string {
  return run('mkpasswd', ['-m', method, password]);
}

function digestHex(algorithm: string, input: string): string {
  return run('openssl', [algorithm, '-r'], input).split(' ')[0] ?? '';
}

/** A home-made PBKDF2 of the kind a 2010s PHP application wrote: `iterations:salt hex:key hex`, from openssl kdf. */
function homeMadePbkdf2(password: string): string {
  const salt = randomBytes(12).toString('hex');
  const key = opensslPbkdf2(password, { hex: salt }, { iterations: 20_000, keyLength: 32, digest: 'SHA256' });
  return `20000:${salt}:${key}`;
}

function memberRows(): MemberRow[] {
  const p = {
    bcrypt: pw('pia'),
    long_bcrypt: `${'long passphrase, '.repeat(5)}${pw('paul')}`,
    argon2id: pw('petra'),
    werkzeug: pw('penny'),
    werkzeug3: pw('piet'),
    django_pbkdf2: pw('pilar'),
    django_argon2: pw('perla'),
    django_bcrypt_sha256: pw('pedro'),
    passlib_pbkdf2: pw('pam'),
  };
  const py = pythonJson<Record<keyof typeof p, string>>(PYTHON_HASHES, JSON.stringify(p));
  const php = phpJsonIn<Record<'bcrypt' | 'long_bcrypt' | 'argon2id', string>>(PHP_HASHES, p);
  const rows: MemberRow[] = [];
  let next = 1;
  const add = (
    username: string,
    password: string,
    hash: string | null,
    options: Partial<MemberRow> & { label?: string } = {},
  ) => {
    const id = String(next++);
    rows.push({
      id,
      login: username,
      username,
      password,
      email: `${username.normalize('NFKC').toLowerCase()}@members.example`,
      hash,
      algo: null,
      salt: null,
      locked: false,
      expect: { kind: 'migrates' },
      ...options,
    });
  };

  add('pia', p.bcrypt, php.bcrypt, { algo: 'bcrypt', label: 'bcrypt' });
  // 90 bytes: PHP judged only the first 72, and so must the IdP.
  add('paul', p.long_bcrypt, php.long_bcrypt, { label: 'bcrypt' });
  add('petra', p.argon2id, php.argon2id, { algo: 'argon2id', label: 'argon2id' });
  const pete = pw('pete');
  add('pete', pete, run('openssl', ['passwd', '-6', pete]), { algo: 'SHA512CRYPT', label: 'sha512-crypt' });
  const polly = pw('polly');
  add('polly', polly, run('openssl', ['passwd', '-1', polly]), { label: 'md5-crypt' });
  const pablo = pw('pablo');
  add('pablo', pablo, htpasswd('m', pablo), { algo: 'apr1', label: 'apr1' });
  const priya = pw('priya');
  add('priya', priya, mkpasswd('yescrypt', priya), { algo: 'yescrypt', label: 'yescrypt' });
  const pavel = pw('pavel');
  add('pavel', pavel, mkpasswd('scrypt', pavel), { label: 'crypt-scrypt' });
  add('penny', p.werkzeug, py.werkzeug, { algo: 'werkzeug', label: 'werkzeug-pbkdf2-sha256' });
  add('piet', p.werkzeug3, py.werkzeug3, { label: 'werkzeug-scrypt' });
  add('pilar', p.django_pbkdf2, py.django_pbkdf2, { algo: 'django', label: 'django-pbkdf2-sha256' });
  add('perla', p.django_argon2, py.django_argon2, { label: 'django-argon2' });
  add('pedro', p.django_bcrypt_sha256, py.django_bcrypt_sha256, { label: 'django-bcrypt-sha256' });
  add('pam', p.passlib_pbkdf2, py.passlib_pbkdf2, { algo: 'pbkdf2_sha256', label: 'pbkdf2-sha256' });
  const pippa = pw('pippa');
  add('pippa', pippa, digestHex('md5', pippa), { algo: 'md5', label: 'md5' });
  // A bare SHA-1 without a name: placed by its length (`unprefixed`).
  const percy = pw('percy');
  add('percy', percy, digestHex('sha1', percy), { label: 'sha1' });
  const pauline = pw('pauline');
  const paulineSalt = randomBytes(6).toString('hex');
  add('pauline', pauline, digestHex('sha256', paulineSalt + pauline), {
    algo: 'sha256',
    salt: paulineSalt,
    label: 'salted-sha256',
  });
  const piers = pw('piers');
  add('piers', piers, homeMadePbkdf2(piers), { algo: 'legacy_pbkdf2', label: 'pbkdf2-custom' });
  const phoebe = pw('phoebe');
  add('phoebe', phoebe, phpass(phoebe), { algo: 'phpass', label: 'phpass' });
  const prue = pw('prue');
  add('prue', prue, drupal7(prue), { algo: 'drupal', label: 'drupal7' });

  // Rows nobody can judge: answered like a wrong password, shown to the operator.
  const pat = pw('pat');
  add('pat', pat, mkpasswd('descrypt', pat), { algo: 'des', expect: { kind: 'neutral', reason: 'unsupported_hash' } });
  const pearl = pw('pearl');
  add('pearl', pearl, mkpasswd('sunmd5', pearl), { expect: { kind: 'neutral', reason: 'unsupported_hash' } });
  add('poppy', pw('poppy'), null, { expect: { kind: 'neutral', reason: 'unsupported_hash' } });

  const peggy = pw('peggy');
  add('peggy', peggy, run('openssl', ['passwd', '-6', peggy]), {
    locked: true,
    label: 'sha512-crypt',
    expect: { kind: 'disabled' },
  });

  // Clashes: logins PostgreSQL compares exactly but the IdP folds, and an email two members share.
  const alexUpper = pw('Alex');
  add('Alex', alexUpper, run('openssl', ['passwd', '-6', alexUpper]), {
    email: 'alex.one@members.example',
    label: 'sha512-crypt',
  });
  const alexLower = pw('alex');
  add('alex', alexLower, run('openssl', ['passwd', '-6', alexLower]), {
    email: 'alex.two@members.example',
    label: 'sha512-crypt',
    after: 'Alex',
    expect: { kind: 'chooses', field: 'username', value: 'alex.two' },
  });
  const phil = pw('phil');
  add('phil', phil, run('openssl', ['passwd', '-1', phil]), { label: 'md5-crypt' });
  const philWide = pw('phil-wide');
  add('ｐｈｉｌ', philWide, run('openssl', ['passwd', '-1', philWide]), {
    email: 'phil.wide@members.example',
    label: 'md5-crypt',
    after: 'phil',
    expect: { kind: 'chooses', field: 'username', value: 'phil.wide' },
  });
  const quinn = pw('quinn');
  add('quinn', quinn, htpasswd('m', quinn), { email: 'family@members.example', label: 'apr1' });
  const quentin = pw('quentin');
  add('quentin', quentin, htpasswd('m', quentin), {
    email: 'Family@Members.example',
    label: 'apr1',
    after: 'quinn',
    expect: { kind: 'chooses', field: 'email', value: 'quentin@elsewhere.example' },
  });
  const rita = pw('rita');
  add('rita', rita, run('openssl', ['passwd', '-6', rita]), {
    email: 'rita at members',
    label: 'sha512-crypt',
    expect: { kind: 'rejected' },
  });
  // Signs in with her email, typed in another case.
  const sam = pw('sam');
  add('sam', sam, mkpasswd('yescrypt', sam), { label: 'yescrypt' });
  const samRow = rows.at(-1);
  if (samRow) samRow.login = 'SAM@Members.Example';
  return rows;
}

export interface PostgresFixture {
  server: PostgresServer;
  users: MemberRow[];
  /** The IdP's `legacy` configuration for this store. */
  legacy: Record<string, unknown>;
  mapping: Record<string, unknown>;
  migratedAt(id: string): Promise<unknown>;
  stop(): Promise<void>;
}

export async function startPostgresFixture(): Promise<PostgresFixture> {
  const users = memberRows();
  const server = await startPostgres();
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  await admin.query(`CREATE TABLE members (id bigint PRIMARY KEY, login text NOT NULL, email text, pw_hash text,
    pw_algo text, pw_salt text, is_locked boolean NOT NULL DEFAULT false, full_name text, migrated_at timestamptz)`);
  for (const u of users) {
    await admin.query('INSERT INTO members VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL)', [
      u.id,
      u.username,
      u.email,
      u.hash,
      u.algo,
      u.salt,
      u.locked,
      `${u.username} Member`,
    ]);
  }
  await admin.end();
  const writer = await server.createWriter('members', { select: ['id'], update: ['migrated_at'] });
  return {
    server,
    users,
    legacy: {
      kind: 'sql',
      source: 'members',
      url: server.url,
      // Exact logins (PostgreSQL's text equality), emails in any case: several rows may answer one login.
      userQuery: 'SELECT * FROM members WHERE login = $1 OR lower(email) = lower($1)',
      columns: { id: 'id', passwordHash: 'pw_hash', salt: 'pw_salt', scheme: 'pw_algo', disabled: 'is_locked' },
      hash: {
        scheme: 'detect',
        saltPosition: 'prefix',
        unprefixed: { '40': 'salted-sha1' },
        names: {
          legacy_pbkdf2: {
            scheme: 'pbkdf2-custom',
            digest: 'sha256',
            pattern: '^(?<iterations>\\d+):(?<salt>[0-9a-f]+):(?<hash>[0-9a-f]+)$',
            saltEncoding: 'hex',
            hashEncoding: 'hex',
          },
        },
      },
      writeBack: { query: 'UPDATE members SET migrated_at = now() WHERE id = $1', url: writer },
      // Small pages, so the scan crosses several.
      listQuery: 'SELECT * FROM members WHERE ($1::bigint IS NULL OR id > $1::bigint) ORDER BY id LIMIT 7',
      countQuery: 'SELECT count(*) FROM members',
    },
    mapping: { legacyId: 'id', username: 'login', email: 'email', name: 'full_name' },
    async migratedAt(id) {
      const client = new pg.Client({ connectionString: server.adminUrl });
      await client.connect();
      const result = await client.query<{ migrated_at: unknown }>('SELECT migrated_at FROM members WHERE id = $1', [
        id,
      ]);
      await client.end();
      return result.rows[0]?.migrated_at;
    },
    stop: () => server.stop(),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// MariaDB: a WordPress database
// ---------------------------------------------------------------------------------------------------------------

interface WordPressRow extends FixtureUser {
  email: string;
  hash: string;
}

function wordPressRows(): WordPressRow[] {
  const rows: WordPressRow[] = [];
  const add = (username: string, password: string, hash: string, options: Partial<WordPressRow> = {}) => {
    rows.push({
      id: String(rows.length + 1),
      login: username,
      username,
      password,
      email: `${username.toLowerCase()}@blog.example`,
      hash,
      label: 'phpass',
      expect: { kind: 'migrates' },
      ...options,
    });
  };
  const wanda = pw('wanda');
  add('wanda', wanda, phpass(wanda));
  const walt = pw('walt');
  add('walt', walt, digestHex('md5', walt), { label: 'md5' });
  const wendy = pw('wendy');
  add('wendy', wendy, phpJsonIn<{ hash: string }>(WORDPRESS_68, { password: wendy, candidates: [] }).hash, {
    label: 'wordpress-bcrypt',
  });
  const will = pw('will');
  add('will', will, run('php', ['-r', 'echo password_hash($argv[1], PASSWORD_BCRYPT);', '--', will]), {
    label: 'bcrypt',
  });
  const yuri = pw('yuri');
  add('yuri', yuri, run('php', ['-r', 'echo password_hash($argv[1], PASSWORD_ARGON2ID);', '--', yuri]), {
    label: 'argon2id',
  });
  const xena = 'xénophon €';
  add('xena', xena, phpass(xena));
  // WordPress's collation folds case, so "wes" finds both; the password tells them apart.
  const wesUpper = pw('Wes');
  add('Wes', wesUpper, phpass(wesUpper), { email: 'wes.senior@blog.example' });
  const wesLower = pw('wes');
  add('wes', wesLower, phpass(wesLower), {
    email: 'wes.junior@blog.example',
    after: 'Wes',
    expect: { kind: 'chooses', field: 'username', value: 'wes.two' },
  });
  const wyatt = pw('wyatt');
  add('wyatt', wyatt, phpass(wyatt), { email: '', expect: { kind: 'rejected' } });
  return rows;
}

export interface MariaDbFixture {
  server: MariaDbServer;
  users: WordPressRow[];
  legacy: Record<string, unknown>;
  mapping: Record<string, unknown>;
  stop(): Promise<void>;
}

export async function startWordPressFixture(): Promise<MariaDbFixture> {
  const users = wordPressRows();
  const server = await startMariaDb();
  const admin = await mysql.createConnection(server.adminUrl);
  // WordPress's own table definition (wp-admin/includes/schema.php), with its collation.
  await admin.query(`CREATE TABLE wp_users (
    ID bigint(20) unsigned NOT NULL auto_increment,
    user_login varchar(60) NOT NULL default '',
    user_pass varchar(255) NOT NULL default '',
    user_nicename varchar(50) NOT NULL default '',
    user_email varchar(100) NOT NULL default '',
    user_url varchar(100) NOT NULL default '',
    user_registered datetime NOT NULL default '0000-00-00 00:00:00',
    user_activation_key varchar(255) NOT NULL default '',
    user_status int(11) NOT NULL default '0',
    display_name varchar(250) NOT NULL default '',
    PRIMARY KEY  (ID),
    KEY user_login_key (user_login),
    KEY user_nicename (user_nicename),
    KEY user_email (user_email)
  ) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci`);
  for (const u of users) {
    await admin.execute(
      `INSERT INTO wp_users (ID, user_login, user_pass, user_nicename, user_email, user_registered, display_name)
       VALUES (?, ?, ?, ?, ?, NOW(), ?)`,
      [u.id, u.username, u.hash, u.username.toLowerCase(), u.email, `${u.username} Blogger`],
    );
  }
  await admin.end();
  return {
    server,
    users,
    legacy: {
      kind: 'sql',
      source: 'blog',
      url: server.url,
      userQuery:
        'SELECT ID, user_login, user_email, user_pass, display_name FROM wp_users ' +
        'WHERE user_login = :login OR user_email = :login',
      columns: { id: 'ID', passwordHash: 'user_pass' },
      hash: { scheme: 'wordpress' },
      listQuery:
        'SELECT ID, user_login, user_email, user_pass, display_name FROM wp_users ' +
        'WHERE (:after IS NULL OR ID > CAST(:after AS UNSIGNED)) ORDER BY ID LIMIT 4',
      countQuery: 'SELECT count(*) FROM wp_users',
    },
    mapping: { legacyId: 'ID', username: 'user_login', email: 'user_email', name: 'display_name' },
    stop: () => server.stop(),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// OpenLDAP with the password-policy overlay and groups
// ---------------------------------------------------------------------------------------------------------------

export interface DirectoryUser extends FixtureUser {
  /** Group names the profile must carry (direct and through nesting). */
  groups: string[];
}

export interface OpenLdapFixture {
  server: OpenLdapServer;
  users: DirectoryUser[];
  /** The uid both Leas answer to: the directory cannot say which is meant, and neither can the IdP. */
  ambiguous: { login: string; password: string };
  legacy: Record<string, unknown>;
  mapping: Record<string, unknown>;
  stop(): Promise<void>;
}

export async function startDirectoryFixture(): Promise<OpenLdapFixture> {
  const server = await startOpenLdap({
    ppolicy: { useLockout: true, policy: { pwdLockout: true, pwdMaxFailure: 5 } },
    hashReader: true,
  });
  const policy = (name: string) => `cn=${name},${server.policiesDn}`;
  const users: DirectoryUser[] = [];
  const ldif: string[] = [
    `dn: ${policy('expiring')}\nobjectClass: applicationProcess\nobjectClass: pwdPolicy\ncn: expiring\n` +
      'pwdAttribute: userPassword\npwdMaxAge: 86400',
    `dn: ${policy('must-change')}\nobjectClass: applicationProcess\nobjectClass: pwdPolicy\ncn: must-change\n` +
      'pwdAttribute: userPassword\npwdMustChange: TRUE',
  ];
  const person = (
    uid: string,
    password: string,
    userPassword: string,
    options: Partial<DirectoryUser> & { extra?: string[]; mail?: string; parent?: string } = {},
  ) => {
    const { extra = [], mail = `${uid.toLowerCase()}@directory.example`, parent = server.usersDn, ...rest } = options;
    users.push({
      id: '',
      login: uid,
      username: uid,
      password,
      groups: [],
      expect: { kind: 'migrates' },
      ...rest,
    });
    ldif.push(
      [
        `dn: uid=${uid},${parent}`,
        'objectClass: inetOrgPerson',
        `uid: ${uid}`,
        `cn: ${uid} Directory`,
        'sn: Directory',
        `mail: ${mail}`,
        `userPassword: ${userPassword}`,
        ...extra,
      ].join('\n'),
    );
  };
  const contractorsDn = `ou=contractors,${server.usersDn}`;
  const slappasswd = (scheme: string, password: string) => run('slappasswd', ['-h', scheme, '-s', password]);

  const lars = pw('lars');
  person('lars', lars, slappasswd('{SSHA}', lars), { groups: ['employees', 'staff'], label: 'ldap-ssha' });
  const lina = pw('lina');
  person('lina', lina, `{CRYPT}${run('openssl', ['passwd', '-6', lina])}`, {
    groups: ['support'],
    label: 'sha512-crypt',
  });
  const ludwig = pw('ludwig');
  person('ludwig', ludwig, slappasswd('{MD5}', ludwig), { label: 'ldap-md5' });
  // Locked by an admin: with ppolicy_use_lockout the directory says so to anyone, right password or not.
  const leon = pw('leon');
  person('leon', leon, slappasswd('{SSHA}', leon), {
    extra: ['pwdAccountLockedTime: 000001010000Z'],
    label: 'ldap-ssha',
    expect: { kind: 'disabled' },
    disabledWhateverPassword: true,
  });
  // Expired: the directory says so only to whoever knows the password.
  const lotte = pw('lotte');
  person('lotte', lotte, slappasswd('{SSHA}', lotte), {
    extra: [`pwdPolicySubentry: ${policy('expiring')}`, 'pwdChangedTime: 20000101000000Z'],
    label: 'ldap-ssha',
    expect: { kind: 'disabled' },
  });
  // Reset by an admin, to be changed at the next bind: not the user's own password yet.
  const lukas = pw('lukas');
  person('lukas', lukas, slappasswd('{SSHA}', lukas), {
    extra: [`pwdPolicySubentry: ${policy('must-change')}`, 'pwdReset: TRUE'],
    label: 'ldap-ssha',
    expect: { kind: 'disabled' },
  });
  const lorenz = pw('lorenz');
  person('lorenz', lorenz, slappasswd('{SSHA}', lorenz), {
    extra: ['employeeType: disabled'],
    label: 'ldap-ssha',
    expect: { kind: 'disabled' },
  });
  // uid compares without case in LDAP: "lea" names both, so each signs in with her email (see below).
  const leaUpper = pw('Lea');
  person('Lea', leaUpper, slappasswd('{SSHA}', leaUpper), { mail: 'lea.one@directory.example', label: 'ldap-ssha' });
  const leaLower = pw('lea');
  // Both can exist only in different branches: a DN's uid compares without case too.
  ldif.push(`dn: ${contractorsDn}\nobjectClass: organizationalUnit\nou: contractors`);
  person('lea', leaLower, slappasswd('{SSHA}', leaLower), {
    parent: contractorsDn,
    mail: 'lea.two@directory.example',
    label: 'ldap-ssha',
    after: 'Lea',
    expect: { kind: 'chooses', field: 'username', value: 'lea.two' },
  });
  for (const user of users) {
    if (user.username === 'Lea') user.login = 'lea.one@directory.example';
    if (user.username === 'lea') user.login = 'lea.two@directory.example';
  }

  const group = (cn: string, objectClass: 'groupOfNames' | 'groupOfUniqueNames', members: string[]) =>
    [
      `dn: cn=${cn},${server.groupsDn}`,
      `objectClass: ${objectClass}`,
      `cn: ${cn}`,
      ...members.map((dn) => `${objectClass === 'groupOfNames' ? 'member' : 'uniqueMember'}: ${dn}`),
    ].join('\n');
  const userDn = (uid: string) => `uid=${uid},${server.usersDn}`;
  ldif.push(
    group('staff', 'groupOfNames', [userDn('lars')]),
    group('employees', 'groupOfNames', [`cn=staff,${server.groupsDn}`]),
    group('support', 'groupOfUniqueNames', [userDn('lina')]),
  );
  await addEntries(server, ldif.join('\n\n'), { relax: true });

  // entryUUIDs, the stable ids, as the directory made them.
  const admin = new Client({ url: server.url });
  await admin.bind(server.adminDn, server.adminPassword);
  for (const user of users) {
    const dn = user.username === 'lea' ? `uid=lea,${contractorsDn}` : userDn(user.username);
    const { searchEntries } = await admin.search(dn, { scope: 'base', attributes: ['entryUUID'] });
    user.id = String(searchEntries[0]?.entryUUID);
  }
  await admin.unbind();
  return {
    server,
    users,
    ambiguous: { login: 'LEA', password: leaUpper },
    legacy: {
      kind: 'ldap',
      source: 'directory',
      url: server.url,
      startTls: true,
      caFile: server.caFile,
      bindDn: server.serviceDn,
      bindPassword: server.servicePassword,
      searchBase: server.usersDn,
      // A lock set by an admin is counted as disabled by listings too (a bind finds it anyway).
      disabledFilter: '(|(employeeType=disabled)(pwdAccountLockedTime=*))',
      groups: { searchBase: server.groupsDn, nested: true },
      hashReader: { bindDn: server.hashReader?.dn, bindPassword: server.hashReader?.password },
    },
    mapping: {
      legacyId: 'entryUUID',
      username: 'uid',
      email: 'mail',
      name: 'cn',
      roles: { path: 'groups', map: { staff: 'staff', employees: 'employee', support: 'support' } },
    },
    stop: () => server.stop(),
  };
}
