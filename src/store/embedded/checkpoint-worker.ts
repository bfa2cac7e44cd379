import Database from 'better-sqlite3';

/** One task for the checkpoint thread: checkpoint the file now, or close it for good. */
export interface CheckpointTask {
  op: 'checkpoint' | 'close';
  path: string;
  busyTimeoutMs: number;
}

const connections = new Map<string, Database.Database>();

/** Piscina's entry point; returns false when the checkpoint could not run (busy, failing disk): the next one will. */
export default function run(task: CheckpointTask): boolean {
  if (task.op === 'close') {
    connections.get(task.path)?.close();
    connections.delete(task.path);
    return true;
  }
  try {
    let db = connections.get(task.path);
    if (!db) {
      db = new Database(task.path, { timeout: task.busyTimeoutMs });
      connections.set(task.path, db);
    }
    // PASSIVE never waits for readers or writers: the event loop's connections are never held up by it. It syncs
    // the log before it copies pages, and the file after (this connection's default synchronous = FULL).
    db.pragma('wal_checkpoint(PASSIVE)');
    return true;
  } catch {
    return false;
  }
}
