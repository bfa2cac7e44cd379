import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createWalSync, syncedAfter } from '../../src/store/embedded/wal-sync.js';

describe('syncing the embedded store’s log', () => {
  it('callers during a sync share the next one; callers before it share it (group commit)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jit-idp-wal-'));
    writeFileSync(join(dir, 'db-wal'), 'frames');
    const wal = createWalSync(join(dir, 'db'));
    try {
      const first = wal.sync();
      const waiting = [wal.sync(), wal.sync(), wal.sync()];
      assert.notEqual(waiting[0], first, 'a commit made while a sync runs is not covered by it');
      assert.equal(waiting[1], waiting[0], 'everyone arriving meanwhile shares one sync');
      assert.equal(waiting[2], waiting[0]);
      await Promise.all([first, ...waiting]);
      const later = wal.sync();
      assert.notEqual(later, waiting[0], 'a commit after the last sync ended gets a sync of its own');
      await later;
    } finally {
      await wal.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a failed sync is the store’s I/O error, and the next one opens the file again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jit-idp-wal-'));
    const wal = createWalSync(join(dir, 'db'));
    try {
      await assert.rejects(wal.sync(), { code: 'SQLITE_IOERR_FSYNC' });
      writeFileSync(join(dir, 'db-wal'), 'frames');
      await wal.sync();
    } finally {
      await wal.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a listed write settles only after the sync; other methods are the store’s own', async () => {
    class Store {
      readonly #log: string[] = [];
      write(value: string): Promise<string> {
        this.#log.push(value);
        return Promise.resolve(`wrote ${value}`);
      }
      read(): Promise<readonly string[]> {
        return Promise.resolve(this.#log);
      }
    }
    const events: string[] = [];
    let release: () => void = () => undefined;
    const synced = syncedAfter(new Store(), ['write'], () => {
      events.push('sync started');
      return new Promise<void>((resolve) => (release = resolve));
    });
    const written = synced.write('a').then((result) => events.push(result));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(events, ['sync started'], 'the write has not answered before its sync ended');
    release();
    await written;
    assert.deepEqual(events, ['sync started', 'wrote a']);
    assert.deepEqual(await synced.read(), ['a'], 'reads reach the store’s private state, unsynced');
    assert.equal(events.length, 2);
  });
});
