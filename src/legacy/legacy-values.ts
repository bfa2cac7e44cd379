/** How legacy stores write values, read one way by every connector and the mapping. */

const TRUE_WORDS = new Set(['true', '1', 'yes', 'y', 't']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'n', 'f', '']);

/** true/false for the many spellings of a legacy boolean (1, "Y", "yes", "t" …); undefined when it is none. */
export function parseLegacyBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return value !== 0 && value !== 0n;
  // MySQL BIT(1) columns arrive as bytes.
  if (Buffer.isBuffer(value)) return value.some((byte) => byte !== 0);
  if (typeof value === 'string') {
    const word = value.trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
  }
  return undefined;
}

/**
 * A database or directory value as a profile value: text and numbers as they are, dates as ISO text, big integers
 * as text; binary values are dropped (they cannot be mapped meaningfully and may be secrets).
 */
export function toProfileValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return undefined;
  if (Array.isArray(value)) return value.map(toProfileValue).filter((v) => v !== undefined);
  return value;
}

/** `a.b.0.c`: object keys and array indexes separated by dots. Own properties only. */
export function readPath(value: unknown, path: string): unknown {
  let current = value;
  for (const segment of path.split('.')) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}
