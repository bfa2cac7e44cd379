import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  assertUnsupported,
  assertVerifies,
  labelOf,
  MATCH,
  MISMATCH,
  options,
  phpJsonIn,
  requires,
  verify,
  verifyWith,
} from './reference-tools.js';
import { WORDPRESS_68, WORDPRESS_OWN } from './php-references.js';

const WORDPRESS = options({ scheme: 'wordpress' });

/**
 * Candidate passwords for a stored "pässwörd €": blanks PHP's trim() removes (and one it does not), other
 * passwords, and lengths around WordPress's 4096-byte limit.
 */
function candidatesFor(password: string): string[] {
  return [
    password,
    ` ${password}\t\n`,
    `\0${password}\x0B`,
    `${password}\u00a0`,
    password.toUpperCase(),
    `${password}x`,
    '',
  ];
}

describe('WordPress', () => {
  it("judges what WordPress's own wp_check_password judges, after its trim", requires('wordpress'), async () => {
    const password = ' pässwörd € ';
    const long = 'w'.repeat(4096);
    const candidates = [...candidatesFor(password.trim()), long, `${long}w`];
    type Made = { name: string; hash: string; says: boolean[] }[];
    const made = phpJsonIn<Made>(WORDPRESS_OWN, { password, candidates });
    assert.equal(made.length, 5);
    for (const { name, hash, says } of made) {
      // The trimmed password matches, in every branch; the non-PHP blank (NBSP) does not count as one.
      assert.deepEqual(says.slice(0, 4), [true, true, true, false], name);
      for (const [index, candidate] of candidates.entries()) {
        const expected = says[index] === true ? MATCH : MISMATCH;
        assert.deepEqual(await verifyAs(candidate, hash), expected, `${name}, candidate ${index}`);
      }
    }
    const labels = made.map(({ hash }) => labelOf(hash, WORDPRESS));
    assert.deepEqual(labels, ['phpass', 'md5', 'bcrypt', 'sha512-crypt', 'md5-crypt']);
  });

  it('takes passwords beyond 4096 bytes for MD5 values only, as WordPress does', requires('wordpress'), async () => {
    const long = 'w'.repeat(5000);
    const made = phpJsonIn<{ name: string; hash: string; says: boolean[] }[]>(WORDPRESS_OWN, {
      password: long,
      candidates: [long],
    });
    const says = Object.fromEntries(made.map(({ name, says: [first] }) => [name, first]));
    assert.deepEqual(says, {
      wp_hash_password: false, // phpass refused to hash it: '*'
      md5: true,
      'password_hash bcrypt': false,
      'crypt sha512': false,
      'crypt md5': false,
    });
    const md5 = made.find(({ name }) => name === 'md5')?.hash ?? '';
    assert.deepEqual(await verifyAs(long, md5), MATCH);
    const bcrypt = made.find(({ name }) => name === 'password_hash bcrypt')?.hash ?? '';
    assert.deepEqual(await verifyAs(long, bcrypt), MISMATCH);
  });

  it('verifies 6.8 $wp$ hashes, which are not cut at 72 bytes', requires('php'), async () => {
    for (const password of ['pässwörd €', 'z'.repeat(100)]) {
      const candidates = [...candidatesFor(password), 'z'.repeat(72), 'z'.repeat(4097)];
      const { hash, says } = phpJsonIn<{ hash: string; says: boolean[] }>(WORDPRESS_68, { password, candidates });
      assert.match(hash, /^\$wp\$2y\$04\$/);
      for (const [index, candidate] of candidates.entries()) {
        assert.deepEqual(await verifyAs(candidate, hash), says[index] === true ? MATCH : MISMATCH, `${index}`);
        // Detection reads $wp as WordPress, with the same trimming.
        assert.deepEqual(await verify(candidate, hash), says[index] === true ? MATCH : MISMATCH, `${index}`);
      }
      await assertVerifies(hash, password, 'wordpress', 'wordpress-bcrypt');
    }
  });

  it('verifies argon2 through password_verify, as 6.8 does for unprefixed hashes', requires('php-argon2'), async () => {
    const { hash, says } = phpJsonIn<{ hash: string; says: boolean[] }>(
      `$options = ["memory_cost" => 1024, "time_cost" => 1, "threads" => 1];
       $hash = password_hash($in["password"], PASSWORD_ARGON2ID, $options);
       echo json_encode(["hash" => $hash, "says" => array_map(fn($c) => password_verify(trim($c), $hash), $in["candidates"])]);`,
      { password: 'pässwörd €', candidates: candidatesFor('pässwörd €') },
    );
    for (const [index, candidate] of candidatesFor('pässwörd €').entries()) {
      assert.deepEqual(await verifyAs(candidate, hash), says[index] === true ? MATCH : MISMATCH, `${index}`);
    }
    assert.equal(labelOf(hash, WORDPRESS), 'argon2id');
  });

  it('refuses what WordPress could never match, saying why', async () => {
    for (const [hash, reason] of [
      ['5F4DCC3B5AA765D61D8327DEB882CF99', /MD5/],
      ['*', /MD5/],
      // 32 characters: WordPress compares it with an MD5 even though it is md5-crypt, so nothing ever matched.
      ['$1$wpsalt$2pWVVQAf0wlTQKZsGphxK/', /MD5/],
      ['$H$9z4uS3vyOkno6Gh4q7fxiry5N0puZ9/', /\$H\$/],
      ['$argon2d$v=19$m=4096,t=3,p=1$c29tZXNhbHRzb21lc2FsdA$eHdqZOi5lqtTrnKBquwZcE6+z2wYv2m3BzXfTUK929I', /argon2d/],
      ['$wp$6$saltsalt$' + 'x'.repeat(86), /\$wp/],
      ['not a WordPress hash but longer than thirty-two characters', /crypt/],
    ] as const) {
      const verdict = await verifyAs('hunter2hunter2', hash);
      assert.match(assertUnsupported(verdict, hash, 'hunter2hunter2'), reason, hash);
    }
  });
});

function verifyAs(password: string, hash: string) {
  return verifyWith(password, hash, WORDPRESS);
}
