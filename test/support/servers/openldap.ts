/**
 * A private OpenLDAP server for one test file: slapd with an mdb database and a slapd.conf in a temp dir, a CA and
 * server certificate made with openssl at start, ldap:// (StartTLS available) and ldaps:// on free loopback ports.
 * On request, the ppolicy overlay with a default password policy, and an identity that may read password hashes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'ldapts';
import { findOpenLdap, type OpenLdapBinaries } from './availability.js';
import { missingTool } from '../tools.js';
import {
  DEFAULT_STARTUP_TIMEOUT_MS,
  timeLeft,
  killNow,
  LOOPBACK,
  makeServerDir,
  randomSecret,
  registerEmergencyCleanup,
  removeDir,
  runCommand,
  spawnServer,
  withFreshPorts,
  waitUntilReady,
  type ServerProcess,
  type StartOptions,
} from './process.js';

export interface OpenLdapServer {
  /** Plain LDAP; StartTLS is offered with the certificate below. */
  url: string;
  ldapsUrl: string;
  port: number;
  ldapsPort: number;
  /**
   * PEM of the CA that signed the server certificate (SAN IP:127.0.0.1 and DNS:localhost: ldapts' StartTLS checks
   * the name `localhost` because it does not pass the host on). Deleted by stop(), so read it before.
   */
  caFile: string;
  baseDn: string;
  /** ou=people under baseDn: where user entries go. */
  usersDn: string;
  /** ou=groups under baseDn. */
  groupsDn: string;
  /** The rootdn: bypasses every ACL; the only identity that can read userPassword but `hashReader`, if asked for. */
  adminDn: string;
  adminPassword: string;
  /** Can read and search everything under baseDn except userPassword; cannot write. */
  serviceDn: string;
  servicePassword: string;
  /**
   * With `hashReader: true`: may read (not write) userPassword and search everything under baseDn, as a directory
   * admin would set up for a one-off export of hashes. Undefined otherwise.
   */
  hashReader: { dn: string; password: string } | undefined;
  /** With `ppolicy`: the default policy's DN (`cn=default,ou=policies,…`); undefined without the overlay. */
  defaultPolicyDn: string | undefined;
  /** ou=policies under baseDn, where the default policy lives and a test may add others. Exists with `ppolicy`. */
  policiesDn: string;
  /** Milliseconds from the call to startOpenLdap until the server was set up. */
  startupMs: number;
  /** Stops slapd and removes its database, certificates and config. Safe to call more than once. */
  stop(): Promise<void>;
}

const BASE_DN = 'dc=legacy,dc=test';

/** Attributes of a pwdPolicy entry (slapo-ppolicy(5)) a test may set; numbers are seconds or counts. */
export interface PasswordPolicy {
  pwdLockout?: boolean;
  pwdMaxFailure?: number;
  pwdLockoutDuration?: number;
  pwdFailureCountInterval?: number;
  pwdMaxAge?: number;
  pwdExpireWarning?: number;
  pwdGraceAuthnLimit?: number;
  pwdMustChange?: boolean;
  pwdAllowUserChange?: boolean;
}

export interface OpenLdapStartOptions extends StartOptions {
  /**
   * Loads the ppolicy overlay (OpenLDAP 2.5 builds its schema into the module) with `ppolicy_default` pointing at a
   * policy entry made of `policy` (plus `pwdAttribute: userPassword`). `useLockout` adds `ppolicy_use_lockout`.
   * Without this option there is no overlay and binds behave exactly as before.
   */
  ppolicy?: { policy?: PasswordPolicy; useLockout?: boolean };
  /** Adds the `hashReader` identity and its ACL clause. */
  hashReader?: boolean;
}

export async function startOpenLdap(options: OpenLdapStartOptions = {}): Promise<OpenLdapServer> {
  const startedAt = performance.now();
  const timeoutMs = timeLeft(options.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS);
  const binaries = findOpenLdap();
  if (!binaries) throw new Error(String(missingTool('openldap')));

  const dir = makeServerDir('openldap');
  const names = {
    baseDn: BASE_DN,
    usersDn: `ou=people,${BASE_DN}`,
    groupsDn: `ou=groups,${BASE_DN}`,
    adminDn: `cn=admin,${BASE_DN}`,
    serviceDn: `cn=idp-service,${BASE_DN}`,
    policiesDn: `ou=policies,${BASE_DN}`,
  };
  const adminPassword = randomSecret();
  const servicePassword = randomSecret();
  const hashReader = options.hashReader ? { dn: `cn=idp-hash-reader,${BASE_DN}`, password: randomSecret() } : undefined;
  const defaultPolicyDn = options.ppolicy ? `cn=default,${names.policiesDn}` : undefined;
  let server: ServerProcess | undefined;
  const unregister = registerEmergencyCleanup(() => {
    if (server) killNow(server.pid);
    removeDir(dir);
  });

  try {
    const tls = await makeCertificates(binaries.openssl, dir, timeoutMs);
    const databaseDir = join(dir, 'db');
    mkdirSync(databaseDir, { mode: 0o700 });
    const configFile = join(dir, 'slapd.conf');
    const ppolicy = options.ppolicy && defaultPolicyDn ? { ...options.ppolicy, defaultPolicyDn } : undefined;
    writeFileSync(
      configFile,
      slapdConfig({ binaries, dir, tls, databaseDir, adminPassword, ...names, hashReaderDn: hashReader?.dn, ppolicy }),
      { mode: 0o600 },
    );

    const started = await withFreshPorts(2, async ([port = 0, ldapsPort = 0]) => {
      const child = await spawnServer({
        name: 'slapd',
        command: binaries.slapd,
        // -d keeps slapd in the foreground (so it is our child and stops with us); "none" logs only errors.
        args: ['-f', configFile, '-h', `ldap://${LOOPBACK}:${port}/ ldaps://${LOOPBACK}:${ldapsPort}/`, '-d', 'none'],
        logFile: join(dir, `slapd-${port}.log`),
        cwd: dir,
        // Ignore the machine's ldap.conf, which could point the server's own client side elsewhere.
        env: { ...process.env, LDAPNOINIT: '1' },
      });
      server = child;
      try {
        // Binding as our rootdn (not just connecting) proves it is our slapd and not another test's.
        await waitUntilReady(child, () => bindOnce(`ldap://${LOOPBACK}:${port}`, names.adminDn, adminPassword), {
          timeoutMs: timeoutMs(),
        });
      } catch (error) {
        await child.terminate('SIGKILL', 0);
        throw error;
      }
      return { process: child, port, ldapsPort };
    });
    const { port, ldapsPort } = started;
    const url = `ldap://${LOOPBACK}:${port}`;

    await addEntries(
      { url, adminDn: names.adminDn, adminPassword },
      `
dn: ${names.baseDn}
objectClass: dcObject
objectClass: organization
dc: legacy
o: Legacy test directory

dn: ${names.usersDn}
objectClass: organizationalUnit
ou: people

dn: ${names.groupsDn}
objectClass: organizationalUnit
ou: groups

dn: ${names.serviceDn}
objectClass: applicationProcess
objectClass: simpleSecurityObject
cn: idp-service
description: What the IdP's LDAP connector binds as to look users up
userPassword: ${sshaPassword(servicePassword)}
`,
    );
    if (hashReader) {
      await addEntries(
        { url, adminDn: names.adminDn, adminPassword },
        `
dn: ${hashReader.dn}
objectClass: applicationProcess
objectClass: simpleSecurityObject
cn: idp-hash-reader
description: May read password hashes, for a bulk import
userPassword: ${sshaPassword(hashReader.password)}
`,
      );
    }
    if (options.ppolicy && defaultPolicyDn) {
      await addEntries(
        { url, adminDn: names.adminDn, adminPassword },
        `
dn: ${names.policiesDn}
objectClass: organizationalUnit
ou: policies

${policyEntry(defaultPolicyDn, options.ppolicy.policy ?? {})}
`,
      );
    }

    let stopping: Promise<void> | undefined;
    return {
      url,
      ldapsUrl: `ldaps://${LOOPBACK}:${ldapsPort}`,
      port,
      ldapsPort,
      caFile: tls.caFile,
      ...names,
      adminPassword,
      servicePassword,
      hashReader,
      defaultPolicyDn,
      startupMs: Math.round(performance.now() - startedAt),
      stop() {
        stopping ??= (async () => {
          await started.process.terminate('SIGTERM', 15_000);
          removeDir(dir);
          unregister();
        })();
        return stopping;
      },
    };
  } catch (error) {
    if (server) await server.terminate('SIGKILL', 0);
    removeDir(dir);
    unregister();
    throw error;
  }
}

/**
 * Adds the entries of an LDIF text (add records, as ldapadd takes them) as the rootdn. ldapadd rather than a
 * hand-written parser so that folded lines, base64 (`::`) values and comments all work as in real LDIF files.
 * `relax` sends the Relax Rules control, which lets the rootdn set attributes the server otherwise keeps to itself
 * (ppolicy's pwdChangedTime, say, to make a password old).
 */
export async function addEntries(
  server: Pick<OpenLdapServer, 'url' | 'adminDn' | 'adminPassword'>,
  ldif: string,
  options: { relax?: boolean } = {},
): Promise<void> {
  const ldapadd = findOpenLdap()?.ldapadd;
  if (!ldapadd) throw new Error(String(missingTool('openldap')));
  // The password goes in a file (-y) rather than on the command line, where every process could read it.
  const dir = mkdtempSync(join(tmpdir(), 'jit-idp-ldapadd-'));
  try {
    const passwordFile = join(dir, 'password');
    writeFileSync(passwordFile, server.adminPassword, { mode: 0o600 });
    const controls = options.relax ? ['-e', 'relax'] : [];
    await runCommand(ldapadd, ['-x', '-H', server.url, '-D', server.adminDn, '-y', passwordFile, ...controls], {
      input: ldif.trim() + '\n',
      env: { ...process.env, LDAPNOINIT: '1' },
      timeoutMs: 30_000,
    });
  } finally {
    removeDir(dir);
  }
}

/** A pwdPolicy entry (LDIF) named `dn`, for the default policy or a test's own (a user's pwdPolicySubentry). */
export function policyEntry(dn: string, policy: PasswordPolicy): string {
  const cn = /^cn=([^,]+),/.exec(dn)?.[1];
  if (cn === undefined) throw new Error(`a policy DN must start with cn=: ${dn}`);
  // pwdPolicy is auxiliary; 2.5 has no namedPolicy yet (2.6 adds it), so applicationProcess is the structural class.
  const lines = [`dn: ${dn}`, 'objectClass: applicationProcess', 'objectClass: pwdPolicy', `cn: ${cn}`];
  lines.push('pwdAttribute: userPassword');
  for (const [name, value] of Object.entries(policy)) {
    if (value !== undefined) lines.push(`${name}: ${typeof value === 'boolean' ? String(value).toUpperCase() : value}`);
  }
  return lines.join('\n');
}

/** The {SSHA} form slappasswd produces, for fixtures that store hashed rather than clear-text passwords. */
export function sshaPassword(password: string): string {
  const salt = randomBytes(8);
  const digest = createHash('sha1').update(password, 'utf8').update(salt).digest();
  return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
}

interface Certificates {
  caFile: string;
  certFile: string;
  keyFile: string;
}

/** A throwaway CA and a server certificate it signs; EC keys because they take milliseconds to generate. */
async function makeCertificates(openssl: string, dir: string, timeoutMs: () => number): Promise<Certificates> {
  const config = join(dir, 'openssl.cnf');
  writeFileSync(
    config,
    [
      // An explicit config so that the distribution's openssl.cnf defaults cannot add or clash with extensions.
      '[req]',
      'distinguished_name = dn',
      'prompt = no',
      '[dn]',
      'CN = unused',
      '[ca_ext]',
      'basicConstraints = critical, CA:TRUE',
      'keyUsage = critical, keyCertSign, cRLSign',
      'subjectKeyIdentifier = hash',
      '[server_ext]',
      'basicConstraints = critical, CA:FALSE',
      'keyUsage = critical, digitalSignature, keyEncipherment',
      'extendedKeyUsage = serverAuth',
      `subjectAltName = IP:${LOOPBACK}, DNS:localhost`,
      'subjectKeyIdentifier = hash',
      'authorityKeyIdentifier = keyid',
      '',
    ].join('\n'),
  );
  const certs = {
    caFile: join(dir, 'ca.pem'),
    certFile: join(dir, 'server.pem'),
    keyFile: join(dir, 'server.key'),
  };
  const caKey = join(dir, 'ca.key');
  const csr = join(dir, 'server.csr');
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const run = (args: string[]): Promise<string> => runCommand(openssl, args, { cwd: dir, timeoutMs: timeoutMs() });
  await run(
    ['req', '-x509', '-config', config, '-extensions', 'ca_ext', ...newKey, '-keyout', caKey].concat([
      '-out',
      certs.caFile,
      '-subj',
      '/CN=jit-idp test CA',
      '-days',
      '7',
    ]),
  );
  await run(
    ['req', '-new', '-config', config, ...newKey, '-keyout', certs.keyFile, '-out', csr].concat([
      '-subj',
      `/CN=${LOOPBACK}`,
    ]),
  );
  await run(
    ['x509', '-req', '-in', csr, '-CA', certs.caFile, '-CAkey', caKey, '-set_serial', `0x${randomSecret()}`].concat([
      '-out',
      certs.certFile,
      '-days',
      '7',
      '-extfile',
      config,
      '-extensions',
      'server_ext',
    ]),
  );
  return certs;
}

interface ConfigInput {
  binaries: OpenLdapBinaries;
  dir: string;
  tls: Certificates;
  databaseDir: string;
  baseDn: string;
  adminDn: string;
  adminPassword: string;
  serviceDn: string;
  hashReaderDn: string | undefined;
  ppolicy: { defaultPolicyDn: string; useLockout?: boolean } | undefined;
}

function slapdConfig(input: ConfigInput): string {
  const { binaries, dir, tls } = input;
  const schemas = ['core', 'cosine', 'inetorgperson', 'nis'];
  return [
    ...schemas.map((schema) => `include "${join(binaries.schemaDir, `${schema}.schema`)}"`),
    `pidfile "${join(dir, 'slapd.pid')}"`,
    `argsfile "${join(dir, 'slapd.args')}"`,
    ...(binaries.moduleDir ? [`modulepath "${binaries.moduleDir}"`, 'moduleload back_mdb'] : []),
    ...(binaries.moduleDir && input.ppolicy ? ['moduleload ppolicy'] : []),
    `TLSCACertificateFile "${tls.caFile}"`,
    `TLSCertificateFile "${tls.certFile}"`,
    `TLSCertificateKeyFile "${tls.keyFile}"`,
    // The root DSE and the schema live outside the database; clients read them to discover StartTLS and syntaxes.
    'access to dn.base="" by * read',
    'access to dn.base="cn=Subschema" by * read',
    '',
    'database mdb',
    `suffix "${input.baseDn}"`,
    `rootdn "${input.adminDn}"`,
    `rootpw "${sshaPassword(input.adminPassword)}"`,
    `directory "${input.databaseDir}"`,
    'maxsize 104857600',
    ...(input.ppolicy
      ? [
          'overlay ppolicy',
          `ppolicy_default "${input.ppolicy.defaultPolicyDn}"`,
          ...(input.ppolicy.useLockout ? ['ppolicy_use_lockout'] : []),
        ]
      : []),
    // Passwords only ever serve binds: "auth" lets a bind compare them, and no identity may read them (the rootdn
    // is exempt from ACLs). This is how a well-run directory protects them, and the connector must cope with it.
    'access to attrs=userPassword',
    ...(input.hashReaderDn ? [`  by dn.exact="${input.hashReaderDn}" read`] : []),
    '  by anonymous auth',
    '  by * none',
    `access to dn.subtree="${input.baseDn}"`,
    `  by dn.exact="${input.serviceDn}" read`,
    ...(input.hashReaderDn ? [`  by dn.exact="${input.hashReaderDn}" read`] : []),
    '  by self read',
    '  by * none',
    '',
  ].join('\n');
}

async function bindOnce(url: string, dn: string, password: string): Promise<void> {
  const client = new Client({ url, connectTimeout: 2_000, timeout: 5_000 });
  try {
    await client.bind(dn, password);
  } finally {
    await client.unbind().catch(() => undefined);
  }
}
