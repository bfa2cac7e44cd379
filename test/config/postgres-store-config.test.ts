import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/load-config.js';

const dir = mkdtempSync(join(tmpdir(), 'jit-idp-config-pg-'));
const file = (content: unknown) => {
  const path = join(dir, `${String(Math.random()).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(content));
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

describe('configuration: the PostgreSQL store', () => {
  it('reads DATABASE_URL, with the pool size and statement timeout defaults', () => {
    const { config } = loadConfig({ DATABASE_URL: 'postgres://idp:s3cret@db.internal:5432/idp' }, dir);
    assert.equal(config.store.databaseUrl, 'postgres://idp:s3cret@db.internal:5432/idp');
    assert.equal(config.store.postgresPoolSize, 10);
    assert.equal(config.store.postgresStatementTimeoutMs, 5000);
    assert.equal(config.store.mongodbUri, undefined);
  });

  it('takes the URL and the pool settings from the file too', () => {
    const path = file({
      store: { databaseUrl: 'postgresql://idp@db/idp?sslmode=require', postgresPoolSize: 25 },
    });
    const { config } = loadConfig({ IDP_CONFIG: path }, dir);
    assert.equal(config.store.databaseUrl, 'postgresql://idp@db/idp?sslmode=require');
    assert.equal(config.store.postgresPoolSize, 25);
  });

  it('refuses a URL that is not PostgreSQL’s', () => {
    const problems = problemsOf(() => loadConfig({ DATABASE_URL: 'mysql://db/idp' }, dir));
    assert.equal(problems.length, 1);
    assert.match(problems[0] ?? '', /^store\.databaseUrl: /);
  });

  it('refuses PostgreSQL and MongoDB at once, naming both settings', () => {
    const problems = problemsOf(() =>
      loadConfig({ DATABASE_URL: 'postgres://db/idp', MONGODB_URI: 'mongodb://db/idp' }, dir),
    );
    assert.deepEqual(problems, [
      'store.databaseUrl: both PostgreSQL (databaseUrl / DATABASE_URL) and MongoDB (mongodbUri / MONGODB_URI) are ' +
        'set: choose one store',
    ]);
  });
});
