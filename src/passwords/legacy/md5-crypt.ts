import { createRequire } from 'node:module';
import { parsed, stringsEqual, unsupported, type ParsedHash } from './verdict.js';

// apache-md5 is CommonJS whose bundled typings declare an ES default export it does not have; load it as what it is.
const aprMd5 = createRequire(import.meta.url)('apache-md5') as (password: string, salt: string) => string;

/** `$1$` (md5-crypt, as in crypt(3)) and `$apr1$` (Apache htpasswd): same algorithm, different magic string. */
const MD5_CRYPT = /^\$(1|apr1)\$([!-#%-~]{0,8})\$([./0-9A-Za-z]{22})$/;

export type Md5CryptParams = { magic: '1' | 'apr1'; salt: string; stored: string };

export function parseMd5Crypt(hash: string, magic: '1' | 'apr1'): ParsedHash<Md5CryptParams> {
  const parts = MD5_CRYPT.exec(hash);
  if (parts?.[1] !== magic) return unsupported(`not a $${magic}$ md5-crypt hash ($${magic}$salt$22 characters)`);
  const [, , salt = '', stored = ''] = parts;
  return parsed(magic === '1' ? 'md5-crypt' : 'apr1', { magic, salt, stored });
}

export function verifyMd5Crypt(password: string, params: Md5CryptParams): boolean {
  const { magic, salt, stored } = params;
  // apache-md5 hashes its input as Latin-1 and counts UTF-16 units; passing the UTF-8 bytes one per character makes
  // it hash exactly the bytes crypt(3) and htpasswd hash, also for non-ASCII passwords.
  const bytewise = Buffer.from(password, 'utf8').toString('latin1');
  const computed = aprMd5(bytewise, `$${magic}$${salt}$`);
  return stringsEqual(computed.slice(computed.lastIndexOf('$') + 1), stored);
}
