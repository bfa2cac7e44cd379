/**
 * Names that mix writing systems, the classic look-alike ("pаypal" with a Cyrillic а). NFKC leaves such names
 * distinct from the real one, so the store would accept both; sign-up refuses them instead, by the "highly
 * restrictive" level of Unicode's UTS #39: a name's letters come from one script, or from one of the combinations
 * CJK writing uses (each with Latin). Digits, punctuation and combining marks (scripts Common and Inherited) do not
 * count. Legacy names are not held to this: a migrated user keeps the name they have.
 */

/** Scripts with letters, named as Unicode names them; letters of any other script count as one more script. */
const SCRIPTS = [
  'Latin',
  'Greek',
  'Cyrillic',
  'Armenian',
  'Georgian',
  'Cherokee',
  'Hebrew',
  'Arabic',
  'Syriac',
  'Thaana',
  'Devanagari',
  'Bengali',
  'Gurmukhi',
  'Gujarati',
  'Oriya',
  'Tamil',
  'Telugu',
  'Kannada',
  'Malayalam',
  'Sinhala',
  'Thai',
  'Lao',
  'Tibetan',
  'Myanmar',
  'Khmer',
  'Mongolian',
  'Ethiopic',
  'Canadian_Aboriginal',
  'Han',
  'Hiragana',
  'Katakana',
  'Bopomofo',
  'Hangul',
].map((name) => ({ name, pattern: new RegExp(`^\\p{Script=${name}}$`, 'u') }));

const LETTER = /^\p{L}$/u;
const SCRIPTLESS = /^[\p{Script=Common}\p{Script=Inherited}]$/u;

/** The combinations UTS #39 allows besides a single script. */
const ALLOWED_MIXES = [
  new Set(['Latin', 'Han', 'Hiragana', 'Katakana']),
  new Set(['Latin', 'Han', 'Bopomofo']),
  new Set(['Latin', 'Han', 'Hangul']),
];

function scriptsOf(text: string): Set<string> {
  const scripts = new Set<string>();
  for (const character of text) {
    if (!LETTER.test(character) || SCRIPTLESS.test(character)) continue;
    scripts.add(SCRIPTS.find(({ pattern }) => pattern.test(character))?.name ?? 'other');
  }
  return scripts;
}

/** True when `text`'s letters come from scripts no single writing system combines. */
export function mixesScripts(text: string): boolean {
  const scripts = scriptsOf(text);
  if (scripts.size <= 1) return false;
  return !ALLOWED_MIXES.some((allowed) => [...scripts].every((script) => allowed.has(script)));
}
