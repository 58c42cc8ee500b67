// SQL for invitations. Tokens never reach this file, only their hashes.
import { and, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { type InvitationRow, invitations } from '../db/schema.ts';
import type { Role } from '../orgs/roles.ts';

/** Not accepted, not revoked, not expired (by the database's clock). */
const pending = () =>
  and(isNull(invitations.acceptedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, sql`now()`));

export class InvitationRepository {
  constructor(private readonly db: Database) {}

  async insert(
    invitation: { orgId: string; email: string; role: Role; tokenHash: string; invitedBy: string },
    ttlHours: number,
    db: Database,
  ): Promise<InvitationRow> {
    const [row] = await db
      .insert(invitations)
      .values({ ...invitation, expiresAt: sql`now() + make_interval(hours => ${ttlHours})` })
      .returning();
    if (!row) throw new Error('insert returned no invitation');
    return row;
  }

  /** The organization's pending invitations, newest first. */
  listPending(orgId: string): Promise<InvitationRow[]> {
    return this.db
      .select()
      .from(invitations)
      .where(and(eq(invitations.orgId, orgId), pending()))
      .orderBy(desc(invitations.createdAt), desc(invitations.id));
  }

  async findByTokenHash(tokenHash: string, db: Database = this.db): Promise<InvitationRow | undefined> {
    const [row] = await db.select().from(invitations).where(eq(invitations.tokenHash, tokenHash)).limit(1);
    return row;
  }

  async findInOrg(orgId: string, id: string, db: Database): Promise<InvitationRow | undefined> {
    const [row] = await db
      .select()
      .from(invitations)
      .where(and(eq(invitations.orgId, orgId), eq(invitations.id, id)))
      .for('update')
      .limit(1);
    return row;
  }

  /** Revokes the pending invitations of `email` in the organization; returns them. */
  revokePendingFor(orgId: string, email: string, db: Database): Promise<InvitationRow[]> {
    return db
      .update(invitations)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(invitations.orgId, orgId), eq(invitations.email, email), pending()))
      .returning();
  }

  async revoke(id: string, db: Database): Promise<void> {
    await db.update(invitations).set({ revokedAt: sql`now()` }).where(eq(invitations.id, id));
  }

  async isPending(id: string, db: Database): Promise<boolean> {
    const rows = await db
      .select({ id: invitations.id })
      .from(invitations)
      .where(and(eq(invitations.id, id), pending()))
      .limit(1);
    return rows.length > 0;
  }

  /**
   * Marks the invitation accepted by `userId` if it is still pending; false when it no longer is
   * (a concurrent accept, a revocation or the expiry got there first).
   */
  async markAccepted(id: string, userId: string, db: Database): Promise<boolean> {
    const rows = await db
      .update(invitations)
      .set({ acceptedAt: sql`now()`, acceptedBy: userId })
      .where(and(eq(invitations.id, id), pending()))
      .returning({ id: invitations.id });
    return rows.length > 0;
  }
}
