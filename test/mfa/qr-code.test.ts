import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import jsQRModule from 'jsqr';
import { qrCodeSvg } from '../../src/mfa/qr-code.js';

// jsqr is CommonJS typed as an ES module with a default export: from ESM its module.exports is the namespace, and
// its `default` the function (the bundle sets both).
const jsQR = jsQRModule.default;

/**
 * The enrolment QR code: an SVG that draws a code a reader decodes back to the URI. The SVG's modules are read off
 * its path into pixels and given to jsQR, a decoder that shares no code with the qrcode package that drew them.
 */

const URI =
  'otpauth://totp/Example%20IdP:alice%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Example%20IdP&algorithm=SHA1&digits=6&period=30';

/** Pixels per module when rasterising. */
const SCALE = 4;

/**
 * The SVG as an RGBA image: white, with the dark path's horizontal runs (`M`/`m` moves and `h` lines, stroked one
 * module wide through the middle of their row) painted black. Throws on any other path command, so a change in
 * how the SVG is drawn shows here instead of decoding as nothing.
 */
function rasterise(svg: string): { data: Uint8ClampedArray; size: number } {
  const viewBox = /viewBox="0 0 (\d+) (\d+)"/.exec(svg);
  assert.ok(viewBox, 'the SVG has a square viewBox from the origin');
  assert.equal(viewBox[1], viewBox[2]);
  const modules = Number(viewBox[1]);
  const dark = /<path stroke="#000000" d="([^"]*)"/.exec(svg)?.[1];
  assert.ok(dark !== undefined, 'the SVG has a dark path');

  const size = modules * SCALE;
  const data = new Uint8ClampedArray(size * size * 4).fill(255);
  let x = 0;
  let y = 0;
  for (const [, command = '', args = ''] of dark.matchAll(/([A-Za-z])([^A-Za-z]*)/g)) {
    const numbers = args
      .trim()
      .split(/[\s,]+/)
      .map(Number);
    const [first = Number.NaN, second = Number.NaN] = numbers;
    switch (command) {
      case 'M':
        [x, y] = [first, second];
        break;
      case 'm':
        [x, y] = [x + first, y + second];
        break;
      case 'h': {
        const row = Math.floor(y);
        for (let column = x; column < x + first; column += 1) paint(data, size, column, row);
        x += first;
        break;
      }
      default:
        throw new Error(`unexpected path command ${command} in the QR code's SVG`);
    }
  }
  return { data, size };
}

function paint(data: Uint8ClampedArray, size: number, column: number, row: number): void {
  for (let dy = 0; dy < SCALE; dy += 1) {
    for (let dx = 0; dx < SCALE; dx += 1) {
      const offset = ((row * SCALE + dy) * size + column * SCALE + dx) * 4;
      data.fill(0, offset, offset + 3);
    }
  }
}

describe('QR code', () => {
  it('is an SVG document with a viewBox and a dark path, and no script or size of its own', async () => {
    const svg = await qrCodeSvg(URI);
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 \d+ \d+"[^>]*>/);
    assert.match(svg, /<path stroke="#000000" d="M[^"]+"\/>/);
    assert.match(svg.trim(), /<\/svg>$/);
    assert.doesNotMatch(svg, /<script|width=|height=/i);
  });

  it('decodes back to the URI', async () => {
    const { data, size } = rasterise(await qrCodeSvg(URI));
    assert.equal(jsQR(data, size, size)?.data, URI);
  });

  it('differs for another URI, which decodes back to itself', async () => {
    const other = URI.replace('alice', 'bob');
    const svg = await qrCodeSvg(other);
    assert.notEqual(svg, await qrCodeSvg(URI));
    const { data, size } = rasterise(svg);
    assert.equal(jsQR(data, size, size)?.data, other);
  });

  it('a blank image decodes as nothing (the decoder does not make codes up)', () => {
    const size = 40 * SCALE;
    assert.equal(jsQR(new Uint8ClampedArray(size * size * 4).fill(255), size, size), null);
  });
});
