import { escapeFilter, type Client, type Entry } from 'ldapts';
import type { LdapConnectorConfig } from '../../config/legacy-schema.js';

/**
 * The names of the groups an entry belongs to, read with the service account, for the profile (and from there the
 * migration mapping's roles). The directory evaluates the configured filter, so whatever it means (groupOfNames,
 * groupOfUniqueNames, Active Directory's in-chain matching rule) is evaluated the same way at every sign-in, look-up
 * and import. With `nested`, group-in-group membership is followed here, level by level, which works on any directory.
 */

export type GroupSettings = NonNullable<LdapConnectorConfig['groups']>;

/** Membership beyond the configured bounds: the profile would be incomplete, so it is not made at all. */
export class GroupLimitError extends Error {
  override readonly name = 'GroupLimitError';
  /** For operators; names the bound, never the user. */
  readonly code: string;
  constructor(code: string) {
    super(code);
    this.code = code;
  }
}

/** Group DNs per search when following nesting: one OR filter per chunk keeps a level to a few round trips. */
const DNS_PER_SEARCH = 32;

export async function groupNamesOf(
  service: Client,
  memberDn: string,
  settings: GroupSettings,
  searchBase: string,
  timeLimitSeconds: number,
): Promise<string[]> {
  const byDn = settings.nameAttribute.toLowerCase() === 'dn';
  const names = new Set<string>();
  // Keyed by the DN exactly as the directory returns it: the same entry always comes back spelled the same way,
  // so a cycle (A in B in A) or a diamond ends here without parsing or normalising DNs.
  const seen = new Set<string>([memberDn]);
  const { maxDepth } = settings;
  let frontier = [memberDn];
  for (let depth = 0; frontier.length > 0; depth++) {
    const found: string[] = [];
    for (let at = 0; at < frontier.length; at += DNS_PER_SEARCH) {
      const chunk = frontier.slice(at, at + DNS_PER_SEARCH);
      const filters = chunk.map((dn) => settings.filter.replaceAll('{dn}', () => escapeFilter`${dn}`));
      // No sizeLimit of ours: with one, ldapts silently accepts a result cut short by the server's own limit.
      const { searchEntries } = await service.search(settings.searchBase ?? searchBase, {
        scope: settings.scope,
        filter: filters.length === 1 ? (filters[0] ?? '') : `(|${filters.join('')})`,
        attributes: byDn ? ['1.1'] : [settings.nameAttribute],
        timeLimit: timeLimitSeconds,
      });
      for (const entry of searchEntries) {
        if (seen.has(entry.dn)) continue;
        if (depth > maxDepth) {
          throw new GroupLimitError(`group nesting deeper than groups.maxDepth (${settings.maxDepth})`);
        }
        seen.add(entry.dn);
        // The member itself is in `seen` too, hence the + 1.
        if (seen.size > settings.maxGroups + 1) {
          throw new GroupLimitError(`member of more than groups.maxGroups (${settings.maxGroups}) groups`);
        }
        found.push(entry.dn);
        for (const name of byDn ? [entry.dn] : textValues(entry, settings.nameAttribute)) names.add(name);
      }
    }
    if (!settings.nested) break;
    // Up to maxDepth the next level is searched; past it, one more search only finds out whether nesting goes on
    // (then the bound was too small and the profile would silently lack groups, so it fails instead).
    frontier = depth <= maxDepth ? found : [];
  }
  return [...names].sort();
}

/** An attribute's text values, its name matched as LDAP does (case-insensitively). */
export function textValues(entry: Entry, attribute: string): string[] {
  const wanted = attribute.toLowerCase();
  const key = Object.keys(entry).find((name) => name.toLowerCase() === wanted);
  const value = key === undefined ? undefined : entry[key];
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values.filter((item): item is string => typeof item === 'string' && item.trim() !== '');
}
