import { and, eq, gt, ne, sql } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { memberships, sessions, users } from '../db/schema.ts';
import type { Role } from '../orgs/roles.ts';

/** Who a request's session belongs to, with their role in its active organization (null if none). */
export interface SessionContext {
  readonly tokenHash: string;
  readonly userId: string;
  readonly email: string;
  readonly name: string;
  readonly activeOrgId: string | null;
  readonly role: Role | null;
  readonly expiresAt: Date;
}

export class SessionRepository {
  constructor(private readonly db: Database) {}

  async create(
    tokenHash: string,
    userId: string,
    activeOrgId: string | null,
    ttlHours: number,
    db: Database = this.db,
  ): Promise<void> {
    await db.insert(sessions).values({
      tokenHash,
      userId,
      activeOrgId,
      expiresAt: sql`now() + make_interval(hours => ${ttlHours})`,
    });
  }

  /** One round trip: the session, its user and the membership that gives the active organization's role. */
  async resolve(tokenHash: string): Promise<SessionContext | undefined> {
    const [row] = await this.db
      .select({
        tokenHash: sessions.tokenHash,
        userId: sessions.userId,
        email: users.email,
        name: users.name,
        activeOrgId: sessions.activeOrgId,
        role: memberships.role,
        expiresAt: sessions.expiresAt,
      })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .leftJoin(
        memberships,
        and(eq(memberships.userId, sessions.userId), eq(memberships.orgId, sessions.activeOrgId)),
      )
      .where(and(eq(sessions.tokenHash, tokenHash), gt(sessions.expiresAt, sql`now()`)))
      .limit(1);
    if (!row) return undefined;
    return { ...row, role: (row.role as Role | null) ?? null };
  }

  async revoke(tokenHash: string, db: Database = this.db): Promise<void> {
    await db.delete(sessions).where(eq(sessions.tokenHash, tokenHash));
  }

  /** Ends every session of the user (after a password reset). */
  async revokeAll(userId: string, db: Database = this.db): Promise<void> {
    await db.delete(sessions).where(eq(sessions.userId, userId));
  }

  /** Ends every session of the user but the one given (after a password change). */
  async revokeOthers(userId: string, keepTokenHash: string, db: Database = this.db): Promise<void> {
    await db.delete(sessions).where(and(eq(sessions.userId, userId), ne(sessions.tokenHash, keepTokenHash)));
  }

  async setActiveOrg(tokenHash: string, orgId: string): Promise<void> {
    await this.db.update(sessions).set({ activeOrgId: orgId }).where(eq(sessions.tokenHash, tokenHash));
  }
}
