/**
 * The operator's `pattern` option: a regular expression with named groups that takes a home-made value apart
 * (`hash`, required; `salt` and `iterations`, optional), e.g. `^(?<iterations>\d+):(?<salt>[^:]+):(?<hash>.+)$`.
 */

export type PatternParts = { hash: string; salt?: string; iterations?: string };

// The same few patterns come with every row of a scan over a million rows: compile each once.
const compiled = new Map<string, RegExp | undefined>();
const MAX_CACHED = 64;

function compile(source: string): RegExp | undefined {
  if (compiled.has(source)) return compiled.get(source);
  let pattern: RegExp | undefined;
  try {
    pattern = new RegExp(source, 'u');
  } catch {
    pattern = undefined;
  }
  if (compiled.size >= MAX_CACHED) compiled.clear();
  compiled.set(source, pattern);
  return pattern;
}

/**
 * The value's parts, or undefined when the pattern is unusable or does not match the whole value: a partial match
 * would let trailing damage pass unseen.
 */
export function applyPattern(source: string, value: string): PatternParts | undefined {
  const match = compile(source)?.exec(value);
  if (match?.index !== 0 || match[0] !== value) return undefined;
  const groups = match.groups ?? {};
  const { hash, salt, iterations } = groups;
  if (hash === undefined || hash === '') return undefined;
  return {
    hash,
    ...(salt === undefined ? {} : { salt }),
    ...(iterations === undefined ? {} : { iterations }),
  };
}
