import Database from 'better-sqlite3';
import { lowerWorkerThreadPriority } from '../../passwords/thread-priority.js';

lowerWorkerThreadPriority();

/** One task for a worker thread: checkpoint this file now. */
export interface CheckpointTask {
  path: string;
  busyTimeoutMs: number;
}

/**
 * Piscina's entry point; false when the checkpoint could not run (busy, failing disk): the next one will. A
 * connection of its own each time (opening one costs about a millisecond, every few seconds), so that whichever
 * thread of a pool runs it leaves nothing open behind.
 */
export default function run(task: CheckpointTask): boolean {
  let db: Database.Database | undefined;
  try {
    db = new Database(task.path, { timeout: task.busyTimeoutMs });
    // PASSIVE never waits for readers or writers: the event loop's connection is never held up by it. It syncs
    // the log before it copies pages, and the file after (this connection's default synchronous = FULL).
    db.pragma('wal_checkpoint(PASSIVE)');
    return true;
  } catch {
    return false;
  } finally {
    db?.close();
  }
}
