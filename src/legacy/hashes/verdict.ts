import { timingSafeEqual } from 'node:crypto';
import type { LegacyHashVerdict } from './legacy-hash.js';

export function verdictOf(matches: boolean): LegacyHashVerdict {
  return matches ? { kind: 'match' } : { kind: 'mismatch' };
}

/** `reason` is for operators: callers pass fixed text only, never any part of the hash or the password. */
export function unsupported(reason: string): LegacyHashVerdict {
  return { kind: 'unsupported', reason };
}

/** Constant-time for equal lengths; a length difference is not secret (it is fixed by the scheme). */
export function bytesEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export function stringsEqual(a: string, b: string): boolean {
  return bytesEqual(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
