import type { Account } from '../../src/accounts/account.js';
import { normaliseLogin } from '../../src/accounts/account.js';
import { DEMO_MAPPING } from '../../src/demo/demo-mode.js';
import type { EventType, StoredEvent } from '../../src/events/event.js';
import type { RecordEvent } from '../../src/events/recorder.js';
import type {
  AuthenticateOutcome,
  FindUserOutcome,
  LegacyProfile,
  WriteBackOutcome,
} from '../../src/legacy/connector.js';
import { createCutOffAwareLegacy, type CutOffAwareLegacy } from '../../src/legacy/cut-off-aware-legacy.js';
import type { LegacySystem } from '../../src/legacy/legacy-system.js';
import { createProfileTransformer, type ProfileTransformer } from '../../src/migration/transform.js';
import { createPasswordHasher, type PasswordHasher } from '../../src/passwords/password-hasher.js';
import { createLegacyTombstones, type LegacyTombstones } from '../../src/erasure/legacy-tombstones.js';
import { openEmbeddedStore } from '../../src/store/embedded/embedded-store.js';
import type { Store } from '../../src/store/store.js';

/**
 * What the unit tests of the domain services (sign-in, choosing logins, registration, password reset, cut-off) stand
 * on: an in-memory SQLite store, a fake legacy system with call counters, a real bcrypt hasher at the lowest cost
 * on one thread, the demo mapping, and a clock that only moves when a test moves it.
 */

export interface FakeLegacyUser {
  profile: LegacyProfile;
  password: string;
  disabled?: boolean;
}

export interface FakeLegacySystem extends LegacySystem {
  readonly users: FakeLegacyUser[];
  readonly calls: { authenticate: number; findUser: number; afterMigration: string[] };
  /** Every call answers `unavailable` while set. */
  down: boolean;
  /** The next `authenticate` answers this instead of judging (an outcome the fake cannot otherwise produce). */
  nextAnswer: AuthenticateOutcome | undefined;
  /** What the write-back answers; `undefined` means the connector has none. */
  writeBack: WriteBackOutcome | undefined;
}

export const SOURCE = 'fake-legacy';

/** A legacy user in the demo mapping's shape. */
export function legacyUser(
  uid: string,
  username: string,
  password: string,
  extra: Record<string, unknown> = {},
): FakeLegacyUser {
  const { disabled, ...profile } = extra;
  return {
    profile: { uid, user_name: username, mail: `${username}@example.com`, first: username, last: 'Legacy', ...profile },
    password,
    ...(disabled === true ? { disabled: true } : {}),
  };
}

/** A fake LegacySystem: answers from an array of users, as the legacy HTTP API would (login = username or email). */
export function fakeLegacySystem(users: FakeLegacyUser[] = []): FakeLegacySystem {
  const find = (login: string) =>
    users.find((user) =>
      [user.profile.user_name, user.profile.mail].some(
        (value) => typeof value === 'string' && normaliseLogin(value) === normaliseLogin(login),
      ),
    );
  const fake: FakeLegacySystem = {
    source: SOURCE,
    passwordJudge: 'legacy-system',
    users,
    calls: { authenticate: 0, findUser: 0, afterMigration: [] },
    down: false,
    nextAnswer: undefined,
    writeBack: { kind: 'done' },
    authenticate(login, password) {
      fake.calls.authenticate++;
      const forced = fake.nextAnswer;
      fake.nextAnswer = undefined;
      if (fake.down) return Promise.resolve({ kind: 'unavailable', cause: 'fake outage' });
      if (forced) return Promise.resolve(forced);
      const user = find(login);
      if (!user || user.password !== password) return Promise.resolve({ kind: 'invalid' });
      if (user.disabled) return Promise.resolve({ kind: 'disabled' });
      return Promise.resolve({ kind: 'valid', profile: user.profile });
    },
    findUser(login): Promise<FindUserOutcome> {
      fake.calls.findUser++;
      if (fake.down) return Promise.resolve({ kind: 'unavailable', cause: 'fake outage' });
      const user = find(login);
      return Promise.resolve(
        user ? { kind: 'found', profile: user.profile, disabled: user.disabled ?? false } : { kind: 'not-found' },
      );
    },
    afterMigration(legacyId) {
      fake.calls.afterMigration.push(legacyId);
      return Promise.resolve(fake.writeBack);
    },
    health: () => ({ source: SOURCE, circuit: 'closed', inFlight: 0, queued: 0 }),
    close: () => Promise.resolve(),
  };
  return fake;
}

export interface DomainFixture {
  store: Store;
  legacy: FakeLegacySystem;
  cutOffAwareLegacy: CutOffAwareLegacy;
  hasher: PasswordHasher;
  transform: ProfileTransformer;
  record: RecordEvent;
  /** Tombstones of erased accounts, on the fixture's store. */
  tombstones: LegacyTombstones;
  /** The fixed clock every service is given. */
  now: () => Date;
  events(type?: EventType): Promise<StoredEvent[]>;
  /** A local account, made directly in the store (a registered user, say). */
  localAccount(username: string, password: string, extra?: Partial<Account>): Promise<Account>;
  /** Lets the un-awaited write-back (and its failure event) finish. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export const NOW = new Date('2026-01-02T03:04:05.000Z');

let sharedHasher: Promise<PasswordHasher> | undefined;

/** One hasher per test file (its worker thread takes a moment to start); closed by `closeHasher`. */
export function testHasher(): Promise<PasswordHasher> {
  sharedHasher ??= createPasswordHasher({ cost: 4, threads: 1 });
  return sharedHasher;
}

export async function closeHasher(): Promise<void> {
  await (await sharedHasher)?.close();
  sharedHasher = undefined;
}

/** Stands in for the hasher where a test hashes nothing, so it does not wait for a worker thread to start. */
const NO_HASHER: PasswordHasher = {
  hash: () => Promise.reject(new Error('this test has no hasher')),
  verify: () => Promise.reject(new Error('this test has no hasher')),
  verifyDecoy: () => Promise.reject(new Error('this test has no hasher')),
  verifyLegacy: () => Promise.reject(new Error('this test has no hasher')),
  runOnThread: () => Promise.reject(new Error('this test has no hasher')),
  queued: 0,
  close: () => Promise.resolve(),
};

export async function domainFixture(
  users: FakeLegacyUser[] = [],
  options: { hashes?: boolean } = {},
): Promise<DomainFixture> {
  const store = openEmbeddedStore(':memory:');
  const legacy = fakeLegacySystem(users);
  const hasher = options.hashes === false ? NO_HASHER : await testHasher();
  const now = () => new Date(NOW);
  return {
    store,
    tombstones: createLegacyTombstones(store.tombstones, 'unit-test-key'),
    legacy,
    cutOffAwareLegacy: createCutOffAwareLegacy(legacy, store.settings, false),
    hasher,
    transform: await createProfileTransformer({ mapping: DEMO_MAPPING, emailRequired: true }),
    record: async (event) => {
      await store.events.append(event);
    },
    now,
    events: (type) => store.events.list(type ? { type } : {}),
    async localAccount(username, password, extra = {}) {
      const account: Account = {
        id: `local-${username}`,
        username,
        email: `${username}@local.example.com`,
        emailVerified: true,
        roles: [],
        origin: 'registered',
        password: extra.password ?? { kind: 'bcrypt', hash: await hasher.hash(password) },
        createdAt: now(),
        updatedAt: now(),
        ...extra,
      };
      const inserted = await store.accounts.insert(account);
      if (inserted.kind !== 'inserted') throw new Error(`could not insert ${username}: ${inserted.field}`);
      return account;
    },
    settle: () => new Promise((resolve) => setImmediate(resolve)),
    close: () => store.close(),
  };
}
