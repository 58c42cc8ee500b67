// SQL for organization API keys. Secrets never reach this file, only their hashes.
import { and, desc, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { type ApiKeyRow, apiKeys, memberships, organizations } from '../db/schema.ts';
import { lowerRole, type Role } from '../orgs/roles.ts';

/** What a valid key grants: its organization and role. */
export interface ApiKeyContext {
  readonly keyId: string;
  readonly name: string;
  readonly orgId: string;
  /** The key's role, lowered to its creator's current role in the organization. */
  readonly role: Role;
  readonly lastUsedAt: Date | null;
}

/** Last-used times are recorded to the minute, so a busy key does not write on every request. */
const LAST_USED_RESOLUTION_SECONDS = 60;

export class ApiKeyRepository {
  constructor(private readonly db: Database) {}

  async insert(
    key: {
      orgId: string;
      name: string;
      role: Role;
      tokenHash: string;
      displayPrefix: string;
      createdBy: string;
    },
    db: Database = this.db,
  ): Promise<ApiKeyRow> {
    const [row] = await db.insert(apiKeys).values(key).returning();
    if (!row) throw new Error('insert returned no API key');
    return row;
  }

  /** The organization's keys that still work, newest first. */
  list(orgId: string): Promise<ApiKeyRow[]> {
    return this.db
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.orgId, orgId), isNull(apiKeys.revokedAt)))
      .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
  }

  async findActive(orgId: string, keyId: string, db: Database = this.db): Promise<ApiKeyRow | undefined> {
    const [row] = await db
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.orgId, orgId), eq(apiKeys.id, keyId), isNull(apiKeys.revokedAt)))
      .for('update')
      .limit(1);
    return row;
  }

  async revoke(keyId: string, db: Database): Promise<void> {
    await db.update(apiKeys).set({ revokedAt: sql`now()` }).where(eq(apiKeys.id, keyId));
  }

  /** Revokes the organization's live keys that `userId` created, as they leave it (in the removal's transaction). */
  async revokeCreatedBy(
    orgId: string,
    userId: string,
    db: Database,
  ): Promise<Array<{ id: string; name: string; role: string }>> {
    return db
      .update(apiKeys)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(apiKeys.orgId, orgId), eq(apiKeys.createdBy, userId), isNull(apiKeys.revokedAt)))
      .returning({ id: apiKeys.id, name: apiKeys.name, role: apiKeys.role });
  }

  /**
   * The live key with this hash, in an organization that still exists, whose creator is still a
   * member there: a key never acts above its creator's current role.
   */
  async resolve(tokenHash: string): Promise<ApiKeyContext | undefined> {
    const [row] = await this.db
      .select({
        keyId: apiKeys.id,
        name: apiKeys.name,
        orgId: apiKeys.orgId,
        role: apiKeys.role,
        creatorRole: memberships.role,
        lastUsedAt: apiKeys.lastUsedAt,
      })
      .from(apiKeys)
      .innerJoin(organizations, eq(organizations.id, apiKeys.orgId))
      .innerJoin(
        memberships,
        and(eq(memberships.userId, apiKeys.createdBy), eq(memberships.orgId, apiKeys.orgId)),
      )
      .where(and(eq(apiKeys.tokenHash, tokenHash), isNull(apiKeys.revokedAt)))
      .limit(1);
    if (!row) return undefined;
    const { creatorRole, ...key } = row;
    return { ...key, role: lowerRole(key.role as Role, creatorRole as Role) };
  }

  /**
   * Locks the organization's row for the rest of `tx` and reads `userId`'s role there, so a key
   * change is decided on a role no concurrent demotion can change under it.
   */
  async lockedRoleOf(orgId: string, userId: string, tx: Database): Promise<Role | undefined> {
    await tx.execute(sql`select id from ${organizations} where ${organizations.id} = ${orgId} for update`);
    const [row] = await tx
      .select({ role: memberships.role })
      .from(memberships)
      .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)))
      .limit(1);
    return row?.role as Role | undefined;
  }

  /** Stamps the key as used now, unless it already was within the last minute. */
  async touch(keyId: string): Promise<void> {
    await this.db
      .update(apiKeys)
      .set({ lastUsedAt: sql`now()` })
      .where(
        and(
          eq(apiKeys.id, keyId),
          or(
            isNull(apiKeys.lastUsedAt),
            lt(apiKeys.lastUsedAt, sql`now() - make_interval(secs => ${LAST_USED_RESOLUTION_SECONDS})`),
          ),
        ),
      );
  }

  /** Whether `lastUsedAt` is old enough that this use should be recorded. */
  static isStale(lastUsedAt: Date | null, now = Date.now()): boolean {
    return lastUsedAt === null || now - lastUsedAt.getTime() >= LAST_USED_RESOLUTION_SECONDS * 1000;
  }
}
