import type { LegacyConfig } from '../config/schema.js';
import type { LegacyConnector } from './connector.js';
import { createHttpConnector } from './http-connector.js';

export function createConnector(config: LegacyConfig): LegacyConnector {
  switch (config.kind) {
    case 'http':
      return createHttpConnector(config);
  }
}
