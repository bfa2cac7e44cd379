import { createLegacyTombstones } from '../src/erasure/legacy-tombstones.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { configSchema } from '../src/config/schema.js';
import { fileSource } from '../src/import/import-source.js';
import { runImport } from '../src/import/run-import.js';
import { createProfileTransformer } from '../src/migration/transform.js';
import { openEmbeddedStore } from '../src/store/embedded/embedded-store.js';

/**
 * `npm run bench` (third part): bulk import of 100,000 users with bcrypt hashes from a JSON Lines file into a fresh
 * embedded store, through the real transformation, validation and batch inserts (the target: under a minute).
 */
const USERS = Number(process.env.BENCH_IMPORT_USERS ?? 100_000);
const dir = mkdtempSync(join(tmpdir(), 'jit-idp-import-bench-'));
try {
  // Distinct hashes cost ~60 ms each to make; one real hash for all is what the import sees anyway: text to keep.
  const hash = bcrypt.hashSync('bench password', 10);
  const file = join(dir, 'users.jsonl');
  writeFileSync(
    file,
    Array.from({ length: USERS }, (_, i) =>
      JSON.stringify({
        id: `B-${i}`,
        username: `user${i}`,
        email: `user${i}@example.com`,
        email_verified: i % 3 === 0,
        given_name: 'Bench',
        family_name: `User ${i}`,
        roles: ['customer'],
        passwordHash: hash,
        hashScheme: 'bcrypt',
      }),
    ).join('\n'),
  );
  const config = configSchema.parse({});
  const store = openEmbeddedStore(join(dir, 'idp.sqlite'));
  const summary = await runImport(
    {
      accounts: store.accounts,
      tombstones: createLegacyTombstones(store.tombstones, 'bench'),
      transform: await createProfileTransformer(config.migration),
      record: async (event) => {
        await store.events.append(event);
      },
      legacySource: 'legacy',
    },
    fileSource(file, 'jsonl', 1000),
  );
  await store.close();
  const seconds = summary.durationMs / 1000;
  process.stdout.write(
    `bulk import, JSON Lines -> embedded store: ${summary.imported.toLocaleString('en-US')} users in ${seconds.toFixed(1)} s ` +
      `(${Math.round(summary.imported / seconds).toLocaleString('en-US')} users/s), rejected ${summary.rejected}\n\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
