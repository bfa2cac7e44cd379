import { Secret, TOTP } from 'otpauth';

/**
 * Time-based one-time passwords (RFC 6238) as every authenticator app does them by default: HMAC-SHA-1, 6 digits,
 * a 30-second step. Apps ignore or mishandle other choices in the otpauth URI, so these are fixed, not options.
 *
 * Matching returns the time step the code belongs to rather than a yes/no: a code stays valid for its whole step
 * and the window around it, so refusing a replay is the caller's part, by moving the factor's mark to that step
 * (`FactorStore.advance`), which fails for a step already used.
 */

const ALGORITHM = 'SHA1';
const DIGITS = 6;
const PERIOD_SECONDS = 30;
/** RFC 4226 asks for at least 128 bits and recommends 160: the length of SHA-1's block input the apps expect. */
const SECRET_BYTES = 20;
/** Steps either side of now; more only widens the guessing target (each step adds one more valid code). */
const MAX_WINDOW = 10;

/** A new random secret, as the base32 text the otpauth URI carries (32 characters, no padding). */
export function newTotpSecret(): string {
  return new Secret({ size: SECRET_BYTES }).base32;
}

/**
 * The `otpauth://totp/…` URI an authenticator app reads from the QR code: the issuer names the service in the app's
 * list, the account name tells one account there from another.
 */
export function totpUri({
  secret,
  issuer,
  accountName,
}: {
  secret: string;
  issuer: string;
  accountName: string;
}): string {
  return totp(secret, { issuer, label: accountName }).toString();
}

/** The time step `now` falls in: whole periods since the Unix epoch. */
export function totpStep(now: Date): number {
  return Math.floor(checkedTime(now) / 1000 / PERIOD_SECONDS);
}

/**
 * The time step of the code if it is the secret's code for a step within `window` steps of `now`'s, otherwise
 * undefined. Spaces in the code are ignored (apps show `123 456`); anything else than 6 digits after that is
 * refused without computing anything.
 */
export function matchTotp(secret: string, code: string, now: Date, window = 1): number | undefined {
  if (!Number.isInteger(window) || window < 0 || window > MAX_WINDOW) {
    throw new RangeError(`TOTP window must be a whole number of steps from 0 to ${MAX_WINDOW}`);
  }
  const timestamp = checkedTime(now);
  const token = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(token)) return undefined;
  // otpauth compares in constant time and tries the steps from the oldest to the newest.
  const delta = totp(secret).validate({ token, timestamp, window });
  return delta === null ? undefined : totpStep(now) + delta;
}

function totp(secret: string, names: { issuer?: string; label?: string } = {}): TOTP {
  return new TOTP({
    ...names,
    algorithm: ALGORITHM,
    digits: DIGITS,
    period: PERIOD_SECONDS,
    secret: Secret.fromBase32(secret),
  });
}

function checkedTime(now: Date): number {
  const time = now.getTime();
  if (!Number.isFinite(time)) throw new RangeError('TOTP: the time is not a valid date');
  return time;
}
