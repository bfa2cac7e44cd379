import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { normaliseLogin } from '../accounts/account.js';

/**
 * Every login a scan has read, kept in a throw-away SQLite file rather than in memory, so a scan of millions of
 * legacy users runs in bounded memory: which logins several legacy users share once folded as the IdP folds them
 * (case, compatibility forms, a shared email), and which an import would already have given to an earlier user.
 */

export interface IndexedLogin {
  /** The record's place in the scan, 0 first: an import meets records in this order. */
  seq: number;
  field: 'username' | 'email';
  /** As the legacy store spells it. */
  login: string;
  legacyId: string;
  username: string;
}

export type ClashKind = 'exact' | 'case' | 'compatibility' | 'shared-email';

export interface ClashGroup {
  kind: ClashKind;
  /** The folded login they share. */
  login: string;
  /** How many legacy users share it. */
  size: number;
  /** The first of them, in scan order (capped). */
  members: { legacyId: string; username: string; login: string }[];
}

export class LoginIndex {
  readonly #dir: string;
  readonly #db: Database.Database;
  readonly #add: Database.Statement<[string, number, string, string, string, string]>;
  readonly #claim: Database.Statement<[string]>;
  readonly #claimed: Database.Statement<[string], { found: number }>;

  constructor() {
    this.#dir = mkdtempSync(join(tmpdir(), 'jit-idp-scan-'));
    this.#db = new Database(join(this.#dir, 'logins.sqlite'));
    // Scratch data, rebuilt by the next scan: durability would only cost time.
    this.#db.pragma('journal_mode = OFF');
    this.#db.pragma('synchronous = OFF');
    this.#db.pragma('cache_size = -32768');
    this.#db.exec(`
      CREATE TABLE logins (norm TEXT NOT NULL, seq INTEGER NOT NULL, field TEXT NOT NULL, login TEXT NOT NULL,
        legacy_id TEXT NOT NULL, username TEXT NOT NULL);
      CREATE TABLE claims (norm TEXT PRIMARY KEY) WITHOUT ROWID;`);
    this.#add = this.#db.prepare('INSERT INTO logins VALUES (?, ?, ?, ?, ?, ?)');
    this.#claim = this.#db.prepare('INSERT OR IGNORE INTO claims VALUES (?)');
    this.#claimed = this.#db.prepare('SELECT count(*) AS found FROM claims WHERE norm = ?');
  }

  /** Adds a page of logins in one transaction. */
  addAll(logins: readonly IndexedLogin[]): void {
    this.#db.transaction(() => {
      for (const entry of logins) {
        this.#add.run(normaliseLogin(entry.login), entry.seq, entry.field, entry.login, entry.legacyId, entry.username);
      }
    })();
  }

  /**
   * For each user of a page in turn, takes their folded logins as an import storing that user would: false (and
   * nothing taken) when an earlier user has any of them already. One transaction per page.
   */
  claimAll(users: readonly (readonly string[])[]): boolean[] {
    return this.#db.transaction(() =>
      users.map((logins) => {
        if (logins.some((login) => (this.#claimed.get(login)?.found ?? 0) > 0)) return false;
        for (const login of logins) this.#claim.run(login);
        return true;
      }),
    )();
  }

  /** Groups of legacy users sharing a folded login, by kind, with up to `sampleLimit` groups each. */
  clashes(sampleLimit: number, membersPerGroup = 10): { counts: Record<ClashKind, number>; samples: ClashGroup[] } {
    // The index is built once, at the end: cheaper than maintaining it across millions of inserts.
    this.#db.exec('CREATE INDEX IF NOT EXISTS logins_norm ON logins (norm, seq)');
    const groups = this.#db
      .prepare<[], { norm: string; size: number; users: number; field: string }>(
        `SELECT norm, count(*) AS size, count(DISTINCT legacy_id) AS users, min(field) AS field
         FROM logins GROUP BY norm HAVING count(DISTINCT legacy_id) > 1 ORDER BY min(seq)`,
      )
      .iterate();
    const members = this.#db.prepare<[string, number], { legacy_id: string; username: string; login: string }>(
      'SELECT legacy_id, username, login FROM logins WHERE norm = ? ORDER BY seq LIMIT ?',
    );
    const spellings = this.#db.prepare<[string], { login: string }>('SELECT DISTINCT login FROM logins WHERE norm = ?');
    const counts: Record<ClashKind, number> = { exact: 0, case: 0, compatibility: 0, 'shared-email': 0 };
    const samples: ClashGroup[] = [];
    const sampled: Record<ClashKind, number> = { exact: 0, case: 0, compatibility: 0, 'shared-email': 0 };
    for (const group of groups) {
      const kind = clashKind(
        group.field === 'email' ? 'email' : 'username',
        spellings.all(group.norm).map((row) => row.login),
      );
      // Counted in legacy users involved, so a reader can compare it with the number of users scanned.
      counts[kind] += group.users;
      if (sampled[kind] >= sampleLimit) continue;
      sampled[kind]++;
      samples.push({
        kind,
        login: group.norm,
        size: group.users,
        members: members.all(group.norm, membersPerGroup).map((row) => ({
          legacyId: row.legacy_id,
          username: row.username,
          login: row.login,
        })),
      });
    }
    return { counts, samples };
  }

  close(): void {
    this.#db.close();
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

/** What makes distinct spellings one login here: nothing (the same text), case alone, or compatibility forms. */
function clashKind(field: 'username' | 'email', spellings: readonly string[]): ClashKind {
  if (field === 'email') return 'shared-email';
  if (new Set(spellings).size === 1) return 'exact';
  const byCase = new Set(spellings.map((login) => login.normalize('NFC').trim().toLowerCase()));
  return byCase.size === 1 ? 'case' : 'compatibility';
}
