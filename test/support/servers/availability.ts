/**
 * Finds the server binaries the connector suites need; `missingTool('postgres' | 'mariadb' | 'openldap')` in
 * ../tools.ts turns their absence into a skip that says what to install. Debian puts them outside a normal user's PATH (/usr/sbin,
 * /usr/lib/postgresql/<version>/bin), hence the extra places searched.
 */
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
// tools.ts imports the finders below; this module uses it only inside a function, so the cycle is harmless.
import { missingTool } from '../tools.js';

export type ServerKind = 'postgres' | 'mariadb' | 'openldap';

const SBIN_DIRS = ['/usr/sbin', '/usr/local/sbin', '/usr/bin', '/sbin'];

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findExecutable(names: readonly string[], extraDirs: readonly string[] = SBIN_DIRS): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...extraDirs];
  for (const name of names) {
    for (const dir of dirs) {
      const path = join(dir, name);
      if (isExecutable(path)) return path;
    }
  }
  return undefined;
}

export interface PostgresBinaries {
  initdb: string;
  postgres: string;
  /** Major version, from the Debian directory name; undefined when found on PATH. */
  version: number | undefined;
}

/** Highest installed major version wins, so a newer Debian release with a newer PostgreSQL still works. */
export function findPostgres(): PostgresBinaries | undefined {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .map(Number)
        .filter((version) => Number.isInteger(version))
        .sort((a, b) => b - a)
    : [];
  for (const version of versions) {
    const bin = join(root, String(version), 'bin');
    const initdb = join(bin, 'initdb');
    const postgres = join(bin, 'postgres');
    if (isExecutable(initdb) && isExecutable(postgres)) return { initdb, postgres, version };
  }
  const initdb = findExecutable(['initdb'], []);
  const postgres = findExecutable(['postgres'], []);
  return initdb && postgres ? { initdb, postgres, version: undefined } : undefined;
}

export interface MariaDbBinaries {
  installDb: string;
  server: string;
}

export function findMariaDb(): MariaDbBinaries | undefined {
  const installDb = findExecutable(['mariadb-install-db', 'mysql_install_db']);
  const server = findExecutable(['mariadbd', 'mysqld']);
  return installDb && server ? { installDb, server } : undefined;
}

export interface OpenLdapBinaries {
  slapd: string;
  ldapadd: string;
  openssl: string;
  schemaDir: string;
  /** Where back_mdb lives when the build has it as a module (Debian does); undefined when it is built in. */
  moduleDir: string | undefined;
}

export function findOpenLdap(): OpenLdapBinaries | undefined {
  const slapd = findExecutable(['slapd']);
  const ldapadd = findExecutable(['ldapadd']);
  const openssl = findExecutable(['openssl']);
  const schemaDir = ['/etc/ldap/schema', '/etc/openldap/schema', '/usr/local/etc/openldap/schema'].find((dir) =>
    existsSync(join(dir, 'inetorgperson.schema')),
  );
  const moduleDir = ['/usr/lib/ldap', '/usr/lib64/openldap', '/usr/lib/openldap', '/usr/libexec/openldap'].find(
    (dir) => existsSync(join(dir, 'back_mdb.la')) || existsSync(join(dir, 'back_mdb.so')),
  );
  return slapd && ldapadd && openssl && schemaDir ? { slapd, ldapadd, openssl, schemaDir, moduleDir } : undefined;
}

/** Accounts PostgreSQL may run as when the tests run as root, which it refuses; `nobody` exists nearly everywhere. */
export const POSTGRES_RUN_AS_CANDIDATES = ['postgres', 'nobody'] as const;

/** The benches' name for `missingTool(kind)` (../tools.ts): a reason to skip, or false when `kind` can be started. */
export function serverSkipReason(kind: ServerKind): string | false {
  return missingTool(kind);
}
