import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { verifyYescrypt } from '../../../src/passwords/legacy/yescrypt.js';
import { MATCH, MISMATCH, requires } from './reference-tools.js';
import { assertVerifies, libxcrypt, mkpasswd, parsedParams, probeLibxcrypt, SHADOW_HASH } from './yescrypt-tools.js';

/**
 * yescrypt at real costs (the slow tier: about 14 s of hashing): the default cost shadow files hold, every mkpasswd
 * cost up to 64 MiB, and the settings only crypt(3) writes. The quick checks are in yescrypt.test.ts.
 */
describe('yescrypt ($y$, libxcrypt) at real costs', () => {
  it(
    'verifies mkpasswd hashes at the default cost (j9T: N = 4096, r = 32, with the prehash pass)',
    requires('mkpasswd'),
    () => {
      for (const password of ['pässwörd €', 'correct horse battery staple', 'tab\tand  two spaces ']) {
        const hash = mkpasswd(password);
        assert.match(hash, SHADOW_HASH);
        assert.ok(hash.startsWith('$y$j9T$'), hash);
        assertVerifies(hash, password);
      }
    },
  );

  it('matches at every mkpasswd cost from -R 1 to -R 7 (64 MiB), with new random salts', requires('mkpasswd'), () => {
    const settings: string[] = [];
    for (let cost = 1; cost <= 7; cost++) {
      const hash = mkpasswd('correct horse', cost);
      assert.match(hash, SHADOW_HASH);
      settings.push(hash.slice(0, 7));
      const params = parsedParams(hash);
      assert.deepEqual(verifyYescrypt('correct horse', params), MATCH, hash);
      if (cost === 7) assert.deepEqual(verifyYescrypt('correct horsf', params), MISMATCH);
    }
    assert.deepEqual(settings, ['$y$j75$', '$y$j85$', '$y$j7T$', '$y$j8T$', '$y$j9T$', '$y$jAT$', '$y$jBT$']);
  });

  it('verifies settings only crypt(3) writes: fixed salts, p, t, classic and WORM flavours', probeLibxcrypt(), () => {
    const settings = [
      '$y$j75$$', // empty salt
      '$y$j75$a.$', // one-byte salt
      `$y$j75$${'A'.repeat(85)}.$`, // 64-byte salt, the most yescrypt_r decodes
      '$y$j7.$Zm9vYmFy$', // r = 1
      '$y$j/5$Zm9vYmFy$', // N = 4, the least with p = 1
      '$y$j5k/$Zm9vYmFy$', // r = 50, a two-character field
      '$y$j75..$Zm9vYmFy$', // p = 2
      '$y$j75./$Zm9vYmFy$', // p = 3: N/p not a power of two, the last thread takes the rest
      '$y$j75/.$Zm9vYmFy$', // t = 1
      '$y$j75/0$Zm9vYmFy$', // t = 3
      '$y$j750./$Zm9vYmFy$', // p = 2, t = 2
      '$y$jAT..$Zm9vYmFy$', // N = 8192, r = 32, p = 2: the prehash pass with two threads
      '$y$.75$Zm9vYmFy$', // classic scrypt
      '$y$.75./$Zm9vYmFy$', // classic scrypt, p = 3
      '$y$/75$Zm9vYmFy$', // YESCRYPT_WORM
      '$y$/75/.$Zm9vYmFy$', // WORM, t = 1
      '$y$/750./$Zm9vYmFy$', // WORM, p = 2, t = 2
    ];
    for (const setting of settings) {
      const hash = libxcrypt('pässwörd €', setting);
      assert.ok(hash.startsWith(setting) && hash.length === setting.length + 43, `crypt refused ${setting}: ${hash}`);
      assertVerifies(hash, 'pässwörd €');
    }
  });
});
