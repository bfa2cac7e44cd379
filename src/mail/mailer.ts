import type { Transporter } from 'nodemailer';
import type { Logger } from '../log/logger.js';

/** An email the IdP sends (password reset links). Plain text: nothing to render, nothing to track. */
export interface Mail {
  to: string;
  subject: string;
  text: string;
}

export interface SentMail extends Mail {
  at: Date;
}

export interface Mailer {
  send(mail: Mail): Promise<void>;
  close(): void;
}

/** Mail over SMTP (nodemailer), e.g. `smtps://user:pass@smtp.example.com` or `smtp://relay.internal:25`. */
export function smtpMailer(url: string, from: string): Mailer {
  // nodemailer (about 15 MB resident) is loaded with the first mail rather than at start.
  let transport: Promise<Transporter> | undefined;
  return {
    async send(mail) {
      transport ??= import('nodemailer').then(({ default: nodemailer }) => nodemailer.createTransport(url));
      await (await transport).sendMail({ from, ...mail });
    },
    close: () => void transport?.then((opened) => opened.close()),
  };
}

/**
 * Mail kept in memory and shown on `/dev/outbox` instead of being sent (demo mode, or `mail.outbox`): anyone can read
 * it there, so production refuses it.
 */
export function outboxMailer(keep = 50): Mailer & { readonly outbox: readonly SentMail[] } {
  const outbox: SentMail[] = [];
  return {
    outbox,
    send(mail) {
      outbox.unshift({ ...mail, at: new Date() });
      outbox.length = Math.min(outbox.length, keep);
      return Promise.resolve();
    },
    close: () => undefined,
  };
}

/** Development without SMTP and without the outbox: the mail is dropped, and the log says so (never its link). */
export function unsentMailer(logger: Logger): Mailer {
  return {
    send(mail) {
      logger.warn(
        { to: mail.to, subject: mail.subject },
        'mail not sent: configure mail.smtpUrl (or mail.outbox in development)',
      );
      return Promise.resolve();
    },
    close: () => undefined,
  };
}
