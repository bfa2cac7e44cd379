/**
 * The rule for the hash option `pattern`: a regular expression with named groups that takes a home-made value apart
 * (`hash`, required; `salt` and `iterations`, optional), e.g. `^(?<iterations>\d+):(?<salt>[^:]+):(?<hash>.+)$`.
 * Applying it is the hashing code's business (src/passwords/legacy/pattern.ts); which patterns are acceptable is the
 * configuration's.
 */

const GROUPS = ['hash', 'salt', 'iterations'] as const;

// Options are parsed again for every row of a scan over a million rows: judge each pattern once.
const judged = new Map<string, string | undefined>();
const MAX_JUDGED = 64;

/** Why a pattern cannot be used, for the config loader; undefined when it can. */
export function hashPatternProblem(source: string): string | undefined {
  if (judged.has(source)) return judged.get(source);
  const problem = judge(source);
  if (judged.size >= MAX_JUDGED) judged.clear();
  judged.set(source, problem);
  return problem;
}

function judge(source: string): string | undefined {
  try {
    new RegExp(source, 'u');
  } catch {
    return 'is not a valid regular expression';
  }
  if (!source.includes('(?<hash>')) return 'needs a named group `hash`';
  const unknown = [...source.matchAll(/\(\?<([A-Za-z_$][\w$]*)>/g)]
    .map((group) => group[1])
    .filter((name) => !GROUPS.some((known) => known === name));
  if (unknown.length > 0) return 'may only name the groups hash, salt and iterations';
  return undefined;
}
