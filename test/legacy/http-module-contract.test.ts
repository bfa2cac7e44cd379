import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { legacySchema } from '../../src/config/legacy-schema.js';
import { DEMO_USERS } from '../../src/demo/demo-users.js';
import { LegacyUserService } from '../../src/demo/legacy-service.js';
import { createPasswordHasher } from '../../src/passwords/password-hasher.js';
import { createHttpConnector } from '../../src/legacy/http-connector.js';
import { createModuleConnector } from '../../src/legacy/module-connector.js';
import { createLogger } from '../../src/log/logger.js';
import { faults } from '../fixtures/legacy-module.js';
import { connectorContract } from './connector-contract.js';

connectorContract('HTTP (legacy-http-api.md)', async () => {
  const service = new LegacyUserService({ users: DEMO_USERS });
  await service.start();
  const config = legacySchema.parse({ kind: 'http', baseUrl: service.url });
  if (config.kind !== 'http') throw new Error('expected an http config');
  return {
    connector: createHttpConnector(config),
    valid: { login: 'alice', password: 'wonderland', legacyId: 'L-1001', email: 'alice@example.com' },
    idField: 'uid',
    disabled: { login: 'dave', password: 'open-the-pod-bay-doors' },
    secretFields: ['password'],
    breakDown: () => service.stop(),
    restore: () => service.start(),
    hanging: () => {
      service.fault = 'hang';
      const connector = createHttpConnector(config);
      return {
        ...connector,
        close: async () => {
          service.fault = 'none';
          await connector.close();
        },
      };
    },
    close: () => service.stop(),
  };
});

connectorContract('custom module', async () => {
  const config = legacySchema.parse({
    kind: 'module',
    path: fileURLToPath(new URL('../fixtures/legacy-module.ts', import.meta.url)),
  });
  if (config.kind !== 'module') throw new Error('expected a module config');
  const hasher = await createPasswordHasher({ cost: 10, threads: 1 });
  const make = () => createModuleConnector(config, createLogger('silent'), hasher);
  const hangingConnector = await make();
  return {
    connector: await make(),
    valid: { login: 'mia', password: 'mia-old-password', legacyId: 'M-1', email: 'mia@example.com' },
    idField: 'uid',
    disabled: { login: 'max', password: 'max-old-password' },
    unjudgeable: { login: 'ugo', password: 'ugo-pw' },
    secretFields: ['password'],
    breakDown: () => {
      faults.down = true;
      return Promise.resolve();
    },
    restore: () => {
      faults.down = false;
      return Promise.resolve();
    },
    hanging: () => {
      faults.hang = true;
      return {
        ...hangingConnector,
        close: () => {
          faults.hang = false;
          return Promise.resolve();
        },
      };
    },
    close: () => hasher.close(),
  };
});

describe('a module that hands the stored hash back for the IdP to judge', () => {
  it('judges it with the scheme the row names, and reports one no scheme reads as unjudgeable', async () => {
    const config = legacySchema.parse({
      kind: 'module',
      path: fileURLToPath(new URL('../fixtures/legacy-module.ts', import.meta.url)),
    });
    assert.equal(config.kind, 'module');
    const hasher = await createPasswordHasher({ cost: 10, threads: 1 });
    const connector = await createModuleConnector(config, createLogger('silent'), hasher);
    const within = { signal: AbortSignal.timeout(5000) };
    try {
      const valid = await connector.authenticate('hana', 'hana-md5-pw', within);
      assert.equal(valid.kind === 'valid' && valid.profile.uid, 'M-3');
      assert.deepEqual(await connector.authenticate('hana', 'hana-md5-pW', within), { kind: 'invalid' });
      assert.deepEqual(await connector.authenticate('ugo', 'whatever', within), {
        kind: 'unjudgeable',
        reason: 'unsupported_hash',
        cause: 'traditional DES crypt is not supported',
        legacyId: 'M-4',
      });
    } finally {
      await connector.close();
      await hasher.close();
    }
  });
});

describe('the shipped example legacy module', () => {
  it('loads as a module connector', async () => {
    const config = legacySchema.parse({
      kind: 'module',
      path: fileURLToPath(new URL('../../config/examples/legacy-module.example.ts', import.meta.url)),
    });
    assert.equal(config.kind, 'module');
    const hasher = await createPasswordHasher({ cost: 10, threads: 1 });
    const connector = await createModuleConnector(config, createLogger('silent'), hasher);
    assert.equal(connector.source, 'legacy');
    await hasher.close();
  });

  it('refuses to start with a module that lacks the functions', async () => {
    const config = legacySchema.parse({
      kind: 'module',
      path: fileURLToPath(new URL('../support/html.ts', import.meta.url)),
    });
    assert.equal(config.kind, 'module');
    const hasher = await createPasswordHasher({ cost: 10, threads: 1 });
    await assert.rejects(
      createModuleConnector(config, createLogger('silent'), hasher),
      /must export functions authenticate/,
    );
    await hasher.close();
  });
});
