import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import type { HashLabel } from '../../../src/passwords/legacy/labels.js';
import {
  inspectLegacyHash,
  legacyHashOptionsSchema,
  verifyLegacyHash,
  type LegacyHashOptions,
} from '../../../src/passwords/legacy/legacy-hash.js';
import type { LegacyHashVerdict } from '../../../src/passwords/legacy/verdict.js';
import { missingTool, PYTHON, type Tool } from '../../support/tools.js';

/**
 * Test vectors come from independent implementations (OpenSSL, Apache, OpenLDAP, PHP, libargon2, passlib,
 * libxcrypt's mkpasswd, Werkzeug, Django, WordPress's own phpass), run at test time, so the code under test never
 * grades its own homework.
 *
 * Every verification the suite makes goes through `verifyWith`, which also inspects the same hash without the
 * password and asserts the invariant: inspection says unsupported exactly when verification does, with the same
 * reason.
 */

export { PYTHON, WORDPRESS_DIR } from '../../support/tools.js';
export type ReferenceTool = Tool;

/** node:test options: run when the tool is there, otherwise skip and say why (see test/support/tools.ts). */
export function requires(tool: Tool): { skip: string | false } {
  return { skip: missingTool(tool) };
}

export function run(command: string, args: readonly string[], input?: string): string {
  return execFileSync(command, args, { input, encoding: 'utf8', env: { ...process.env, PYTHONUTF8: '1' } }).trim();
}

/** Runs a Python snippet with passlib importable as `h` (passlib.hash) and hashlib; extra arguments in sys.argv[1:]. */
export function python(code: string, ...args: string[]): string {
  return run(PYTHON, ['-c', `import sys, base64, hashlib, json\nimport passlib.hash as h\n${code}`, ...args]);
}

/** A Python snippet (without passlib) that prints one JSON value; arguments in sys.argv[1:]. */
export function pythonJson<T>(code: string, ...args: string[]): T {
  return JSON.parse(run(PYTHON, ['-c', `import sys, base64, hashlib, hmac, json\n${code}`, ...args])) as T;
}

/** A PHP snippet that prints one JSON value; arguments in $argv[1..]. */
export function phpJson<T>(code: string, ...args: string[]): T {
  return JSON.parse(run('php', ['-r', code, '--', ...args])) as T;
}

/**
 * A PHP snippet given `$in`, decoded from the JSON of `input` on its standard input (which, unlike an argument,
 * can carry a NUL), that prints one JSON value.
 */
export function phpJsonIn<T>(code: string, input: unknown): T {
  const prelude = '$in = json_decode(stream_get_contents(STDIN), true, 512, JSON_THROW_ON_ERROR);\n';
  return JSON.parse(run('php', ['-r', prelude + code], JSON.stringify(input))) as T;
}

/** passlib's adapted base64 (`.` for `+`, no padding), for re-encoding a digest in tests. */
export function passlibBase64(bytes: Buffer): string {
  return bytes.toString('base64').replace(/=+$/, '').replaceAll('+', '.');
}

/** PBKDF2 by OpenSSL 3's `openssl kdf`, as lower-case hex; the salt given as text or as hex. */
export function opensslPbkdf2(
  password: string,
  salt: { text: string } | { hex: string },
  options: { iterations: number; keyLength: number; digest: string },
): string {
  const key = run('openssl', [
    'kdf',
    '-keylen',
    String(options.keyLength),
    '-kdfopt',
    `digest:${options.digest}`,
    '-kdfopt',
    `pass:${password}`,
    '-kdfopt',
    'text' in salt ? `salt:${salt.text}` : `hexsalt:${salt.hex}`,
    '-kdfopt',
    `iter:${options.iterations}`,
    'PBKDF2',
  ]);
  return key.replaceAll(':', '').toLowerCase();
}

/** `htpasswd -nb` prints `user:hash`. */
export function htpasswd(flag: string, password: string): string {
  return run('htpasswd', ['-nb' + flag, 'user', password]).replace(/^user:/, '');
}

export function options(input: Partial<LegacyHashOptions> = {}): LegacyHashOptions {
  return legacyHashOptionsSchema.parse(input);
}

export function verify(
  password: string,
  hash: string,
  scheme: LegacyHashOptions['scheme'] = 'detect',
  salt?: string,
): Promise<LegacyHashVerdict> {
  return verifyWith(password, hash, options({ scheme }), salt);
}

/** verifyLegacyHash, with the inspection of the same hash checked against its verdict. */
export async function verifyWith(
  password: string,
  hash: string,
  hashOptions: LegacyHashOptions,
  salt?: string,
): Promise<LegacyHashVerdict> {
  const verdict = await verifyLegacyHash(password, hash, hashOptions, salt);
  const inspection = inspectLegacyHash(hash, hashOptions, salt);
  if (verdict.kind === 'unsupported' || inspection.kind === 'unsupported') {
    assert.deepEqual(inspection, verdict, `inspect and verify disagree on whether ${hash} can be judged`);
  }
  return verdict;
}

/** The label inspection reports, failing when the hash is not judgeable. */
export function labelOf(hash: string, hashOptions: LegacyHashOptions = options(), salt?: string): HashLabel {
  const inspection = inspectLegacyHash(hash, hashOptions, salt);
  if (inspection.kind !== 'judgeable') assert.fail(`${hash} is not judgeable: ${inspection.reason}`);
  return inspection.label;
}

export const MATCH: LegacyHashVerdict = { kind: 'match' };
export const MISMATCH: LegacyHashVerdict = { kind: 'mismatch' };

/** Unsupported, and the reason quotes neither the hash nor the password; returns the reason. */
export function assertUnsupported(verdict: LegacyHashVerdict, hash: string, password: string): string {
  if (verdict.kind !== 'unsupported') assert.fail(`expected unsupported, got ${verdict.kind}`);
  assert.ok(verdict.reason.length > 0);
  if (hash.length >= 4) assert.ok(!verdict.reason.includes(hash), `reason quotes the hash: ${verdict.reason}`);
  if (password.length >= 4) assert.ok(!verdict.reason.includes(password), `reason quotes the password`);
  return verdict.reason;
}

/**
 * The checks every scheme family gets: the right password matches (by detection and by the named scheme), a wrong
 * one does not, and a truncated or corrupted copy of the hash is reported unsupported, not as a mismatch.
 */
export async function assertVerifies(
  hash: string,
  password: string,
  scheme: LegacyHashOptions['scheme'],
  label?: HashLabel,
) {
  if (label !== undefined) {
    assert.equal(labelOf(hash), label, `label of ${hash} by detection`);
    assert.equal(labelOf(hash, options({ scheme })), label, `label of ${hash} as ${scheme}`);
  }
  assert.deepEqual(await verify(password, hash), MATCH, `detect should match ${hash}`);
  assert.deepEqual(await verify(password, hash, scheme), MATCH, `${scheme} should match ${hash}`);
  assert.deepEqual(await verify(`${password}x`, hash), MISMATCH);
  assert.deepEqual(await verify(password.slice(1), hash, scheme), MISMATCH);
  // One character of the digest changed, keeping the format valid: catches a comparison that stops short.
  const at = hash.length - 10;
  const tampered = hash.slice(0, at) + (hash[at] === 'A' ? 'B' : 'A') + hash.slice(at + 1);
  assert.notEqual((await verify(password, tampered, scheme)).kind, 'match');
  const truncated = hash.slice(0, Math.ceil(hash.length / 2));
  assertUnsupported(await verify(password, truncated, scheme), truncated, password);
  const corrupted = `${hash.slice(0, -1)}!`;
  assertUnsupported(await verify(password, corrupted, scheme), corrupted, password);
}
