import { createHash } from 'node:crypto';
import { parseArgon2, verifyArgon2, type Argon2Params } from './argon2.js';
import { parseBcrypt, verifyBcrypt, type BcryptParams } from './bcrypt.js';
import { parseCrypt } from './crypt.js';
import { decodeBase64 } from './encoding.js';
import { parseDjangoPbkdf2, verifyPbkdf2, type Pbkdf2Params } from './pbkdf2.js';
import { deriveScrypt, scryptKeyProblem, scryptParamsProblem, type ScryptParams } from './scrypt.js';
import { bytesEqual, parsed, relabel, unsupported, type ParsedHash, type PasswordCheck } from './verdict.js';

/**
 * What Django's check_password accepts, hasher by hasher (`algorithm$…`, as Django 3.2 writes them with
 * make_password, and Django 4's scrypt). Django compares whole encoded strings, so digests must be written exactly
 * as Django writes them (lowercase hex, padded base64).
 */

export type DjangoParams =
  | { kind: 'pbkdf2'; pbkdf2: Pbkdf2Params }
  | { kind: 'argon2'; argon2: Argon2Params }
  | { kind: 'bcrypt'; bcrypt: BcryptParams; prehash: boolean }
  | { kind: 'digest'; algorithm: 'md5' | 'sha1'; salt: string; expected: Buffer }
  | { kind: 'scrypt'; scrypt: ScryptParams }
  | { kind: 'crypt'; crypt: PasswordCheck };

const UNSALTED_MD5 = /^(?:md5\$\$)?([0-9a-f]{32})$/;
const SALTED_DIGEST = /^(md5|sha1)\$([^$]*)\$([0-9a-f]+)$/;
/** Django 4: `scrypt$<N>$<salt>$<r>$<p>$<base64 of a 64-byte key>`. */
const DJANGO_SCRYPT = /^scrypt\$([1-9]\d{0,9})\$([^$]+)\$([1-9]\d{0,9})\$([1-9]\d{0,9})\$([A-Za-z0-9+/=]+)$/;
const SCRYPT_KEY_BYTES = 64;

export function parseDjango(hash: string): ParsedHash<DjangoParams> {
  if (hash.startsWith('!')) return unsupported('Django marks this account as one without usable credentials (!)');
  // Django takes 32 characters without `$`, and md5$$ followed by them, as unsalted MD5.
  const unsaltedMd5 = hash.length === 32 || hash.startsWith('md5$$') ? UNSALTED_MD5.exec(hash) : null;
  if (unsaltedMd5) {
    const expected = Buffer.from(unsaltedMd5[1] ?? '', 'hex');
    return parsed('django-unsalted-md5', { kind: 'digest', algorithm: 'md5', salt: '', expected });
  }
  const algorithm = hash.slice(0, Math.max(0, hash.indexOf('$')));
  switch (algorithm) {
    case 'pbkdf2_sha256':
    case 'pbkdf2_sha1':
      return wrap(parseDjangoPbkdf2(hash), (pbkdf2) => ({ kind: 'pbkdf2', pbkdf2 }));
    case 'argon2':
      // Django hands `$` + the rest to argon2-cffi, which takes all three variants.
      return relabel(
        wrap(parseArgon2(hash.slice('argon2'.length)), (argon2) => ({ kind: 'argon2', argon2 })),
        'django-argon2',
      );
    case 'bcrypt':
    case 'bcrypt_sha256': {
      const prehash = algorithm === 'bcrypt_sha256';
      const result = wrap(parseBcrypt(hash.slice(algorithm.length + 1)), (bcrypt) => ({
        kind: 'bcrypt' as const,
        bcrypt,
        prehash,
      }));
      return relabel(result, prehash ? 'django-bcrypt-sha256' : 'django-bcrypt');
    }
    case 'md5':
    case 'sha1':
      return parseSaltedDigest(hash);
    case 'scrypt':
      return parseDjangoScrypt(hash);
    case 'crypt': {
      // Django's crypt hasher checks what follows the second `$` with the platform's crypt(3).
      const second = hash.indexOf('$', 'crypt$'.length);
      const inner = parseCrypt(second < 0 ? '' : hash.slice(second + 1));
      return relabel(
        wrap(inner, (crypt) => ({ kind: 'crypt', crypt })),
        'django-crypt',
      );
    }
    default:
      return unsupported('this Django hasher is not supported');
  }
}

function wrap<P>(result: ParsedHash<P>, to: (params: P) => DjangoParams): ParsedHash<DjangoParams> {
  return result.kind === 'parsed' ? parsed(result.label, to(result.params)) : result;
}

function parseSaltedDigest(hash: string): ParsedHash<DjangoParams> {
  const parts = SALTED_DIGEST.exec(hash);
  if (!parts) return unsupported('not a Django md5$ or sha1$ hash (algorithm$salt$lowercase hex)');
  const [, name = '', salt = '', hex = ''] = parts;
  const algorithm: 'md5' | 'sha1' = name === 'md5' ? 'md5' : 'sha1';
  if (hex.length !== (algorithm === 'md5' ? 32 : 40)) {
    return unsupported(`the Django ${algorithm} digest has the wrong length`);
  }
  const params = { kind: 'digest' as const, algorithm, salt, expected: Buffer.from(hex, 'hex') };
  // sha1$$… is Django's unsalted SHA-1; it computes what an empty salt gives.
  if (salt === '') return parsed(algorithm === 'sha1' ? 'django-unsalted-sha1' : 'django-unsalted-md5', params);
  return parsed(algorithm === 'sha1' ? 'django-sha1' : 'django-md5', params);
}

function parseDjangoScrypt(hash: string): ParsedHash<DjangoParams> {
  const parts = DJANGO_SCRYPT.exec(hash);
  if (!parts) return unsupported('not a Django scrypt hash (scrypt$N$salt$r$p$key)');
  const [, nText = '', saltText = '', rText = '', pText = '', keyText = ''] = parts;
  const expected = decodeBase64(keyText, 'required');
  if (expected?.length !== SCRYPT_KEY_BYTES) return unsupported('the Django scrypt key is not 64 bytes of base64');
  const [N, r, p] = [Number(nText), Number(rText), Number(pText)];
  const problem = scryptKeyProblem(expected) ?? scryptParamsProblem(N, r, p);
  if (problem !== undefined) return unsupported(problem);
  return parsed('django-scrypt', {
    kind: 'scrypt',
    scrypt: { N, r, p, salt: Buffer.from(saltText, 'utf8'), expected },
  });
}

export async function verifyDjango(password: string, params: DjangoParams): Promise<boolean> {
  switch (params.kind) {
    case 'pbkdf2':
      return verifyPbkdf2(password, params.pbkdf2);
    case 'argon2':
      return verifyArgon2(password, params.argon2);
    case 'bcrypt':
      // bcrypt_sha256 feeds bcrypt the hex SHA-256 of the password (64 characters, under bcrypt's 72-byte limit).
      return verifyBcrypt(
        params.prehash ? createHash('sha256').update(password, 'utf8').digest('hex') : password,
        params.bcrypt,
      );
    case 'digest': {
      const actual = createHash(params.algorithm).update(params.salt, 'utf8').update(password, 'utf8').digest();
      return bytesEqual(actual, params.expected);
    }
    case 'scrypt':
      return bytesEqual(await deriveScrypt(password, params.scrypt), params.scrypt.expected);
    case 'crypt':
      return params.crypt.check(password);
  }
}
