// Sign-in, sign-out and the session's active organization, plus the first owner on an empty database.
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import {
  type AuditAction,
  type AuditEvent,
  type AuditLog,
  auditEvent,
  writeAudit,
} from '../audit/audit-log.ts';
import type { ConnectionProvisioning } from '../connections/provisioning.ts';
import type { Caches } from '../db/caches.ts';
import { type Database, inTransaction } from '../db/database.ts';
import { AppError, notFound, validationError } from '../errors.ts';
import type { OrgMembership, OrgRepository } from '../orgs/org-repository.ts';
import { type Caller, callerOf } from './actor.ts';
import type { LoginLimits } from './login-limits.ts';
import { decoyPasswordHash, hashPassword, verifyPassword } from './passwords.ts';
import type { SessionContext, SessionRepository } from './session-repository.ts';
import { hashToken, newSessionToken } from './tokens.ts';
import { normalizeEmail, type UserRepository } from './user-repository.ts';

const FIRST_OWNER_LOCK_KEY = 7_263_542;

export interface SignedIn {
  readonly token: string;
  readonly user: { id: string; email: string; name: string };
  readonly memberships: OrgMembership[];
  readonly activeOrgId: string | null;
}

export class AuthService {
  constructor(
    private readonly db: Database,
    private readonly users: UserRepository,
    private readonly sessions: SessionRepository,
    private readonly orgs: OrgRepository,
    private readonly audit: AuditLog,
    private readonly provisioning: Pick<ConnectionProvisioning, 'provision'>,
    private readonly sessionTtlHours: number,
    private readonly limits: Pick<LoginLimits, 'assertAllowed' | 'recordFailure' | 'clearEmail'>,
    /** Told when sessions change, so this server's cached copies go before the answer does. */
    private readonly caches: Pick<Caches, 'authChanged'>,
  ) {}

  /** `address` is the client's, for the sign-in limits (from the forwarded headers behind TRUST_PROXY). */
  async login(email: string, password: string, requestId: string, address: string): Promise<SignedIn> {
    await this.limits.assertAllowed(address, email);
    const user = await this.users.findByEmail(email);
    // Unknown email and wrong password take the same path and say the same thing.
    const ok = await verifyPassword(user?.passwordHash ?? (await decoyPasswordHash()), password);
    if (!user || !ok) {
      await this.limits.recordFailure(address, email);
      const error = new AppError(401, 'invalid_credentials', 'Email or password is incorrect');
      const caller = { userId: user?.id ?? null, apiKeyId: null, label: normalizeEmail(email), requestId };
      const memberships = user ? await this.orgs.membershipsOf(user.id) : [];
      await this.audit.recordFailure(userEvents(caller, memberships, 'auth.login_failed'), error);
      throw error;
    }
    await this.limits.clearEmail(email);
    return this.startSession(user, requestId);
  }

  /**
   * Signs in a user who has just proved who they are (credentials, or an accepted invitation that
   * created the account): a new session in their first organization, recorded as a sign-in.
   */
  async startSession(
    user: { id: string; email: string; name: string },
    requestId: string,
  ): Promise<SignedIn> {
    const memberships = await this.orgs.membershipsOf(user.id);
    const activeOrgId = memberships[0]?.orgId ?? null;
    const token = newSessionToken();
    const caller = { userId: user.id, apiKeyId: null, label: user.email, requestId };
    await inTransaction(this.db, async (tx) => {
      await this.sessions.create(hashToken(token), user.id, activeOrgId, this.sessionTtlHours, tx);
      await writeAudit(tx, ...userEvents(caller, memberships, 'auth.login'));
    });
    return { token, user: { id: user.id, email: user.email, name: user.name }, memberships, activeOrgId };
  }

  /** Changes the caller's password and ends their other sessions at once. */
  async changePassword(
    session: SessionContext,
    requestId: string,
    currentPassword: string,
    newPassword: string,
    address: string,
  ): Promise<void> {
    // A stolen session must not become a way to guess the password: the same limits as sign-in.
    await this.limits.assertAllowed(address, session.email, 'password attempts');
    const user = await this.users.findById(session.userId);
    if (!user || !(await verifyPassword(user.passwordHash, currentPassword))) {
      await this.limits.recordFailure(address, session.email);
      throw validationError([{ field: 'currentPassword', message: 'is incorrect' }]);
    }
    const passwordHash = await hashPassword(newPassword);
    const events = userEvents(
      callerOf(session, requestId),
      await this.orgs.membershipsOf(user.id),
      'auth.password_changed',
    );
    await inTransaction(this.db, async (tx) => {
      await this.users.setPasswordHash(user.id, passwordHash, tx);
      await this.sessions.revokeOthers(user.id, session.tokenHash, tx);
      await writeAudit(tx, ...events);
    });
    this.caches.authChanged();
  }

  async logout(session: SessionContext, requestId: string): Promise<void> {
    const events = userEvents(
      callerOf(session, requestId),
      await this.orgs.membershipsOf(session.userId),
      'auth.logout',
    );
    await inTransaction(this.db, async (tx) => {
      await this.sessions.revoke(session.tokenHash, tx);
      await writeAudit(tx, ...events);
    });
    this.caches.authChanged();
  }

  async me(session: SessionContext) {
    const memberships = await this.orgs.membershipsOf(session.userId);
    const activeOrgId = memberships.some((m) => m.orgId === session.activeOrgId) ? session.activeOrgId : null;
    return {
      user: { id: session.userId, email: session.email, name: session.name },
      memberships,
      activeOrgId,
    };
  }

  async setActiveOrg(session: SessionContext, orgId: string) {
    const role = await this.orgs.roleOf(session.userId, orgId);
    if (!role) throw notFound('Organization');
    await this.sessions.setActiveOrg(session.tokenHash, orgId);
    this.caches.authChanged();
    return this.me({ ...session, activeOrgId: orgId, role });
  }

  /**
   * On an empty database, creates the first owner and organization. Returns the password when it
   * was generated, so the caller can print it once.
   */
  async ensureFirstOwner(input: {
    email: string | undefined;
    password: string | undefined;
    orgName: string;
  }): Promise<{ email: string; generatedPassword?: string } | undefined> {
    if (await this.users.hasAnyUser()) return undefined;
    const email = input.email ?? 'admin@localhost';
    const generatedPassword = input.password ? undefined : randomBytes(18).toString('base64url');
    const passwordHash = await hashPassword(input.password ?? (generatedPassword as string));
    const created = await inTransaction(this.db, async (tx) => {
      // Servers starting together on one empty database: the first creates the owner, the rest see it.
      await tx.execute(sql`select pg_advisory_xact_lock(${FIRST_OWNER_LOCK_KEY})`);
      if (await this.users.hasAnyUser(tx)) return false;
      const user = await this.users.create({ email, name: 'Owner', passwordHash }, tx);
      const org = await this.orgs.createWithOwner(input.orgName, user.id, tx);
      // The first organization alone gets the server's VAPI_API_KEY, when set.
      await this.provisioning.provision(org.id, user.id, tx, { first: true });
      return true;
    });
    if (!created) return undefined;
    return generatedPassword ? { email, generatedPassword } : { email };
  }
}

/**
 * A user's own event, in each of their organizations, so every admin who can see the user sees
 * it; with no organization it is kept without one.
 */
export function userEvents(
  caller: Caller,
  memberships: readonly OrgMembership[],
  action: AuditAction,
): AuditEvent[] {
  const target = { type: 'user' as const, id: caller.userId };
  if (memberships.length === 0) return [auditEvent(caller, null, action, target)];
  return memberships.map((m) => auditEvent(caller, m.orgId, action, target));
}
