import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIdp, type Idp } from '../../src/app.js';
import { configSchema } from '../../src/config/schema.js';
import { prepareDemo, type DemoMode } from '../../src/demo/demo-mode.js';
import { createLogger } from '../../src/log/logger.js';
import { closeServer, listen } from '../../src/server.js';

export interface DemoStack {
  issuer: string;
  demo: DemoMode;
  idp: Idp;
  close(): Promise<void>;
}

/**
 * What `npm start` runs with no configuration (IdP, demo legacy service, demo app), on ephemeral ports. A suite about
 * something else than passkeys can turn the offer of one after each password sign-in off (`offerPasskeys: false`).
 */
export async function startDemoStack(options: { offerPasskeys?: boolean } = {}): Promise<DemoStack> {
  const dir = mkdtempSync(join(tmpdir(), 'jit-idp-demo-'));
  const server = createServer();
  const port = await listen(server, 0, '127.0.0.1');
  const base = configSchema.parse({
    port,
    issuer: `http://localhost:${port}`,
    store: { sqlitePath: join(dir, 'idp.sqlite') },
    passwords: { hashingThreads: 2 },
    logLevel: 'silent',
    demo: { legacyPort: 0, appPort: 0 },
    mfa: { offerPasskeyAfterSignIn: options.offerPasskeys ?? true },
  });
  const demo = await prepareDemo(base);
  const idp = await createIdp({ config: demo.config, logger: createLogger('silent'), demoMode: true });
  server.on('request', idp.listener);
  demo.startApp(demo.config.issuer, idp.store.accounts);
  return {
    issuer: demo.config.issuer,
    demo,
    idp,
    async close() {
      await closeServer(server, 100);
      await demo.close();
      await idp.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
