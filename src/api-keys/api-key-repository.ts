// SQL for organization API keys. Secrets never reach this file, only their hashes.
import { and, desc, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { type ApiKeyRow, apiKeys, organizations } from '../db/schema.ts';
import type { Role } from '../orgs/roles.ts';

/** What a valid key grants: its organization and role. */
export interface ApiKeyContext {
  readonly keyId: string;
  readonly name: string;
  readonly orgId: string;
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

  /** The live key with this hash, in an organization that still exists. */
  async resolve(tokenHash: string): Promise<ApiKeyContext | undefined> {
    const [row] = await this.db
      .select({
        keyId: apiKeys.id,
        name: apiKeys.name,
        orgId: apiKeys.orgId,
        role: apiKeys.role,
        lastUsedAt: apiKeys.lastUsedAt,
      })
      .from(apiKeys)
      .innerJoin(organizations, eq(organizations.id, apiKeys.orgId))
      .where(and(eq(apiKeys.tokenHash, tokenHash), isNull(apiKeys.revokedAt)))
      .limit(1);
    return row ? { ...row, role: row.role as Role } : undefined;
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
