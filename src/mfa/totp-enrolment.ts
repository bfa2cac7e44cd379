import { randomUUID } from 'node:crypto';
import type { RecordEvent } from '../events/recorder.js';
import type { ArtifactStore, Factor, FactorStore } from '../store/store.js';
import { qrCodeSvg } from './qr-code.js';
import { newRecoveryCodes, recoveryCodeHash } from './recovery-codes.js';
import type { SecretBox } from '../security/secret-box.js';
import { totpSealContext } from './second-factor.js';
import { matchTotp, newTotpSecret, totpUri } from './totp.js';

/**
 * Setting up an authenticator app (TOTP), wherever it happens: on the user's security page, or inside a sign-in at
 * a client that requires a second factor. A new secret waits, sealed, in an artifact until the first code proves
 * the app has it; only then is it a factor, so a half-finished setup never locks anyone out. The confirming code's
 * time step is stored as used, so that code cannot be played again to sign in. Recovery codes are issued here too:
 * shown once, stored only as hashes.
 */

export interface TotpEnrolmentDependencies {
  factors: FactorStore;
  artifacts: ArtifactStore;
  secretBox: SecretBox;
  record: RecordEvent;
  /** The name authenticator apps show beside the account. */
  totpIssuer: string;
}

/** What the setup page shows: the QR code of the otpauth URI and the same secret as text. */
export interface TotpSetupPage {
  qrSvg: string;
  secret: string;
}

export type TotpConfirmation =
  /** The app is a factor now; `recoveryCodes` are new ones when the account had no unused codes left. */
  | { kind: 'confirmed'; recoveryCodes: string[] | undefined }
  /** Not the app's current code: the same setup is shown again. */
  | { kind: 'wrong-code'; page: TotpSetupPage }
  /** No setup waiting (expired, or already confirmed by another submission). */
  | { kind: 'expired' };

export interface TotpEnrolment {
  /**
   * A new secret for the account, waiting under `pendingId` (the account's own id on its security page, the
   * interaction's uid in a sign-in) until a code confirms it. Starting again replaces it.
   */
  start(account: { id: string; username: string }, pendingId: string): Promise<TotpSetupPage>;
  confirm(
    account: { id: string; username: string },
    pendingId: string,
    code: string,
    now?: Date,
  ): Promise<TotpConfirmation>;
  /** Whether a setup waits under `pendingId` (not yet confirmed, nor expired). */
  waiting(pendingId: string): Promise<boolean>;
  /** Ten new recovery codes replacing any old ones, to be shown once. */
  issueRecoveryCodes(accountId: string): Promise<string[]>;
  /** How many unused recovery codes the account has. */
  recoveryCodesLeft(accountId: string): Promise<number>;
}

const PENDING_TOTP = 'TotpEnrolment';
/** Long enough to find the phone and install an app. */
const PENDING_TOTP_TTL_SECONDS = 600;

export function totpEnrolment(deps: TotpEnrolmentDependencies): TotpEnrolment {
  const page = async (secret: string, username: string): Promise<TotpSetupPage> => ({
    qrSvg: await qrCodeSvg(totpUri({ secret, issuer: deps.totpIssuer, accountName: username })),
    secret,
  });

  const recoveryCodesLeft = async (accountId: string) =>
    (await deps.factors.listByAccount(accountId)).filter((f) => f.kind === 'recovery-code' && f.mark === 0).length;

  const issueRecoveryCodes = async (accountId: string) => {
    const codes = newRecoveryCodes();
    const now = new Date();
    const factors: Factor[] = codes.map((code) => ({
      id: randomUUID(),
      accountId,
      kind: 'recovery-code',
      data: { hash: recoveryCodeHash(code, accountId) },
      mark: 0,
      createdAt: now,
    }));
    await deps.factors.add(factors, 'recovery-code');
    await deps.record({ type: 'factor_enrolled', accountId, factor: 'recovery-code', count: codes.length });
    return codes;
  };

  return {
    async start(account, pendingId) {
      const secret = newTotpSecret();
      const sealed = deps.secretBox.seal(secret, totpSealContext(account.id));
      await deps.artifacts.upsert(
        PENDING_TOTP,
        pendingId,
        { accountId: account.id, secret: sealed },
        PENDING_TOTP_TTL_SECONDS,
      );
      return page(secret, account.username);
    },

    async confirm(account, pendingId, code, now = new Date()) {
      const pending = await deps.artifacts.find(PENDING_TOTP, pendingId);
      // The sealed secret is bound to its account too: one found under another account's id would not open.
      if (pending?.accountId !== account.id) return { kind: 'expired' };
      const opened = deps.secretBox.open(pending.secret, totpSealContext(account.id));
      if (opened.kind !== 'opened') return { kind: 'expired' };
      const step = matchTotp(opened.plaintext, code, now);
      if (step === undefined) return { kind: 'wrong-code', page: await page(opened.plaintext, account.username) };
      // Taken in one write: of two submissions of the same code, one sets the app up and the other finds no setup.
      if (!(await deps.artifacts.take(PENDING_TOTP, pendingId))) return { kind: 'expired' };
      const totp: Factor = {
        id: randomUUID(),
        accountId: account.id,
        kind: 'totp',
        data: { secret: pending.secret },
        mark: step,
        createdAt: now,
      };
      await deps.factors.add([totp], 'totp');
      await deps.record({ type: 'factor_enrolled', accountId: account.id, factor: 'totp' });
      const recoveryCodes =
        (await recoveryCodesLeft(account.id)) === 0 ? await issueRecoveryCodes(account.id) : undefined;
      return { kind: 'confirmed', recoveryCodes };
    },

    async waiting(pendingId) {
      return (await deps.artifacts.find(PENDING_TOTP, pendingId)) !== undefined;
    },

    issueRecoveryCodes,
    recoveryCodesLeft,
  };
}
