import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { HashLabel } from '../../../src/passwords/legacy/labels.js';
import {
  inspectLegacyHash,
  legacyHashOptionsSchema,
  verifyLegacyHash,
  type LegacyHashOptions,
} from '../../../src/passwords/legacy/legacy-hash.js';
import type { LegacyHashVerdict } from '../../../src/passwords/legacy/verdict.js';

/**
 * Test vectors come from independent implementations (OpenSSL, Apache, OpenLDAP, PHP, libargon2, passlib,
 * libxcrypt's mkpasswd, Werkzeug, Django, WordPress's own phpass), run at test time, so the code under test never
 * grades its own homework.
 *
 * Every verification the suite makes goes through `verifyWith`, which also inspects the same hash without the
 * password and asserts the invariant: inspection says unsupported exactly when verification does, with the same
 * reason.
 */

/** Debian's python, which has passlib; the `python3` first on PATH may not. */
export const PYTHON = '/usr/bin/python3';

export type ReferenceTool =
  | 'openssl'
  | 'htpasswd'
  | 'slappasswd'
  | 'php'
  | 'php-argon2'
  | 'argon2'
  | 'passlib'
  /** Debian's python alone: hashlib, for formats built by hand the way their own code builds them. */
  | 'python'
  /** Debian's mkpasswd (package whois), on libxcrypt: yescrypt, scrypt `$7$`, sha-crypt, bcrypt … */
  | 'mkpasswd'
  /** Debian's python3-werkzeug (Flask's password hashing). */
  | 'werkzeug'
  /** Debian's python3-django with python3-argon2 and python3-bcrypt (Django's password hashers). */
  | 'django'
  /** Debian's wordpress package: its own wp-includes (phpass, wp_hash_password, wp_check_password) run by PHP. */
  | 'wordpress';

/** Where Debian's wordpress package keeps WordPress's own code. */
export const WORDPRESS_DIR = '/usr/share/wordpress';

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, command)));
}

function probe(tool: ReferenceTool): boolean {
  switch (tool) {
    case 'php-argon2':
      return onPath('php') && spawnSync('php', ['-r', 'exit(defined("PASSWORD_ARGON2ID") ? 0 : 1);']).status === 0;
    case 'passlib':
      return existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import passlib.hash']).status === 0;
    case 'python':
      return existsSync(PYTHON);
    case 'werkzeug':
      return existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import werkzeug.security']).status === 0;
    case 'django':
      return (
        existsSync(PYTHON) &&
        spawnSync(PYTHON, ['-c', 'import django.contrib.auth.hashers, argon2, bcrypt']).status === 0
      );
    case 'wordpress':
      return onPath('php') && existsSync(join(WORDPRESS_DIR, 'wp-includes', 'class-phpass.php'));
    default:
      return onPath(tool);
  }
}

const installed = new Map<ReferenceTool, boolean>();

/** node:test options: run when the tool is there, otherwise skip and say why. */
export function requires(tool: ReferenceTool): { skip: string | false } {
  if (!installed.has(tool)) installed.set(tool, probe(tool));
  return { skip: installed.get(tool) === true ? false : `skipped: ${tool} not installed` };
}

export function run(command: string, args: readonly string[], input?: string): string {
  return execFileSync(command, args, { input, encoding: 'utf8', env: { ...process.env, PYTHONUTF8: '1' } }).trim();
}

/** Runs a Python snippet with passlib importable as `h` (passlib.hash) and hashlib; extra arguments in sys.argv[1:]. */
export function python(code: string, ...args: string[]): string {
  return run(PYTHON, ['-c', `import sys, base64, hashlib, json\nimport passlib.hash as h\n${code}`, ...args]);
}

// The JSON helpers take the shape of what the caller's own snippet prints as their type parameter: it is that
// snippet, not the helper, that fixes the shape.
/* eslint-disable @typescript-eslint/no-unnecessary-type-parameters */

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
/* eslint-enable @typescript-eslint/no-unnecessary-type-parameters */

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
