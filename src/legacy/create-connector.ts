import type { LegacyConfig } from '../config/schema.js';
import type { LegacyConnector } from './connector.js';
import { createHttpConnector } from './http-connector.js';

export function createConnector(config: LegacyConfig): LegacyConnector {
  // One kind so far; each new kind adds a branch on `config.kind` here.
  return createHttpConnector(config);
}
