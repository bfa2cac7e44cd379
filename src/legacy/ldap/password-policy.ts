import { Control, type BerReader } from 'ldapts';

/**
 * The password policy control of draft-behera-ldap-password-policy (OpenLDAP's ppolicy overlay, and others): sent
 * empty on a bind, answered by the directory with why a password is not accepted or a warning about it.
 *
 * ldapts 8 has no class for it and its BindResponse hands no controls to the caller, success or failure. But its
 * message parser gives a response control of a type it does not know to the request control of the same type
 * (ControlParser: `requestControls.find(c => c.type === type)`, then `control.parse(value)`), before the result code
 * is looked at. So one instance of this class, sent with the bind, is filled in with the answer even when the bind
 * fails: no raw message reading, no fork of the library. One instance per bind: it holds that bind's answer.
 */
export class PasswordPolicyControl extends Control {
  static readonly type = '1.3.6.1.4.1.42.2.27.8.5.1';

  /** Undefined until the directory answered with the control (a directory without the policy never does). */
  response: PasswordPolicyResponse | undefined;

  constructor() {
    // Not critical: a directory that does not know the control must still do a plain bind.
    super(PasswordPolicyControl.type, { critical: false });
  }

  // The request carries no value; the inherited writeControl writes none.

  override parseControl(reader: BerReader): void {
    // Never throws: an exception here would fail the whole bind as a protocol error. An undecodable answer is kept
    // as such and judged by the caller.
    this.response = decodePasswordPolicyResponse(reader.buffer);
  }
}

export const PASSWORD_POLICY_ERRORS = [
  'passwordExpired',
  'accountLocked',
  'changeAfterReset',
  'passwordModNotAllowed',
  'mustSupplyOldPassword',
  'insufficientPasswordQuality',
  'passwordTooShort',
  'passwordTooYoung',
  'passwordInHistory',
  'passwordTooLong',
] as const;
export type PasswordPolicyError = (typeof PASSWORD_POLICY_ERRORS)[number];

export type PasswordPolicyResponse =
  | {
      kind: 'decoded';
      error?: PasswordPolicyError | `unknown(${number})`;
      timeBeforeExpiration?: number;
      graceAuthNsRemaining?: number;
    }
  | { kind: 'malformed' };

/**
 * PasswordPolicyResponseValue ::= SEQUENCE {
 *   warning [0] CHOICE { timeBeforeExpiration [0] INTEGER (0 .. maxInt), graceAuthNsRemaining [1] INTEGER } OPTIONAL,
 *   error   [1] ENUMERATED { passwordExpired (0), accountLocked (1), changeAfterReset (2), … } OPTIONAL }
 * with implicit tags, so: 30 { A0 { 80 n | 81 n } , 81 e }. An empty value (some servers send one) is no news.
 */
export function decodePasswordPolicyResponse(value: Buffer): PasswordPolicyResponse {
  if (value.length === 0) return { kind: 'decoded' };
  const outer = readTlv(value, 0);
  if (!outer || outer.tag !== 0x30 || outer.end !== value.length) return { kind: 'malformed' };
  const response: Extract<PasswordPolicyResponse, { kind: 'decoded' }> = { kind: 'decoded' };
  let offset = outer.start;
  while (offset < outer.end) {
    const field = readTlv(value, offset, outer.end);
    if (!field) return { kind: 'malformed' };
    if (field.tag === 0xa0) {
      const warning = readTlv(value, field.start, field.end);
      const amount = warning && unsignedOf(value.subarray(warning.start, warning.end));
      if (!warning || warning.end !== field.end || amount === undefined) return { kind: 'malformed' };
      if (warning.tag === 0x80) response.timeBeforeExpiration = amount;
      else if (warning.tag === 0x81) response.graceAuthNsRemaining = amount;
      else return { kind: 'malformed' };
    } else if (field.tag === 0x81) {
      const code = unsignedOf(value.subarray(field.start, field.end));
      if (code === undefined) return { kind: 'malformed' };
      response.error = PASSWORD_POLICY_ERRORS[code] ?? `unknown(${code})`;
    } else {
      return { kind: 'malformed' };
    }
    offset = field.end;
  }
  return response;
}

interface Tlv {
  tag: number;
  /** Where the contents start and end (exclusive). */
  start: number;
  end: number;
}

/** One DER/BER element with a definite length at `offset`, if it fits before `limit`. */
function readTlv(buffer: Buffer, offset: number, limit = buffer.length): Tlv | undefined {
  if (offset + 2 > limit) return undefined;
  const tag = buffer[offset] ?? 0;
  let lengthByte = buffer[offset + 1] ?? 0;
  let start = offset + 2;
  let length = lengthByte;
  if (lengthByte & 0x80) {
    lengthByte &= 0x7f;
    // 0 is the indefinite form (not allowed in LDAP); more than 3 bytes is no control value we would accept.
    if (lengthByte === 0 || lengthByte > 3 || start + lengthByte > limit) return undefined;
    length = 0;
    for (let i = 0; i < lengthByte; i++) length = length * 256 + (buffer[start + i] ?? 0);
    start += lengthByte;
  }
  const end = start + length;
  return end <= limit ? { tag, start, end } : undefined;
}

/** A non-negative INTEGER/ENUMERATED body (0 .. maxInt); undefined for empty, negative or over 2^31-1. */
function unsignedOf(body: Buffer): number | undefined {
  if (body.length === 0 || body.length > 5 || ((body[0] ?? 0) & 0x80) !== 0) return undefined;
  let value = 0;
  for (const byte of body) value = value * 256 + byte;
  return value <= 0x7fffffff ? value : undefined;
}

/**
 * What a bind's password policy answer means for the sign-in:
 * - `refused`: the directory says this account may not sign in with this password now → `disabled`
 *   ("cannot sign in, contact support"). `accountLocked`, `passwordExpired` and `changeAfterReset`.
 * - `garbled`: a bind that succeeded came with an answer that cannot be read or an error no draft defines for a
 *   bind: fails closed (it may be a refusal we do not understand).
 * - `none`: nothing to add; the bind's own result decides. Warnings (`timeBeforeExpiration`,
 *   `graceAuthNsRemaining`) are successes: the directory accepted the password.
 *
 * What OpenLDAP 2.5.13 (Debian's slapd, ppolicy overlay) answers, observed with the control on every bind:
 * - Locked (pwdAccountLockedTime set by an admin, `000001010000Z` or a time, or by pwdMaxFailure failures; both
 *   only when the policy has `pwdLockout: TRUE`, else the attribute is ignored and the bind succeeds): result 49
 *   invalidCredentials whatever the password, right or wrong. Without `ppolicy_use_lockout` the control carries
 *   no error, exactly as for any wrong password, so nothing tells a locked account apart and it stays `invalid`.
 *   With `ppolicy_use_lockout` it carries `accountLocked`, again whatever the password: the admin chose to tell
 *   every caller, so it becomes `disabled` whatever the password too (this tells a caller nothing the directory
 *   did not tell it first).
 * - Expired (pwdMaxAge passed, no grace logins left): result 49 with `passwordExpired` for the right password only;
 *   a wrong one gets 49 and an empty control. Grace logins: success with `graceAuthNsRemaining` (n-1 … 0), then
 *   the expiry above. Close to expiry: success with `timeBeforeExpiration`.
 * - Reset (pwdReset: TRUE and pwdMustChange: TRUE in the policy): success (0) with `changeAfterReset` for the right
 *   password (the session may only change the password); a wrong one gets 49 and an empty control. That password is
 *   one the directory does not trust as the user's own (an admin set it), so it is refused like Active Directory's
 *   773 and must not become the account's password here. pwdReset without pwdMustChange: plain success.
 * - A bind to a DN with no entry: 49 and no control at all.
 * The same three errors on a failed bind with another result code (other servers use 19 or 53 for a lockout) are
 * taken as said too; untested, as no such server exists here.
 */
export type PolicyVerdict = { kind: 'refused' } | { kind: 'garbled'; code: string } | { kind: 'none' };

const REFUSING: ReadonlySet<string> = new Set<PasswordPolicyError>([
  'accountLocked',
  'passwordExpired',
  'changeAfterReset',
]);
/** Errors about changing a password: meaningless on a bind, and harmless (the directory took the password). */
const ABOUT_CHANGES: ReadonlySet<string> = new Set<PasswordPolicyError>(
  PASSWORD_POLICY_ERRORS.filter((error) => !REFUSING.has(error)),
);

export function policyVerdict(bound: boolean, response: PasswordPolicyResponse | undefined): PolicyVerdict {
  if (response === undefined) return { kind: 'none' };
  if (response.kind === 'malformed') {
    // After a failed bind the refusal stands anyway; only a success must not be taken on an unreadable answer.
    return bound ? { kind: 'garbled', code: 'undecodable password policy response' } : { kind: 'none' };
  }
  const { error } = response;
  if (error === undefined) return { kind: 'none' };
  if (REFUSING.has(error)) return { kind: 'refused' };
  if (!bound || ABOUT_CHANGES.has(error)) return { kind: 'none' };
  return { kind: 'garbled', code: `password policy error ${error} on a successful bind` };
}
