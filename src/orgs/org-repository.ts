import { and, asc, eq, sql } from 'drizzle-orm';
import { type Database, inTransaction } from '../db/database.ts';
import { memberships, organizations, users } from '../db/schema.ts';
import type { Role } from './roles.ts';

export interface OrgMembership {
  readonly orgId: string;
  readonly orgName: string;
  readonly role: Role;
}

export interface Member {
  readonly userId: string;
  readonly email: string;
  readonly name: string;
  readonly role: Role;
}

export class OrgRepository {
  constructor(private readonly db: Database) {}

  /** The user's organizations, oldest membership first (the first is the default active one). */
  async membershipsOf(userId: string): Promise<OrgMembership[]> {
    const rows = await this.db
      .select({ orgId: organizations.id, orgName: organizations.name, role: memberships.role })
      .from(memberships)
      .innerJoin(organizations, eq(organizations.id, memberships.orgId))
      .where(eq(memberships.userId, userId))
      .orderBy(asc(memberships.createdAt), asc(organizations.id));
    return rows.map((r) => ({ ...r, role: r.role as Role }));
  }

  async findById(orgId: string, db: Database = this.db): Promise<{ id: string; name: string } | undefined> {
    const [row] = await db
      .select({ id: organizations.id, name: organizations.name })
      .from(organizations)
      .where(eq(organizations.id, orgId))
      .limit(1);
    return row;
  }

  async roleOf(userId: string, orgId: string, db: Database = this.db): Promise<Role | undefined> {
    const [row] = await db
      .select({ role: memberships.role })
      .from(memberships)
      .where(and(eq(memberships.userId, userId), eq(memberships.orgId, orgId)))
      .limit(1);
    return row?.role as Role | undefined;
  }

  async createWithOwner(
    name: string,
    ownerUserId: string,
    db: Database = this.db,
  ): Promise<{ id: string; name: string }> {
    const [org] = await db.insert(organizations).values({ name }).returning();
    if (!org) throw new Error('insert returned no organization');
    await db.insert(memberships).values({ userId: ownerUserId, orgId: org.id, role: 'owner' });
    return { id: org.id, name: org.name };
  }

  async members(orgId: string, db: Database = this.db): Promise<Member[]> {
    const rows = await db
      .select({ userId: users.id, email: users.email, name: users.name, role: memberships.role })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(eq(memberships.orgId, orgId))
      .orderBy(asc(memberships.createdAt), asc(users.email));
    return rows.map((r) => ({ ...r, role: r.role as Role }));
  }

  /** Whether a user with this (normalized) email is a member. */
  async hasMemberWithEmail(orgId: string, email: string, db: Database = this.db): Promise<boolean> {
    const rows = await db
      .select({ userId: memberships.userId })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.orgId, orgId), eq(users.email, email)))
      .limit(1);
    return rows.length > 0;
  }

  /** False when the user is already a member. */
  async addMember(orgId: string, userId: string, role: Role, db: Database): Promise<boolean> {
    const inserted = await db
      .insert(memberships)
      .values({ orgId, userId, role })
      .onConflictDoNothing()
      .returning({ userId: memberships.userId });
    return inserted.length > 0;
  }

  /**
   * Runs `change` in a transaction that holds the organization's row lock, so two concurrent
   * membership changes cannot both remove "the other" owner.
   */
  async withOrgLocked<T>(orgId: string, change: (tx: Database) => Promise<T>): Promise<T> {
    return inTransaction(this.db, async (tx) => {
      await tx.execute(sql`select id from ${organizations} where ${organizations.id} = ${orgId} for update`);
      return change(tx);
    });
  }

  async countOwners(orgId: string, db: Database): Promise<number> {
    const [row] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(memberships)
      .where(and(eq(memberships.orgId, orgId), eq(memberships.role, 'owner')));
    return row?.n ?? 0;
  }

  async setRole(orgId: string, userId: string, role: Role, db: Database): Promise<void> {
    await db
      .update(memberships)
      .set({ role })
      .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)));
  }

  async removeMember(orgId: string, userId: string, db: Database): Promise<void> {
    await db.delete(memberships).where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)));
  }
}
