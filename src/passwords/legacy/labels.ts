/**
 * The names under which reports group stored hashes, shown to operators: one fixed vocabulary, whatever scheme
 * option led to the hash. A label says what the stored value is (a Django envelope is told from the bare algorithm,
 * a salted digest from an unsalted one); each comes with the line an operator reads beside it.
 */

const HMAC_DIGESTS = ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'] as const;
/** The hashlib digests Werkzeug hashes are verified with (PBKDF2, HMAC, plain). */
export type WerkzeugDigest = (typeof HMAC_DIGESTS)[number];
export const WERKZEUG_DIGESTS: readonly WerkzeugDigest[] = HMAC_DIGESTS;

function werkzeugLabels<const P extends string>(prefix: P, describe: (digest: string) => string) {
  return Object.fromEntries(HMAC_DIGESTS.map((digest) => [`${prefix}${digest}`, describe(digest)])) as Record<
    `${P}${WerkzeugDigest}`,
    string
  >;
}

export const HASH_LABELS = {
  bcrypt: 'bcrypt ($2a$, $2b$, $2y$); only the first 72 bytes of a password count',
  'wordpress-bcrypt': 'WordPress 6.8+ $wp$: bcrypt over base64 of HMAC-SHA384 (key "wp-sha384") of the password',
  'django-bcrypt': 'Django bcrypt$: bcrypt of the password',
  'django-bcrypt-sha256': 'Django bcrypt_sha256$: bcrypt of the hex SHA-256 of the password',
  argon2id: 'argon2id PHC string ($argon2id$)',
  argon2i: 'argon2i PHC string ($argon2i$)',
  argon2d: 'argon2d PHC string ($argon2d$)',
  'django-argon2': 'Django argon2$: an argon2 PHC string behind the prefix',
  scrypt: 'scrypt in passlib form ($scrypt$ln=…,r=…,p=…$salt$key)',
  'crypt-scrypt': 'scrypt in crypt(3) form ($7$, libxcrypt)',
  'django-scrypt': 'Django 4+ scrypt$N$salt$r$p$key',
  'werkzeug-scrypt': 'Werkzeug 2.3+ scrypt:N:r:p$salt$hex',
  yescrypt: 'yescrypt ($y$, libxcrypt; Debian and Fedora /etc/shadow)',
  'pbkdf2-sha1': 'PBKDF2-HMAC-SHA1 in passlib form ($pbkdf2$)',
  'pbkdf2-sha256': 'PBKDF2-HMAC-SHA256 in passlib form ($pbkdf2-sha256$)',
  'pbkdf2-sha512': 'PBKDF2-HMAC-SHA512 in passlib form ($pbkdf2-sha512$)',
  'atlassian-pbkdf2-sha1': 'Atlassian {PKCS5S2}: PBKDF2-HMAC-SHA1, 10000 iterations',
  'django-pbkdf2-sha256': 'Django pbkdf2_sha256$iterations$salt$key',
  'django-pbkdf2-sha1': 'Django pbkdf2_sha1$iterations$salt$key',
  ...werkzeugLabels('werkzeug-pbkdf2-', (digest) => `Werkzeug pbkdf2:${digest}:iterations$salt$hex`),
  ...werkzeugLabels('werkzeug-hmac-', (digest) => `Werkzeug before 2.3: ${digest}$salt$hex, HMAC keyed by the salt`),
  ...werkzeugLabels('werkzeug-', (digest) => `Werkzeug before 2.3: ${digest}$$hex, the unsalted digest`),
  'pbkdf2-custom': 'PBKDF2 in a home-made form, read as configured (digest, iterations, encodings, pattern)',
  'sha512-crypt': 'SHA-512-crypt ($6$)',
  'sha256-crypt': 'SHA-256-crypt ($5$)',
  'md5-crypt': 'MD5-crypt ($1$)',
  apr1: 'Apache MD5 ($apr1$, htpasswd)',
  phpass: 'phpass portable hash ($P$ WordPress before 6.8 and Drupal imports, $H$ phpBB)',
  drupal7: 'Drupal 7 $S$ (SHA-512 phpass, 55 characters)',
  'drupal7-upgraded': 'Drupal 7 U$…: a Drupal 6 MD5 rehashed, verified over the MD5 of the password',
  md5: 'unsalted MD5 digest (hex or base64)',
  sha1: 'unsalted SHA-1 digest (hex or base64)',
  sha256: 'unsalted SHA-256 digest (hex or base64)',
  sha512: 'unsalted SHA-512 digest (hex or base64)',
  'salted-md5': 'MD5 of the password with a salt before or after it',
  'salted-sha1': 'SHA-1 of the password with a salt before or after it',
  'salted-sha256': 'SHA-256 of the password with a salt before or after it',
  'salted-sha512': 'SHA-512 of the password with a salt before or after it',
  'django-md5': 'Django md5$salt$hex: MD5 of salt + password',
  'django-sha1': 'Django sha1$salt$hex: SHA-1 of salt + password',
  'django-unsalted-md5': 'Django unsalted MD5 (32 hex characters, or md5$$hex)',
  'django-unsalted-sha1': 'Django unsalted SHA-1 (sha1$$hex)',
  'django-crypt': 'Django crypt$salt$hash: a crypt(3) hash behind the prefix',
  'ldap-md5': 'LDAP {MD5}: base64 of the MD5 of the password',
  'ldap-smd5': 'LDAP {SMD5}: base64 of MD5(password + salt) and the salt',
  'ldap-sha': 'LDAP {SHA}: base64 of the SHA-1 of the password',
  'ldap-ssha': 'LDAP {SSHA}: base64 of SHA-1(password + salt) and the salt',
  'ldap-sha256': 'LDAP {SHA256}: base64 of the SHA-256 of the password',
  'ldap-ssha256': 'LDAP {SSHA256}: base64 of SHA-256(password + salt) and the salt',
  'ldap-sha384': 'LDAP {SHA384}: base64 of the SHA-384 of the password',
  'ldap-ssha384': 'LDAP {SSHA384}: base64 of SHA-384(password + salt) and the salt',
  'ldap-sha512': 'LDAP {SHA512}: base64 of the SHA-512 of the password',
  'ldap-ssha512': 'LDAP {SSHA512}: base64 of SHA-512(password + salt) and the salt',
} as const;

export type HashLabel = keyof typeof HASH_LABELS;
