// Sign-in, sign-out and the session's active organization, plus the first owner on an empty database.
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { AppError, notFound, validationError } from '../errors.ts';
import type { OrgMembership, OrgRepository } from '../orgs/org-repository.ts';
import { decoyPasswordHash, hashPassword, verifyPassword } from './passwords.ts';
import type { SessionContext, SessionRepository } from './session-repository.ts';
import { hashToken, newSessionToken } from './tokens.ts';
import type { UserRepository } from './user-repository.ts';

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
    private readonly sessionTtlHours: number,
  ) {}

  async login(email: string, password: string): Promise<SignedIn> {
    const user = await this.users.findByEmail(email);
    // Unknown email and wrong password take the same path and say the same thing.
    const ok = await verifyPassword(user?.passwordHash ?? (await decoyPasswordHash()), password);
    if (!user || !ok) throw new AppError(401, 'invalid_credentials', 'Email or password is incorrect');
    const memberships = await this.orgs.membershipsOf(user.id);
    const activeOrgId = memberships[0]?.orgId ?? null;
    const token = newSessionToken();
    await this.sessions.create(hashToken(token), user.id, activeOrgId, this.sessionTtlHours);
    return { token, user: { id: user.id, email: user.email, name: user.name }, memberships, activeOrgId };
  }

  /** Changes the caller's password and ends their other sessions at once. */
  async changePassword(session: SessionContext, currentPassword: string, newPassword: string): Promise<void> {
    const user = await this.users.findById(session.userId);
    if (!user || !(await verifyPassword(user.passwordHash, currentPassword))) {
      throw validationError([{ field: 'currentPassword', message: 'is incorrect' }]);
    }
    await this.users.setPasswordHash(user.id, await hashPassword(newPassword));
    await this.sessions.revokeOthers(user.id, session.tokenHash);
  }

  logout(session: SessionContext): Promise<void> {
    return this.sessions.revoke(session.tokenHash);
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
    const created = await this.db.transaction(async (tx) => {
      // Servers starting together on one empty database: the first creates the owner, the rest see it.
      await tx.execute(sql`select pg_advisory_xact_lock(${FIRST_OWNER_LOCK_KEY})`);
      if (await this.users.hasAnyUser(tx as unknown as Database)) return false;
      const user = await this.users.create({ email, name: 'Owner', passwordHash }, tx as unknown as Database);
      await this.orgs.createWithOwner(input.orgName, user.id, tx as unknown as Database);
      return true;
    });
    if (!created) return undefined;
    return generatedPassword ? { email, generatedPassword } : { email };
  }
}
