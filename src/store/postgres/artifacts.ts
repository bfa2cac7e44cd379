import type pg from 'pg';
import { artifactIndexKeys } from '../artifact-keys.js';
import type { ArtifactPayload, ArtifactStore } from '../store.js';
import { preparedStatement, storable } from './sql.js';

interface ArtifactRow {
  /** `json`, parsed by pg. */
  payload: ArtifactPayload;
  consumed_at: number | null;
}

/** Live: no expiry, or one still ahead of `now` ($3 in every query that tests it). */
const LIVE = '(expires_at IS NULL OR expires_at > $3)';

// Every artifact statement runs several times per sign-in.
const UPSERT = preparedStatement(
  'artifact_upsert',
  `INSERT INTO oidc_artifacts (model, id, payload, grant_id, uid, user_code, account_id, expires_at)
   VALUES ($1, $2, $3::json, $4, $5, $6, $7, $8)
   ON CONFLICT (model, id) DO UPDATE SET payload = excluded.payload, grant_id = excluded.grant_id,
     uid = excluded.uid, user_code = excluded.user_code, account_id = excluded.account_id,
     expires_at = excluded.expires_at`,
);
const FIND = preparedStatement(
  'artifact_find',
  `SELECT payload, consumed_at FROM oidc_artifacts WHERE model = $1 AND id = $2 AND ${LIVE}`,
);
const FIND_BY_UID = preparedStatement(
  'artifact_find_by_uid',
  `SELECT payload, consumed_at FROM oidc_artifacts WHERE model = $1 AND uid = $2 AND ${LIVE} LIMIT 1`,
);
const FIND_BY_USER_CODE = preparedStatement(
  'artifact_find_by_user_code',
  `SELECT payload, consumed_at FROM oidc_artifacts WHERE model = $1 AND user_code = $2 AND ${LIVE} LIMIT 1`,
);
const FIND_BY_ACCOUNT = preparedStatement(
  'artifact_find_by_account',
  `SELECT payload, consumed_at FROM oidc_artifacts WHERE account_id = $2 AND model = $1 AND ${LIVE}`,
);
const CONSUME = preparedStatement(
  'artifact_consume',
  'UPDATE oidc_artifacts SET consumed_at = $3 WHERE model = $1 AND id = $2',
);
const DESTROY = preparedStatement('artifact_destroy', 'DELETE FROM oidc_artifacts WHERE model = $1 AND id = $2');

export class PostgresArtifactStore implements ArtifactStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async upsert(model: string, id: string, payload: ArtifactPayload, expiresInSeconds: number | undefined) {
    const keys = artifactIndexKeys(payload);
    // A key PostgreSQL text cannot hold is not indexed: nothing could ever look it up.
    const key = (value: string | undefined) => (value !== undefined && storable(value) ? value : null);
    await this.#pool.query(
      UPSERT([
        model,
        id,
        JSON.stringify(payload),
        key(keys.grantId),
        key(keys.uid),
        key(keys.userCode),
        key(keys.accountId),
        expiresInSeconds === undefined ? null : Date.now() + expiresInSeconds * 1000,
      ]),
    );
  }

  async find(model: string, id: string) {
    if (!storable(id)) return undefined;
    return this.#one(FIND, model, id);
  }

  async findByUid(model: string, uid: string) {
    if (!storable(uid)) return undefined;
    return this.#one(FIND_BY_UID, model, uid);
  }

  async findByUserCode(model: string, userCode: string) {
    if (!storable(userCode)) return undefined;
    return this.#one(FIND_BY_USER_CODE, model, userCode);
  }

  async consume(model: string, id: string) {
    if (!storable(id)) return;
    await this.#pool.query(CONSUME([model, id, Math.floor(Date.now() / 1000)]));
  }

  async take(model: string, id: string) {
    if (!storable(id)) return undefined;
    // One statement: of concurrent takers, the others find the row gone once the first commits.
    const { rows } = await this.#pool.query<ArtifactRow>(
      `DELETE FROM oidc_artifacts WHERE model = $1 AND id = $2 AND ${LIVE} AND consumed_at IS NULL
       RETURNING payload`,
      [model, id, Date.now()],
    );
    return rows[0]?.payload;
  }

  async destroy(model: string, id: string) {
    if (!storable(id)) return;
    await this.#pool.query(DESTROY([model, id]));
  }

  async revokeByGrantId(grantId: string) {
    if (!storable(grantId)) return;
    await this.#pool.query('DELETE FROM oidc_artifacts WHERE grant_id = $1', [grantId]);
  }

  async findByAccount(model: string, accountId: string) {
    if (!storable(accountId)) return [];
    const { rows } = await this.#pool.query<ArtifactRow>(FIND_BY_ACCOUNT([model, accountId, Date.now()]));
    return rows.map(payloadOf);
  }

  async revokeByAccount(accountId: string) {
    if (!storable(accountId)) return;
    await this.#pool.query('DELETE FROM oidc_artifacts WHERE account_id = $1', [accountId]);
  }

  async #one(statement: typeof FIND, model: string, key: string): Promise<ArtifactPayload | undefined> {
    const { rows } = await this.#pool.query<ArtifactRow>(statement([model, key, Date.now()]));
    const row = rows[0];
    return row ? payloadOf(row) : undefined;
  }
}

function payloadOf(row: ArtifactRow): ArtifactPayload {
  return row.consumed_at === null ? row.payload : { ...row.payload, consumed: row.consumed_at };
}
