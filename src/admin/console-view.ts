import type { AccountStore } from '../store/store.js';

/**
 * What every console page needs to show people and times as people read them: counts with separators, shares as
 * percentages, times as `<time>` elements (the console's script writes them in the browser's own time zone, named),
 * and operators by username rather than by id.
 */
export interface ConsoleView {
  n: (value: number) => string;
  pct: (share: number) => string;
  /** HTML: a `<time>` holding the ISO instant, shown in UTC until the script shows it in local time. */
  time: (iso: string | Date) => string;
  /** An operator or account id as a name: the username, or the client id of an automation client. */
  who: (id: string | undefined) => string;
}

/** Looks up the usernames of the ids a page will name, once. */
export async function consoleView(
  accounts: Pick<AccountStore, 'findById'>,
  ids: Iterable<string>,
): Promise<ConsoleView> {
  const names = new Map<string, string>();
  await Promise.all(
    [...new Set(ids)].map(async (id) => {
      if (id.startsWith('client:')) names.set(id, `${id.slice('client:'.length)} (automation)`);
      else {
        const account = await accounts.findById(id);
        if (account) names.set(id, account.username);
      }
    }),
  );
  return {
    n: (value) => value.toLocaleString('en-US'),
    pct: (share) => `${(share * 100).toFixed(1)}%`,
    time: (iso) => {
      const at = typeof iso === 'string' ? iso : iso.toISOString();
      return `<time datetime="${escapeHtml(at)}">${escapeHtml(at.replace('T', ' ').slice(0, 16))} UTC</time>`;
    },
    who: (id) => (id === undefined ? 'someone' : (names.get(id) ?? `${id.slice(0, 8)}…`)),
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
