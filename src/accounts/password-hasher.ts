import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { UNSUPPORTED_HASH, type HashTask } from './hash-worker.js';
import { UnsupportedPasswordHashError } from './password-hash.js';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** False for a wrong password; rejects only for a corrupt stored hash. */
  verify(password: string, hash: string): Promise<boolean>;
  /** Spends the time of one verification and fails, so an unknown login costs what a wrong password costs. */
  verifyDecoy(password: string): Promise<false>;
  close(): Promise<void>;
}

export interface PasswordHasherOptions {
  cost: number;
  /** 0: one thread per core. */
  threads: number;
}

// The worker is this module's sibling: `.ts` under tsx and in tests, `.js` once compiled.
const WORKER_FILE = fileURLToPath(new URL(`./hash-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url));

/** bcrypt work on a pool of worker threads: the event loop never runs a hash. */
export async function createPasswordHasher(options: PasswordHasherOptions): Promise<PasswordHasher> {
  const threads = options.threads > 0 ? options.threads : availableParallelism();
  const pool = new Piscina<HashTask, string | boolean>({
    filename: WORKER_FILE,
    minThreads: threads,
    maxThreads: threads,
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
    close: () => pool.destroy(),
  };
}
