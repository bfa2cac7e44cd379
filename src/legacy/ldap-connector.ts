import { readFileSync } from 'node:fs';
import { checkServerIdentity, type ConnectionOptions } from 'node:tls';
import { Client, escapeFilter, InvalidCredentialsError, ResultCodeError, type Entry } from 'ldapts';
import type { LdapConnectorConfig } from '../config/legacy-schema.js';
import type {
  AuthenticateOutcome,
  CallContext,
  FindUserOutcome,
  LegacyConnector,
  LegacyProfile,
  LegacyUserRecord,
} from './connector.js';
import { legacyHashOptionsSchema } from '../passwords/legacy/legacy-hash.js';
import { GroupLimitError, groupNamesOf } from './ldap/groups.js';
import { PasswordPolicyControl, policyVerdict } from './ldap/password-policy.js';
import { toProfileValue } from './legacy-values.js';

/**
 * A directory (OpenLDAP, Active Directory) as the legacy system: a service account finds the user's entry, then a
 * bind as that entry with the presented password is the password check. The directory keeps enforcing its own
 * policies (lockout, expiry): the bind carries the password policy control (ppolicy), and its answer and Active
 * Directory's sub-codes become the connector's outcomes.
 */

const BINARY_IDS = new Set(['objectGUID', 'objectSid']);
/** Never part of a profile, even if configured in `attributes` or readable by the service account. */
const PASSWORD_ATTRIBUTES = new Set(
  ['userPassword', 'authPassword', 'unicodePwd', 'sambaNTPassword', 'sambaLMPassword', 'ntPassword', 'pwdHistory'].map(
    (name) => name.toLowerCase(),
  ),
);
/** Group look-ups of one import page in flight at once, on the import's own service connection. */
const GROUP_READS_PER_PAGE = 4;

/** The directory answered something this connector cannot take as an answer (fails the call closed). */
class DirectoryAnswerError extends Error {
  override readonly name = 'DirectoryAnswerError';
  constructor(readonly code: string) {
    super(code);
  }
}

export function createLdapConnector(config: LdapConnectorConfig): LegacyConnector {
  const ca = config.caFile ? [readFileSync(config.caFile)] : undefined;
  const host = new URL(config.url).hostname;
  if (config.groups && config.groups.profileField === config.idAttribute) {
    throw new Error('legacy.groups.profileField must not be the idAttribute');
  }
  const hidden = new Set(PASSWORD_ATTRIBUTES);
  if (config.hashReader) hidden.add(config.hashReader.attribute.toLowerCase());
  const timeLimit = Math.ceil(config.timeoutMs / 1000);
  const profileAttributes = config.attributes.includes(config.idAttribute)
    ? config.attributes
    : [...config.attributes, config.idAttribute];
  const binaryAttributes = [...BINARY_IDS].filter((name) => name === config.idAttribute);
  // Binds to this DN fail like a wrong password: the one bind an unknown or ambiguous login still costs.
  const nobody = `cn=jit-idp-no-such-user,${config.searchBase}`;

  // A fresh object per use: ldapts' startTLS() stores the plain socket in the options it is given. The identity
  // check is pinned to the configured host: ldapts does not pass it to StartTLS, and Node would check "localhost".
  const tlsOptions = (): ConnectionOptions => ({
    ...(ca ? { ca } : {}),
    checkServerIdentity: (_name, certificate) => checkServerIdentity(host, certificate),
  });

  /** A fresh connection (TLS'd as configured) that closes itself if the call's time runs out. */
  const connect = async (context: CallContext): Promise<Client> => {
    // A call whose time is up opens nothing more (a user bind now would still count against a lockout policy).
    context.signal.throwIfAborted();
    const client = new Client({
      url: config.url,
      timeout: config.timeoutMs,
      connectTimeout: config.timeoutMs,
      // For ldap:// the TLS options go to startTLS only: given here too, ldapts mishandles the upgrade.
      ...(config.url.startsWith('ldaps:') ? { tlsOptions: tlsOptions() } : {}),
      strictDN: true,
    });
    context.signal.addEventListener('abort', () => void client.unbind().catch(() => undefined), { once: true });
    if (config.startTls) await client.startTLS(tlsOptions());
    return client;
  };

  /** A connection bound as `identity` for the time of `use`. */
  const boundAs = async <T>(
    identity: { bindDn: string; bindPassword: string },
    context: CallContext,
    use: (client: Client) => Promise<T>,
  ): Promise<T> => {
    const client = await connect(context);
    try {
      await client.bind(identity.bindDn, identity.bindPassword);
      return await use(client);
    } finally {
      await client.unbind().catch(() => undefined);
    }
  };
  const asService = <T>(context: CallContext, use: (client: Client) => Promise<T>) => boundAs(config, context, use);

  const findEntries = async (service: Client, login: string): Promise<Entry[]> => {
    const { searchEntries } = await service.search(config.searchBase, {
      scope: config.scope,
      // A replacer function: a replacement string would expand `$&`, `$'` … typed into the login.
      filter: config.searchFilter.replaceAll('{login}', () => escapeFilter`${login}`),
      attributes: profileAttributes,
      explicitBufferAttributes: binaryAttributes,
      // Two are enough to know a login is ambiguous.
      sizeLimit: 2,
      timeLimit,
    });
    return searchEntries;
  };

  const isDisabled = async (service: Client, dn: string): Promise<boolean> => {
    if (!config.disabledFilter) return false;
    const { searchEntries } = await service.search(dn, {
      scope: 'base',
      filter: config.disabledFilter,
      attributes: ['1.1'],
    });
    return searchEntries.length > 0;
  };

  /** The entry's profile, with its groups when configured (read by the service account). */
  const fullProfile = async (service: Client, entry: Entry, profile = profileOf(entry, config.idAttribute, hidden)) => {
    if (!config.groups) return profile;
    const groups = await groupNamesOf(service, entry.dn, config.groups, config.searchBase, timeLimit);
    return { ...profile, [config.groups.profileField]: groups } satisfies LegacyProfile;
  };

  /**
   * The password check: a bind as the entry, with the password policy control. Undefined when the directory took
   * the password as the user's own, else the refusal.
   */
  const userBind = async (
    dn: string,
    password: string,
    context: CallContext,
  ): Promise<AuthenticateOutcome | undefined> => {
    const user = await connect(context);
    const policy = new PasswordPolicyControl();
    try {
      await user.bind(dn, password, policy);
    } catch (error) {
      if (!(error instanceof ResultCodeError)) throw error;
      const verdict = policyVerdict(false, policy.response);
      if (verdict.kind === 'refused') return { kind: 'disabled' };
      if (error instanceof InvalidCredentialsError) return refusalOf(error.message);
      throw error;
    } finally {
      await user.unbind().catch(() => undefined);
    }
    const verdict = policyVerdict(true, policy.response);
    if (verdict.kind === 'refused') return { kind: 'disabled' };
    if (verdict.kind === 'garbled') throw new DirectoryAnswerError(verdict.code);
    return undefined;
  };

  return {
    source: config.source,
    passwordJudge: 'legacy-system',

    async authenticate(login, password, context): Promise<AuthenticateOutcome> {
      // An empty password makes a simple bind "unauthenticated" and many directories accept it: never ask.
      if (password === '') return { kind: 'invalid' };
      try {
        const entries = await asService(context, (service) => findEntries(service, login));
        const [entry] = entries;
        const ambiguous = entries.length > 1;
        // An unknown or ambiguous login still makes one bind (to a DN that does not exist), so it takes as long as
        // a wrong password, and no one of the entries gets a failure counted against its lockout.
        const refused = await userBind(entry && !ambiguous ? entry.dn : nobody, password, context);
        if (ambiguous) {
          return { kind: 'unjudgeable', reason: 'ambiguous_login', cause: 'several directory entries match the login' };
        }
        if (!entry || refused) return refused ?? { kind: 'invalid' };
        const profile = profileOf(entry, config.idAttribute, hidden);
        if (profile[config.idAttribute] === undefined) {
          return { kind: 'unusable', cause: `the entry has no ${config.idAttribute}` };
        }
        if (!config.disabledFilter && !config.groups) return { kind: 'valid', profile };
        return await asService(context, async (service): Promise<AuthenticateOutcome> => {
          if (await isDisabled(service, entry.dn)) return { kind: 'disabled' };
          return { kind: 'valid', profile: await fullProfile(service, entry, profile) };
        });
      } catch (error) {
        // The password was right: the entry's groups are beyond the configured bounds.
        if (error instanceof GroupLimitError) return { kind: 'unusable', cause: error.code };
        return { kind: 'unavailable', cause: describe(error) };
      }
    },

    async findUser(login, context): Promise<FindUserOutcome> {
      try {
        return await asService(context, async (service): Promise<FindUserOutcome> => {
          const [entry] = await findEntries(service, login);
          if (!entry) return { kind: 'not-found' };
          const profile = await fullProfile(service, entry);
          // Without a disabledFilter the directory's own rules (lockout, expiry) are only seen at a bind: unknown.
          if (!config.disabledFilter) return { kind: 'found', profile };
          return { kind: 'found', profile, disabled: await isDisabled(service, entry.dn) };
        });
      } catch (error) {
        return { kind: 'unavailable', cause: describe(error) };
      }
    },

    async *enumerateUsers(resumeFrom, signal) {
      // Directories have no stable order to resume from, so the resume point is a count of entries already read.
      const skip = Number(resumeFrom ?? 0);
      const { hashReader } = config;
      let lister: Client | undefined;
      let groupReader: Client | undefined;
      try {
        lister = await connect({ signal });
        // Groups are read on a connection of their own: other searches between the pages of a paged search are not
        // something every directory keeps the paging cookie through.
        if (config.groups) groupReader = await connect({ signal });
        await lister.bind(hashReader?.bindDn ?? config.bindDn, hashReader?.bindPassword ?? config.bindPassword);
        await groupReader?.bind(config.bindDn, config.bindPassword);
        // Disabled entries are listed as such (an import refuses them, a scan counts them): the directory evaluates
        // the filter once for the whole listing, and only the DNs it matches are kept.
        const disabledDns = config.disabledFilter ? await matchingDns(lister, config.disabledFilter) : undefined;
        const recordOf = async (entry: Entry): Promise<LegacyUserRecord> => {
          const profile = groupReader
            ? await fullProfile(groupReader, entry)
            : profileOf(entry, config.idAttribute, hidden);
          const status = disabledDns ? { disabled: disabledDns.has(entry.dn.toLowerCase()) } : {};
          if (!hashReader) return { profile, ...status };
          const stored = storedHash(entry, hashReader.attribute);
          return 'problem' in stored
            ? { profile, ...status, passwordProblem: stored.problem }
            : { profile, ...status, password: stored };
        };
        let read = 0;
        for await (const page of lister.searchPaginated(config.searchBase, {
          scope: config.scope,
          filter: config.listFilter,
          attributes: hashReader ? [...profileAttributes, hashReader.attribute] : profileAttributes,
          explicitBufferAttributes: hashReader ? [...binaryAttributes, hashReader.attribute] : binaryAttributes,
          paged: { pageSize: 500 },
        })) {
          const fresh = page.searchEntries.slice(Math.max(0, skip - read));
          read += page.searchEntries.length;
          if (fresh.length > 0) {
            // One group search per user (per level when nested), a few at a time: the configured filter is the
            // directory's to evaluate (it may be Active Directory's in-chain rule), so membership is never inverted
            // here from member lists, which would need DN matching of our own and could disagree with a sign-in.
            yield { records: await mapLimited(fresh, GROUP_READS_PER_PAGE, recordOf), resumeFrom: String(read) };
          }
        }
      } finally {
        await groupReader?.unbind().catch(() => undefined);
        await lister?.unbind().catch(() => undefined);
      }

      /** The DNs of listed entries the disabled filter matches, lower-cased as compared. */
      async function matchingDns(client: Client, disabledFilter: string): Promise<Set<string>> {
        const dns = new Set<string>();
        for await (const page of client.searchPaginated(config.searchBase, {
          scope: config.scope,
          filter: `(&${config.listFilter}${disabledFilter})`,
          attributes: ['1.1'],
          paged: { pageSize: 500 },
        })) {
          for (const entry of page.searchEntries) dns.add(entry.dn.toLowerCase());
        }
        return dns;
      }
    },

    close: () => Promise.resolve(),
  };
}

/**
 * The entry's password attribute as the import's legacy hash (checked by the importer, which keeps only hashes it
 * can verify), or why there is none. None when the attribute has several values: a bind accepts any of them, and
 * keeping one would turn a password the directory accepts into a "wrong password" here (the user resets instead).
 * None either when it is not printable ASCII, which no `{SCHEME}` value is. The problems never quote the value.
 */
function storedHash(entry: Entry, attribute: string): NonNullable<LegacyUserRecord['password']> | { problem: string } {
  const wanted = attribute.toLowerCase();
  const key = Object.keys(entry).find((name) => name.toLowerCase() === wanted);
  const value = key === undefined ? [] : entry[key];
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  if (values.length === 0) return { problem: `no ${attribute} value (or the hash reader may not read it)` };
  if (values.length > 1) return { problem: `several ${attribute} values, any of which a bind accepts` };
  const [only] = values;
  const hash = Buffer.isBuffer(only) ? only.toString('latin1') : String(only);
  if (!/^[\x21-\x7e]+$/.test(hash)) return { problem: `the ${attribute} value is not a {SCHEME} hash` };
  return { hash, options: legacyHashOptionsSchema.parse({ scheme: 'ldap' }) };
}

/** `work` over `items`, at most `limit` at once, results in the items' order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Active Directory explains a failed bind in the diagnostic message: "…AcceptSecurityContext error, data 775, v…".
 * Those that mean "right password, but this account may not sign in" become `disabled`; the rest are plain wrong
 * credentials. An account that must change or has an expired password is refused too: its password is one the
 * directory no longer trusts, so it must not become the account's password here.
 */
const AD_REFUSALS: Readonly<Record<string, string>> = {
  '530': 'not permitted to sign in at this time',
  '531': 'not permitted to sign in at this workstation',
  '532': 'password expired',
  '533': 'account disabled',
  '701': 'account expired',
  '773': 'password must be changed',
  // Not 775 (locked): AD reports it whatever the password, so telling it apart would reveal the account. (OpenLDAP's
  // accountLocked is told apart, see policyVerdict: it is only sent when an admin turned ppolicy_use_lockout on.)
};

export function refusalOf(diagnostic: string): AuthenticateOutcome {
  const code = /\bdata ([0-9a-f]{3,4})\b/i.exec(diagnostic)?.[1]?.toLowerCase();
  return code !== undefined && code in AD_REFUSALS ? { kind: 'disabled' } : { kind: 'invalid' };
}

/**
 * The entry's attributes as a profile: single values as text, multiple as lists, the id as text; never those in
 * `hidden` (lower case: the password attributes, and the hash reader's).
 */
function profileOf(entry: Entry, idAttribute: string, hidden: ReadonlySet<string>): LegacyProfile {
  const profile: Record<string, unknown> = { dn: entry.dn };
  for (const [name, value] of Object.entries(entry)) {
    if (name === 'dn' || name === idAttribute || hidden.has(name.toLowerCase())) continue;
    const converted = toProfileValue(Array.isArray(value) && value.length === 1 ? value[0] : value);
    if (converted !== undefined && !(Array.isArray(converted) && converted.length === 0)) profile[name] = converted;
  }
  const id = idOf(entry[idAttribute]);
  if (id !== undefined) profile[idAttribute] = id;
  return profile;
}

function idOf(value: Entry[string] | undefined): string | undefined {
  const single = Array.isArray(value) ? value[0] : value;
  if (single === undefined) return undefined;
  if (Buffer.isBuffer(single)) return single.length === 16 ? guidText(single) : single.toString('hex');
  return single.trim() === '' ? undefined : single;
}

/** objectGUID as Active Directory prints it: the first three groups are little-endian. */
function guidText(bytes: Buffer): string {
  const hex = (from: number, to: number, reverse: boolean) => {
    const part = bytes.subarray(from, to);
    return Buffer.from(reverse ? [...part].reverse() : part).toString('hex');
  };
  return [hex(0, 4, true), hex(4, 6, true), hex(6, 8, true), hex(8, 10, false), hex(10, 16, false)].join('-');
}

/** What went wrong, for operators: the error's class or code, never its message (it may quote the typed login). */
function describe(error: unknown): string {
  const { code, name } = error as { code?: unknown; name?: unknown };
  const label =
    typeof code === 'string'
      ? code
      : typeof code === 'number'
        ? `result ${code}`
        : typeof name === 'string'
          ? name
          : 'error';
  return `directory call failed (${label})`;
}
