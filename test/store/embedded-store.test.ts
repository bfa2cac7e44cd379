import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedStore } from '../../src/store/embedded/embedded-store.js';
import { storeContract } from './store-contract.js';

storeContract('embedded (SQLite file)', () =>
  Promise.resolve(openEmbeddedStore(join(mkdtempSync(join(tmpdir(), 'jit-idp-store-')), 'idp.sqlite'))),
);
