/**
 * The optional programs the suite uses: reference hash tools (which make test vectors the code under test never
 * made itself) and the database and directory servers of the connector suites. A machine without one skips the
 * suites that need it, saying which and what to install, rather than failing or cancelling them; CI installs all
 * of them (`.ci/run`), so nothing is skipped there.
 *
 * Use as node:test options: `describe('…', { skip: missingTool('php', 'postgres') }, …)`.
 *
 * TEST_HIDE_TOOLS=php,postgres (comma-separated tool names) makes those count as missing although installed, to
 * check a suite's skip without uninstalling anything. Servers are looked for outside PATH too (Debian keeps them in
 * /usr/sbin and /usr/lib/postgresql), so hiding them from PATH alone would not do.
 *
 * TEST_REQUIRE_TOOLS=1 (set by .ci/run, which installs everything) turns a missing tool into an error, so a broken
 * install fails the run instead of quietly skipping half the connector suites.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { APACHE, MOD_AUTH_OPENIDC } from './servers/apache-oidc-rp.js';
import { findMariaDb, findOpenLdap, findPostgres, POSTGRES_RUN_AS_CANDIDATES } from './servers/availability.js';

/** Debian's python, which has passlib; the `python3` first on PATH may not. */
export const PYTHON = '/usr/bin/python3';

/** Debian's php-illuminate-encryption: Laravel's Encrypter, loaded by its autoloader. */
export const LARAVEL_ENCRYPTION = '/usr/share/php/Illuminate/Encryption/autoload.php';

/** Where Debian's wordpress package keeps WordPress's own code. */
export const WORDPRESS_DIR = '/usr/share/wordpress';

/** Each tool and the Debian packages that bring it, for the skip message. */
const PACKAGES = {
  openssl: 'openssl',
  htpasswd: 'apache2-utils',
  slappasswd: 'slapd',
  php: 'php-cli',
  /** PHP built with password_hash's Argon2id (Debian's is). */
  'php-argon2': 'php-cli',
  argon2: 'argon2',
  passlib: 'python3-passlib',
  /** Debian's python alone: hashlib, for formats built by hand the way their own code builds them. */
  python: 'python3',
  /** Debian's mkpasswd (package whois), on libxcrypt: yescrypt, scrypt `$7$`, sha-crypt, bcrypt … */
  mkpasswd: 'whois',
  /** Debian's python3-werkzeug (Flask's password hashing). */
  werkzeug: 'python3-werkzeug',
  /** Django's password hashers, with the argon2 and bcrypt modules they load. */
  django: 'python3-django python3-argon2 python3-bcrypt',
  /** Debian's wordpress package: its own wp-includes (phpass, wp_hash_password, wp_check_password) run by PHP. */
  wordpress: 'wordpress php-cli',
  postgres: 'postgresql',
  mariadb: 'mariadb-server',
  openldap: 'slapd ldap-utils openssl',
  /** Which thread of the IdP syncs the disk, and when (test/faults/durability.test.ts). */
  strace: 'strace',
  /** TOTP codes (RFC 6238) made independently of the otpauth package (test/mfa/totp.test.ts). */
  oathtool: 'oathtool',
  /** Laravel's own Encrypter (Illuminate\\Encryption), which Fortify uses for its users' TOTP secrets. */
  laravel: 'php-illuminate-encryption php-cli',
  /** Apache httpd with mod_auth_openidc: a relying party made by others (back-channel logout, JWKS caching). */
  'apache-oidc': 'apache2 libapache2-mod-auth-openidc',
  /** Debian's python3-cryptography: AES-GCM sealed values made outside Node. */
  'python-cryptography': 'python3-cryptography',
  /** Compose v1, to validate the compose files offline (no Docker engine runs here). */
  'docker-compose': 'docker-compose',
} as const;

export type Tool = keyof typeof PACKAGES;

/** Tools another one runs on, named first in a skip message: "php is not installed" rather than "wordpress is not". */
const RUNS_ON: Partial<Record<Tool, readonly Tool[]>> = {
  'php-argon2': ['php'],
  wordpress: ['php'],
  laravel: ['php'],
  'python-cryptography': ['python'],
  passlib: ['python'],
  werkzeug: ['python'],
  django: ['python'],
};

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, command)));
}

const succeeds = (command: string, args: readonly string[]) => spawnSync(command, args).status === 0;

function osUserExists(name: string): boolean {
  return spawnSync('id', ['-u', name], { stdio: 'ignore' }).status === 0;
}

function probe(tool: Tool): boolean {
  switch (tool) {
    case 'php-argon2':
      return onPath('php') && succeeds('php', ['-r', 'exit(defined("PASSWORD_ARGON2ID") ? 0 : 1);']);
    case 'passlib':
      return existsSync(PYTHON) && succeeds(PYTHON, ['-c', 'import passlib.hash']);
    case 'python':
      return existsSync(PYTHON);
    case 'werkzeug':
      return existsSync(PYTHON) && succeeds(PYTHON, ['-c', 'import werkzeug.security']);
    case 'django':
      return existsSync(PYTHON) && succeeds(PYTHON, ['-c', 'import django.contrib.auth.hashers, argon2, bcrypt']);
    case 'apache-oidc':
      return existsSync(APACHE) && existsSync(MOD_AUTH_OPENIDC);
    case 'laravel':
      return onPath('php') && existsSync(LARAVEL_ENCRYPTION);
    case 'python-cryptography':
      return (
        existsSync(PYTHON) && succeeds(PYTHON, ['-c', 'from cryptography.hazmat.primitives.ciphers.aead import AESGCM'])
      );
    case 'wordpress':
      return onPath('php') && existsSync(join(WORDPRESS_DIR, 'wp-includes', 'class-phpass.php'));
    case 'postgres':
      return findPostgres() !== undefined;
    case 'mariadb':
      return findMariaDb() !== undefined;
    case 'openldap':
      return findOpenLdap() !== undefined;
    default:
      return onPath(tool);
  }
}

const hidden = new Set((process.env.TEST_HIDE_TOOLS ?? '').split(',').map((name) => name.trim()));
const found = new Map<Tool, boolean>();

/** Whether the tool can be used here (probed once per process). */
export function hasTool(tool: Tool): boolean {
  if (hidden.has(tool)) return false;
  let present = found.get(tool);
  if (present === undefined) {
    present = probe(tool);
    found.set(tool, present);
  }
  return present;
}

/**
 * `skipped: <tool> is not installed (apt-get install <packages>)` for the first of the tools that is missing, or
 * false when all are there: the value of node:test's `skip` option.
 */
export function missingTool(...tools: readonly Tool[]): string | false {
  const reason = skipReason(tools);
  if (reason !== false && process.env.TEST_REQUIRE_TOOLS === '1') {
    throw new Error(`TEST_REQUIRE_TOOLS is set and a test cannot run: ${reason.replace(/^skipped: /, '')}`);
  }
  return reason;
}

function skipReason(tools: readonly Tool[]): string | false {
  const missing = tools.flatMap((tool) => [...(RUNS_ON[tool] ?? []), tool]).find((tool) => !hasTool(tool));
  if (missing !== undefined) return `skipped: ${missing} is not installed (apt-get install ${PACKAGES[missing]})`;
  if (tools.includes('postgres') && !canRunPostgres()) {
    return 'skipped: running as root and there is no postgres or nobody account to run PostgreSQL as';
  }
  return false;
}

/** PostgreSQL refuses to run as root; under root it needs an account to run as. */
function canRunPostgres(): boolean {
  return process.getuid?.() !== 0 || POSTGRES_RUN_AS_CANDIDATES.some(osUserExists);
}
