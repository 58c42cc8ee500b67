// A real SMTP server on a loopback port that keeps every message it is given, so tests can read
// what Switchboard emailed (SMTP_URL=smtp://127.0.0.1:<port>).
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface CaughtMail {
  readonly from: string;
  readonly to: readonly string[];
  readonly subject: string;
  /** The body, decoded. */
  readonly text: string;
}

export interface SmtpCatcher {
  readonly url: string;
  readonly messages: CaughtMail[];
  /** The first message to `to` that arrives (or has arrived), within a few seconds. */
  waitFor(to: string): Promise<CaughtMail>;
  close(): Promise<void>;
}

export async function startSmtpCatcher(): Promise<SmtpCatcher> {
  const messages: CaughtMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    // Plain SMTP on loopback: no certificate to trust.
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        messages.push(parse(Buffer.concat(chunks).toString('utf8'), session.envelope));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    async waitFor(to) {
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        const found = messages.find((m) => m.to.includes(to));
        if (found) return found;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`no email to ${to} arrived`);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function parse(
  raw: string,
  envelope: { mailFrom: false | { address: string }; rcptTo: Array<{ address: string }> },
): CaughtMail {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const body = raw.slice(split + 4);
  const header = (name: string) => new RegExp(`^${name}: (.*)$`, 'im').exec(head)?.[1] ?? '';
  const quoted = /quoted-printable/i.test(header('Content-Transfer-Encoding'));
  const base64 = /base64/i.test(header('Content-Transfer-Encoding'));
  const text = quoted
    ? body
        .replace(/=\r\n/g, '')
        .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    : base64
      ? Buffer.from(body, 'base64').toString('utf8')
      : body;
  return {
    from: header('From'),
    to: envelope.rcptTo.map((r) => r.address),
    subject: header('Subject'),
    text: text.replace(/\r\n/g, '\n'),
  };
}
