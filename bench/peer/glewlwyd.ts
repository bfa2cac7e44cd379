import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, generateKeyPairSync, pbkdf2, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { freePort } from '../../test/support/servers/process.js';
import { basicAuthorization, type LeanClient } from '../lean-sign-in.js';
import { send, waitForHttp } from '../lean-http.js';

/**
 * Glewlwyd (a C identity provider, Debian's `glewlwyd` package) set up on loopback as the bench's peer: SQLite in a
 * scratch directory, the `oidc` plugin with the code flow, PKCE and one-time refresh tokens signed RS256, one
 * confidential client and the bench's users. Nothing is installed from here: a bench that quietly ran apt-get as root
 * would change the machine it measures, so a missing package is reported with the line that installs it.
 */

export const INSTALL_LINE = 'apt-get update && apt-get install -y glewlwyd';

/** Where Debian's package puts the SQLite schema (plain for dbconfig-common; gzipped among the docs). */
const INIT_SCRIPTS = [
  '/usr/share/dbconfig-common/data/glewlwyd/install/sqlite3',
  '/usr/share/doc/glewlwyd/database/init.sqlite3.sql.gz',
];
/** The administrator the schema script creates, with the password it documents; the server only hears loopback. */
const ADMIN = { username: 'admin', password: 'password' };
const PLUGIN = 'oidc';
/** Glewlwyd's default scopes have no profile or email; `openid` is the one every sign-in asks for. */
const SCOPE = 'openid';

export interface PeerUser {
  login: string;
  password: string;
}

export interface PeerTokens {
  access_token: string;
  refresh_token?: string;
  id_token: string;
}

export interface GlewlwydPeer {
  version: string;
  journalMode: 'WAL' | 'rollback journal';
  pid: number;
  issuer: string;
  discoveryUrl: string;
  jwksUrl: string;
  /** How glewlwyd stored the users' passwords, read back from its database. */
  passwordHash: { algorithm: 'PBKDF2-HMAC-SHA256'; iterations: number };
  /** The whole code flow with PKCE through glewlwyd's login API, in a fresh cookie jar; throws unless it ends in an ID token. */
  signIn: (login: string, password: string) => Promise<PeerTokens>;
  /** A refresh grant; returns the new refresh token (they are one-time here, as the IdP's rotate). */
  refresh: (refreshToken: string) => Promise<string>;
  /** The last few kilobytes glewlwyd logged (errors only), to say why requests failed. */
  log: () => string;
  stop: () => void;
}

export class PeerMissing extends Error {}

/** The executable's path, or undefined when it is not on PATH. */
function onPath(name: string): string | undefined {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .map((dir) => join(dir, name))
    .find((path) => existsSync(path));
}

function glewlwydVersion(executable: string): string {
  const help = spawnSync(executable, ['--help'], { encoding: 'utf8' });
  return /Version (\S+)/.exec(`${help.stdout}${help.stderr}`)?.[1] ?? 'unknown version';
}

function initScript(): string {
  const path = INIT_SCRIPTS.find((candidate) => existsSync(candidate));
  if (!path) throw new PeerMissing(`glewlwyd's SQLite schema is not where Debian puts it (${INIT_SCRIPTS.join(', ')})`);
  const bytes = readFileSync(path);
  return (path.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
}

/** glewlwyd's config file (libconfig syntax), the Debian defaults that matter, on loopback and SQLite. */
function writeConfig(dir: string, port: number, databasePath: string): string {
  const file = join(dir, 'glewlwyd.conf');
  const lines = [
    `port=${String(port)}`,
    'bind_address="127.0.0.1"',
    `external_url="http://127.0.0.1:${String(port)}"`,
    'login_url="login.html"',
    'api_prefix="api"',
    'cookie_secure=0',
    'cookie_same_site="empty"',
    'session_expiration=2419200',
    'session_key="GLEWLWYD2_SESSION_ID"',
    'admin_session_authentication="cookie"',
    'profile_session_authentication="cookie"',
    'allow_multiple_user_per_session=true',
    'login_api_enabled=true',
    'admin_scope="g_admin"',
    'profile_scope="g_profile"',
    'user_module_path="/usr/lib/glewlwyd/user"',
    'client_module_path="/usr/lib/glewlwyd/client"',
    'user_auth_scheme_module_path="/usr/lib/glewlwyd/scheme"',
    'plugin_module_path="/usr/lib/glewlwyd/plugin"',
    // Session tokens are stored as this digest; Debian's default.
    'hash_algorithm="SHA512"',
    // `use_secure_connection=false` is left out on purpose: 2.7.5 refuses to start when it is present without
    // certificate files, whatever its value.
    `database = { type = "sqlite3"; path = ${JSON.stringify(databasePath)}; };`,
  ];
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

function expectStatus(what: string, answer: { status: number; body: string }, status = 200): void {
  if (answer.status !== status) {
    throw new Error(`glewlwyd: ${what} answered ${String(answer.status)} ${answer.body.slice(0, 200)}`);
  }
}

/** A session cookie jar for `user`, from the login API the login page's script calls. */
async function signedInJar(api: string, user: { username: string; password: string }): Promise<Map<string, string>> {
  const jar = new Map<string, string>();
  expectStatus(`sign-in of ${user.username}`, await send(new URL(`${api}/auth/`), { jar, json: user }));
  return jar;
}

async function configure(api: string, issuer: string, client: LeanClient, redirectUri: string): Promise<void> {
  const admin = await signedInJar(api, ADMIN);
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const plugin = {
    module: 'oidc',
    name: PLUGIN,
    display_name: 'OpenID Connect',
    enabled: true,
    parameters: {
      iss: issuer,
      'jwt-type': 'rsa',
      'jwt-key-size': '256',
      key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
      cert: publicKey.export({ type: 'spki', format: 'pem' }),
      'access-token-duration': 3600,
      'refresh-token-duration': 1209600,
      'code-duration': 600,
      'refresh-token-rolling': true,
      'refresh-token-one-use': 'always',
      'allow-non-oidc': false,
      'auth-type-code-enabled': true,
      'auth-type-refresh-enabled': true,
      'pkce-allowed': true,
      'pkce-method-plain-allowed': false,
      'pkce-required': true,
      'subject-type': 'public',
      'jwks-show': true,
    },
  };
  expectStatus('adding the oidc plugin', await send(new URL(`${api}/mod/plugin/`), { jar: admin, json: plugin }));
  const confidential = {
    client_id: client.client_id,
    name: client.client_id,
    enabled: true,
    confidential: true,
    // A client secret is compared as stored; a client "password" would cost a PBKDF2 on every token request.
    client_secret: client.client_secret,
    token_endpoint_auth_method: ['client_secret_basic'],
    redirect_uri: [redirectUri],
    authorization_type: ['code', 'refresh_token'],
    scope: [],
  };
  expectStatus('adding the client', await send(new URL(`${api}/client/`), { jar: admin, json: confidential }));
}

/**
 * Creates each user, then signs them in once to grant the client `openid`: the one-time consent of a returning user.
 * One at a time: with a few at once, 2.7.5 on SQLite refused some of the new users' first sign-ins.
 */
async function addUsers(api: string, client: LeanClient, users: readonly PeerUser[]): Promise<void> {
  const admin = await signedInJar(api, ADMIN);
  const grant = new URL(`${api}/auth/grant/${encodeURIComponent(client.client_id)}`);
  for (const { login, password } of users) {
    const account = {
      username: login,
      password,
      name: login,
      email: `${login}@example.com`,
      enabled: true,
      scope: [SCOPE],
    };
    expectStatus(`adding ${login}`, await send(new URL(`${api}/user/`), { jar: admin, json: account }));
    const jar = await signedInJar(api, { username: login, password });
    expectStatus(`consent of ${login}`, await send(grant, { method: 'PUT', jar, json: { scope: SCOPE } }));
  }
}

/** The iteration count glewlwyd wrote into a user's hash (`base64(digest + salt),iterations`). */
function storedIterations(databasePath: string, login: string): number {
  const db = new Database(databasePath, { readonly: true, fileMustExist: true });
  try {
    const row = db
      .prepare(
        'SELECT guw_password AS hash FROM g_user_password WHERE gu_id = (SELECT gu_id FROM g_user WHERE gu_username = ?)',
      )
      .get(login) as { hash: string } | undefined;
    const iterations = Number(row?.hash.split(',')[1]);
    if (!Number.isInteger(iterations) || iterations <= 0)
      throw new Error(`glewlwyd: no PBKDF2 hash stored for ${login}`);
    return iterations;
  } finally {
    db.close();
  }
}

function startProcess(executable: string, config: string): { child: ChildProcess; output: () => string } {
  const child = spawn(executable, ['-c', config, '-m', 'console', '-l', 'ERROR'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = `${output}${chunk.toString()}`.slice(-4000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return { child, output: () => output };
}

const base64url = (bytes: Buffer) => bytes.toString('base64url');

/**
 * One sign-in as glewlwyd's login page makes it: the client's authorization request (glewlwyd answers with its login
 * page), the username and password to the login API (which sets the session cookie), then back to the authorization
 * endpoint with `g_continue` as the page's "continue" does, to the client's redirect URI with the code, and the code
 * exchanged with the verifier. The page's static files and its script's other look-ups are left out, which spares
 * glewlwyd some requests a browser would make.
 */
async function signIn(
  api: string,
  client: LeanClient,
  redirectUri: string,
  login: string,
  password: string,
): Promise<PeerTokens> {
  const jar = new Map<string, string>();
  const verifier = base64url(randomBytes(32));
  const state = base64url(randomBytes(16));
  const nonce = base64url(randomBytes(16));
  const authorization = new URL(`${api}/${PLUGIN}/auth`);
  authorization.search = new URLSearchParams({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: redirectUri,
    scope: SCOPE,
    state,
    nonce,
    code_challenge: base64url(createHash('sha256').update(verifier).digest()),
    code_challenge_method: 'S256',
  }).toString();
  const loginPage = await send(authorization, { jar });
  const callbackUrl = loginPage.location ? new URL(loginPage.location).searchParams.get('callback_url') : null;
  if (loginPage.status !== 302 || !callbackUrl)
    throw new Error(`no login page for ${login}: ${String(loginPage.status)}`);
  expectStatus(
    `sign-in of ${login}`,
    await send(new URL(`${api}/auth/`), { jar, json: { username: login, password } }),
  );
  const granted = await send(new URL(`${callbackUrl}&g_continue`), { jar });
  const callback = new URL(granted.location || 'about:blank');
  const code = callback.searchParams.get('code');
  if (!callback.href.startsWith(redirectUri) || callback.searchParams.get('state') !== state || !code) {
    throw new Error(`no code for ${login}: ${String(granted.status)} ${callback.href}`);
  }
  const exchanged = await send(new URL(`${api}/${PLUGIN}/token`), {
    authorization: basicAuthorization(client),
    form: { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier },
  });
  expectStatus(`code exchange for ${login}`, exchanged);
  const tokens = JSON.parse(exchanged.body) as PeerTokens;
  const claims = JSON.parse(Buffer.from(tokens.id_token.split('.')[1] ?? '', 'base64url').toString()) as {
    nonce?: string;
    sub?: string;
  };
  if (claims.nonce !== nonce || !claims.sub) throw new Error(`an ID token without the nonce or a subject for ${login}`);
  return tokens;
}

async function refresh(api: string, client: LeanClient, refreshToken: string): Promise<string> {
  const answer = await send(new URL(`${api}/${PLUGIN}/token`), {
    authorization: basicAuthorization(client),
    form: { grant_type: 'refresh_token', refresh_token: refreshToken },
  });
  expectStatus('refresh grant', answer);
  const next = (JSON.parse(answer.body) as { refresh_token?: string }).refresh_token;
  if (!next) throw new Error('glewlwyd: a refresh grant without a new refresh token');
  return next;
}

/** Starts glewlwyd with `users` signed up and consented; throws PeerMissing when the package is not installed. */
export async function startGlewlwyd(options: {
  users: readonly PeerUser[];
  client: LeanClient;
  redirectUri: string;
  /**
   * Puts the database in WAL mode, which the file keeps. Off by default, to measure glewlwyd as shipped: SQLite's
   * rollback journal, with a sync of the disk on every statement it commits.
   */
  wal?: boolean;
}): Promise<GlewlwydPeer> {
  const executable = onPath('glewlwyd');
  if (!executable) throw new PeerMissing(`glewlwyd is not installed; as root: ${INSTALL_LINE}`);
  const dir = mkdtempSync(join(tmpdir(), 'jit-idp-peer-glewlwyd-'));
  const databasePath = join(dir, 'glewlwyd.sqlite');
  const db = new Database(databasePath);
  db.exec(initScript());
  if (options.wal) db.pragma('journal_mode = WAL');
  db.close();
  const port = await freePort();
  const base = `http://127.0.0.1:${String(port)}`;
  const api = `${base}/api`;
  const issuer = `${api}/${PLUGIN}`;
  const server = startProcess(executable, writeConfig(dir, port, databasePath));
  const stop = () => {
    server.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForHttp(new URL(`${api}/auth/scheme/`), 15_000, () => server.child.exitCode === null);
    await configure(api, issuer, options.client, options.redirectUri);
    await addUsers(api, options.client, options.users);
  } catch (error) {
    stop();
    throw new Error(`glewlwyd setup failed: ${String(error)}\n${server.output()}`, { cause: error });
  }
  return {
    version: glewlwydVersion(executable),
    journalMode: options.wal ? 'WAL' : 'rollback journal',
    pid: server.child.pid ?? 0,
    issuer,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    jwksUrl: `${issuer}/jwks`,
    passwordHash: {
      algorithm: 'PBKDF2-HMAC-SHA256',
      iterations: storedIterations(databasePath, options.users[0]?.login ?? ''),
    },
    signIn: (login, password) => signIn(api, options.client, options.redirectUri, login, password),
    refresh: (refreshToken) => refresh(api, options.client, refreshToken),
    log: server.output,
    stop,
  };
}

/**
 * Runs glewlwyd's own PBKDF2 (nettle's `pbkdf2_hmac_sha256`, 16-byte salt, 32-byte key, as its `misc.c` calls it) on
 * every core for `seconds`, through Python's ctypes, which lets go of the interpreter lock during the call. Nettle
 * uses the CPU's SHA extensions and runs about twice as fast here as OpenSSL's PBKDF2 behind Node's crypto, so a bound
 * from Node would flatter glewlwyd's share.
 */
const NETTLE_BOUND = `
import ctypes, ctypes.util, sys, threading, time
iterations, threads, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
nettle = ctypes.CDLL(ctypes.util.find_library('nettle') or 'libnettle.so.8')
done = [0] * threads
def work(i):
    key = ctypes.create_string_buffer(32)
    until = time.perf_counter() + seconds
    while time.perf_counter() < until:
        nettle.nettle_pbkdf2_hmac_sha256(ctypes.c_size_t(16), b'benchmark passwd', ctypes.c_uint(iterations),
                                         ctypes.c_size_t(16), b'0123456789abcdef', ctypes.c_size_t(32), key)
        done[i] += 1
started = time.perf_counter()
workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
for w in workers: w.start()
for w in workers: w.join()
print(sum(done) / (time.perf_counter() - started))
`;

export interface HashingBound {
  perSecond: number;
  /** Which implementation measured it. */
  via: 'nettle' | 'OpenSSL, python3 missing: a lower bound than nettle would give';
}

/** PBKDF2 verifications per second on all cores at glewlwyd's parameters, measured now. */
export async function pbkdf2Bound(iterations: number, seconds: number): Promise<HashingBound> {
  const cores = availableParallelism();
  const python = onPath('python3');
  if (python) {
    const child = spawn(python, ['-c', NETTLE_BOUND, String(iterations), String(cores), String(seconds)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (code === 0) return { perSecond: Number(output.trim()), via: 'nettle' };
  }
  const derive = promisify(pbkdf2);
  let done = 0;
  const until = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: cores }, async () => {
      while (performance.now() < until) {
        await derive('benchmark passwd', '0123456789abcdef', iterations, 32, 'sha256');
        done++;
      }
    }),
  );
  return {
    perSecond: done / ((performance.now() - started) / 1000),
    via: 'OpenSSL, python3 missing: a lower bound than nettle would give',
  };
}
