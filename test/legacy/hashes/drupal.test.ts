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
  verifyWith,
} from './reference-tools.js';

const DRUPAL7 = options({ scheme: 'drupal7' });

/**
 * No Debian package ships Drupal 7 here, so the reference is PHP ported line for line from Drupal 7's
 * includes/password.inc (drupal/drupal, branch 7.x): _password_itoa64, _password_base64_encode,
 * _password_crypt (with DRUPAL_MAX_PASSWORD_LENGTH), user_hash_password and user_check_password, run by PHP, so it
 * shares nothing with the TypeScript under test. Passwords are trimmed as Drupal's login form and user_save trim
 * them; `U$` hashes are made as user_update_7000 made them, over the Drupal 6 md5 of the password.
 */
const DRUPAL_PASSWORD_INC = `
function _password_itoa64() { return './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'; }
function _password_base64_encode($input, $count) {
  $output = ''; $i = 0; $itoa64 = _password_itoa64();
  do {
    $value = ord($input[$i++]);
    $output .= $itoa64[$value & 0x3f];
    if ($i < $count) { $value |= ord($input[$i]) << 8; }
    $output .= $itoa64[($value >> 6) & 0x3f];
    if ($i++ >= $count) { break; }
    if ($i < $count) { $value |= ord($input[$i]) << 16; }
    $output .= $itoa64[($value >> 12) & 0x3f];
    if ($i++ >= $count) { break; }
    $output .= $itoa64[($value >> 18) & 0x3f];
  } while ($i < $count);
  return $output;
}
function _password_generate_salt($count_log2, $type) {
  $itoa64 = _password_itoa64();
  return $type . $itoa64[$count_log2] . _password_base64_encode(random_bytes(6), 6);
}
function _password_crypt($algo, $password, $setting) {
  if (strlen($password) > 512) { return FALSE; }
  $setting = substr($setting, 0, 12);
  if ($setting[0] != '$' || $setting[2] != '$') { return FALSE; }
  $count_log2 = strpos(_password_itoa64(), $setting[3]);
  if ($count_log2 < 7 || $count_log2 > 30) { return FALSE; }
  $salt = substr($setting, 4, 8);
  if (strlen($salt) != 8) { return FALSE; }
  $count = 1 << $count_log2;
  $hash = hash($algo, $salt . $password, TRUE);
  do { $hash = hash($algo, $hash . $password, TRUE); } while (--$count);
  $len = strlen($hash);
  $output = $setting . _password_base64_encode($hash, $len);
  $expected = 12 + ceil((8 * $len) / 6);
  return (strlen($output) == $expected) ? substr($output, 0, 55) : FALSE;
}
function user_hash_password($password, $count_log2) {
  return _password_crypt('sha512', $password, _password_generate_salt($count_log2, '$S$'));
}
function user_check_password($password, $account) {
  if (substr($account->pass, 0, 2) == 'U$') {
    $stored_hash = substr($account->pass, 1);
    $password = md5($password);
  }
  else {
    $stored_hash = $account->pass;
  }
  $type = substr($stored_hash, 0, 3);
  switch ($type) {
    case '$S$':
      $hash = _password_crypt('sha512', $password, $stored_hash);
      break;
    case '$H$':
    case '$P$':
      $hash = _password_crypt('md5', $password, $stored_hash);
      break;
    default:
      return FALSE;
  }
  return ($hash && $stored_hash == $hash);
}
$password = trim($in["password"]);
$hashes = [
  "S" => user_hash_password($password, 7),
  "S9" => user_hash_password($password, 9),
  "U" => 'U' . user_hash_password(md5($password), 7),
  "P" => _password_crypt('md5', $password, _password_generate_salt(8, '$P$')),
  "H" => _password_crypt('md5', $password, _password_generate_salt(7, '$H$')),
  "UP" => 'U' . _password_crypt('md5', md5($password), _password_generate_salt(7, '$P$')),
];
$out = [];
foreach ($hashes as $name => $hash) {
  $account = (object) ["pass" => $hash];
  $out[] = ["name" => $name, "hash" => $hash,
            "says" => array_map(fn($c) => user_check_password(trim($c), $account), $in["candidates"])];
}
echo json_encode($out);
`;

type Made = { name: string; hash: string; says: boolean[] }[];

describe('Drupal 7', () => {
  it("judges $S$, U$, $P$ and $H$ hashes as Drupal 7's user_check_password does", requires('php'), async () => {
    const password = 'pässwörd €';
    const candidates = [password, ` ${password}\n`, `\0${password}`, `${password}\u00a0`, 'pässwörd', ''];
    const made = phpJsonIn<Made>(DRUPAL_PASSWORD_INC, { password, candidates });
    assert.equal(made.length, 6);
    for (const { name, hash, says } of made) {
      assert.deepEqual(says, [true, true, true, false, false, false], name);
      for (const [index, candidate] of candidates.entries()) {
        const expected = says[index] === true ? MATCH : MISMATCH;
        assert.deepEqual(await verifyWith(candidate, hash, DRUPAL7), expected, `${name}, candidate ${index}`);
      }
    }
    const labels = made.map(({ hash }) => labelOf(hash, DRUPAL7));
    assert.deepEqual(labels, ['drupal7', 'drupal7', 'drupal7-upgraded', 'phpass', 'phpass', 'drupal7-upgraded']);
  });

  it('refuses passwords above 512 bytes except behind U$, as Drupal does', requires('php'), async () => {
    for (const length of [512, 600]) {
      const password = 'd'.repeat(length);
      const made = phpJsonIn<{ name: string; hash: string | false; says: boolean[] }[]>(DRUPAL_PASSWORD_INC, {
        password,
        candidates: [password],
      });
      for (const { name, hash, says } of made) {
        // Above 512 bytes Drupal cannot even hash the password, except over its md5 (U$).
        const usable = length === 512 || name.startsWith('U');
        assert.equal(hash !== false, usable, `${name} at ${length}`);
        if (hash === false) continue;
        assert.deepEqual(says, [true], name);
        assert.deepEqual(await verifyWith(password, hash, DRUPAL7), MATCH, `${name} at ${length}`);
      }
    }
    // A 600-byte password against a $S$ hash is refused by Drupal without hashing it, and so it is here.
    const made = phpJsonIn<Made>(DRUPAL_PASSWORD_INC, { password: 'correct horse', candidates: ['d'.repeat(600)] });
    for (const { hash, says } of made) {
      assert.deepEqual(says, [false]);
      assert.deepEqual(await verifyWith('d'.repeat(600), hash, DRUPAL7), MISMATCH);
    }
  });

  it('reads $S$ and U$ by detection', requires('php'), async () => {
    const made = phpJsonIn<Made>(DRUPAL_PASSWORD_INC, { password: 'correct horse', candidates: [] });
    for (const { name, hash } of made.filter((entry) => entry.name === 'S' || entry.name === 'U')) {
      await assertVerifies(hash, 'correct horse', 'drupal7', name === 'S' ? 'drupal7' : 'drupal7-upgraded');
    }
  });

  it('refuses malformed values and counts beyond the bound without running them', async () => {
    const digest = 'x'.repeat(43);
    const started = performance.now();
    for (const hash of [
      `$S$Szzzzzzzz${digest}`, // 2^30 rounds: valid for Drupal, beyond the bound
      `$S$3zzzzzzzz${digest}`, // 2^5: below Drupal's minimum
      `$S$Dzzzzzzzz${digest}xx`,
      `U$S$Dzzzzzzzz${digest.slice(1)}`,
      'U$1$abc',
      `$Q$Dzzzzzzzz${digest}`,
    ]) {
      assertUnsupported(await verifyWith('hunter2hunter2', hash, DRUPAL7), hash, 'hunter2hunter2');
    }
    assert.ok(performance.now() - started < 200);
  });
});
