// SQL for connections and the organization's default connection, nothing else.
import { and, asc, count, eq, getTableColumns, sql } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { assistants, type ConnectionRow, connections, organizations } from '../db/schema.ts';

export type ConnectionStatus = 'ok' | 'invalid' | 'unreachable';
export type ConnectionProvider = 'vapi' | 'retell' | 'sandbox';
export type NewConnection = typeof connections.$inferInsert & { id: string };

export class ConnectionRepository {
  constructor(private readonly db: Database) {}

  /** Oldest first, so the list reads in the order the organization set them up (ties by name). */
  list(orgId: string): Promise<ConnectionRow[]> {
    return this.db
      .select()
      .from(connections)
      .where(eq(connections.orgId, orgId))
      .orderBy(asc(connections.createdAt), asc(connections.name), asc(connections.id));
  }

  async findInOrg(orgId: string, id: string): Promise<ConnectionRow | undefined> {
    const [row] = await this.db
      .select()
      .from(connections)
      .where(and(eq(connections.orgId, orgId), eq(connections.id, id)))
      .limit(1);
    return row;
  }

  async findById(id: string): Promise<ConnectionRow | undefined> {
    const [row] = await this.db.select().from(connections).where(eq(connections.id, id)).limit(1);
    return row;
  }

  async insert(row: NewConnection, db: Database = this.db): Promise<ConnectionRow> {
    const [inserted] = await db.insert(connections).values(row).returning();
    if (!inserted) throw new Error('insert returned no connection');
    return inserted;
  }

  async update(
    id: string,
    changes: Partial<
      Pick<
        ConnectionRow,
        'name' | 'apiKeySealed' | 'keyHint' | 'providerAccountId' | 'status' | 'checkedAt' | 'baseUrl'
      >
    >,
    db: Database = this.db,
  ): Promise<ConnectionRow | undefined> {
    const [row] = await db
      .update(connections)
      .set({ ...changes, updatedAt: sql`now()` })
      .where(eq(connections.id, id))
      .returning();
    return row;
  }

  /** Sets the status only when it differs, so a run of successes writes nothing. */
  async setStatus(id: string, status: ConnectionStatus): Promise<void> {
    await this.db
      .update(connections)
      .set({ status, updatedAt: sql`now()` })
      .where(and(eq(connections.id, id), sql`${connections.status} <> ${status}`));
  }

  /** Records the provider account once it is learned; a known one is never replaced here. */
  async learnAccount(id: string, accountId: string): Promise<void> {
    await this.db
      .update(connections)
      .set({ providerAccountId: accountId, updatedAt: sql`now()` })
      .where(and(eq(connections.id, id), sql`${connections.providerAccountId} is null`));
  }

  async delete(id: string, db: Database = this.db): Promise<void> {
    await db.delete(connections).where(eq(connections.id, id));
  }

  async assistantCount(id: string, db: Database = this.db): Promise<number> {
    const [row] = await db.select({ n: count() }).from(assistants).where(eq(assistants.connectionId, id));
    return row?.n ?? 0;
  }

  /** The organization's default connection, in one statement. */
  async findDefault(orgId: string): Promise<ConnectionRow | undefined> {
    const [found] = await this.db
      .select({ row: getTableColumns(connections) })
      .from(organizations)
      .innerJoin(connections, eq(connections.id, organizations.defaultConnectionId))
      .where(eq(organizations.id, orgId))
      .limit(1);
    return found?.row;
  }

  async defaultOf(orgId: string, db: Database = this.db): Promise<string | null> {
    const [row] = await db
      .select({ id: organizations.defaultConnectionId })
      .from(organizations)
      .where(eq(organizations.id, orgId))
      .limit(1);
    return row?.id ?? null;
  }

  async setDefault(orgId: string, connectionId: string | null, db: Database = this.db): Promise<void> {
    await db
      .update(organizations)
      .set({ defaultConnectionId: connectionId })
      .where(eq(organizations.id, orgId));
  }

  /** Vapi connections that migration 0005 made for assistants of the old server-wide account. */
  keylessVapi(): Promise<ConnectionRow[]> {
    return this.db
      .select()
      .from(connections)
      .where(and(eq(connections.provider, 'vapi'), sql`${connections.apiKeySealed} is null`));
  }

  /** Every stored key, for re-wrapping under a new master key. */
  sealedKeys(): Promise<Array<{ id: string; apiKeySealed: string }>> {
    return this.db
      .select({ id: connections.id, apiKeySealed: sql<string>`${connections.apiKeySealed}` })
      .from(connections)
      .where(sql`${connections.apiKeySealed} is not null`);
  }
}
