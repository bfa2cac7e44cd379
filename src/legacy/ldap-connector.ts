import { readFileSync } from 'node:fs';
import { checkServerIdentity, type ConnectionOptions } from 'node:tls';
import { Client, escapeFilter, InvalidCredentialsError, type Entry } from 'ldapts';
import type { LdapConnectorConfig } from '../config/legacy-schema.js';
import type { AuthenticateOutcome, CallContext, FindUserOutcome, LegacyConnector, LegacyProfile } from './connector.js';
import { toProfileValue } from './legacy-values.js';

/**
 * A directory (OpenLDAP, Active Directory) as the legacy system: a service account finds the user's entry, then a
 * bind as that entry with the presented password is the password check. The directory keeps enforcing its own
 * policies (lockout, expiry); their Active Directory sub-codes become the connector's outcomes.
 */

const BINARY_IDS = new Set(['objectGUID', 'objectSid']);
/** Never part of a profile, even if configured in `attributes` or readable by the service account. */
const PASSWORD_ATTRIBUTES = new Set(
  ['userPassword', 'authPassword', 'unicodePwd', 'sambaNTPassword', 'sambaLMPassword', 'ntPassword', 'pwdHistory'].map(
    (name) => name.toLowerCase(),
  ),
);

export function createLdapConnector(config: LdapConnectorConfig): LegacyConnector {
  const ca = config.caFile ? [readFileSync(config.caFile)] : undefined;
  const host = new URL(config.url).hostname;
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

  const findEntries = async (login: string, context: CallContext): Promise<Entry[]> => {
    const service = await connect(context);
    try {
      await service.bind(config.bindDn, config.bindPassword);
      const { searchEntries } = await service.search(config.searchBase, {
        scope: config.scope,
        // A replacer function: a replacement string would expand `$&`, `$'` … typed into the login.
        filter: config.searchFilter.replaceAll('{login}', () => escapeFilter`${login}`),
        attributes: config.attributes.includes(config.idAttribute)
          ? config.attributes
          : [...config.attributes, config.idAttribute],
        explicitBufferAttributes: [...BINARY_IDS].filter((name) => name === config.idAttribute),
        // Two are enough to know a login is ambiguous.
        sizeLimit: 2,
        timeLimit: Math.ceil(config.timeoutMs / 1000),
      });
      return searchEntries;
    } finally {
      await service.unbind().catch(() => undefined);
    }
  };

  const isDisabled = async (dn: string, context: CallContext): Promise<boolean> => {
    if (!config.disabledFilter) return false;
    const service = await connect(context);
    try {
      await service.bind(config.bindDn, config.bindPassword);
      const { searchEntries } = await service.search(dn, {
        scope: 'base',
        filter: config.disabledFilter,
        attributes: ['1.1'],
      });
      return searchEntries.length > 0;
    } finally {
      await service.unbind().catch(() => undefined);
    }
  };

  /** The password check: a bind as the entry. Undefined when it succeeded, else the refusal. */
  const userBind = async (
    dn: string,
    password: string,
    context: CallContext,
  ): Promise<AuthenticateOutcome | undefined> => {
    const user = await connect(context);
    try {
      await user.bind(dn, password);
      return undefined;
    } catch (error) {
      if (error instanceof InvalidCredentialsError) return refusalOf(error.message);
      throw error;
    } finally {
      await user.unbind().catch(() => undefined);
    }
  };

  return {
    source: config.source,

    async authenticate(login, password, context): Promise<AuthenticateOutcome> {
      // An empty password makes a simple bind "unauthenticated" and many directories accept it: never ask.
      if (password === '') return { kind: 'invalid' };
      try {
        const entries = await findEntries(login, context);
        const [entry] = entries;
        if (entries.length > 1) return { kind: 'unusable', cause: 'several directory entries match one login' };
        // An unknown login still makes one bind (to a DN that does not exist), so it takes as long as a wrong password.
        const refused = await userBind(entry?.dn ?? `cn=jit-idp-no-such-user,${config.searchBase}`, password, context);
        if (!entry || refused) return refused ?? { kind: 'invalid' };
        const profile = profileOf(entry, config.idAttribute);
        if (profile[config.idAttribute] === undefined) {
          return { kind: 'unusable', cause: `the entry has no ${config.idAttribute}` };
        }
        return (await isDisabled(entry.dn, context)) ? { kind: 'disabled' } : { kind: 'valid', profile };
      } catch (error) {
        return { kind: 'unavailable', cause: describe(error) };
      }
    },

    async findUser(login, context): Promise<FindUserOutcome> {
      try {
        const [entry] = await findEntries(login, context);
        if (!entry) return { kind: 'not-found' };
        const profile = profileOf(entry, config.idAttribute);
        // Without a disabledFilter the directory's own rules (lockout, expiry) are only seen at a bind: unknown.
        if (!config.disabledFilter) return { kind: 'found', profile };
        return { kind: 'found', profile, disabled: await isDisabled(entry.dn, context) };
      } catch (error) {
        return { kind: 'unavailable', cause: describe(error) };
      }
    },

    async *enumerateUsers(resumeFrom, signal) {
      // Directories have no stable order to resume from, so the resume point is a count of entries already read.
      const skip = Number(resumeFrom ?? 0);
      const service = await connect({ signal });
      try {
        await service.bind(config.bindDn, config.bindPassword);
        let read = 0;
        for await (const page of service.searchPaginated(config.searchBase, {
          scope: config.scope,
          // Disabled entries are left out: an import must not give them an account.
          filter: config.disabledFilter ? `(&${config.listFilter}(!${config.disabledFilter}))` : config.listFilter,
          attributes: config.attributes.includes(config.idAttribute)
            ? config.attributes
            : [...config.attributes, config.idAttribute],
          explicitBufferAttributes: [...BINARY_IDS].filter((name) => name === config.idAttribute),
          paged: { pageSize: 500 },
        })) {
          const fresh = page.searchEntries.slice(Math.max(0, skip - read));
          read += page.searchEntries.length;
          if (fresh.length > 0) {
            // The service account cannot read password hashes, so imported directory users must reset theirs.
            yield {
              records: fresh.map((entry) => ({ profile: profileOf(entry, config.idAttribute) })),
              resumeFrom: String(read),
            };
          }
        }
      } finally {
        await service.unbind().catch(() => undefined);
      }
    },

    close: () => Promise.resolve(),
  };
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
  // Not 775 (locked): AD reports it whatever the password, so telling it apart would reveal the account.
};

export function refusalOf(diagnostic: string): AuthenticateOutcome {
  const code = /\bdata ([0-9a-f]{3,4})\b/i.exec(diagnostic)?.[1]?.toLowerCase();
  return code !== undefined && code in AD_REFUSALS ? { kind: 'disabled' } : { kind: 'invalid' };
}

/** The entry's attributes as a profile: single values as text, multiple as lists, the id as text. */
function profileOf(entry: Entry, idAttribute: string): LegacyProfile {
  const profile: Record<string, unknown> = { dn: entry.dn };
  for (const [name, value] of Object.entries(entry)) {
    if (name === 'dn' || name === idAttribute || PASSWORD_ATTRIBUTES.has(name.toLowerCase())) continue;
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
