import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/load-config.js';
import { DEMO_MAPPING } from '../../src/demo/demo-mode.js';

const dir = mkdtempSync(join(tmpdir(), 'jit-idp-config-'));
const file = (name: string, content: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};
const problemsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  assert.fail('expected a ConfigError');
};

const productionFile = {
  issuer: 'https://id.example.com',
  mail: { smtpUrl: 'smtps://mailer@smtp.example.com' },
  legacy: { kind: 'http', baseUrl: 'https://legacy.internal/api', auth: { type: 'bearer', token: '${LEGACY_TOKEN}' } },
  clients: [{ client_id: 'app', client_secret: '${APP_SECRET}', redirect_uris: ['https://app.example.com/cb'] }],
};

/** Two key-encryption keys as IDP_SECRET_KEYS carries them: the newer first. */
const SECRET_KEYS = `k2:${Buffer.alloc(32, 2).toString('base64')},k1:${Buffer.alloc(32, 1).toString('base64')}`;

describe('configuration', () => {
  it('starts from defaults with no file and no environment (demo mode)', () => {
    const { config, file: used, production } = loadConfig({}, dir);
    assert.equal(used, undefined);
    assert.equal(production, false);
    assert.equal(config.issuer, 'http://localhost:3000');
    assert.equal(config.port, 3000);
    assert.equal(config.store.sqlitePath, 'data/idp.sqlite');
    assert.equal(config.passwords.bcryptCost, 10);
    assert.equal(config.legacy, undefined);
  });

  it('reads the file named by IDP_CONFIG and secrets from "${VAR}" references', () => {
    const path = file('ok.json', productionFile);
    const { config } = loadConfig({ IDP_CONFIG: path, LEGACY_TOKEN: 'tok', APP_SECRET: 's3cret' }, dir);
    assert.deepEqual(config.legacy?.kind === 'http' && config.legacy.auth, { type: 'bearer', token: 'tok' });
    assert.equal(config.clients[0]?.client_secret, 's3cret');
    assert.equal(config.legacy?.timeoutMs, 5000);
  });

  it('lets environment variables override the file', () => {
    const path = file('env.json', { port: 4000 });
    const { config } = loadConfig(
      { IDP_CONFIG: path, PORT: '5000', MONGODB_URI: 'mongodb://db/idp', ISSUER: 'https://x.test' },
      dir,
    );
    assert.equal(config.port, 5000);
    assert.equal(config.store.mongodbUri, 'mongodb://db/idp');
    assert.equal(config.issuer, 'https://x.test');
  });

  it('names the key and the variable when a referenced secret is missing', () => {
    const path = file('missing.json', productionFile);
    assert.deepEqual(
      problemsOf(() => loadConfig({ IDP_CONFIG: path, APP_SECRET: 'x' }, dir)),
      [
        'legacy.auth.token: environment variable LEGACY_TOKEN is not set',
        'legacy.auth.token: Invalid input: expected string, received undefined',
      ],
    );
  });

  it('names every bad key with what was expected', () => {
    const path = file('bad.json', { port: 'eighty', passwords: { bcryptCost: 4 }, unknownKey: true });
    const problems = problemsOf(() => loadConfig({ IDP_CONFIG: path }, dir));
    assert.ok(
      problems.some((p) => p.startsWith('port:')),
      problems.join('\n'),
    );
    assert.ok(
      problems.some((p) => p.startsWith('passwords.bcryptCost:')),
      problems.join('\n'),
    );
    assert.ok(
      problems.some((p) => p.includes('unknownKey')),
      problems.join('\n'),
    );
  });

  it('refuses a secret that cannot go into an HTTP header, such as one with a trailing newline', () => {
    const path = file('newline.json', productionFile);
    const problems = problemsOf(() => loadConfig({ IDP_CONFIG: path, LEGACY_TOKEN: 'tok\n', APP_SECRET: 's' }, dir));
    assert.match(problems.join('\n'), /legacy\.auth\.token: .*trailing newline/);
  });

  it('refuses a grant that would expire before its refresh tokens', () => {
    const path = file('ttl.json', { ttl: { refreshToken: 90 * 86400 } });
    assert.match(
      problemsOf(() => loadConfig({ IDP_CONFIG: path }, dir)).join('\n'),
      /ttl\.grant: grant must be at least refreshToken/,
    );
  });

  it('reports a file that is not JSON', () => {
    const path = file('broken.json', '{ "port": ');
    assert.match(problemsOf(() => loadConfig({ IDP_CONFIG: path }, dir))[0] ?? '', /is not valid JSON/);
  });

  it('refuses production mode with development defaults, naming each missing setting', () => {
    const problems = problemsOf(() => loadConfig({ NODE_ENV: 'production' }, dir));
    assert.equal(problems.length, 6);
    assert.match(problems.join('\n'), /"mail.smtpUrl" is not configured/);
    assert.match(problems.join('\n'), /issuer must be an https URL/);
    assert.match(problems.join('\n'), /"legacy" is not configured: demo mode is for development only/);
    assert.match(problems.join('\n'), /"clients" is empty/);
    assert.match(problems.join('\n'), /IDP_COOKIE_KEYS/);
    assert.match(problems.join('\n'), /signing keys and other secrets would be encrypted .*IDP_SECRET_KEYS/);
  });

  it('refuses to send passwords to a plain-http legacy system in production unless told the network is trusted', () => {
    const insecure = { ...productionFile, legacy: { ...productionFile.legacy, baseUrl: 'http://legacy.internal/api' } };
    const env = {
      NODE_ENV: 'production',
      LEGACY_TOKEN: 't',
      APP_SECRET: 's',
      IDP_COOKIE_KEYS: 'k'.repeat(32),
      IDP_SECRET_KEYS: SECRET_KEYS,
    };
    assert.match(
      problemsOf(() => loadConfig({ ...env, IDP_CONFIG: file('insecure.json', insecure) }, dir)).join('\n'),
      /legacy connection carries passwords unencrypted/,
    );
    const trusted = { ...insecure, legacy: { ...insecure.legacy, allowInsecureTransport: true } };
    assert.equal(loadConfig({ ...env, IDP_CONFIG: file('trusted.json', trusted) }, dir).production, true);
  });

  it('accepts production mode once every setting is given', () => {
    const path = file('prod.json', productionFile);
    const { production, config } = loadConfig(
      {
        NODE_ENV: 'production',
        IDP_CONFIG: path,
        LEGACY_TOKEN: 't',
        APP_SECRET: 's',
        IDP_COOKIE_KEYS: 'k'.repeat(32),
        IDP_SECRET_KEYS: SECRET_KEYS,
      },
      dir,
    );
    assert.equal(production, true);
    assert.deepEqual(config.cookies.keys, ['k'.repeat(32)]);
    assert.deepEqual(config.secretKeys, [
      { id: 'k2', key: Buffer.alloc(32, 2).toString('base64') },
      { id: 'k1', key: Buffer.alloc(32, 1).toString('base64') },
    ]);
  });

  it('still takes the keys under their former name (IDP_MFA_KEYS, mfa.encryptionKeys) in production', () => {
    const { config } = loadConfig(
      {
        NODE_ENV: 'production',
        IDP_CONFIG: file('prod-old.json', productionFile),
        LEGACY_TOKEN: 't',
        APP_SECRET: 's',
        IDP_COOKIE_KEYS: 'k'.repeat(32),
        IDP_MFA_KEYS: SECRET_KEYS,
      },
      dir,
    );
    assert.equal(config.secretKeys, undefined);
    assert.equal(config.mfa.encryptionKeys?.[0]?.id, 'k2');
  });
});

describe('shipped configuration files', () => {
  const root = new URL('../../config/', import.meta.url);

  it('config/example.json is a valid production configuration', () => {
    const { config } = loadConfig(
      {
        NODE_ENV: 'production',
        IDP_CONFIG: new URL('example.json', root).pathname,
        LEGACY_API_TOKEN: 't',
        PORTAL_CLIENT_SECRET: 'p',
        PARTNER_CLIENT_SECRET: 'q',
        IDP_COOKIE_KEYS: 'c'.repeat(32),
        IDP_SECRET_KEYS: SECRET_KEYS,
        SMTP_URL: 'smtps://mailer:pw@smtp.example.com',
      },
      dir,
    );
    assert.equal(config.clients.length, 3);
  });

  for (const [name, env] of [
    ['sql-postgres.json', { LEGACY_DB_URL: 'postgres://reader:pw@db.internal/shop', SHOP_CLIENT_SECRET: 's' }],
    ['sql-mysql-salted.json', { LEGACY_DB_URL: 'mysql://reader:pw@db.internal/forum', FORUM_CLIENT_SECRET: 's' }],
    ['ldap-active-directory.json', { AD_BIND_PASSWORD: 'pw', INTRANET_CLIENT_SECRET: 's' }],
    ['module.json', { GATEWAY_API_KEY: 'k', PORTAL_CLIENT_SECRET: 's' }],
    [
      'sql-postgres-multi-era.json',
      {
        LEGACY_DB_URL: 'postgres://reader:pw@db.internal/members',
        LEGACY_DB_WRITER_URL: 'postgres://writer:pw@db.internal/members',
        MEMBERS_CLIENT_SECRET: 's',
      },
    ],
    ['sql-wordpress.json', { LEGACY_DB_URL: 'mariadb://reader:pw@db.internal/blog', BLOG_CLIENT_SECRET: 's' }],
  ] as const) {
    it(`config/examples/${name} is a valid production configuration`, () => {
      const { config } = loadConfig(
        {
          NODE_ENV: 'production',
          IDP_CONFIG: new URL(`examples/${name}`, root).pathname,
          IDP_COOKIE_KEYS: 'c'.repeat(32),
          IDP_SECRET_KEYS: SECRET_KEYS,
          SMTP_URL: 'smtp://relay.internal:25',
          ...env,
        },
        dir,
      );
      assert.ok(config.legacy);
    });
  }

  it('config/docker.json is valid and maps the demo legacy service exactly as demo mode does', () => {
    const { config } = loadConfig(
      { IDP_CONFIG: new URL('docker.json', root).pathname, LEGACY_TOKEN: 't', DEMO_CLIENT_SECRET: 's' },
      dir,
    );
    assert.deepEqual(config.migration.mapping, DEMO_MAPPING);
  });
});
