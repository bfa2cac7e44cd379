import { timingSafeEqual } from 'node:crypto';
import type { HashLabel } from './labels.js';

/**
 * The values every scheme module speaks in. They live here, apart from the module that imports every scheme, so a
 * scheme can name them without an import cycle.
 */

export type LegacyHashVerdict =
  | { kind: 'match' }
  | { kind: 'mismatch' }
  /** Unknown scheme or malformed hash: never an accept. `reason` never contains the hash. */
  | { kind: 'unsupported'; reason: string };

export type Unsupported = { kind: 'unsupported'; reason: string };

/**
 * A stored hash read without any password: the parameters its verification needs, or why it cannot be judged. A
 * parsed hash is one the scheme can verify: every refusal (malformed, beyond the work bounds) happens here, so that
 * a look at the hash alone tells what a sign-in would.
 */
export type ParsedHash<P> = { kind: 'parsed'; label: HashLabel; params: P } | Unsupported;

/** What the pre-flight scan and the bulk import learn about a stored hash. */
export type HashInspection = { kind: 'judgeable'; label: HashLabel } | Unsupported;

/** A parsed hash ready to judge passwords; `limitsPassword` when the scheme bounds the password length itself. */
export interface PasswordCheck {
  check(password: string): boolean | Promise<boolean>;
  limitsPassword?: boolean;
}

export function parsed<P>(label: HashLabel, params: P): ParsedHash<P> {
  return { kind: 'parsed', label, params };
}

/** `reason` is for operators: callers pass fixed text only, never any part of the hash or the password. */
export function unsupported(reason: string): Unsupported {
  return { kind: 'unsupported', reason };
}

/** A scheme's parse result joined to its verification, as the dispatcher hands it on. */
export function bindCheck<P>(
  result: ParsedHash<P>,
  verify: (password: string, params: P) => boolean | Promise<boolean>,
  limitsPassword?: boolean,
): ParsedHash<PasswordCheck> {
  if (result.kind === 'unsupported') return result;
  const { params } = result;
  const check = (password: string) => verify(password, params);
  return parsed(result.label, limitsPassword === true ? { check, limitsPassword } : { check });
}

/** The same check under another label: a framework's envelope around a known hash. */
export function relabel<P>(result: ParsedHash<P>, label: HashLabel): ParsedHash<P> {
  return result.kind === 'parsed' ? parsed(label, result.params) : result;
}

export function verdictOf(matches: boolean): LegacyHashVerdict {
  return matches ? { kind: 'match' } : { kind: 'mismatch' };
}

/** Constant-time for equal lengths; a length difference is not secret (it is fixed by the scheme). */
export function bytesEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export function stringsEqual(a: string, b: string): boolean {
  return bytesEqual(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
