/**
 * A QR code of `text` (an otpauth URI) as an SVG document, made on the server so the enrolment page needs no
 * script and the secret never goes to a third-party QR service. Dark modules on a white background with the
 * standard four-module quiet zone: phone cameras read inverted or borderless codes badly. The SVG has a viewBox and
 * no size, so the page's CSS sizes it. Medium error correction keeps the code small for a URI of some 100
 * characters while it still reads from a screen with glare. The library (with its PNG encoder) is loaded at the first
 * enrolment, not at start.
 */
export async function qrCodeSvg(text: string): Promise<string> {
  const { default: QRCode } = await import('qrcode');
  return QRCode.toString(text, {
    type: 'svg',
    errorCorrectionLevel: 'M',
    margin: 4,
    color: { dark: '#000000', light: '#ffffff' },
  });
}
