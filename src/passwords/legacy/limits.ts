/**
 * Upper bounds on the work one verification may cost. A stored hash comes from a legacy database or directory the
 * IdP does not control: a corrupt or planted one with an absurd cost would tie up a hashing thread for minutes
 * (and argon2/scrypt would allocate gigabytes), so anything beyond these is refused as unsupported.
 */

export const MAX_BCRYPT_COST = 16;

/** argon2 `m` is in KiB: 1 GiB. */
export const MAX_ARGON2_MEMORY_KIB = 1024 * 1024;
export const MAX_ARGON2_TIME_COST = 64;
/** Each lane may become a thread in libargon2. */
export const MAX_ARGON2_PARALLELISM = 16;

/** scrypt N = 2^ln; with r = 8 that is 1 GiB, the same memory bound as argon2. */
export const MAX_SCRYPT_LOG2_N = 20;
export const MAX_SCRYPT_MEMORY_BYTES = 1024 * 1024 * 1024;
export const MAX_SCRYPT_BLOCK_SIZE = 32;
export const MAX_SCRYPT_PARALLELISM = 16;

export const MAX_PBKDF2_ITERATIONS = 10_000_000;
export const MAX_SHA_CRYPT_ROUNDS = 10_000_000;
/** phpass runs 2^n MD5s (Drupal 7 2^n SHA-512s); 2^23 is the order of the 10 million iterations allowed elsewhere. */
export const MAX_PHPASS_LOG2_COUNT = 23;

/**
 * sha-crypt hashes the password length² bytes and phpass hashes it once per iteration, so a huge password (a sign-in
 * body may be hundreds of KiB) is itself a cost. 4096 bytes holds any password of the 1024 characters the IdP accepts
 * at registration; a longer one cannot be a legacy user's real password and is treated as a wrong one.
 */
export const MAX_PASSWORD_BYTES = 4096;

/**
 * No stored format the IdP reads comes near 1024 characters; a longer value is damage, and refusing it up front
 * keeps the scan over a whole store cheap (no pattern runs over megabytes).
 */
export const MAX_HASH_CHARS = 1024;

/**
 * The shortest derived key accepted where the format does not fix the length (scrypt, home-made PBKDF2): a
 * shorter one is more likely a damaged value than a choice, and would make a match much cheaper to find.
 */
export const MIN_DERIVED_KEY_BYTES = 16;
export const MAX_DERIVED_KEY_BYTES = 1024;
