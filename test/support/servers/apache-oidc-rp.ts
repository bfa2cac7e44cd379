/**
 * Apache httpd with mod_auth_openidc (Debian's libapache2-mod-auth-openidc) as a relying party of the IdP: a
 * protected location, its redirect URI, and back-channel logout at that URI (`?logout=backchannel`), in the
 * foreground on a loopback port with its own config, logs and session cache in a temp dir.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_STARTUP_TIMEOUT_MS,
  isPortOpen,
  isRoot,
  lookupOsUser,
  LOOPBACK,
  makeServerDir,
  randomSecret,
  registerEmergencyCleanup,
  removeDir,
  spawnServer,
  waitUntilReady,
} from './process.js';

export const APACHE = '/usr/sbin/apache2';
export const MOD_AUTH_OPENIDC = '/usr/lib/apache2/modules/mod_auth_openidc.so';
const MODULES = '/usr/lib/apache2/modules';

export interface ApacheRp {
  /** The protected page: 200 with a session, otherwise a redirect to the IdP. */
  protectedUrl: string;
  redirectUri: string;
  /** What the client registers as `backchannel_logout_uri`. */
  backchannelLogoutUri: string;
  logTail(): string;
  stop(): Promise<void>;
}

/** The URIs of an RP on `port`, for the IdP's client configuration before the RP starts. */
export function apacheRpUris(port: number): Pick<ApacheRp, 'protectedUrl' | 'redirectUri' | 'backchannelLogoutUri'> {
  const base = `http://${LOOPBACK}:${String(port)}`;
  return {
    protectedUrl: `${base}/protected/index.html`,
    redirectUri: `${base}/protected/redirect_uri`,
    backchannelLogoutUri: `${base}/protected/redirect_uri?logout=backchannel`,
  };
}

export async function startApacheRp(options: {
  port: number;
  issuer: string;
  clientId: string;
  clientSecret: string;
  scope: string;
}): Promise<ApacheRp> {
  // As root, apache's children switch to an unprivileged account, which must be able to read the directory.
  const runAs = isRoot() ? await lookupOsUser('www-data') : undefined;
  const dir = makeServerDir('apache-rp', runAs);
  const uris = apacheRpUris(options.port);
  mkdirSync(join(dir, 'www', 'protected'), { recursive: true });
  writeFileSync(join(dir, 'www', 'protected', 'index.html'), 'the protected page\n');
  const load = (name: string, file: string) => `LoadModule ${name} ${MODULES}/${file}`;
  writeFileSync(
    join(dir, 'httpd.conf'),
    [
      `ServerRoot ${dir}`,
      `DefaultRuntimeDir ${dir}`,
      `PidFile ${dir}/httpd.pid`,
      `Listen ${LOOPBACK}:${String(options.port)}`,
      `ServerName ${LOOPBACK}`,
      `ErrorLog ${dir}/error.log`,
      'LogLevel warn auth_openidc:info',
      ...(runAs ? [`User ${runAs.name}`, `Group ${runAs.name}`] : []),
      load('mpm_event_module', 'mod_mpm_event.so'),
      load('authn_core_module', 'mod_authn_core.so'),
      load('authz_core_module', 'mod_authz_core.so'),
      load('authz_user_module', 'mod_authz_user.so'),
      load('auth_openidc_module', 'mod_auth_openidc.so'),
      `DocumentRoot ${dir}/www`,
      `<Directory ${dir}/www>`,
      '  Require all granted',
      '</Directory>',
      `OIDCProviderMetadataURL ${options.issuer}/.well-known/openid-configuration`,
      `OIDCClientID ${options.clientId}`,
      `OIDCClientSecret ${options.clientSecret}`,
      `OIDCRedirectURI ${uris.redirectUri}`,
      `OIDCCryptoPassphrase ${randomSecret()}`,
      'OIDCPKCEMethod S256',
      `OIDCScope "${options.scope}"`,
      '<Location /protected>',
      '  AuthType openid-connect',
      // The tests' client is Node's fetch, which always says `Sec-Fetch-Mode: cors` (a browser navigating says
      // `navigate`); for a cors request mod_auth_openidc answers 401 instead of sending the user to sign in.
      '  OIDCUnAuthAction auth true',
      '  Require valid-user',
      '</Location>',
      '',
    ].join('\n'),
  );
  const server = await spawnServer({
    name: 'apache (mod_auth_openidc)',
    command: APACHE,
    args: ['-f', join(dir, 'httpd.conf'), '-DFOREGROUND'],
    logFile: join(dir, 'error.log'),
    cwd: dir,
  });
  const unregister = registerEmergencyCleanup(() => {
    process.kill(server.pid, 'SIGKILL');
  });
  try {
    await waitUntilReady(
      server,
      async () => {
        if (!(await isPortOpen(options.port))) throw new Error('not listening yet');
      },
      { timeoutMs: DEFAULT_STARTUP_TIMEOUT_MS },
    );
  } catch (error) {
    await server.terminate('SIGKILL', 1000);
    unregister();
    throw error;
  }
  return {
    ...uris,
    logTail: () => server.logTail(),
    async stop() {
      await server.terminate('SIGTERM', 5000);
      unregister();
      removeDir(dir);
    },
  };
}
