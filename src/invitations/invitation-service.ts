// Membership by invitation (SPEC section 11): admins invite an email with a role; whoever holds the
// link sees what it offers; the owner of the address accepts it, creating their account if they
// have none. Nobody ever sets another person's password, and no answer tells whether an email has
// an account until the link's holder accepts.
import { type AuditLog, auditEvent, writeAudit } from '../audit/audit-log.ts';
import type { Caller, UserCaller } from '../auth/actor.ts';
import type { AuthService } from '../auth/auth-service.ts';
import { hashPassword } from '../auth/passwords.ts';
import type { SessionContext } from '../auth/session-repository.ts';
import { hashToken, newLinkToken } from '../auth/tokens.ts';
import { normalizeEmail, type UserRepository } from '../auth/user-repository.ts';
import type { Caches } from '../db/caches.ts';
import { type Database, inTransaction } from '../db/database.ts';
import type { InvitationRow, UserRow } from '../db/schema.ts';
import { AppError, conflict, forbidden, notFound, validationError } from '../errors.ts';
import { invitationLink } from '../http/links.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { OrgMembership, OrgRepository } from '../orgs/org-repository.ts';
import { assertMayGrant, assertMayManage, type OrgService } from '../orgs/org-service.ts';
import { type Role, roleAtLeast } from '../orgs/roles.ts';
import { codedCause } from '../shared/error-cause.ts';
import type { InvitationRepository } from './invitation-repository.ts';

const UNIQUE_VIOLATION = '23505';

export interface Person {
  readonly id: string;
  readonly name: string;
  readonly email: string;
}

export interface InvitationView {
  readonly id: string;
  readonly email: string;
  readonly role: Role;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly invitedBy: Person | null;
}

export interface InvitationPreview {
  readonly organization: { id: string; name: string };
  readonly role: Role;
  readonly inviter: { name: string; email: string } | null;
  readonly expiresAt: Date;
  readonly email: string;
}

export interface Accepted {
  readonly user: { id: string; email: string; name: string };
  readonly membership: OrgMembership;
  /** Set when accepting created the account: the new session's token, for its cookie. */
  readonly sessionToken?: string;
}

export interface InvitationSettings {
  readonly ttlHours: number;
  /** Without one, the link goes back to the inviting admin instead of by email. */
  readonly mailer: Mailer | undefined;
}

export class InvitationService {
  constructor(
    private readonly db: Database,
    private readonly invitations: InvitationRepository,
    private readonly orgs: Pick<OrgService, 'requireRole'>,
    private readonly orgRepository: Pick<
      OrgRepository,
      'withOrgLocked' | 'findById' | 'roleOf' | 'hasMemberWithEmail' | 'addMember'
    >,
    private readonly users: Pick<UserRepository, 'findById' | 'findByEmail' | 'create'>,
    private readonly auth: Pick<AuthService, 'startSession'>,
    private readonly audit: AuditLog,
    private readonly settings: InvitationSettings,
    /** Told when someone joins, so this server's cached sessions see the new membership at once. */
    private readonly caches: Pick<Caches, 'authChanged'>,
  ) {}

  /**
   * Invites `email` with `role`; replaces an earlier pending invitation of the same email. The link
   * goes by email when a mailer is set up, and is otherwise returned (`acceptUrl`) for the admin
   * to pass on. Nothing here depends on whether the email has an account.
   */
  async create(
    caller: UserCaller,
    orgId: string,
    input: { email: string; role: Role },
    origin: string,
  ): Promise<InvitationView & { acceptUrl?: string }> {
    await this.orgs.requireRole(caller, orgId, 'admin');
    const email = normalizeEmail(input.email);
    const event = auditEvent(
      caller,
      orgId,
      'invitation.created',
      { type: 'invitation', id: null },
      { email, role: input.role },
    );
    const token = newLinkToken();
    const { row, orgName } = await this.audit.attempt(event, () =>
      this.orgRepository.withOrgLocked(orgId, async (tx) => {
        // Decided under the organization's lock: a demotion racing this invitation cannot lose.
        assertMayGrant(await this.orgs.requireRole(caller, orgId, 'admin', tx), input.role);
        if (await this.orgRepository.hasMemberWithEmail(orgId, email, tx)) {
          throw conflict('already_member', `${email} is already a member of this organization`);
        }
        const replaced = await this.invitations.revokePendingFor(orgId, email, tx);
        const row = await this.invitations.insert(
          { orgId, email, role: input.role, tokenHash: hashToken(token), invitedBy: caller.userId },
          this.settings.ttlHours,
          tx,
        );
        await writeAudit(tx, ...replaced.map((old) => revokedEvent(caller, old, 'replaced')), {
          ...event,
          targetId: row.id,
        });
        const org = await this.orgRepository.findById(orgId, tx);
        return { row, orgName: org?.name ?? '' };
      }),
    );
    const inviter = await this.users.findById(caller.userId);
    const view = toView(row, inviter ? toPerson(inviter) : null);
    const link = invitationLink(origin, token);
    const mailer = this.settings.mailer;
    if (!mailer) return { ...view, acceptUrl: link };
    try {
      await mailer.send(invitationEmail({ to: email, orgName, inviter: view.invitedBy, row, link }));
    } catch (error) {
      // An invitation nobody received is withdrawn, so the list shows only what was sent.
      await inTransaction(this.db, async (tx) => {
        await this.invitations.revoke(row.id, tx);
        await writeAudit(tx, revokedEvent(caller, row, 'mail_failed'));
      });
      const reason = codedCause(error)?.code ?? 'no answer';
      throw new AppError(
        500,
        'mail_failed',
        `The invitation email to ${email} could not be sent (${reason}); the invitation was withdrawn, try again`,
      );
    }
    return view;
  }

  async listPending(caller: UserCaller, orgId: string): Promise<InvitationView[]> {
    await this.orgs.requireRole(caller, orgId, 'admin');
    const rows = await this.invitations.listPending(orgId);
    const inviters = new Map<string, Person | null>();
    for (const id of new Set(rows.map((r) => r.invitedBy).filter((id): id is string => id !== null))) {
      const user = await this.users.findById(id);
      inviters.set(id, user ? toPerson(user) : null);
    }
    return rows.map((row) => toView(row, row.invitedBy ? (inviters.get(row.invitedBy) ?? null) : null));
  }

  /** Withdraws a pending invitation: its link stops working at once. */
  async revoke(caller: UserCaller, orgId: string, id: string): Promise<void> {
    await this.orgs.requireRole(caller, orgId, 'admin');
    const event = auditEvent(caller, orgId, 'invitation.revoked', { type: 'invitation', id });
    await this.audit.attempt(event, () =>
      this.orgRepository.withOrgLocked(orgId, async (tx) => {
        const callerRole = await this.orgs.requireRole(caller, orgId, 'admin', tx);
        const row = await this.invitations.findInOrg(orgId, id, tx);
        if (!row) throw notFound('Invitation');
        const state = stateOf(row);
        if (state !== 'pending') {
          throw conflict(
            'invitation_not_pending',
            `This invitation ${GONE_WORDS[state]}; there is nothing to revoke`,
          );
        }
        assertMayManage(callerRole, row.role as Role);
        await this.invitations.revoke(row.id, tx);
        await writeAudit(tx, { ...event, detail: { email: row.email, role: row.role } });
      }),
    );
  }

  /** What the link offers, to whoever holds it. */
  async preview(token: string): Promise<InvitationPreview> {
    const row = await this.usable(token);
    const [org, inviter] = await Promise.all([
      this.orgRepository.findById(row.orgId),
      row.invitedBy ? this.users.findById(row.invitedBy) : undefined,
    ]);
    return {
      organization: { id: row.orgId, name: org?.name ?? '' },
      role: row.role as Role,
      inviter: inviter ? { name: inviter.name, email: inviter.email } : null,
      expiresAt: row.expiresAt,
      email: row.email,
    };
  }

  /**
   * Accepts the invitation: the signed-in owner of the invited email joins; when the email has no
   * account, `account` creates it and signs its owner in. Anyone else is refused, so holding a link
   * never gets anyone into an existing account.
   */
  async accept(
    token: string,
    who: { session: SessionContext | null; requestId: string },
    account: { name?: string | undefined; password?: string | undefined },
  ): Promise<Accepted> {
    const row = await this.usable(token);
    const existing = await this.users.findByEmail(row.email);
    if (existing) {
      if (who.session?.userId !== existing.id) throw signInAs(row.email);
      const membership = await this.join(row, who.requestId, async () => ({
        user: existing,
        created: false,
      }));
      return { user: toPerson(existing), membership };
    }
    const missing = (['name', 'password'] as const).filter((field) => !account[field]);
    if (missing.length > 0) {
      throw validationError(
        missing.map((field) => ({
          field,
          message: `is required: accepting creates the account for ${row.email}`,
        })),
      );
    }
    const passwordHash = await hashPassword(account.password as string);
    let user: UserRow | undefined;
    const membership = await this.join(row, who.requestId, async (tx) => {
      try {
        user = await this.users.create({ email: row.email, name: account.name as string, passwordHash }, tx);
      } catch (error) {
        // The account was made meanwhile (another organization's invitation): it must sign in.
        if (codedCause(error)?.code === UNIQUE_VIOLATION) throw signInAs(row.email);
        throw error;
      }
      return { user, created: true };
    });
    const created = user as UserRow;
    const signedIn = await this.auth.startSession(created, who.requestId);
    return { user: toPerson(created), membership, sessionToken: signedIn.token };
  }

  /**
   * In one transaction under the organization's lock: the user (found or made by `userFor`) joins
   * with the invitation's role, and the invitation is marked accepted, once.
   */
  private async join(
    row: InvitationRow,
    requestId: string,
    userFor: (tx: Database) => Promise<{ user: UserRow; created: boolean }>,
  ): Promise<OrgMembership> {
    const joined = this.orgRepository.withOrgLocked(row.orgId, async (tx) => {
      // Accepts, revocations and role changes of this organization wait for each other here, so
      // of two concurrent accepts the second finds the invitation used.
      if (!(await this.invitations.isPending(row.id, tx))) {
        throw gone('This invitation was just accepted, revoked or has expired; ask for a new one');
      }
      await this.assertInviterMayGrant(row, tx);
      const { user, created } = await userFor(tx);
      if (!(await this.invitations.markAccepted(row.id, user.id, tx))) {
        throw gone('This invitation was just accepted, revoked or has expired; ask for a new one');
      }
      if (!(await this.orgRepository.addMember(row.orgId, user.id, row.role as Role, tx))) {
        throw conflict('already_member', `${row.email} is already a member of this organization`);
      }
      const caller: Caller = { userId: user.id, apiKeyId: null, label: user.email, requestId };
      await writeAudit(
        tx,
        auditEvent(
          caller,
          row.orgId,
          'invitation.accepted',
          { type: 'invitation', id: row.id },
          { email: row.email, role: row.role, userId: user.id, newAccount: created },
        ),
      );
      const org = await this.orgRepository.findById(row.orgId, tx);
      return { orgId: row.orgId, orgName: org?.name ?? '', role: row.role as Role };
    });
    return joined.finally(() => this.caches.authChanged());
  }

  /** The pending invitation the token names: 404 when none, 410 when it can no longer be accepted. */
  private async usable(token: string): Promise<InvitationRow> {
    const row = await this.invitations.findByTokenHash(hashToken(token));
    if (!row) throw notFound('Invitation');
    const state = stateOf(row);
    if (state !== 'pending') throw gone(`This invitation ${GONE_WORDS[state]}; ask for a new one`);
    await this.assertInviterMayGrant(row);
    return row;
  }

  /** An invitation is worth what its sender may still grant: nothing once they left or were demoted. */
  private async assertInviterMayGrant(row: InvitationRow, db?: Database): Promise<void> {
    const role = row.invitedBy ? await this.orgRepository.roleOf(row.invitedBy, row.orgId, db) : undefined;
    if (!role || !roleAtLeast(role, 'admin') || !roleAtLeast(role, row.role as Role)) {
      throw gone(
        'This invitation is no longer valid: whoever sent it can no longer grant this role; ask for a new one',
      );
    }
  }
}

export type InvitationState = 'pending' | 'accepted' | 'revoked' | 'expired';

export function stateOf(
  row: Pick<InvitationRow, 'acceptedAt' | 'revokedAt' | 'expiresAt'>,
  now = new Date(),
) {
  if (row.acceptedAt) return 'accepted';
  if (row.revokedAt) return 'revoked';
  if (row.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'pending';
}

const GONE_WORDS: Record<Exclude<InvitationState, 'pending'>, string> = {
  accepted: 'has already been used',
  revoked: 'was revoked',
  expired: 'has expired',
};

function gone(message: string): AppError {
  return new AppError(410, 'invitation_gone', message);
}

function signInAs(email: string): AppError {
  return forbidden(`This invitation is for ${email}, which has an account: sign in as ${email} to accept it`);
}

function revokedEvent(caller: Caller, row: InvitationRow, reason: 'replaced' | 'mail_failed') {
  return auditEvent(
    caller,
    row.orgId,
    'invitation.revoked',
    { type: 'invitation', id: row.id },
    { email: row.email, role: row.role, reason },
  );
}

function toPerson(user: Pick<UserRow, 'id' | 'name' | 'email'>): Person {
  return { id: user.id, name: user.name, email: user.email };
}

function toView(row: InvitationRow, invitedBy: Person | null): InvitationView {
  return {
    id: row.id,
    email: row.email,
    role: row.role as Role,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    invitedBy,
  };
}

function invitationEmail(input: {
  to: string;
  orgName: string;
  inviter: Person | null;
  row: InvitationRow;
  link: string;
}) {
  const by = input.inviter ? `${input.inviter.name} (${input.inviter.email})` : 'An admin';
  return {
    to: input.to,
    subject: `You are invited to ${input.orgName} on Switchboard`,
    text: [
      `${by} invited you to join ${input.orgName} on Switchboard as ${input.row.role}.`,
      '',
      `Accept the invitation: ${input.link}`,
      '',
      `The link works once and expires on ${input.row.expiresAt.toISOString()}.`,
      'If you did not expect this, ignore this email: nothing happens unless you open the link.',
    ].join('\n'),
  };
}
