import { CRYPT_ALPHABET } from './encoding.js';
import { MAX_SCRYPT_MEMORY_BYTES } from './limits.js';
import { bytesEqual, unsupported, verdictOf, type LegacyHashVerdict } from './verdict.js';
import {
  YESCRYPT_RW,
  YESCRYPT_RW_DEFAULTS,
  YESCRYPT_WORM,
  yescryptBlockMixes,
  yescryptKdf,
  type YescryptKdfParams,
} from './yescrypt-kdf.js';

/**
 * yescrypt (`$y$`), the default hash of current Debian, Ubuntu and Fedora shadow files, as libxcrypt writes and
 * checks it: `$y$` + parameters + `$` + salt + `$` + 43-character hash, in yescrypt's own little-endian base64 over
 * the crypt(3) alphabet.
 *
 * Hand-written, because no npm package implements yescrypt and Node's crypto has only classic scrypt: the function
 * is a port of the reference implementation in openwall/yescrypt (see yescrypt-kdf.ts for it and its BSD licence),
 * the reading of the hash follows yescrypt_r and its decoders in yescrypt-common.c, whose notice reads:
 *
 *   Copyright 2013-2018 Alexander Peslyak
 *   All rights reserved.
 *
 *   Redistribution and use in source and binary forms, with or without modification, are permitted.
 *
 *   THIS SOFTWARE IS PROVIDED BY THE AUTHOR AND CONTRIBUTORS ``AS IS'' AND ANY EXPRESS OR IMPLIED WARRANTIES,
 *   INCLUDING, BUT NOT LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE
 *   ARE DISCLAIMED.  IN NO EVENT SHALL THE AUTHOR OR CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL,
 *   SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS
 *   OR SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON ANY THEORY OF
 *   LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY
 *   OUT OF THE USE OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
 *
 * Checked against libxcrypt itself (Debian's mkpasswd and crypt(3)) by the test suite.
 *
 * Verification only, without ROM: what libxcrypt itself accepts. A ROM (NROM) needs a shared table that a shadow
 * entry cannot carry, libxcrypt refuses it and hash upgrades (g) alike, and gost-yescrypt (`$gy$`) needs Streebog,
 * which Node's crypto lacks; all three are reported unsupported. One thing libxcrypt reads is refused: a parameter
 * field `have` with bits beyond the four it knows (libxcrypt skips them; no encoder writes them).
 */

/**
 * Work bounds, kept here rather than in limits.ts (whose memory bound, 1 GiB, is used as it is).
 *
 * The costliest setting mkpasswd writes (`-R 11`: N = 2^18, r = 32) fills exactly the 1 GiB V and runs about 11.4
 * million 128-byte block mixes, some 30 s in this implementation. The bound allows half as much again (t = 1 at that
 * size), so nothing libxcrypt's own tools write is refused, while a planted hash cannot ask for minutes.
 */
export const MAX_YESCRYPT_BLOCK_MIXES = 2 ** 24;
/** t multiplies the running time at a fixed memory (yescrypt's own guidance is 0 to 2); see also the work bound. */
export const MAX_YESCRYPT_TIME_FACTOR = 64;
/** p splits N between threads (run one after the other here); each adds a 12 KiB S-box and a block. */
export const MAX_YESCRYPT_PARALLELISM = 16;
/**
 * Beyond V (128·r·N bytes, bounded by MAX_SCRYPT_MEMORY_BYTES as for scrypt), a verification holds B (128·r·p), two
 * working blocks (256·r) and the S-boxes (12 KiB·p): allowed up to this much more.
 */
const WORKING_MEMORY_SPARE_BYTES = 1024 * 1024;

const HASH_BYTES = 32;
const HASH_CHARS = 43;
/** yescrypt_r decodes at most 64 bytes of salt. */
const MAX_SALT_BYTES = 64;

/** What verification needs, read from the stored hash without any password. */
export interface YescryptParams {
  /** 0 (classic scrypt), 1 (YESCRYPT_WORM) or 0xb6 (YESCRYPT_RW with libxcrypt's pwxform settings). */
  readonly flags: number;
  readonly log2N: number;
  readonly r: number;
  readonly p: number;
  readonly t: number;
  readonly salt: Uint8Array;
  /** The stored 32-byte hash. */
  readonly hash: Uint8Array;
}

export type ParsedYescrypt =
  { kind: 'parsed'; label: string; params: YescryptParams } | { kind: 'unsupported'; reason: string };

const LABEL = 'yescrypt';
const YESCRYPT_HASH = /^\$y\$([./0-9A-Za-z]+)\$([./0-9A-Za-z]*)\$([./0-9A-Za-z]+)$/;
const GOST_YESCRYPT = /^\$gy\$/;

export function parseYescrypt(hash: string): ParsedYescrypt {
  if (GOST_YESCRYPT.test(hash)) {
    return refused('gost-yescrypt ($gy$) is not supported: it needs the Streebog hash, which Node lacks');
  }
  const parts = YESCRYPT_HASH.exec(hash);
  if (!parts) return refused('not a yescrypt hash ($y$params$salt$hash)');
  const [, paramsText = '', saltText = '', hashText = ''] = parts;

  const fields = decodeParams(paramsText);
  if (typeof fields === 'string') return refused(fields);
  const { flavor, log2N, r, p, t, g, log2NROM } = fields;

  if (log2NROM !== undefined) return refused('yescrypt with a ROM (NROM) is not supported');
  if (g !== 0) return refused('yescrypt hash upgrades (g) are not supported, as in libxcrypt');
  // yescrypt_r: flavours below YESCRYPT_RW are flags as they are; the others encode the RW flavour bits.
  if (flavor > YESCRYPT_RW + 0xff || log2N > 63) return refused('yescrypt parameters are malformed');
  const flags = flavor < YESCRYPT_RW ? flavor : YESCRYPT_RW + ((flavor - YESCRYPT_RW) << 2);

  const salt = decodeYescryptBase64(saltText);
  if (!salt || salt.length > MAX_SALT_BYTES) return refused('yescrypt salt is not canonical base64 of 0 to 64 bytes');
  const stored = hashText.length === HASH_CHARS ? decodeYescryptBase64(hashText) : undefined;
  if (stored?.length !== HASH_BYTES) return refused('yescrypt hash is not canonical base64 of 32 bytes');

  const params: YescryptParams = { flags, log2N, r, p, t, salt, hash: stored };
  const problem = boundsProblem(params);
  return problem === undefined ? { kind: 'parsed', label: LABEL, params } : refused(problem);
}

export function verifyYescrypt(password: string, params: YescryptParams): LegacyHashVerdict {
  // Checked again: params may have been built or passed on (e.g. to a worker thread) elsewhere.
  const problem = boundsProblem(params);
  if (problem !== undefined) return unsupported(problem);
  const passwordBytes = Buffer.from(password, 'utf8');
  const computed = yescryptKdf(passwordBytes, params.salt, kdfParams(params));
  passwordBytes.fill(0);
  const stored = Buffer.from(params.hash.buffer, params.hash.byteOffset, params.hash.byteLength);
  return verdictOf(bytesEqual(computed, stored));
}

function refused(reason: string): ParsedYescrypt {
  return { kind: 'unsupported', reason };
}

function kdfParams(params: YescryptParams): YescryptKdfParams {
  return { flags: params.flags, N: 2 ** params.log2N, r: params.r, p: params.p, t: params.t };
}

/** The checks of yescrypt_kdf_body that parsing leaves, then the repository's bounds; undefined when runnable. */
function boundsProblem(params: YescryptParams): string | undefined {
  const { flags, log2N, r, p, t, salt, hash } = params;
  const integers = [log2N, r, p, t];
  if (!integers.every((n) => Number.isSafeInteger(n) && n >= 0) || log2N < 1 || log2N > 63 || r < 1 || p < 1) {
    return 'yescrypt parameters are malformed';
  }
  if (flags !== 0 && flags !== YESCRYPT_WORM && flags !== YESCRYPT_RW_DEFAULTS) {
    return 'yescrypt pwxform flavour other than the one libxcrypt implements is not supported';
  }
  if (flags === 0 && t !== 0) return 'yescrypt in classic scrypt mode cannot have a time factor';
  if (!(salt instanceof Uint8Array) || !(hash instanceof Uint8Array)) return 'yescrypt salt or hash is missing';
  if (salt.length > MAX_SALT_BYTES || hash.length !== HASH_BYTES) return 'yescrypt salt or hash has a wrong length';
  // libxcrypt: r·p < 2^30; with YESCRYPT_RW each of the p threads needs N/p > 1 blocks.
  if (r * p >= 2 ** 30 || ((flags & YESCRYPT_RW) !== 0 && Math.floor(2 ** log2N / p) <= 1)) {
    return 'yescrypt r, p and N are inconsistent';
  }
  if (p > MAX_YESCRYPT_PARALLELISM) return `yescrypt p above ${MAX_YESCRYPT_PARALLELISM} is refused`;
  if (t > MAX_YESCRYPT_TIME_FACTOR) return `yescrypt t above ${MAX_YESCRYPT_TIME_FACTOR} is refused`;
  // V is 128·r·N bytes whatever p is (with YESCRYPT_RW the threads share it, otherwise they reuse it in turn).
  const V = 128 * r * 2 ** log2N;
  const working = 128 * r * p + 256 * r + ((flags & YESCRYPT_RW) !== 0 ? 3 * 4096 * p : 0);
  if (V > MAX_SCRYPT_MEMORY_BYTES || working > WORKING_MEMORY_SPARE_BYTES) {
    return 'yescrypt memory beyond the allowed bound (1 GiB) is refused';
  }
  if (yescryptBlockMixes(kdfParams(params)) > MAX_YESCRYPT_BLOCK_MIXES) {
    return 'yescrypt work (N, r, p and t together) beyond the allowed bound is refused';
  }
  return undefined;
}

interface ParamFields {
  flavor: number;
  log2N: number;
  r: number;
  p: number;
  t: number;
  g: number;
  log2NROM: number | undefined;
}

/**
 * The parameter string as yescrypt_encode_params_r writes it: flavour, log2 N, r, then optionally a bit set `have`
 * (1: p, 2: t, 4: g, 8: NROM) followed by those fields. A `have` with other bits, which libxcrypt would skip and no
 * encoder writes, is refused. Returns why it is malformed, as text.
 */
function decodeParams(text: string): ParamFields | string {
  const reader = { text, at: 0 };
  const flavor = readUint(reader, 0);
  const log2N = readUint(reader, 1);
  const r = readUint(reader, 1);
  if (flavor === undefined || log2N === undefined || r === undefined) return 'yescrypt parameters are malformed';
  const fields: ParamFields = { flavor, log2N, r, p: 1, t: 0, g: 0, log2NROM: undefined };
  if (reader.at < text.length) {
    const have = readUint(reader, 1);
    if (have === undefined || have > 15) return 'yescrypt parameters are malformed';
    const p = (have & 1) !== 0 ? readUint(reader, 2) : 1;
    const t = (have & 2) !== 0 ? readUint(reader, 1) : 0;
    const g = (have & 4) !== 0 ? readUint(reader, 1) : 0;
    const log2NROM = (have & 8) !== 0 ? readUint(reader, 1) : 0;
    if (p === undefined || t === undefined || g === undefined || log2NROM === undefined) {
      return 'yescrypt parameters are malformed';
    }
    Object.assign(fields, { p, t, g, log2NROM: (have & 8) !== 0 ? log2NROM : undefined });
  }
  if (reader.at !== text.length) return 'yescrypt parameters are malformed';
  return fields;
}

/**
 * decode64_uint32: the first character says how many follow (0–47: none; 48–55: one; 56–59: two; 60–61: three;
 * 62: four; 63: five), each range continuing where the previous one ends, so every value has one encoding.
 */
function readUint(reader: { text: string; at: number }, min: number): number | undefined {
  let c = readChar(reader);
  if (c === undefined) return undefined;
  let start = 0;
  let end = 47;
  let chars = 1;
  let bits = 0;
  let value = min;
  while (c > end) {
    value += (end + 1 - start) * 2 ** bits;
    start = end + 1;
    end = start + Math.floor((62 - end) / 2);
    chars++;
    bits += 6;
  }
  value += (c - start) * 2 ** bits;
  while (--chars > 0) {
    c = readChar(reader);
    if (c === undefined) return undefined;
    bits -= 6;
    value += c * 2 ** bits;
  }
  return value;
}

function readChar(reader: { text: string; at: number }): number | undefined {
  const c = reader.at < reader.text.length ? CRYPT_ALPHABET.indexOf(reader.text.charAt(reader.at)) : -1;
  reader.at++;
  return c < 0 ? undefined : c;
}

/**
 * yescrypt's base64 (decode64): groups of up to four characters, least significant first, each giving up to three
 * bytes, little-endian. A last group of one character, or unused bits that are not zero, is not canonical: libxcrypt
 * rejects such a salt, and never writes such a hash.
 */
function decodeYescryptBase64(text: string): Buffer | undefined {
  if (text.length % 4 === 1) return undefined;
  const bytes: number[] = [];
  for (let group = 0; group < text.length; group += 4) {
    let value = 0;
    let bits = 0;
    for (const char of text.slice(group, group + 4)) {
      const c = CRYPT_ALPHABET.indexOf(char);
      if (c < 0) return undefined;
      value |= c << bits;
      bits += 6;
    }
    for (; bits >= 8; bits -= 8, value >>>= 8) bytes.push(value & 0xff);
    if (value !== 0) return undefined;
  }
  return Buffer.from(bytes);
}
