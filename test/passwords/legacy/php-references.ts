import { WORDPRESS_DIR } from './reference-tools.js';

/**
 * Reference implementations in PHP, for schemes whose own software is not packaged here or needs a harness: each
 * reads \`$in\` (see phpJsonIn) and prints JSON. Shared by the hash tests and the legacy fixtures.
 */

/**
 * No Debian package ships Drupal 7 here, so the reference is PHP ported line for line from Drupal 7's
 * includes/password.inc (drupal/drupal, branch 7.x): _password_itoa64, _password_base64_encode,
 * _password_crypt (with DRUPAL_MAX_PASSWORD_LENGTH), user_hash_password and user_check_password, run by PHP, so it
 * shares nothing with the TypeScript under test. Passwords are trimmed as Drupal's login form and user_save trim
 * them; `U$` hashes are made as user_update_7000 made them, over the Drupal 6 md5 of the password.
 */
export const DRUPAL_PASSWORD_INC = `
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

/**
 * WordPress's own code from Debian's wordpress package (6.1.9): wp-includes/pluggable.php and class-phpass.php,
 * loaded with apply_filters stubbed. A sign-in goes through wp_authenticate, which trims the password before
 * wp_check_password, so that is what `says` reports: wp_check_password(trim(candidate), hash).
 */
export const WORDPRESS_OWN = `
define("ABSPATH", "${WORDPRESS_DIR}/"); define("WPINC", "wp-includes");
function apply_filters($tag, $value) { return $value; }
require ABSPATH . WPINC . "/pluggable.php";
$password = $in["password"];
$hashes = [
  "wp_hash_password" => wp_hash_password($password),
  "md5" => md5(trim($password)),
  "password_hash bcrypt" => password_hash(trim($password), PASSWORD_BCRYPT, ["cost" => 4]),
  "crypt sha512" => crypt(trim($password), '$6$rounds=5000$wpsaltwpsalt$'),
  "crypt md5" => crypt(trim($password), '$1$wpsalt12$'),
];
$out = [];
foreach ($hashes as $name => $hash) {
  $out[] = ["name" => $name, "hash" => $hash,
            "says" => array_map(fn($c) => wp_check_password(trim($c), $hash), $in["candidates"])];
}
echo json_encode($out);
`;

/**
 * WordPress 6.8's \`$wp\` hashes (6.8 is not packaged here): the expressions of 6.8's wp_hash_password and
 * wp_check_password (WordPress/WordPress, wp-includes/pluggable.php) built from PHP's own hash_hmac, password_hash
 * and password_verify, with the trim of wp_hash_password and wp_authenticate and the 4096-byte limit.
 */
export const WORDPRESS_68 = `
$prehash = base64_encode(hash_hmac("sha384", trim($in["password"]), "wp-sha384", true));
$hash = '$wp' . password_hash($prehash, PASSWORD_BCRYPT, ["cost" => 4]);
$check = function ($password) use ($hash) {
  $password = trim($password);
  if (strlen($password) > 4096) return false;
  return password_verify(base64_encode(hash_hmac("sha384", $password, "wp-sha384", true)), substr($hash, 3));
};
echo json_encode(["hash" => $hash, "says" => array_map($check, $in["candidates"])]);
`;
