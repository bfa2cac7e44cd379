import { decoyHashSync, hashPasswordSync, verifyPasswordSync } from './password-hash.js';

/** One task for a hashing worker thread (see `password-hasher.ts`). */
export type HashTask =
  | { op: 'hash'; password: string; cost: number }
  | { op: 'verify'; password: string; hash: string }
  | { op: 'decoy'; cost: number };

export default function run(task: HashTask): string | boolean {
  switch (task.op) {
    case 'hash':
      return hashPasswordSync(task.password, task.cost);
    case 'verify':
      return verifyPasswordSync(task.password, task.hash);
    case 'decoy':
      return decoyHashSync(task.cost);
  }
}
