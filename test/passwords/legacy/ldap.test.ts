import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  assertUnsupported,
  assertVerifies,
  MATCH,
  MISMATCH,
  python,
  requires,
  run,
  verify,
} from './reference-tools.js';

const PASSWORDS = ['correct horse', 'pässwörd €'];

function slappasswd(scheme: string, password: string, cryptFormat?: string): string {
  return run('slappasswd', ['-h', scheme, ...(cryptFormat === undefined ? [] : ['-c', cryptFormat]), '-s', password]);
}

describe('LDAP userPassword', () => {
  it('verifies {SSHA}, {SHA}, {SMD5} and {MD5} from slappasswd', requires('slappasswd'), async () => {
    for (const [scheme, label] of [
      ['{SSHA}', 'ldap-ssha'],
      ['{SHA}', 'ldap-sha'],
      ['{SMD5}', 'ldap-smd5'],
      ['{MD5}', 'ldap-md5'],
    ] as const) {
      for (const password of PASSWORDS) {
        const hash = slappasswd(scheme, password);
        assert.ok(hash.startsWith(scheme));
        await assertVerifies(hash, password, 'ldap', label);
      }
    }
  });

  it('reads the scheme label case-insensitively', requires('slappasswd'), async () => {
    const hash = slappasswd('{SSHA}', 'correct horse');
    assert.deepEqual(await verify('correct horse', hash.replace('{SSHA}', '{ssha}'), 'ldap'), MATCH);
    assert.deepEqual(await verify('correct horse', hash.replace('{SSHA}', '{SsHa}')), MATCH);
    assert.deepEqual(await verify('wrong horse', hash.replace('{SSHA}', '{ssha}')), MISMATCH);
  });

  it('verifies {CRYPT} around $6$, $5$, $1$ and $2b$ from slappasswd', requires('slappasswd'), async () => {
    for (const format of ['$6$%.16s', '$5$%.16s', '$1$%.8s', '$2b$05$%.22s']) {
      for (const password of PASSWORDS) {
        const hash = slappasswd('{CRYPT}', password, format);
        assert.ok(hash.startsWith(`{CRYPT}${format.slice(0, 3)}`));
        await assertVerifies(hash, password, 'ldap');
        await assertVerifies(hash.replace('{CRYPT}', '{crypt}'), password, 'ldap');
      }
    }
  });

  it('reports {CRYPT} traditional DES as unsupported, saying so', requires('slappasswd'), async () => {
    const hash = slappasswd('{CRYPT}', 'secret12', '%.2s');
    assert.match(hash, /^\{CRYPT\}[./0-9A-Za-z]{13}$/);
    assert.match(assertUnsupported(await verify('secret12', hash), hash, 'secret12'), /DES/);
  });

  it('verifies {SSHA256} and {SSHA512} from passlib', requires('passlib'), async () => {
    for (const handler of ['ldap_salted_sha256', 'ldap_salted_sha512']) {
      for (const password of PASSWORDS) {
        await assertVerifies(python(`print(h.${handler}.hash(sys.argv[1]))`, password), password, 'ldap');
      }
    }
  });

  it('verifies {SHA256}, {SHA384}, {SHA512} and {SSHA384} built with hashlib', requires('passlib'), async () => {
    const code = [
      'pw = sys.argv[1].encode(); salt = b"\\x00\\xffsalt!"',
      'for name in ("sha256", "sha384", "sha512"):',
      '    print("{" + name.upper() + "}" + base64.b64encode(hashlib.new(name, pw).digest()).decode())',
      'print("{SSHA384}" + base64.b64encode(hashlib.sha384(pw + salt).digest() + salt).decode())',
    ].join('\n');
    for (const password of PASSWORDS) {
      const hashes = python(code, password).split('\n');
      assert.equal(hashes.length, 4);
      for (const hash of hashes) await assertVerifies(hash, password, 'ldap');
    }
  });

  it('verifies {PBKDF2}, {PBKDF2-SHA256} and {PBKDF2-SHA512} from passlib', requires('passlib'), async () => {
    for (const handler of ['ldap_pbkdf2_sha1', 'ldap_pbkdf2_sha256', 'ldap_pbkdf2_sha512']) {
      const hash = python(`print(h.${handler}.using(rounds=2000).hash(sys.argv[1]))`, 'correct horse');
      await assertVerifies(hash, 'correct horse', 'ldap');
    }
  });

  it("verifies Atlassian's {PKCS5S2} from passlib", requires('passlib'), async () => {
    for (const password of PASSWORDS) {
      const hash = python('print(h.atlassian_pbkdf2_sha1.hash(sys.argv[1]))', password);
      assert.ok(hash.startsWith('{PKCS5S2}'));
      await assertVerifies(hash, password, 'ldap', 'atlassian-pbkdf2-sha1');
    }
  });

  it('verifies {ARGON2} (OpenLDAP pw-argon2 form) around an argon2 CLI hash', requires('argon2'), async () => {
    const hash = `{ARGON2}${run('argon2', ['somesaltsomesalt', '-id', '-t', '2', '-m', '10', '-p', '1', '-e'], 'correct horse')}`;
    await assertVerifies(hash, 'correct horse', 'ldap');
  });

  it(
    'refuses base64 whose unused bits are set (non-canonical) instead of reading it loosely',
    requires('slappasswd'),
    async () => {
      const hash = slappasswd('{SHA}', 'correct horse');
      // 20 bytes take 27 characters with 2 bits unused in the last one; set them without changing the digest.
      const last = hash.at(-2) ?? '';
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
      const loose = `${hash.slice(0, -2)}${alphabet.charAt(alphabet.indexOf(last) | 1)}=`;
      assert.notEqual(loose, hash);
      assert.deepEqual(Buffer.from(loose.slice(5), 'base64'), Buffer.from(hash.slice(5), 'base64'));
      assertUnsupported(await verify('correct horse', loose), loose, 'correct horse');
    },
  );

  it('reports cleartext and unknown schemes as unsupported', async () => {
    for (const hash of ['{CLEARTEXT}hunter2hunter2', '{PLAIN}hunter2hunter2', '{NOPE}aGVsbG8=', '{}x', '{SSHA}']) {
      assertUnsupported(await verify('hunter2hunter2', hash), hash, 'hunter2hunter2');
      assertUnsupported(await verify('hunter2hunter2', hash, 'ldap'), hash, 'hunter2hunter2');
    }
  });
});
