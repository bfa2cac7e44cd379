/**
 * The yescrypt key derivation function, without ROM, as libxcrypt computes it for `$y$` hashes. The parsing, the
 * bounds and the verdict are in yescrypt.ts; this file is only the arithmetic.
 *
 * A TypeScript port of yescrypt_kdf in yescrypt-ref.c, the reference implementation in openwall/yescrypt (whose
 * optimised sibling libxcrypt ships), written out by hand because no npm package implements yescrypt and Node's
 * crypto has only classic scrypt. The step numbers in comments are the reference's. Its notice, which this port
 * keeps as the licence asks:
 *
 *   Copyright 2009 Colin Percival
 *   Copyright 2013-2018 Alexander Peslyak
 *   All rights reserved.
 *
 *   Redistribution and use in source and binary forms, with or without modification, are permitted provided that
 *   the following conditions are met:
 *   1. Redistributions of source code must retain the above copyright notice, this list of conditions and the
 *      following disclaimer.
 *   2. Redistributions in binary form must reproduce the above copyright notice, this list of conditions and the
 *      following disclaimer in the documentation and/or other materials provided with the distribution.
 *
 *   THIS SOFTWARE IS PROVIDED BY THE AUTHOR AND CONTRIBUTORS ``AS IS'' AND ANY EXPRESS OR IMPLIED WARRANTIES,
 *   INCLUDING, BUT NOT LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE
 *   ARE DISCLAIMED.  IN NO EVENT SHALL THE AUTHOR OR CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL,
 *   SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS
 *   OR SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON ANY THEORY OF
 *   LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY
 *   OUT OF THE USE OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
 *
 * Conventions, as in the reference: a 128-byte block is 32 little-endian 32-bit words, held inside the mixing
 * loops in the reference's "SIMD-shuffled" order (word i of each 64-byte sub-block holds the word at 5·i mod 16),
 * and pwxform's 64-bit lanes are (low word, high word) pairs. Words live in Int32Arrays and all arithmetic is 32-bit
 * (Math.imul, |0, >>>0), 64-bit products assembled from 16-bit halves; no BigInt. Bytes are converted to words
 * explicitly, so the result does not depend on the host's byte order. Working memory is zeroed before it is let go
 * (as far as JavaScript allows: the password string itself cannot be).
 *
 * Speed: about 330 ms for libxcrypt's default cost (`j9T`: N = 4096, r = 32, 16 MiB) on a 2 GHz EPYC core, some
 * ten times libxcrypt's SIMD code; nearly all of it in the pwxform loop below.
 */

/* eslint-disable @typescript-eslint/no-non-null-assertion -- every typed-array index below is in bounds by
   construction (block offsets and sizes follow from N, r and p); noUncheckedIndexedAccess cannot know that, and a
   runtime check on each of the billions of reads would cost the hot loops for nothing. */
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';

export const YESCRYPT_WORM = 1;
export const YESCRYPT_RW = 2;
/**
 * YESCRYPT_RW with the only pwxform settings the reference (and so libxcrypt) implements: ROUNDS_6, GATHER_4,
 * SIMPLE_2, SBOX_12K. Written as flavour `j` in a `$y$` hash.
 */
export const YESCRYPT_RW_DEFAULTS = 0xb6;
/** Internal: the pre-hashing pass at N/64 (yescrypt_kdf), which ends before the SCRAM-style client key. */
const YESCRYPT_PREHASH = 0x10000000;

export interface YescryptKdfParams {
  /** 0 (classic scrypt), YESCRYPT_WORM or YESCRYPT_RW_DEFAULTS. */
  readonly flags: number;
  readonly N: number;
  readonly r: number;
  readonly p: number;
  readonly t: number;
}

// pwxform settings (PWXsimple 2, PWXgather 4, PWXrounds 6, Swidth 8), in words.
const PWX_WORDS = 16;
const PWX_ROUNDS = 6;
const SBOX_WORDS = 1024; // 2^Swidth entries of PWXsimple 64-bit lanes
/** Sbytes / 128: the S-boxes are filled as the V of a classic SMix1 with r = 1. */
const SBOX_BLOCKS = (3 * SBOX_WORDS) / 32;
/** Smask, (2^Swidth - 1) · PWXsimple · 8: a byte offset into an S-box, 16-byte aligned. */
const SMASK = 0xff0;
/** S2 write positions cycle through 2^Swidth · PWXsimple 64-bit entries. */
const SBOX_ENTRIES_MASK = 511;

/** Where a prehash or main pass keeps its pwxform state (one per p). */
interface PwxformContext {
  readonly S: Int32Array;
  /** Word offsets of S0, S1 and S2 in S; rotated after every pwxform. */
  s0: number;
  s1: number;
  s2: number;
  /** Next 64-bit entry of S2 to write. */
  w: number;
}

/**
 * yescrypt_kdf with buflen 32, shared = NULL, g = 0, NROM = 0. The caller has checked the parameters (the same
 * checks as yescrypt_kdf_body, and the repository's bounds).
 */
export function yescryptKdf(password: Uint8Array, salt: Uint8Array, params: YescryptKdfParams): Buffer {
  const { flags, N, r, p } = params;
  // One V for both passes: the prehash needs N/64 blocks of the same size (as yescrypt-opt.c reuses its region).
  const V = new Int32Array(32 * r * N);
  try {
    let key: Buffer = Buffer.from(password);
    if (prehashes(params)) {
      const prehashed = kdfBody(key, salt, { flags: flags | YESCRYPT_PREHASH, N: N / 64, r, p, t: 0 }, V);
      key.fill(0);
      key = prehashed;
    }
    const result = kdfBody(key, salt, params, V);
    key.fill(0);
    return result;
  } finally {
    V.fill(0);
  }
}

/**
 * Whether yescrypt_kdf first runs a pass at N/64 (t = 0), whose key then stands in for the password: with
 * YESCRYPT_RW, from 256 blocks and 16 MiB of V per thread up (libxcrypt's default cost is exactly there).
 */
function prehashes(params: YescryptKdfParams): boolean {
  const { flags, N, r, p } = params;
  return (flags & YESCRYPT_RW) !== 0 && Math.floor(N / p) >= 0x100 && Math.floor(N / p) * r >= 0x20000;
}

/** yescrypt_kdf_body. */
function kdfBody(password: Buffer, salt: Uint8Array, params: YescryptKdfParams, V: Int32Array): Buffer {
  const { flags, N, r, p, t } = params;
  const s = 32 * r;
  let passwd = password;
  if (flags !== 0) {
    passwd = hmacSha256(Buffer.from((flags & YESCRYPT_PREHASH) !== 0 ? 'yescrypt-prehash' : 'yescrypt'), passwd);
  }
  // 1: (B_0 ... B_{p-1}) <-- PBKDF2(P, S, 1, p * MFLen)
  const initial = pbkdf2Sync(passwd, salt, 1, 128 * r * p, 'sha256');
  const B = wordsOf(initial);
  if (flags !== 0) {
    if (passwd !== password) passwd.fill(0);
    passwd = Buffer.from(initial.subarray(0, 32));
  }
  initial.fill(0);

  const X = new Int32Array(s);
  const Y = new Int32Array(s);
  try {
    if ((flags & YESCRYPT_RW) !== 0) {
      const next = smixRw(B, r, N, p, t, flags, V, X, Y, passwd);
      passwd.fill(0);
      passwd = next;
    } else {
      // 2: for i = 0 to p - 1 do  3: B_i <-- MF(B_i, N)
      const { all } = loopCounts(N, 1, t, flags);
      for (let i = 0; i < p; i++) {
        smix1(B, i * s, r, N, flags, V, 0, X, Y, undefined);
        smix2(B, i * s, r, N, all, 0, V, 0, X, Y, undefined);
      }
    }
    // 5: DK <-- PBKDF2(P, B, 1, dkLen)
    const mixed = bytesOf(B);
    const dk = pbkdf2Sync(passwd, mixed, 1, 32, 'sha256');
    mixed.fill(0);
    if (flags === 0 || (flags & YESCRYPT_PREHASH) !== 0) return dk;
    // SCRAM's StoredKey = H(HMAC(DK, "Client Key")).
    const clientKey = hmacSha256(dk, Buffer.from('Client Key'));
    dk.fill(0);
    const storedKey = createHash('sha256').update(clientKey).digest();
    clientKey.fill(0);
    return storedKey;
  } finally {
    if (passwd !== password) passwd.fill(0);
    B.fill(0);
    X.fill(0);
    Y.fill(0);
  }
}

/** Steps 1–10 of smix: how many SMix2 iterations run in all, and how many of them write to V. */
function loopCounts(N: number, p: number, t: number, flags: number): { chunk: number; all: number; rw: number } {
  const chunk = Math.floor(N / p);
  let all = chunk;
  if ((flags & YESCRYPT_RW) !== 0) {
    if (t <= 1) all = Math.floor(((t === 1 ? 2 * all : all) + 2) / 3);
    else all *= t - 1;
  } else if (t !== 0) {
    if (t === 1) all += Math.floor((all + 1) / 2);
    all *= t;
  }
  let rw = 0;
  if ((flags & YESCRYPT_RW) !== 0) rw = Math.floor(all / p);
  return { chunk: chunk - (chunk % 2), all: all + (all % 2), rw: rw + (rw % 2) };
}

/** How many 128-byte block mixes one kdfBody costs (for the caller's work bound; the S-box setup is negligible). */
export function yescryptBlockMixes(params: YescryptKdfParams): number {
  const { flags, N, r, p, t } = params;
  if ((flags & YESCRYPT_RW) === 0) return p * r * (N + loopCounts(N, 1, t, flags).all);
  const main = r * (N + p * loopCounts(N, p, t, flags).all);
  return prehashes(params) ? main + yescryptBlockMixes({ flags, N: N / 64, r, p, t: 0 }) : main;
}

/** smix with YESCRYPT_RW: p pwxform contexts; returns the new password, HMAC(B_{0,2r-1}, passwd). */
function smixRw(
  B: Int32Array,
  r: number,
  N: number,
  p: number,
  t: number,
  flags: number,
  V: Int32Array,
  X: Int32Array,
  Y: Int32Array,
  passwd: Buffer,
): Buffer {
  const s = 32 * r;
  const { chunk, all, rw } = loopCounts(N, p, t, flags);
  const contexts: PwxformContext[] = [];
  let nextPasswd = passwd;
  try {
    // 11: for i = 0 to p - 1 do
    for (let i = 0; i < p; i++) {
      const n = i < p - 1 ? chunk : N - i * chunk;
      // 18: SMix1_1(B_i, Sbytes / 128, S_i, no flags); 19–22: S2, S1, S0 are its thirds, w = 0
      const ctx: PwxformContext = {
        S: new Int32Array(3 * SBOX_WORDS),
        s0: 2 * SBOX_WORDS,
        s1: SBOX_WORDS,
        s2: 0,
        w: 0,
      };
      contexts.push(ctx);
      smix1(B, i * s, 1, SBOX_BLOCKS, 0, ctx.S, 0, X, Y, undefined);
      // 23–24: passwd <-- HMAC-SHA256(B_{0,2r-1}, passwd), the last 64 bytes of B_0
      if (i === 0) nextPasswd = hmacSha256(bytesOf(B.subarray(s - 16, s)), passwd);
      // 27: SMix1_r(B_i, n, V_{u..v}, flags); 28: SMix2_r(B_i, p2floor(n), Nloop_rw, V_{u..v}, flags)
      smix1(B, i * s, r, n, flags, V, i * chunk * s, X, Y, ctx);
      smix2(B, i * s, r, p2floor(n), rw, flags, V, i * chunk * s, X, Y, ctx);
    }
    // 30–31: SMix2_r(B_i, N, Nloop_all - Nloop_rw, V, flags excluding YESCRYPT_RW)
    for (let i = 0; i < p; i++) smix2(B, i * s, r, N, all - rw, flags & ~YESCRYPT_RW, V, 0, X, Y, contexts[i]);
    return nextPasswd;
  } finally {
    for (const ctx of contexts) ctx.S.fill(0);
  }
}

/**
 * SMix1: fills V (from word vBase) with n blocks, mixing B's block at word bBase. With YESCRYPT_RW it also reads
 * back earlier blocks; with a context it mixes with pwxform, otherwise with Salsa20/8 as classic scrypt.
 */
function smix1(
  B: Int32Array,
  bBase: number,
  r: number,
  n: number,
  flags: number,
  V: Int32Array,
  vBase: number,
  X: Int32Array,
  Y: Int32Array,
  ctx: PwxformContext | undefined,
): void {
  const s = 32 * r;
  const x = X.subarray(0, s);
  // 1: X <-- B
  shuffleIn(B, bBase, x, s);
  const readsBack = (flags & YESCRYPT_RW) !== 0;
  const last = s - 16;
  for (let i = 0; i < n; i++) {
    // 3: V_i <-- X
    V.set(x, vBase + i * s);
    if (readsBack && i > 1) {
      // j <-- Wrap(Integerify(X), i); only Integerify's low word matters, as i < 2^31.
      const floor = p2floor(i);
      const j = (x[last]! & (floor - 1)) + (i - floor);
      xorBlock(x, V, vBase + j * s, s);
    }
    // 4: X <-- H(X)
    if (ctx) blockmixPwxform(x, r, ctx);
    else blockmixSalsa8(x, Y, r);
  }
  shuffleOut(x, B, bBase, s);
}

/** SMix2: `loops` iterations reading (and, with YESCRYPT_RW, rewriting) the n blocks of V from word vBase. */
function smix2(
  B: Int32Array,
  bBase: number,
  r: number,
  n: number,
  loops: number,
  flags: number,
  V: Int32Array,
  vBase: number,
  X: Int32Array,
  Y: Int32Array,
  ctx: PwxformContext | undefined,
): void {
  const s = 32 * r;
  const x = X.subarray(0, s);
  shuffleIn(B, bBase, x, s);
  const writesBack = (flags & YESCRYPT_RW) !== 0;
  const last = s - 16;
  for (let i = 0; i < loops; i++) {
    // 7: j <-- Integerify(X) mod n: n is a power of two, at most 2^23 within the memory bound, so the low word
    // of Integerify suffices
    const offset = vBase + (x[last]! & (n - 1)) * s;
    // 8: X <-- H(X xor V_j), with V_j <-- X xor V_j under YESCRYPT_RW
    xorBlock(x, V, offset, s);
    if (writesBack) V.set(x, offset);
    if (ctx) blockmixPwxform(x, r, ctx);
    else blockmixSalsa8(x, Y, r);
  }
  shuffleOut(x, B, bBase, s);
}

/** X[k·16 + i] <-- B[k·16 + 5i mod 16]: into the reference's SIMD order. */
function shuffleIn(B: Int32Array, bBase: number, X: Int32Array, s: number): void {
  for (let k = 0; k < s; k += 16) {
    for (let i = 0; i < 16; i++) X[k + i] = B[bBase + k + ((i * 5) & 15)]!;
  }
}

function shuffleOut(X: Int32Array, B: Int32Array, bBase: number, s: number): void {
  for (let k = 0; k < s; k += 16) {
    for (let i = 0; i < 16; i++) B[bBase + k + ((i * 5) & 15)] = X[k + i]!;
  }
}

function xorBlock(x: Int32Array, V: Int32Array, offset: number, s: number): void {
  for (let i = 0; i < s; i++) x[i] = x[i]! ^ V[offset + i]!;
}

/** Largest power of two not above n (n ≥ 1, below 2^31). */
function p2floor(n: number): number {
  return 1 << (31 - Math.clz32(n));
}

/** BlockMix_{salsa20/8, r} (classic scrypt), in place in B, with Y as scratch of the same size. */
function blockmixSalsa8(B: Int32Array, Y: Int32Array, r: number): void {
  const blocks = 2 * r;
  // 1: X <-- B_{2r-1}; 2–4: Y_i <-- X <-- H(X xor B_i), kept in Y
  let previous = (blocks - 1) * 16;
  let source: Int32Array = B;
  for (let i = 0; i < blocks; i++) {
    for (let k = 0; k < 16; k++) Y[i * 16 + k] = source[previous + k]! ^ B[i * 16 + k]!;
    salsa20(Y, i * 16, 4);
    source = Y;
    previous = i * 16;
  }
  // 6: B' <-- (Y_0, Y_2 ... Y_{2r-2}, Y_1, Y_3 ... Y_{2r-1})
  for (let i = 0; i < r; i++) {
    B.set(Y.subarray(2 * i * 16, 2 * i * 16 + 16), i * 16);
    B.set(Y.subarray((2 * i + 1) * 16, (2 * i + 1) * 16 + 16), (i + r) * 16);
  }
}

/**
 * BlockMix_pwxform{salsa20/2, ctx, r}, in place: each 64-byte sub-block, xored with the one before it (the first
 * with the last), goes through pwxform; then Salsa20/2 of the last sub-block (the reference's steps 12–13 do
 * nothing more with these pwxform settings, as r_1 = 2r).
 *
 * pwxform: four independent gather lanes of two 64-bit words, six rounds of
 * x <-- (hi(x)·lo(x) + S0[p0]) xor S1[p1], rounds 1–4 also written to S2. The lanes only meet in S2, whose write
 * positions are fixed up front, so each lane runs all its rounds in local variables. The 64-bit product is formed
 * from four 16×16-bit products (Math.imul), all in 32-bit integers.
 */
function blockmixPwxform(B: Int32Array, r: number, ctx: PwxformContext): void {
  const S = ctx.S;
  let s0 = ctx.s0;
  let s1 = ctx.s1;
  let s2 = ctx.s2;
  let w = ctx.w;
  const r1 = 2 * r;
  let previous = (r1 - 1) * PWX_WORDS;
  for (let at = 0; at < r1 * PWX_WORDS; at += PWX_WORDS) {
    for (let k = 0; k < PWX_WORDS; k++) B[at + k] = B[at + k]! ^ B[previous + k]!;
    previous = at;
    for (let lane = at; lane < at + PWX_WORDS; lane += 4) {
      let al = B[lane]!;
      let ah = B[lane + 1]!;
      let bl = B[lane + 2]!;
      let bh = B[lane + 3]!;
      // Where this lane writes S2 in round 1: entry w + 2·(lane index), i.e. word 2w + 4·(lane index); each later
      // round writes 8 entries (16 words) further on.
      let out = s2 + 2 * w + (lane - at);
      for (let round = 0; round < PWX_ROUNDS; round++) {
        // 3–4: S-box entries picked by the low and high word of the lane's first 64-bit word
        const p0 = s0 + ((al & SMASK) >>> 2);
        const p1 = s1 + ((ah & SMASK) >>> 2);
        // 6: x <-- (hi(x) · lo(x) + S0_{p0,0}) xor S1_{p1,0}. The product's low word is Math.imul's; its high word
        // is summed from the four 16×16-bit partial products with the carry out of the low word (mid), then the
        // 64-bit addition carries when the low word wraps.
        let l0 = al & 0xffff;
        let l1 = al >>> 16;
        let h0 = ah & 0xffff;
        let h1 = ah >>> 16;
        let ll = Math.imul(l0, h0);
        let lh = Math.imul(l0, h1);
        let hl = Math.imul(l1, h0);
        let mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
        let lo = Math.imul(al, ah);
        let sum = (lo + S[p0]!) | 0;
        let hi = Math.imul(l1, h1) + (lh >>> 16) + (hl >>> 16) + (mid >>> 16) + S[p0 + 1]!;
        al = sum ^ S[p1]!;
        ah = ((sum >>> 0 < lo >>> 0 ? hi + 1 : hi) | 0) ^ S[p1 + 1]!;
        // the same for the lane's second 64-bit word, with the next entries of both S-boxes
        l0 = bl & 0xffff;
        l1 = bl >>> 16;
        h0 = bh & 0xffff;
        h1 = bh >>> 16;
        ll = Math.imul(l0, h0);
        lh = Math.imul(l0, h1);
        hl = Math.imul(l1, h0);
        mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
        lo = Math.imul(bl, bh);
        sum = (lo + S[p0 + 2]!) | 0;
        hi = Math.imul(l1, h1) + (lh >>> 16) + (hl >>> 16) + (mid >>> 16) + S[p0 + 3]!;
        bl = sum ^ S[p1 + 2]!;
        bh = ((sum >>> 0 < lo >>> 0 ? hi + 1 : hi) | 0) ^ S[p1 + 3]!;
        // 8–10: in rounds 1 to 4, S2_w <-- x (entries written in the order round, lane, word)
        if (round !== 0 && round !== PWX_ROUNDS - 1) {
          S[out] = al;
          S[out + 1] = ah;
          S[out + 2] = bl;
          S[out + 3] = bh;
          out += 16;
        }
      }
      B[lane] = al;
      B[lane + 1] = ah;
      B[lane + 2] = bl;
      B[lane + 3] = bh;
    }
    // 14: (S0, S1, S2) <-- (S2, S0, S1); 15: w <-- w mod 2^Swidth (32 entries written, w stays 32-aligned)
    const written = s2;
    s2 = s1;
    s1 = s0;
    s0 = written;
    w = (w + 32) & SBOX_ENTRIES_MASK;
  }
  ctx.s0 = s0;
  ctx.s1 = s1;
  ctx.s2 = s2;
  ctx.w = w;
  salsa20(B, (r1 - 1) * PWX_WORDS, 1);
}

/**
 * The Salsa20 core with `doubleRounds` double rounds on the 16 words of B at word `at`, which are in SIMD order:
 * Salsa's word m is B[at + 13·m mod 16] (13 = 5⁻¹ mod 16).
 */
function salsa20(B: Int32Array, at: number, doubleRounds: number): void {
  const j0 = B[at]!;
  const j1 = B[at + 13]!;
  const j2 = B[at + 10]!;
  const j3 = B[at + 7]!;
  const j4 = B[at + 4]!;
  const j5 = B[at + 1]!;
  const j6 = B[at + 14]!;
  const j7 = B[at + 11]!;
  const j8 = B[at + 8]!;
  const j9 = B[at + 5]!;
  const j10 = B[at + 2]!;
  const j11 = B[at + 15]!;
  const j12 = B[at + 12]!;
  const j13 = B[at + 9]!;
  const j14 = B[at + 6]!;
  const j15 = B[at + 3]!;
  let x0 = j0;
  let x1 = j1;
  let x2 = j2;
  let x3 = j3;
  let x4 = j4;
  let x5 = j5;
  let x6 = j6;
  let x7 = j7;
  let x8 = j8;
  let x9 = j9;
  let x10 = j10;
  let x11 = j11;
  let x12 = j12;
  let x13 = j13;
  let x14 = j14;
  let x15 = j15;
  let u: number;
  for (let i = 0; i < doubleRounds; i++) {
    // columns
    u = (x0 + x12) | 0;
    x4 ^= (u << 7) | (u >>> 25);
    u = (x4 + x0) | 0;
    x8 ^= (u << 9) | (u >>> 23);
    u = (x8 + x4) | 0;
    x12 ^= (u << 13) | (u >>> 19);
    u = (x12 + x8) | 0;
    x0 ^= (u << 18) | (u >>> 14);
    u = (x5 + x1) | 0;
    x9 ^= (u << 7) | (u >>> 25);
    u = (x9 + x5) | 0;
    x13 ^= (u << 9) | (u >>> 23);
    u = (x13 + x9) | 0;
    x1 ^= (u << 13) | (u >>> 19);
    u = (x1 + x13) | 0;
    x5 ^= (u << 18) | (u >>> 14);
    u = (x10 + x6) | 0;
    x14 ^= (u << 7) | (u >>> 25);
    u = (x14 + x10) | 0;
    x2 ^= (u << 9) | (u >>> 23);
    u = (x2 + x14) | 0;
    x6 ^= (u << 13) | (u >>> 19);
    u = (x6 + x2) | 0;
    x10 ^= (u << 18) | (u >>> 14);
    u = (x15 + x11) | 0;
    x3 ^= (u << 7) | (u >>> 25);
    u = (x3 + x15) | 0;
    x7 ^= (u << 9) | (u >>> 23);
    u = (x7 + x3) | 0;
    x11 ^= (u << 13) | (u >>> 19);
    u = (x11 + x7) | 0;
    x15 ^= (u << 18) | (u >>> 14);
    // rows
    u = (x0 + x3) | 0;
    x1 ^= (u << 7) | (u >>> 25);
    u = (x1 + x0) | 0;
    x2 ^= (u << 9) | (u >>> 23);
    u = (x2 + x1) | 0;
    x3 ^= (u << 13) | (u >>> 19);
    u = (x3 + x2) | 0;
    x0 ^= (u << 18) | (u >>> 14);
    u = (x5 + x4) | 0;
    x6 ^= (u << 7) | (u >>> 25);
    u = (x6 + x5) | 0;
    x7 ^= (u << 9) | (u >>> 23);
    u = (x7 + x6) | 0;
    x4 ^= (u << 13) | (u >>> 19);
    u = (x4 + x7) | 0;
    x5 ^= (u << 18) | (u >>> 14);
    u = (x10 + x9) | 0;
    x11 ^= (u << 7) | (u >>> 25);
    u = (x11 + x10) | 0;
    x8 ^= (u << 9) | (u >>> 23);
    u = (x8 + x11) | 0;
    x9 ^= (u << 13) | (u >>> 19);
    u = (x9 + x8) | 0;
    x10 ^= (u << 18) | (u >>> 14);
    u = (x15 + x14) | 0;
    x12 ^= (u << 7) | (u >>> 25);
    u = (x12 + x15) | 0;
    x13 ^= (u << 9) | (u >>> 23);
    u = (x13 + x12) | 0;
    x14 ^= (u << 13) | (u >>> 19);
    u = (x14 + x13) | 0;
    x15 ^= (u << 18) | (u >>> 14);
  }
  B[at] = x0 + j0;
  B[at + 13] = x1 + j1;
  B[at + 10] = x2 + j2;
  B[at + 7] = x3 + j3;
  B[at + 4] = x4 + j4;
  B[at + 1] = x5 + j5;
  B[at + 14] = x6 + j6;
  B[at + 11] = x7 + j7;
  B[at + 8] = x8 + j8;
  B[at + 5] = x9 + j9;
  B[at + 2] = x10 + j10;
  B[at + 15] = x11 + j11;
  B[at + 12] = x12 + j12;
  B[at + 9] = x13 + j13;
  B[at + 6] = x14 + j14;
  B[at + 3] = x15 + j15;
}

function hmacSha256(key: Uint8Array, message: Uint8Array): Buffer {
  return createHmac('sha256', key).update(message).digest();
}

/** Little-endian words of a byte string whose length is a multiple of 4. */
function wordsOf(bytes: Buffer): Int32Array {
  const words = new Int32Array(bytes.length / 4);
  for (let i = 0; i < words.length; i++) words[i] = bytes.readInt32LE(4 * i);
  return words;
}

function bytesOf(words: Int32Array): Buffer {
  const bytes = Buffer.alloc(words.length * 4);
  for (let i = 0; i < words.length; i++) bytes.writeInt32LE(words[i]!, 4 * i);
  return bytes;
}
