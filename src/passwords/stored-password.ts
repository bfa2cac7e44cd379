import type { LegacyHashOptions } from './legacy/legacy-hash.js';

/**
 * What an account keeps of its password. Normally the IdP's own bcrypt format; after a bulk import possibly the
 * legacy system's hash (verified at the next sign-in, then replaced by bcrypt), or nothing at all (the user must
 * reset it).
 */
export type StoredPassword =
  | { kind: 'bcrypt'; hash: string }
  | { kind: 'legacy'; hash: string; options: LegacyHashOptions; salt?: string | undefined }
  | { kind: 'none' };
