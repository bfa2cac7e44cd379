/** The plain digests the LDAP and salted-* schemes are built on, with their output sizes. */
export const DIGEST_BYTES = { md5: 16, sha1: 20, sha256: 32, sha384: 48, sha512: 64 } as const;
export type DigestAlgorithm = keyof typeof DIGEST_BYTES;
