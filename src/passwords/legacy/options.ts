import type { DigestAlgorithm } from './digests.js';
import type { MAX_PBKDF2_ITERATIONS } from './limits.js';
import type { HASH_OPTION_DIGESTS, MAX_OPTION_PBKDF2_ITERATIONS } from '../../config/hash-options-schema.js';

/**
 * How a legacy store's hashes are to be read. The schema is part of the configuration and lives in
 * src/config/hash-options-schema.ts (the configuration imports nothing from here); the hashing code reads it here.
 */
export {
  legacyHashSchemes,
  saltedDigestSchemes,
  UNPREFIXED_LENGTHS,
  legacyHashOptionFields,
  legacyHashOptionsSchema,
  partialLegacyHashOptionsSchema,
  type LegacyHashScheme,
  type SaltedDigestScheme,
  type LegacyHashOptions,
  type PartialLegacyHashOptions,
} from '../../config/hash-options-schema.js';

// The configuration names its bounds without importing the hashing code; this fails to compile if the two disagree.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<T extends true> = T;
export type ConfigurationAgreesWithHashing = [
  Holds<Same<(typeof HASH_OPTION_DIGESTS)[number], DigestAlgorithm>>,
  Holds<Same<typeof MAX_OPTION_PBKDF2_ITERATIONS, typeof MAX_PBKDF2_ITERATIONS>>,
];
