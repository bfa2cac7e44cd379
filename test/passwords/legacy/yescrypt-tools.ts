import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { CRYPT_ALPHABET } from '../../../src/passwords/legacy/encoding.js';
import { parseYescrypt, verifyYescrypt, type YescryptParams } from '../../../src/passwords/legacy/yescrypt.js';
import { assertUnsupported, MATCH, MISMATCH, run } from './reference-tools.js';

/**
 * Vectors come from libxcrypt at test time: Debian's mkpasswd for what shadow files hold (random salts, costs -R 1
 * to 7), and crypt(3) itself, called through perl, for settings mkpasswd cannot write (its -S is refused for
 * yescrypt): fixed, empty and 64-byte salts, p, t, classic and WORM flavours, multi-character fields.
 *
 * Budget, one verification on a 2 GHz core: -R 1 ≈ 25 ms, -R 5 (default) ≈ 330 ms, -R 7 ≈ 1.3 s; -R 11 (1 GiB)
 * ≈ 30 s is only parsed here, not run.
 */

export function mkpasswd(password: string, cost?: number): string {
  return run('mkpasswd', ['-m', 'yescrypt', ...(cost === undefined ? [] : ['-R', String(cost)]), password]);
}

/** crypt(3) with a full setting, through Debian's perl, which links libxcrypt like mkpasswd does. */
export function libxcrypt(password: string, setting: string): string {
  return run('perl', ['-e', 'print crypt($ARGV[0], $ARGV[1])', password, setting]);
}

export function probeLibxcrypt(): { skip: string | false } {
  const probe = spawnSync('perl', ['-e', 'print crypt("x", q($y$j75$$))'], { encoding: 'utf8' });
  return { skip: probe.status === 0 && probe.stdout.startsWith('$y$j75$$') ? false : 'skipped: no perl on libxcrypt' };
}

/** yescrypt's variable-length integer (encode64_uint32 of yescrypt-common.c), to write parameters by hand. */
export function encodeUint(value: number, min: number): string {
  let rest = value - min;
  let start = 0;
  let end = 47;
  let chars = 1;
  let bits = 0;
  while (rest >= (end + 1 - start) * 2 ** bits) {
    rest -= (end + 1 - start) * 2 ** bits;
    start = end + 1;
    end = start + Math.floor((62 - end) / 2);
    chars++;
    bits += 6;
  }
  let text = CRYPT_ALPHABET.charAt(start + Math.floor(rest / 2 ** bits));
  while (--chars > 0) {
    bits -= 6;
    text += CRYPT_ALPHABET.charAt(Math.floor(rest / 2 ** bits) % 64);
  }
  return text;
}

/** The hash with its parameter field replaced (salt and hash kept). */
export function withParams(hash: string, params: string): string {
  return hash.replace(/^\$y\$[^$]+\$/, () => `$y$${params}$`);
}

export function parsedParams(hash: string): YescryptParams {
  const parsed = parseYescrypt(hash);
  if (parsed.kind !== 'parsed') assert.fail(`expected ${hash} to parse, got: ${parsed.reason}`);
  assert.equal(parsed.label, 'yescrypt');
  return parsed.params;
}

export function refusal(hash: string, password = 'password'): string {
  const parsed = parseYescrypt(hash);
  if (parsed.kind === 'parsed') assert.fail(`expected ${hash} to be refused`);
  return assertUnsupported(parsed, hash, password);
}

/** One digest character changed, in a full 4-character group so the encoding stays canonical. */
export function tamperDigest(hash: string): string {
  const at = hash.length - 20;
  return hash.slice(0, at) + (hash[at] === '.' ? '/' : '.') + hash.slice(at + 1);
}

/** The right password matches; a wrong one, one a character shorter and a tampered digest do not. */
export function assertVerifies(hash: string, password: string): void {
  const params = parsedParams(hash);
  assert.deepEqual(verifyYescrypt(password, params), MATCH, `should match ${hash} (${JSON.stringify(password)})`);
  assert.deepEqual(verifyYescrypt(`${password}x`, params), MISMATCH);
  if (password !== '') assert.deepEqual(verifyYescrypt(Array.from(password).slice(0, -1).join(''), params), MISMATCH);
  assert.deepEqual(verifyYescrypt(password, parsedParams(tamperDigest(hash))), MISMATCH);
}

export const SHADOW_HASH = /^\$y\$j[./0-9A-Za-z]{2}\$[./0-9A-Za-z]{22}\$[./0-9A-Za-z]{43}$/;
