// Outgoing mail (invitations, password resets) through the SMTP server SMTP_URL names. Without
// SMTP_URL and MAIL_FROM there is no mailer, and the callers say so instead of sending.
import nodemailer from 'nodemailer';
import type { Config } from '../config/config.ts';

export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

/** Long enough for a slow relay, short enough that a request waiting on it does not hang. */
const SMTP_TIMEOUT_MS = 10_000;

export function createMailer(config: Pick<Config, 'smtpUrl' | 'mailFrom'>): Mailer | undefined {
  if (!config.smtpUrl || !config.mailFrom) return undefined;
  const transport = nodemailer.createTransport(
    {
      url: config.smtpUrl,
      connectionTimeout: SMTP_TIMEOUT_MS,
      greetingTimeout: SMTP_TIMEOUT_MS,
      socketTimeout: SMTP_TIMEOUT_MS,
    },
    { from: config.mailFrom },
  );
  return {
    async send(message) {
      await transport.sendMail({ to: message.to, subject: message.subject, text: message.text });
    },
  };
}
