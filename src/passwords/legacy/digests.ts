/** The plain digests the LDAP, salted-*, Werkzeug and PBKDF2 schemes are built on, with their output sizes. */
export const DIGEST_BYTES = { md5: 16, sha1: 20, sha224: 28, sha256: 32, sha384: 48, sha512: 64 } as const;
export type DigestAlgorithm = keyof typeof DIGEST_BYTES;
export const DIGEST_ALGORITHMS = Object.keys(DIGEST_BYTES) as readonly DigestAlgorithm[];

export function isDigestAlgorithm(name: string): name is DigestAlgorithm {
  return Object.hasOwn(DIGEST_BYTES, name);
}
