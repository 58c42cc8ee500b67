// Password reset (SPEC section 11): a one-time link, by email to the address's owner when SMTP is
// set up, or printed for the operator on the server (`npm run reset-password -- EMAIL`). Using it
// sets a new password and ends every session of the account.
import type { FastifyBaseLogger } from 'fastify';
import { writeAudit } from '../audit/audit-log.ts';
import type { Caches } from '../db/caches.ts';
import { type Database, inTransaction } from '../db/database.ts';
import type { UserRow } from '../db/schema.ts';
import { AppError, notFound } from '../errors.ts';
import { passwordResetLink } from '../http/links.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { OrgRepository } from '../orgs/org-repository.ts';
import { userEvents } from './auth-service.ts';
import { PasswordResetRepository } from './password-reset-repository.ts';
import { hashPassword } from './passwords.ts';
import type { SessionRepository } from './session-repository.ts';
import { hashToken, newLinkToken } from './tokens.ts';
import { UserRepository } from './user-repository.ts';

export interface IssuedReset {
  readonly token: string;
  readonly user: UserRow;
  readonly expiresAt: Date;
}

/**
 * The one way a reset link's token is made, for the email route, the operator's route on a running
 * server and the command on a stopped one: undefined when no user has the email.
 */
export async function issuePasswordReset(
  db: Database,
  email: string,
  ttlMinutes: number,
): Promise<IssuedReset | undefined> {
  const user = await new UserRepository(db).findByEmail(email);
  if (!user) return undefined;
  const token = newLinkToken();
  const row = await inTransaction(db, (tx) =>
    new PasswordResetRepository(db).replace(user.id, hashToken(token), ttlMinutes, tx),
  );
  return { token, user, expiresAt: row.expiresAt };
}

export interface PasswordResetSettings {
  readonly ttlMinutes: number;
  /** Without one, only the operator can issue links. */
  readonly mailer: Mailer | undefined;
}

export class PasswordResetService {
  private readonly resets: PasswordResetRepository;

  constructor(
    private readonly db: Database,
    private readonly users: Pick<UserRepository, 'findById' | 'setPasswordHash'>,
    private readonly sessions: Pick<SessionRepository, 'revokeAll'>,
    private readonly orgs: Pick<OrgRepository, 'membershipsOf'>,
    private readonly settings: PasswordResetSettings,
    private readonly log: FastifyBaseLogger,
    /** Told when a reset ends sessions, so this server's cached copies go at once. */
    private readonly caches: Pick<Caches, 'authChanged'>,
  ) {
    this.resets = new PasswordResetRepository(db);
  }

  /**
   * Emails a link when the address has an account, and does nothing otherwise: the caller cannot
   * tell the two apart, so the mail goes in the background, after the answer.
   */
  async requestByEmail(email: string, origin: string): Promise<void> {
    const mailer = this.settings.mailer;
    if (!mailer) {
      throw new AppError(
        404,
        'mail_not_configured',
        'This server sends no email (SMTP_URL is not set), so it cannot email a reset link; ask its operator to run `npm run reset-password -- EMAIL`',
      );
    }
    const issued = await issuePasswordReset(this.db, email, this.settings.ttlMinutes);
    if (!issued) return;
    const message = resetEmail(issued, passwordResetLink(origin, issued.token), this.settings.ttlMinutes);
    mailer.send(message).catch((error: unknown) => {
      const code = (error as { code?: unknown }).code;
      this.log.warn({ code, to: issued.user.email }, 'the password reset email could not be sent');
    });
  }

  /** For the operator: the link itself; 404 when no user has the email. */
  async issueLink(email: string, origin: string): Promise<{ email: string; link: string; expiresAt: Date }> {
    const issued = await issuePasswordReset(this.db, email, this.settings.ttlMinutes);
    if (!issued) throw new AppError(404, 'not_found', `No user has the email ${email}`);
    return {
      email: issued.user.email,
      link: passwordResetLink(origin, issued.token),
      expiresAt: issued.expiresAt,
    };
  }

  /** Sets the password through a link, once; every session of the account ends. */
  async complete(token: string, password: string, requestId: string): Promise<void> {
    const tokenHash = hashToken(token);
    const row = await this.resets.find(tokenHash);
    if (!row) throw notFound('Password reset link');
    if (row.usedAt) throw resetGone('has already been used, or a newer link replaced it');
    if (row.expiresAt.getTime() <= Date.now()) throw resetGone('has expired');
    const passwordHash = await hashPassword(password);
    const [user, memberships] = await Promise.all([
      this.users.findById(row.userId),
      this.orgs.membershipsOf(row.userId),
    ]);
    const caller = { userId: row.userId, apiKeyId: null, label: user?.email ?? '', requestId };
    await inTransaction(this.db, async (tx) => {
      if (!(await this.resets.use(tokenHash, tx))) throw resetGone('was just used or has expired');
      await this.users.setPasswordHash(row.userId, passwordHash, tx);
      await this.sessions.revokeAll(row.userId, tx);
      await writeAudit(tx, ...userEvents(caller, memberships, 'auth.password_reset'));
    });
    this.caches.authChanged();
  }
}

function resetGone(why: string): AppError {
  return new AppError(410, 'password_reset_gone', `This password reset link ${why}; ask for a new one`);
}

function resetEmail(issued: IssuedReset, link: string, ttlMinutes: number) {
  return {
    to: issued.user.email,
    subject: 'Reset your Switchboard password',
    text: [
      `Someone asked to reset the password of the Switchboard account ${issued.user.email}.`,
      '',
      `Choose a new password: ${link}`,
      '',
      `The link works once, within ${ttlMinutes} minutes, and signs out every session of the account.`,
      'If it was not you, ignore this email: your password stays as it is.',
    ].join('\n'),
  };
}
