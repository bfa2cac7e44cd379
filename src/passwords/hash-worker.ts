import { createRequire } from 'node:module';
import type * as LegacyHash from './legacy/legacy-hash.js';
import type { LegacyHashOptions } from './legacy/legacy-hash.js';
import type { LegacyHashVerdict } from './legacy/verdict.js';
import { decoyHashSync, hashPasswordSync, UnsupportedPasswordHashError, verifyPasswordSync } from './password-hash.js';
import { lowerWorkerThreadPriority } from './thread-priority.js';

lowerWorkerThreadPriority();

/** Errors lose their class crossing the thread boundary, so this outcome travels as a value. */
export const UNSUPPORTED_HASH = 'unsupported-hash';

/** One task for a hashing worker thread (see `password-hasher.ts`). */
export type HashTask =
  | { op: 'hash'; password: string; cost: number }
  | { op: 'verify'; password: string; hash: string }
  | { op: 'decoy'; cost: number }
  | { op: 'verify-legacy'; password: string; hash: string; options: LegacyHashOptions; salt?: string };

export type HashTaskResult = string | boolean | LegacyHashVerdict;

/**
 * The legacy schemes (argon2's native addon, scrypt, yescrypt, crypt …; about 16 MB a thread) load with the first
 * legacy hash: an IdP whose legacy system checks its own passwords (HTTP) never needs them. Loaded with require, which
 * reaches ES modules on the Node versions this runs on, because piscina loads this file that way under tsx too, where
 * a dynamic import() would miss tsx's resolution of `.js` to `.ts`.
 */
const legacySchemes = () => createRequire(import.meta.url)('./legacy/legacy-hash.js') as typeof LegacyHash;

export default async function run(task: HashTask): Promise<HashTaskResult> {
  switch (task.op) {
    case 'hash':
      return hashPasswordSync(task.password, task.cost);
    case 'verify':
      try {
        return verifyPasswordSync(task.password, task.hash);
      } catch (error) {
        if (error instanceof UnsupportedPasswordHashError) return UNSUPPORTED_HASH;
        throw error;
      }
    case 'decoy':
      return decoyHashSync(task.cost);
    case 'verify-legacy':
      return legacySchemes().verifyLegacyHash(task.password, task.hash, task.options, task.salt);
  }
}
