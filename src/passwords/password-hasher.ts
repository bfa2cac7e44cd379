import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { LegacyHashOptions } from './legacy/legacy-hash.js';
import type { LegacyHashVerdict } from './legacy/verdict.js';
import { UNSUPPORTED_HASH, type HashTask, type HashTaskResult } from './hash-worker.js';
import { UnsupportedPasswordHashError } from './password-hash.js';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** False for a wrong password; rejects only for a corrupt stored hash. */
  verify(password: string, hash: string): Promise<boolean>;
  /** Spends the time of one verification and fails, so an unknown login costs what a wrong password costs. */
  verifyDecoy(password: string): Promise<false>;
  /** A hash from a legacy store (bcrypt, argon2, crypt, LDAP, ...); never rejects for a bad hash, says `unsupported`. */
  verifyLegacy(password: string, hash: string, options: LegacyHashOptions, salt?: string): Promise<LegacyHashVerdict>;
  /**
   * Another module's default export run with `task` on the hashing threads (the embedded store's checkpoints), so
   * that the process keeps no other thread idle for it; it queues behind the hashes.
   */
  runOnThread(filename: string, task: unknown): Promise<unknown>;
  /** Tasks waiting for a thread (a metric: a growing queue means sign-ins are hashing-bound). */
  readonly queued: number;
  close(): Promise<void>;
}

export interface PasswordHasherOptions {
  cost: number;
  /** 0: one thread per core. */
  threads: number;
}

// The worker is this module's sibling: `.ts` under tsx and in tests, `.js` once compiled.
const WORKER_FILE = fileURLToPath(new URL(`./hash-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url));

/** bcrypt work, and verification of legacy hashes, on a pool of worker threads: the event loop never runs a hash. */
export async function createPasswordHasher(options: PasswordHasherOptions): Promise<PasswordHasher> {
  const threads = options.threads > 0 ? options.threads : availableParallelism();
  const pool = new Piscina<HashTask, HashTaskResult>({
    filename: WORKER_FILE,
    minThreads: threads,
    maxThreads: threads,
    // A hash allocates a few kilobytes; the process's young-generation size (raised for the event loop's request
    // garbage, `--max-semi-space-size`) would let each thread's grow to tens of megabytes it never needs.
    resourceLimits: { maxYoungGenerationSizeMb: 4 },
  });
  const decoy = (await pool.run({ op: 'decoy', cost: options.cost })) as string;

  const verify = async (password: string, hash: string) => {
    const outcome = await pool.run({ op: 'verify', password, hash });
    if (outcome === UNSUPPORTED_HASH) throw new UnsupportedPasswordHashError();
    return outcome === true;
  };
  return {
    hash: async (password) => (await pool.run({ op: 'hash', password, cost: options.cost })) as string,
    verify,
    verifyDecoy: async (password) => {
      await verify(password, decoy);
      return false;
    },
    verifyLegacy: async (password, hash, options, salt) =>
      (await pool.run({ op: 'verify-legacy', password, hash, options, salt })) as LegacyHashVerdict,
    runOnThread: (filename, task) => pool.run(task as HashTask, { filename }),
    get queued() {
      return pool.queueSize;
    },
    close: () => pool.destroy(),
  };
}
