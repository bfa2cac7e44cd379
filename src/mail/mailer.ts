import nodemailer from 'nodemailer';

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
  const transport = nodemailer.createTransport(url);
  return {
    async send(mail) {
      await transport.sendMail({ from, ...mail });
    },
    close: () => transport.close(),
  };
}

/**
 * Mail kept in memory and shown on `/dev/outbox` instead of being sent: demo mode and development without an SMTP
 * server. Production refuses to start without SMTP.
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
