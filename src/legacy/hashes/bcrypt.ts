import bcrypt from 'bcryptjs';
import type { LegacyHashVerdict } from './legacy-hash.js';
import { MAX_BCRYPT_COST } from './limits.js';
import { unsupported, verdictOf } from './verdict.js';

const BCRYPT = /^\$2[aby]\$(\d\d)\$([./A-Za-z0-9]{53})$/;
const BCRYPT_INPUT_LIMIT = 72;

export function verifyBcrypt(password: string, hash: string): LegacyHashVerdict {
  const parts = BCRYPT.exec(hash);
  if (!parts) return unsupported('not a bcrypt hash ($2a$, $2b$ or $2y$, two-digit cost, 53 characters)');
  const [, cost = '', saltAndDigest = ''] = parts;
  if (Number(cost) < 4) return unsupported('bcrypt cost below 4 is malformed');
  if (Number(cost) > MAX_BCRYPT_COST) return unsupported(`bcrypt cost above ${MAX_BCRYPT_COST} is refused`);
  // bcrypt reads only 72 bytes: a longer password could "match" a hash of its prefix alone.
  if (Buffer.byteLength(password, 'utf8') > BCRYPT_INPUT_LIMIT) return verdictOf(false);
  // For inputs of at most 72 bytes $2a$, $2b$ and $2y$ are one function; a single spelling keeps us independent of
  // which of them a bcrypt library happens to accept.
  return verdictOf(bcrypt.compareSync(password, `$2b$${cost}$${saltAndDigest}`));
}
