import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { legacySchema } from '../../src/config/legacy-schema.js';
import { DEMO_USERS } from '../../src/demo/demo-users.js';
import { LegacyUserService } from '../../src/demo/legacy-service.js';
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
  const make = () => createModuleConnector(config, createLogger('silent'));
  const hangingConnector = await make();
  return {
    connector: await make(),
    valid: { login: 'mia', password: 'mia-old-password', legacyId: 'M-1', email: 'mia@example.com' },
    idField: 'uid',
    disabled: { login: 'max', password: 'max-old-password' },
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
    close: () => Promise.resolve(),
  };
});

describe('the shipped example legacy module', () => {
  it('loads as a module connector', async () => {
    const config = legacySchema.parse({
      kind: 'module',
      path: fileURLToPath(new URL('../../config/examples/legacy-module.example.ts', import.meta.url)),
    });
    assert.equal(config.kind, 'module');
    const connector = await createModuleConnector(config, createLogger('silent'));
    assert.equal(connector.source, 'legacy');
  });

  it('refuses to start with a module that lacks the functions', async () => {
    const config = legacySchema.parse({
      kind: 'module',
      path: fileURLToPath(new URL('../support/html.ts', import.meta.url)),
    });
    assert.equal(config.kind, 'module');
    await assert.rejects(createModuleConnector(config, createLogger('silent')), /must export functions authenticate/);
  });
});
