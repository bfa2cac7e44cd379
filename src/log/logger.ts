import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Every key that can carry a credential, at any depth the code uses. Redaction is the logger's job so that no call
 * site can leak a secret by passing a whole object along.
 */
const REDACTED_PATHS = [
  'password',
  'newPassword',
  'token',
  'secret',
  'client_secret',
  // One-time codes: a TOTP code, a recovery code (good for a sign-in until used), an authorization code.
  'code',
  'codes',
  '*.password',
  '*.newPassword',
  '*.token',
  '*.secret',
  '*.client_secret',
  '*.code',
  '*.codes',
  '*.*.password',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'jit-idp' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
