import { MAX_ARGON2_MEMORY_KIB, MAX_ARGON2_PARALLELISM, MAX_ARGON2_TIME_COST } from './limits.js';
import { parsed, unsupported, type ParsedHash } from './verdict.js';

// PHC string: version is optional (absent means 0x10); salt at least 8 bytes and digest at least 16 (unpadded base64).
const ARGON2 =
  /^\$argon2(id|i|d)\$(?:v=(?:16|19)\$)?m=([1-9]\d{0,9}),t=([1-9]\d{0,9}),p=([1-9]\d{0,9})\$[A-Za-z0-9+/]{11,}\$[A-Za-z0-9+/]{22,}$/;

export type Argon2Params = { phc: string };

export function parseArgon2(hash: string): ParsedHash<Argon2Params> {
  const parts = ARGON2.exec(hash);
  if (!parts) return unsupported('not an argon2 hash ($argon2id$, $argon2i$ or $argon2d$ with m, t, p, salt, digest)');
  const [, variant = '', ...numbers] = parts;
  const [memory, time, parallelism] = numbers.map(Number) as [number, number, number];
  if (memory > MAX_ARGON2_MEMORY_KIB) return unsupported(`argon2 memory above ${MAX_ARGON2_MEMORY_KIB} KiB is refused`);
  if (time > MAX_ARGON2_TIME_COST) return unsupported(`argon2 time cost above ${MAX_ARGON2_TIME_COST} is refused`);
  if (parallelism > MAX_ARGON2_PARALLELISM) {
    return unsupported(`argon2 parallelism above ${MAX_ARGON2_PARALLELISM} is refused`);
  }
  if (memory < 8 * parallelism) return unsupported('argon2 memory below 8 KiB per lane is malformed');
  const label = variant === 'id' ? 'argon2id' : variant === 'i' ? 'argon2i' : 'argon2d';
  return parsed(label, { phc: hash });
}

export async function verifyArgon2(password: string, params: Argon2Params): Promise<boolean> {
  // Loaded on first use: the config loader imports the options schema next door and should not need the addon.
  // A failure to load (or libargon2 rejecting what the pattern cannot see) is thrown and reported unsupported.
  const argon2 = await import('argon2');
  return argon2.verify(params.phc, password);
}
