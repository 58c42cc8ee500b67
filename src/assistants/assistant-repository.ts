// SQL for assistants and their versions, nothing else. Every statement is short: no transaction
// or connection is held while the provider is called.
import {
  and,
  desc,
  eq,
  getTableColumns,
  ilike,
  inArray,
  isNotNull,
  isNull,
  lt,
  or,
  type SQL,
  sql,
} from 'drizzle-orm';
import { type AuditEvent, auditInsertFrom, auditPlaceholders, writeAudit } from '../audit/audit-log.ts';
import type { Database } from '../db/database.ts';
import { olderThan } from '../db/keyset.ts';
import {
  type AssistantRow,
  apiKeys,
  assistants,
  assistantVersions,
  auditEvents,
  users,
} from '../db/schema.ts';
import type { ProviderConfig } from '../providers/provider.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type SyncState = 'synced' | 'pending' | 'missing';

/**
 * The one spelling of an id as asked for: UUIDs (local ids, Vapi's ids) in lower case, as stored,
 * so `/assistants/ABC…` and `/assistants/abc…` are one cache entry that a change evicts.
 */
export function canonicalId(idOrProviderId: string): string {
  return UUID.test(idOrProviderId) ? idOrProviderId.toLowerCase() : idOrProviderId;
}

export type VersionSource = 'create' | 'update' | 'restore' | 'import' | 'provider';

export interface NewVersion {
  config: ProviderConfig;
  changedPaths: string[];
  source: VersionSource;
  actorUserId: string | null;
  actorApiKeyId: string | null;
}

export type VersionRow = typeof assistantVersions.$inferSelect & {
  /** Who made it, as people know them now: the user's email or the API key's name; null when gone or none. */
  actorLabel: string | null;
};

export interface ListPage {
  limit: number;
  after?: { createdAt: Date; id: string } | undefined;
  nameContains?: string | undefined;
  connectionId?: string | undefined;
}

/** Where an assistant lives: its organization, connection and the connection's provider. */
export interface Placement {
  orgId: string;
  connectionId: string;
  provider: string;
}

type PreparedStore = ReturnType<ReturnType<typeof storeVersionStatement>['prepare']>;

/** Shown, read and changed only once the provider confirmed its create. */
const confirmed = isNotNull(assistants.providerAssistantId);

export class AssistantRepository {
  private readonly acquireLease: ReturnType<ReturnType<typeof acquireLeaseStatement>['prepare']>;
  private readonly storeStatements = new Map<string, PreparedStore>();

  constructor(private readonly db: Database) {
    this.acquireLease = acquireLeaseStatement(db).prepare('acquire_assistant_lease');
  }

  /** By local id or provider id, only within the organization. */
  async findInOrg(orgId: string, idOrProviderId: string): Promise<AssistantRow | undefined> {
    const matchesId = UUID.test(idOrProviderId)
      ? or(eq(assistants.id, idOrProviderId), eq(assistants.providerAssistantId, idOrProviderId))
      : eq(assistants.providerAssistantId, idOrProviderId);
    const [row] = await this.db
      .select()
      .from(assistants)
      .where(and(eq(assistants.orgId, orgId), matchesId, confirmed))
      .limit(1);
    return row;
  }

  /** Whichever organization manages it. */
  async findByProviderId(provider: string, providerAssistantId: string): Promise<AssistantRow | undefined> {
    const [row] = await this.db
      .select()
      .from(assistants)
      .where(and(eq(assistants.provider, provider), eq(assistants.providerAssistantId, providerAssistantId)))
      .limit(1);
    return row;
  }

  async findById(id: string): Promise<AssistantRow | undefined> {
    const [row] = await this.db.select().from(assistants).where(eq(assistants.id, id)).limit(1);
    return row;
  }

  /** Newest first; keyset pagination on (created_at, id). */
  async list(orgId: string, page: ListPage): Promise<AssistantRow[]> {
    const conditions = [eq(assistants.orgId, orgId), confirmed, ...this.listFilters(page)];
    if (page.after) conditions.push(olderThan(assistants.createdAt, assistants.id, page.after));
    return this.db
      .select()
      .from(assistants)
      .where(and(...conditions))
      .orderBy(desc(assistants.createdAt), desc(assistants.id))
      .limit(page.limit);
  }

  /** The list's filters: the connection, and a name containing some text in any case. */
  private listFilters(filter: { nameContains?: string | undefined; connectionId?: string | undefined }) {
    const conditions: SQL[] = [];
    if (filter.connectionId) conditions.push(eq(assistants.connectionId, filter.connectionId));
    if (filter.nameContains) {
      conditions.push(ilike(assistants.name, `%${escapeLike(filter.nameContains)}%`));
    }
    return conditions;
  }

  /**
   * Stores a new assistant with its first version and audit event, in one transaction. Returns
   * undefined when the provider assistant is already stored (two imports racing).
   */
  async insert(
    input: Placement & {
      providerAssistantId: string;
      config: ProviderConfig;
      actorUserId: string | null;
      actorApiKeyId: string | null;
      source: 'create' | 'import';
    },
    audit: (row: AssistantRow) => AuditEvent,
  ): Promise<AssistantRow | undefined> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(assistants)
        .values({
          orgId: input.orgId,
          connectionId: input.connectionId,
          provider: input.provider,
          providerAssistantId: input.providerAssistantId,
          config: input.config,
          createdBy: input.actorUserId,
          updatedBy: input.actorUserId,
          lastSyncedAt: sql`now()`,
        })
        .onConflictDoNothing()
        .returning();
      if (!row) return undefined;
      await tx.insert(assistantVersions).values({
        assistantId: row.id,
        version: 1,
        config: input.config,
        changedPaths: [],
        source: input.source,
        actorUserId: input.actorUserId,
        actorApiKeyId: input.actorApiKeyId,
      });
      await writeAudit(tx, audit(row));
      return row;
    });
  }

  /**
   * Imports a page of provider assistants in one statement: each new one with its first version
   * and an `assistant.imported` event; one Switchboard already manages is left alone (the unique
   * provider id). Returns how many were new. Pass a transaction as `db` to record progress with it.
   */
  async insertImported(
    input: Placement & {
      remotes: ProviderConfig[];
      actorUserId: string | null;
      actorApiKeyId: string | null;
    },
    audit: Omit<AuditEvent, 'targetId' | 'detail'> & { detail: Record<string, unknown> },
    db: Database = this.db,
  ): Promise<number> {
    if (input.remotes.length === 0) return 0;
    const result = await db.execute(sql`
      with incoming as (
        select value as config, value ->> 'id' as provider_assistant_id
        from jsonb_array_elements(${JSON.stringify(input.remotes)}::jsonb)),
      inserted as (
        insert into ${assistants}
          (org_id, connection_id, provider, provider_assistant_id, config, created_by, updated_by, last_synced_at)
        select ${input.orgId}, ${input.connectionId}, ${input.provider}, provider_assistant_id, config,
          ${input.actorUserId}::uuid, ${input.actorUserId}::uuid, now()
        from incoming
        on conflict (provider, provider_assistant_id) do nothing
        returning id, config, provider_assistant_id),
      versions as (
        insert into ${assistantVersions}
          (assistant_id, version, config, changed_paths, source, actor_user_id, actor_api_key_id)
        select id, 1, config, '[]'::jsonb, 'import', ${input.actorUserId}::uuid, ${input.actorApiKeyId}::uuid
        from inserted),
      events as (
        insert into ${auditEvents}
          (org_id, actor_user_id, actor_api_key_id, actor_label, action, target_type, target_id, request_id, outcome, detail)
        select ${audit.orgId}::uuid, ${audit.actorUserId}::uuid, ${audit.actorApiKeyId}::uuid, ${audit.actorLabel},
          ${audit.action}, ${audit.targetType}, id::text, ${audit.requestId}, 'success',
          ${JSON.stringify(audit.detail)}::jsonb || jsonb_build_object('providerAssistantId', provider_assistant_id)
        from inserted)
      select count(*)::int as imported from inserted`);
    return (result as unknown as { rows: Array<{ imported: number }> }).rows[0]?.imported ?? 0;
  }

  /** The organization's confirmed assistants among `ids`, in the order given. */
  async findManyInOrg(orgId: string, ids: readonly string[]): Promise<AssistantRow[]> {
    const valid = ids.filter((id) => UUID.test(id));
    if (valid.length === 0) return [];
    const rows = await this.db
      .select()
      .from(assistants)
      .where(and(eq(assistants.orgId, orgId), inArray(assistants.id, valid), confirmed));
    const byId = new Map(rows.map((row) => [row.id, row]));
    return valid.flatMap((id) => byId.get(id) ?? []);
  }

  /** Ids of the organization's confirmed assistants, newest first, filtered as the list filters. */
  async idsInOrg(
    orgId: string,
    filter: { nameContains?: string | undefined; connectionId?: string | undefined },
    limit: number,
  ): Promise<string[]> {
    const rows = await this.db
      .select({ id: assistants.id })
      .from(assistants)
      .where(and(eq(assistants.orgId, orgId), confirmed, ...this.listFilters(filter)))
      .orderBy(desc(assistants.createdAt), desc(assistants.id))
      .limit(limit);
    return rows.map((row) => row.id);
  }

  /** Which of these ids are assistants (any state); for marks left by this organization's creates. */
  async existingIds(ids: readonly string[]): Promise<Set<string>> {
    const valid = ids.filter((id) => UUID.test(id));
    if (valid.length === 0) return new Set();
    const rows = await this.db
      .select({ id: assistants.id })
      .from(assistants)
      .where(inArray(assistants.id, valid));
    return new Set(rows.map((row) => row.id));
  }

  /**
   * Records a create before the provider is asked: `pending`, with no provider id and under a
   * lease, so a crash leaves a row to settle rather than an orphan at the provider.
   */
  async insertCreating(
    input: Placement & { config: ProviderConfig; createdBy: string | null },
    lease: { token: string; ms: number },
  ): Promise<AssistantRow> {
    const [row] = await this.db
      .insert(assistants)
      .values({
        ...input,
        updatedBy: input.createdBy,
        syncState: 'pending',
        leaseToken: lease.token,
        leaseExpiresAt: sql`now() + make_interval(secs => ${lease.ms / 1000})`,
      })
      .returning();
    if (!row) throw new Error('insert returned no assistant');
    return row;
  }

  /**
   * The provider confirmed the create: the row takes the provider's id and copy as version 1,
   * with its history row and audit event, and gives the lease back. Undefined when the lease
   * was lost (another process settled the create first).
   */
  async confirmCreate(
    id: string,
    leaseToken: string,
    remote: ProviderConfig & { id: string },
    version: Omit<NewVersion, 'config' | 'changedPaths'>,
    audit: AuditEvent,
  ): Promise<AssistantRow | undefined> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx
        .update(assistants)
        .set({
          providerAssistantId: remote.id,
          config: remote,
          syncState: 'synced',
          leaseToken: null,
          leaseExpiresAt: null,
          updatedAt: sql`now()`,
          lastSyncedAt: sql`now()`,
        })
        .where(
          and(
            eq(assistants.id, id),
            eq(assistants.leaseToken, leaseToken),
            isNull(assistants.providerAssistantId),
          ),
        )
        .returning();
      if (!row) return undefined;
      await tx.insert(assistantVersions).values({
        assistantId: id,
        version: 1,
        config: remote,
        changedPaths: [],
        source: version.source,
        actorUserId: version.actorUserId,
        actorApiKeyId: version.actorApiKeyId,
      });
      await writeAudit(tx, audit);
      return row;
    });
  }

  /** The provider does not have the create: the record goes, with an audit event when given. */
  async dropCreating(id: string, leaseToken: string, audit?: AuditEvent): Promise<void> {
    await this.db.transaction(async (tx) => {
      const dropped = await tx
        .delete(assistants)
        .where(
          and(
            eq(assistants.id, id),
            eq(assistants.leaseToken, leaseToken),
            isNull(assistants.providerAssistantId),
          ),
        )
        .returning({ id: assistants.id });
      if (dropped.length > 0 && audit) await writeAudit(tx, audit);
    });
  }

  /** Newest first, `limit` at a time, below `beforeVersion` when given. */
  async listVersions(assistantId: string, limit: number, beforeVersion?: number): Promise<VersionRow[]> {
    return this.selectVersions()
      .where(
        and(
          eq(assistantVersions.assistantId, assistantId),
          beforeVersion === undefined ? undefined : lt(assistantVersions.version, beforeVersion),
        ),
      )
      .orderBy(desc(assistantVersions.version))
      .limit(limit);
  }

  async getVersion(assistantId: string, version: number): Promise<VersionRow | undefined> {
    const [row] = await this.selectVersions()
      .where(and(eq(assistantVersions.assistantId, assistantId), eq(assistantVersions.version, version)))
      .limit(1);
    return row;
  }

  /**
   * Versions with their author's label read through the ids they keep (a read, never a write, of the
   * users and API keys tables), so `switchboard apply` can say who made a conflicting change.
   */
  private selectVersions() {
    return this.db
      .select({
        ...getTableColumns(assistantVersions),
        actorLabel: sql<string | null>`coalesce(${users.email}, ${apiKeys.name})`,
      })
      .from(assistantVersions)
      .leftJoin(users, eq(users.id, assistantVersions.actorUserId))
      .leftJoin(apiKeys, eq(apiKeys.id, assistantVersions.actorApiKeyId))
      .$dynamic();
  }

  /** The database's clock minus `staleMs`: checks older than this are due (one clock for every server). */
  async syncCutoff(staleMs: number): Promise<Date> {
    const result = await this.db.execute(
      sql`select now() - make_interval(secs => ${staleMs / 1000}) as cutoff`,
    );
    const cutoff = (result as unknown as { rows: Array<{ cutoff: Date | string }> }).rows[0]?.cutoff;
    return new Date(cutoff ?? 0);
  }

  /**
   * Claims up to `limit` assistants last checked before `cutoff`, oldest check first, by stamping
   * them in one short statement; `skip locked` lets several servers claim disjoint sets.
   */
  async claimForSync(limit: number, cutoff: Date): Promise<Array<{ id: string; connectionId: string }>> {
    const result = await this.db.execute(sql`
      update ${assistants} set last_synced_at = now()
      where id in (
        select id from ${assistants}
        where last_synced_at is null or last_synced_at < ${cutoff.toISOString()}
        order by last_synced_at nulls first
        limit ${limit}
        for update skip locked)
      returning id, connection_id as "connectionId"`);
    return (result as unknown as { rows: Array<{ id: string; connectionId: string }> }).rows;
  }

  /**
   * Takes the assistant's update lease if nobody holds a live one, and marks it `pending` while
   * the provider is called. Returns the row and its sync state before the lease, or undefined.
   */
  async tryAcquireLease(
    id: string,
    token: string,
    leaseMs: number,
  ): Promise<{ row: AssistantRow; previousSyncState: SyncState } | undefined> {
    const [acquired] = await this.acquireLease.execute({ id, token, leaseSeconds: leaseMs / 1000 });
    if (!acquired) return undefined;
    return { row: acquired.row as AssistantRow, previousSyncState: acquired.previousSyncState as SyncState };
  }

  /** Gives the lease back without a new version; `syncState` says what is known about the provider. */
  async releaseLease(id: string, token: string, syncState: SyncState): Promise<void> {
    await this.db
      .update(assistants)
      .set({ leaseToken: null, leaseExpiresAt: null, syncState })
      .where(and(eq(assistants.id, id), eq(assistants.leaseToken, token)));
  }

  /**
   * Stores what the provider confirmed as the next version with its history row and audit event,
   * in one statement (so one round trip, and atomic without a transaction). Only the lease holder
   * may store; `releaseLease` also gives the lease back, leaving the assistant `synced`.
   */
  async storeVersion(
    id: string,
    leaseToken: string,
    version: NewVersion,
    audit: AuditEvent,
    { releaseLease }: { releaseLease: boolean },
  ): Promise<AssistantRow> {
    const variant = { releaseLease, keepAuthor: version.source === 'provider' };
    const name = storeVersionName(variant);
    let statement = this.storeStatements.get(name);
    if (!statement) {
      // Prepared once per variant: building it took about half a millisecond per update (bench/README.md).
      statement = storeVersionStatement(this.db, variant).prepare(name);
      this.storeStatements.set(name, statement);
    }
    const [row] = await statement.execute({
      id,
      leaseToken,
      ...version,
      // JSON as text, for the statement's jsonb casts.
      config: JSON.stringify(version.config),
      changedPaths: JSON.stringify(version.changedPaths),
      ...auditPlaceholders(audit),
      auditDetail: JSON.stringify(audit.detail),
    });
    if (!row)
      throw new Error(`assistant ${id} lost its update lease before the provider's answer was stored`);
    return { ...row, config: version.config };
  }

  async delete(id: string, audit: AuditEvent): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.delete(assistants).where(eq(assistants.id, id));
      await writeAudit(tx, audit);
    });
  }

  /**
   * Ends every lease at once. Only for a database no other process can have open (PGlite), where
   * any lease found at start belonged to a process that is gone.
   */
  async clearAllLeases(): Promise<number> {
    const cleared = await this.db
      .update(assistants)
      .set({ leaseToken: null, leaseExpiresAt: null })
      .where(sql`${assistants.leaseToken} is not null`)
      .returning({ id: assistants.id });
    return cleared.length;
  }

  /** Assistants left `pending` by a process that died, whose lease has run out. */
  async findStalePending(limit: number): Promise<AssistantRow[]> {
    return this.db
      .select()
      .from(assistants)
      .where(
        and(
          eq(assistants.syncState, 'pending'),
          or(isNull(assistants.leaseExpiresAt), lt(assistants.leaseExpiresAt, sql`now()`)),
        ),
      )
      .limit(limit);
  }
}

/**
 * One statement: lock the row, read its sync state as it was, take the lease, return the row (its
 * SQL is in assistant-repository.sql). Prepared once: building it was a good part of an update's
 * CPU on embedded PGlite.
 */
export function acquireLeaseStatement(db: Database) {
  const before = db
    .select({ id: assistants.id, syncState: assistants.syncState })
    .from(assistants)
    .where(eq(assistants.id, sql.placeholder('id')))
    .for('update')
    .as('before');
  return db
    .update(assistants)
    .set({
      leaseToken: sql`${sql.placeholder('token')}`,
      leaseExpiresAt: sql`now() + make_interval(secs => ${sql.placeholder('leaseSeconds')})`,
      syncState: 'pending',
    })
    .from(before)
    .where(
      and(
        eq(assistants.id, before.id),
        or(isNull(assistants.leaseExpiresAt), lt(assistants.leaseExpiresAt, sql`now()`)),
      ),
    )
    .returning({ row: getTableColumns(assistants), previousSyncState: before.syncState });
}

/**
 * `storeVersion`'s one statement (its SQL is in assistant-repository.sql): the update under the
 * lease, then the history row and the audit event inserted from what it returned. When the lease
 * was lost the update returns no row, so nothing is inserted and the statement returns nothing.
 */
export function storeVersionStatement(db: Database, variant: StoreVariant) {
  const updated = db.$with('updated').as(
    db
      .update(assistants)
      .set({
        config: sql`${sql.placeholder('config')}::jsonb`,
        version: sql`${assistants.version} + 1`,
        updatedBy: variant.keepAuthor ? sql`${assistants.updatedBy}` : sql`${sql.placeholder('actorUserId')}`,
        updatedAt: sql`now()`,
        ...(variant.releaseLease ? { leaseToken: null, leaseExpiresAt: null, syncState: 'synced' } : {}),
      })
      .where(
        and(
          eq(assistants.id, sql.placeholder('id')),
          eq(assistants.leaseToken, sql.placeholder('leaseToken')),
        ),
      )
      .returning(),
  );
  const history = db.$with('history').as(
    db.insert(assistantVersions).select(
      db
        .select({
          assistantId: updated.id,
          version: updated.version,
          config: updated.config,
          changedPaths: sql<string[]>`${sql.placeholder('changedPaths')}::jsonb`.as('changedPaths'),
          source: sql<string>`${sql.placeholder('source')}::text`.as('source'),
          actorUserId: sql<string | null>`${sql.placeholder('actorUserId')}::uuid`.as('actorUserId'),
          actorApiKeyId: sql<string | null>`${sql.placeholder('actorApiKeyId')}::uuid`.as('actorApiKeyId'),
          createdAt: sql<Date>`now()`.as('createdAt'),
        })
        .from(updated),
    ),
  );
  const event = db
    .$with('event')
    .as(
      auditInsertFrom(
        db,
        updated,
        sql`${sql.placeholder('auditDetail')}::jsonb || jsonb_build_object('version', ${updated.version})`,
      ),
    );
  // Everything but the configuration, which the caller sent and keeps.
  const { config: _sent, ...stored } = getTableColumns(assistants);
  const fields = Object.fromEntries(
    Object.keys(stored).map((key) => [key, updated[key as keyof typeof stored]]),
  ) as { [K in keyof typeof stored]: (typeof updated)[K] };
  return db.with(updated, history, event).select(fields).from(updated);
}

export interface StoreVariant {
  /** Gives the lease back in the same statement, leaving the assistant `synced`. */
  releaseLease: boolean;
  /** A change found at the provider has no Switchboard author; the last one stays. */
  keepAuthor: boolean;
}

export function storeVersionName(variant: StoreVariant): string {
  return `store_assistant_version${variant.releaseLease ? '_release' : ''}${variant.keepAuthor ? '_keep_author' : ''}`;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
