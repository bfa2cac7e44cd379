import { join } from 'node:path';
import { openEmbeddedStore } from '../src/store/embedded/embedded-store.js';
import { openPostgresStore } from '../src/store/postgres/postgres-store.js';
import type { Store } from '../src/store/store.js';
import { processTreeCpuMicros } from './measure.js';
import { createDatabase, startPostgres, type PostgresServer } from '../test/support/servers/postgres.js';

/** The store back ends the sign-in bench runs the IdP on (`BENCH_STORE`, or `npm run bench -- sign-in --store …`). */
export type BenchStoreKind = 'embedded' | 'postgres';

/** Named stores of one kind, each empty at first: its IdP configuration, and the store opened directly (to fill it). */
export interface BenchStores {
  kind: BenchStoreKind;
  /** What the IdP's `store` configuration says for the store `name`. */
  config(name: string): Promise<Record<string, unknown>>;
  open(name: string): Promise<Store>;
  /** CPU the store's own server has used so far (all its processes), in microseconds; none for the embedded store. */
  serverCpuMicros?: () => number;
  close(): Promise<void>;
}

export function benchStoreKind(value: string | undefined): BenchStoreKind {
  if (value === undefined || value === 'embedded') return 'embedded';
  if (value === 'postgres') return value;
  throw new Error(`unknown store "${value}": embedded or postgres`);
}

export async function benchStores(kind: BenchStoreKind, dir: string): Promise<BenchStores> {
  if (kind === 'embedded') {
    const path = (name: string) => join(dir, `${name}.sqlite`);
    return {
      kind,
      config: (name) => Promise.resolve({ sqlitePath: path(name) }),
      open: (name) => Promise.resolve(openEmbeddedStore(path(name))),
      close: () => Promise.resolve(),
    };
  }
  // A private server, durable as a production one is (the test servers switch fsync off for speed), reached through
  // its Unix socket as a server on the same machine is: over loopback TCP the sending process also pays for the
  // receiving side's TCP work (measured: 7 ms of the IdP's CPU per sign-in of 24 statements), which a remote server's
  // network card does not charge the IdP for.
  const server: PostgresServer = await startPostgres({ durable: true, unixSocket: true });
  const socketDir = server.socketDir ?? '';
  const databases = new Map<string, Promise<string>>();
  const urlOf = (name: string) => {
    let url = databases.get(name);
    if (url === undefined) {
      url = createDatabase(server, `bench_${name}`).then((tcp) => `${tcp}?host=${encodeURIComponent(socketDir)}`);
      databases.set(name, url);
    }
    return url;
  };
  return {
    kind,
    config: async (name) => ({ databaseUrl: await urlOf(name) }),
    open: async (name) => openPostgresStore(await urlOf(name)),
    serverCpuMicros: () => processTreeCpuMicros(server.pid),
    close: () => server.stop(),
  };
}
