// An SMTP server on a loopback port that keeps what it is sent, for tests of links that go out by email.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface CaughtMail {
  to: string[];
  /** The message as sent, quoted-printable soft line breaks and `=3D` undone. */
  text: string;
}

export interface MailCatcher {
  /** SMTP_URL for the server under test. */
  url: string;
  mails: CaughtMail[];
  /** The first link to `/<kind>/<token>` in a mail to `to`, waiting for it to arrive. */
  linkTo(to: string, kind: 'invitations' | 'reset-password'): Promise<string>;
  close(): Promise<void>;
}

export async function startMailCatcher(): Promise<MailCatcher> {
  const mails: CaughtMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        raw += chunk;
      });
      stream.on('end', () => {
        mails.push({
          to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
          text: raw.replace(/=\r?\n/g, '').replace(/=3D/gi, '='),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;

  const linkTo = async (to: string, kind: 'invitations' | 'reset-password') => {
    const pattern = new RegExp(`https?://[^\\s/]+/${kind}/[A-Za-z0-9_-]+`);
    for (let waited = 0; waited < 5000; waited += 50) {
      const mail = mails.find((m) => m.to.includes(to.toLowerCase()) && pattern.test(m.text));
      const link = mail?.text.match(pattern)?.[0];
      if (link) return link;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`no ${kind} link mailed to ${to}; mails: ${JSON.stringify(mails.map((m) => m.to))}`);
  };

  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    linkTo,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
