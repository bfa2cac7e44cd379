import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { legacySchema, type HttpConnectorConfig } from '../../src/config/legacy-schema.js';
import { DEMO_USERS } from '../../src/demo/demo-users.js';
import { LegacyUserService } from '../../src/demo/legacy-service.js';
import type { LegacyConnector } from '../../src/legacy/connector.js';
import { createHttpConnector } from '../../src/legacy/http-connector.js';
import { closeServer, listen } from '../../src/server.js';
import { missingTool } from '../support/tools.js';

/** The connector is driven directly here; in the IdP its calls get their deadline from the resilience layer. */
const httpConfig = (overrides: Partial<HttpConnectorConfig> & { baseUrl: string }): HttpConnectorConfig => {
  const config = legacySchema.parse({ kind: 'http', maxResponseBytes: 64 * 1024, ...overrides });
  assert.equal(config.kind, 'http');
  return config;
};
const connectorFor = (overrides: Partial<HttpConnectorConfig> & { baseUrl: string }): LegacyConnector =>
  createHttpConnector(httpConfig(overrides));
const within = (ms = 500) => ({ signal: AbortSignal.timeout(ms) });

describe('HTTP legacy connector (legacy-http-api.md)', () => {
  const legacy = new LegacyUserService({ users: DEMO_USERS, token: 'the-token' });
  let connector: LegacyConnector;
  before(async () => {
    await legacy.start();
    connector = connectorFor({ baseUrl: `${legacy.url}/`, auth: { type: 'bearer', token: 'the-token' } });
  });
  after(async () => {
    await connector.close();
    await legacy.stop();
  });

  it('returns the profile for a valid login and password, by username or email', async () => {
    const byName = await connector.authenticate('alice', 'wonderland', within());
    assert.equal(byName.kind === 'valid' && byName.profile.uid, 'L-1001');
    const byEmail = await connector.authenticate('bob.builder@example.com', 'can-we-fix-it', within());
    assert.equal(byEmail.kind === 'valid' && byEmail.profile.uid, 'L-1002');
  });

  it('classifies 401/404 as invalid and 403/423 as disabled', async () => {
    assert.deepEqual(await connector.authenticate('alice', 'wrong', within()), { kind: 'invalid' });
    assert.deepEqual(await connector.authenticate('nobody', 'x', within()), { kind: 'invalid' });
    assert.deepEqual(await connector.authenticate('dave', 'open-the-pod-bay-doors', within()), { kind: 'disabled' });
  });

  it('looks users up without a password', async () => {
    const found = await connector.findUser('carol', within());
    assert.equal(found.kind === 'found' && found.profile.uid, 'L-1003');
    assert.deepEqual(await connector.findUser('nobody', within()), { kind: 'not-found' });
    assert.equal(legacy.calls.findUser, 2);
  });

  it('treats every broken answer as unavailable and says how it broke', async () => {
    const cases = [
      ['error', /^status 500$/],
      ['garbage', /not JSON/],
      ['not-object', /not a JSON object/],
      ['oversized', /larger than 65536 bytes/],
      ['down', /connection failed/],
    ] as const;
    for (const [fault, cause] of cases) {
      legacy.fault = fault;
      try {
        const outcome = await connector.authenticate('alice', 'wonderland', within());
        assert.equal(outcome.kind, 'unavailable', fault);
        assert.match(outcome.cause, cause);
        const lookup = await connector.findUser('alice', within());
        assert.equal(lookup.kind, 'unavailable', `${fault} lookup`);
      } finally {
        legacy.fault = 'none';
      }
    }
  });

  it('abandons a call that never gets an answer when its deadline signal fires', async () => {
    legacy.fault = 'hang';
    try {
      const started = performance.now();
      assert.deepEqual(await connector.authenticate('alice', 'wonderland', within()), {
        kind: 'unavailable',
        cause: 'timeout',
      });
      const elapsed = performance.now() - started;
      // Below the connector's own 5 s budget, so it was the caller's 500 ms signal that ended the call; the margin
      // above 500 ms is for a loaded machine.
      assert.ok(elapsed >= 450 && elapsed < 4000, `took ${Math.round(elapsed)} ms`);
    } finally {
      legacy.fault = 'none';
    }
  });

  it('reports a stopped legacy system as unavailable', async () => {
    const stopped = new LegacyUserService({ users: [] });
    await stopped.start();
    const url = stopped.url;
    await stopped.stop();
    const outcome = await connectorFor({ baseUrl: url }).authenticate('alice', 'wonderland', within());
    assert.deepEqual(outcome, { kind: 'unavailable', cause: 'connection failed (ECONNREFUSED)' });
  });

  it('never asks for "." or ".." as a user, which would address another resource', async () => {
    legacy.resetCalls();
    assert.deepEqual(await connector.findUser('..', within()), { kind: 'not-found' });
    assert.deepEqual(await connector.findUser('.', within()), { kind: 'not-found' });
    assert.equal(legacy.calls.findUser, 0);
  });

  it('fails closed when Node refuses to send the request at all', async () => {
    // The config schema rejects such a token; built by hand here to reach the connector's own guard.
    const broken = createHttpConnector({
      ...httpConfig({ baseUrl: legacy.url }),
      auth: { type: 'bearer', token: 'token-with-newline\n' },
    });
    const outcome = await broken.authenticate('alice', 'wonderland', within());
    assert.equal(outcome.kind, 'unavailable');
    assert.match(outcome.cause, /request refused/);
  });

  it('fails closed, never "invalid", when its credentials are refused', async () => {
    const wrongToken = connectorFor({ baseUrl: legacy.url, auth: { type: 'bearer', token: 'wrong' } });
    assert.equal((await wrongToken.authenticate('alice', 'wonderland', within())).kind, 'unavailable');
  });
});

/**
 * A legacy server that keeps connections alive without announcing for how long (as nginx and most servers do), and
 * resets the requests `resets` picks on a connection, as a server does with a request that arrives just as it closes
 * the idle connection: it never reads that request.
 */
async function keptAliveServer(resets: (requestOnConnection: number) => boolean) {
  const seen = { connections: 0, answered: 0 };
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    seen.connections++;
    sockets.add(socket);
    let requests = 0;
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const headEnd = buffered.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      const length = Number(/content-length: *(\d+)/i.exec(buffered.subarray(0, headEnd).toString())?.[1] ?? 0);
      if (buffered.length < headEnd + 4 + length) return;
      buffered = buffered.subarray(headEnd + 4 + length);
      if (resets(++requests)) {
        socket.resetAndDestroy();
        return;
      }
      seen.answered++;
      const body = JSON.stringify({ uid: 'L-1', user_name: 'alice' });
      socket.write(
        `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${String(body.length)}\r\n` +
          `Connection: keep-alive\r\n\r\n${body}`,
      );
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}`,
    seen,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('HTTP legacy connector: kept-alive connections', () => {
  it('sends a password check again on a new connection when a kept-alive one turns out closed', async () => {
    const server = await keptAliveServer((request) => request === 2);
    const connector = connectorFor({ baseUrl: server.url });
    try {
      assert.equal((await connector.authenticate('alice', 'wonderland', within())).kind, 'valid');
      assert.equal((await connector.authenticate('alice', 'wonderland', within())).kind, 'valid');
      assert.deepEqual(server.seen, { connections: 2, answered: 2 });
    } finally {
      await connector.close();
      await server.close();
    }
  });

  it('never sends a request again that a new connection lost, since the server may have acted on it', async () => {
    const server = await keptAliveServer(() => true);
    const connector = connectorFor({ baseUrl: server.url });
    try {
      assert.deepEqual(await connector.authenticate('alice', 'wonderland', within()), {
        kind: 'unavailable',
        cause: 'connection failed (ECONNRESET)',
      });
      assert.deepEqual(server.seen, { connections: 1, answered: 0 });
    } finally {
      await connector.close();
      await server.close();
    }
  });
});

/** The certificate comes from openssl. */
const withoutOpenssl = missingTool('openssl');

describe('HTTP legacy connector: URLs, basic credentials and TLS with a custom CA', { skip: withoutOpenssl }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'jit-idp-tls-'));
  const seen: { url: string; authorization: string | undefined; body: string }[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', authorization: req.headers.authorization, body });
      const ok = req.headers.authorization === `Basic ${Buffer.from('idp:pa:ss').toString('base64')}`;
      res.writeHead(ok ? 200 : 500, { 'content-type': 'application/json' }).end(JSON.stringify({ uid: 'L-9' }));
    });
  };
  const plain = createHttpServer(handler);
  let tls: ReturnType<typeof createHttpsServer>;
  let plainPort = 0;
  let tlsPort = 0;

  before(async () => {
    // A self-signed certificate from the reference tool, standing in for a company's internal CA.
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=legacy.test',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    tls = createHttpsServer(
      { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
      handler,
    );
    plainPort = await listen(plain, 0, '127.0.0.1');
    tlsPort = await listen(tls, 0, '127.0.0.1');
  });
  after(async () => {
    await closeServer(plain, 10);
    await closeServer(tls, 10);
  });

  const basic = { type: 'basic', username: 'idp', password: 'pa:ss' } as const;

  it('keeps the base URL’s path, encodes the login, and sends basic credentials and the JSON body of the contract', async () => {
    seen.length = 0;
    const connector = connectorFor({ baseUrl: `http://127.0.0.1:${plainPort}/api/v1/`, auth: basic });
    assert.equal((await connector.authenticate(' a/b@c ', 'p w', within())).kind, 'valid');
    assert.equal((await connector.findUser('a/b@c', within())).kind, 'found');
    assert.deepEqual(
      seen.map((s) => s.url),
      ['/api/v1/authenticate', '/api/v1/users/a%2Fb%40c'],
    );
    assert.deepEqual(JSON.parse(seen[0]?.body ?? ''), { login: ' a/b@c ', password: 'p w' });
  });

  it('refuses a TLS certificate it was not told to trust', async () => {
    const outcome = await connectorFor({ baseUrl: `https://127.0.0.1:${tlsPort}`, auth: basic }).authenticate(
      'a',
      'b',
      within(),
    );
    assert.equal(outcome.kind, 'unavailable');
    assert.match(outcome.cause, /SELF_SIGNED|CERT/);
  });

  it('trusts a TLS certificate signed by the configured CA file', async () => {
    const connector = connectorFor({
      baseUrl: `https://127.0.0.1:${tlsPort}`,
      auth: basic,
      caFile: join(dir, 'cert.pem'),
    });
    const outcome = await connector.authenticate('a', 'b', within());
    assert.equal(outcome.kind === 'valid' && outcome.profile.uid, 'L-9');
  });
});
