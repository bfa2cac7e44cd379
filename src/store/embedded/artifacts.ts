import type { Database, Statement } from 'better-sqlite3';
import { artifactIndexKeys } from '../artifact-keys.js';
import type { ArtifactPayload, ArtifactStore } from '../store.js';

interface ArtifactRow {
  payload: string;
  consumed_at: number | null;
}

export class SqliteArtifactStore implements ArtifactStore {
  readonly #upsert: Statement<Record<string, unknown>>;
  readonly #find: Statement<[string, string, number], ArtifactRow>;
  readonly #findByUid: Statement<[string, string, number], ArtifactRow>;
  readonly #findByUserCode: Statement<[string, string, number], ArtifactRow>;
  readonly #consume: Statement<[number, string, string]>;
  readonly #destroy: Statement<[string, string]>;
  readonly #take: Statement<[string, string, number], { payload: string }>;
  readonly #revoke: Statement<[string]>;
  readonly #findByAccount: Statement<[string, string, number], ArtifactRow>;
  readonly #revokeByAccount: Statement<[string]>;
  readonly #purge: Statement<[number]>;

  constructor(db: Database) {
    this.#upsert = db.prepare(`
      INSERT INTO oidc_artifacts (model, id, payload, grant_id, uid, user_code, account_id, expires_at, consumed_at)
      VALUES (@model, @id, @payload, @grant_id, @uid, @user_code, @account_id, @expires_at, NULL)
      ON CONFLICT (model, id) DO UPDATE SET payload = excluded.payload, grant_id = excluded.grant_id,
        uid = excluded.uid, user_code = excluded.user_code, account_id = excluded.account_id,
        expires_at = excluded.expires_at`);
    const live = '(expires_at IS NULL OR expires_at > ?)';
    this.#find = db.prepare(`SELECT payload, consumed_at FROM oidc_artifacts WHERE model = ? AND id = ? AND ${live}`);
    this.#findByUid = db.prepare(
      `SELECT payload, consumed_at FROM oidc_artifacts WHERE model = ? AND uid = ? AND ${live} LIMIT 1`,
    );
    this.#findByUserCode = db.prepare(
      `SELECT payload, consumed_at FROM oidc_artifacts WHERE model = ? AND user_code = ? AND ${live} LIMIT 1`,
    );
    this.#consume = db.prepare('UPDATE oidc_artifacts SET consumed_at = ? WHERE model = ? AND id = ?');
    this.#destroy = db.prepare('DELETE FROM oidc_artifacts WHERE model = ? AND id = ?');
    this.#take = db.prepare(
      `DELETE FROM oidc_artifacts WHERE model = ? AND id = ? AND ${live} AND consumed_at IS NULL RETURNING payload`,
    );
    this.#revoke = db.prepare('DELETE FROM oidc_artifacts WHERE grant_id = ?');
    this.#findByAccount = db.prepare(
      `SELECT payload, consumed_at FROM oidc_artifacts WHERE account_id = ? AND model = ? AND ${live} ORDER BY rowid`,
    );
    this.#revokeByAccount = db.prepare('DELETE FROM oidc_artifacts WHERE account_id = ?');
    this.#purge = db.prepare('DELETE FROM oidc_artifacts WHERE expires_at IS NOT NULL AND expires_at <= ?');
  }

  upsert(model: string, id: string, payload: ArtifactPayload, expiresInSeconds: number | undefined): Promise<void> {
    const keys = artifactIndexKeys(payload);
    this.#upsert.run({
      model,
      id,
      payload: JSON.stringify(payload),
      grant_id: keys.grantId ?? null,
      uid: keys.uid ?? null,
      user_code: keys.userCode ?? null,
      account_id: keys.accountId ?? null,
      expires_at: expiresInSeconds === undefined ? null : Date.now() + expiresInSeconds * 1000,
    });
    return Promise.resolve();
  }

  find(model: string, id: string): Promise<ArtifactPayload | undefined> {
    return Promise.resolve(toPayload(this.#find.get(model, id, Date.now())));
  }

  findByUid(model: string, uid: string): Promise<ArtifactPayload | undefined> {
    return Promise.resolve(toPayload(this.#findByUid.get(model, uid, Date.now())));
  }

  findByUserCode(model: string, userCode: string): Promise<ArtifactPayload | undefined> {
    return Promise.resolve(toPayload(this.#findByUserCode.get(model, userCode, Date.now())));
  }

  consume(model: string, id: string): Promise<void> {
    this.#consume.run(Math.floor(Date.now() / 1000), model, id);
    return Promise.resolve();
  }

  take(model: string, id: string): Promise<ArtifactPayload | undefined> {
    const row = this.#take.get(model, id, Date.now());
    return Promise.resolve(row ? (JSON.parse(row.payload) as ArtifactPayload) : undefined);
  }

  destroy(model: string, id: string): Promise<void> {
    this.#destroy.run(model, id);
    return Promise.resolve();
  }

  revokeByGrantId(grantId: string): Promise<void> {
    this.#revoke.run(grantId);
    return Promise.resolve();
  }

  findByAccount(model: string, accountId: string): Promise<ArtifactPayload[]> {
    const rows = this.#findByAccount.all(accountId, model, Date.now());
    return Promise.resolve(rows.map(payloadOf));
  }

  revokeByAccount(accountId: string): Promise<void> {
    this.#revokeByAccount.run(accountId);
    return Promise.resolve();
  }

  /** Reads already ignore expired rows; this only reclaims their space. */
  purgeExpired(): void {
    this.#purge.run(Date.now());
  }
}

function toPayload(row: ArtifactRow | undefined): ArtifactPayload | undefined {
  return row ? payloadOf(row) : undefined;
}

function payloadOf(row: ArtifactRow): ArtifactPayload {
  const payload = JSON.parse(row.payload) as ArtifactPayload;
  return row.consumed_at === null ? payload : { ...payload, consumed: row.consumed_at };
}
