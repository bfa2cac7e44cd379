import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { missingTool } from '../support/tools.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The compose file as Compose itself resolves it (offline: no Docker engine is needed to validate). */
function resolved(file: string): string {
  const run = spawnSync('docker-compose', ['-f', file, 'config'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(run.status, 0, `${file}: ${run.stderr}`);
  return run.stdout;
}

describe('the compose files', { skip: missingTool('docker-compose') }, () => {
  it('docker-compose.yml: the demo on a MongoDB replica set', () => {
    const config = resolved('docker-compose.yml');
    assert.match(config, /MONGODB_URI: mongodb:\/\/mongo:27017\/idp\?replicaSet=rs0/);
    assert.doesNotMatch(config, /DATABASE_URL/);
  });

  it('docker-compose.postgres.yml: the same demo on PostgreSQL, two serving processes, no MongoDB', () => {
    const config = resolved('docker-compose.postgres.yml');
    assert.match(config, /DATABASE_URL: postgres:\/\/idp:idp-local-only@postgres:5432\/idp/);
    assert.match(config, /WORKERS: '2'/);
    assert.doesNotMatch(config, /MONGODB_URI|mongo:/);
    for (const service of ['postgres', 'legacy', 'idp', 'demo-app'])
      assert.match(config, new RegExp(`\\n  ${service}:\\n`));
  });
});
