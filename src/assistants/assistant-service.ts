// The assistants' rules. Every write goes provider first, then database; the database changes
// only with what the provider confirmed, and every confirmed configuration becomes a version.
import type { FastifyBaseLogger } from 'fastify';
import { type AuditEvent, type AuditLog, auditEvent } from '../audit/audit-log.ts';
import type { Actor } from '../auth/actor.ts';
import type { ConnectionService } from '../connections/connection-service.ts';
import { assistantKey, type Caches } from '../db/caches.ts';
import type { Database } from '../db/database.ts';
import type { AssistantRow, ConnectionRow } from '../db/schema.ts';
import {
  conflict,
  type FieldProblem,
  notFound,
  ProviderError,
  type ProviderErrorCode,
  preconditionFailed,
  validationError,
} from '../errors.ts';
import { fieldMapFor } from '../providers/field-maps.ts';
import type {
  AssistantProvider,
  ProviderAssistant,
  ProviderConfig,
  ProviderFieldMap,
  SwitchboardPatch,
} from '../providers/provider.ts';
import { decodeCursor, encodeCursor, toPage } from '../shared/cursor.ts';
import { changedPaths } from '../shared/objects.ts';
import {
  type AssistantRepository,
  canonicalId,
  type NewVersion,
  type Placement,
  type SyncState,
  type VersionSource,
} from './assistant-repository.ts';
import { etagOf, fieldChanges, ifMatchSatisfied } from './mapper.ts';
import type { AssistantCreate, AssistantListQuery, AssistantPatch } from './schemas.ts';
import type { Lease, UpdateLeases } from './update-lease.ts';

/** Builds the provider changes from the provider's current copy; undefined when nothing would change. */
type ChangeBuilder = (base: AssistantRow) => ProviderConfig | undefined;

/** Which connection a request means, and the provider client behind a connection. */
export type Connections = Pick<ConnectionService, 'resolve' | 'providerFor'>;

export class AssistantService {
  constructor(
    private readonly repo: AssistantRepository,
    private readonly connections: Connections,
    private readonly leases: UpdateLeases,
    private readonly audit: AuditLog,
    private readonly caches: Caches,
    private readonly log: FastifyBaseLogger,
  ) {}

  async list(
    actor: Actor,
    query: AssistantListQuery,
  ): Promise<{ items: AssistantRow[]; nextCursor: string | null }> {
    const limit = query.limit ?? 20;
    const rows = await this.repo.list(actor.orgId, {
      limit: limit + 1,
      after: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
      nameContains: query.q,
      connectionId: query.connectionId,
    });
    const page = toPage(rows, limit, encodeCursor);
    return { items: page.items, nextCursor: page.next };
  }

  async get(actor: Actor, idOrProviderId: string): Promise<AssistantRow> {
    const id = canonicalId(idOrProviderId);
    const row = await this.caches.assistants.getOrLoad(assistantKey(actor.orgId, id), () =>
      this.repo.findInOrg(actor.orgId, id),
    );
    if (!row) throw notFound('Assistant');
    return row;
  }

  /**
   * Records the create (`pending`, under a lease), then asks the provider with the record's mark
   * in the create itself, then stores the provider's copy as version 1. A create is never sent
   * twice; an unknown outcome is settled by looking for the mark (`afterFailedCreate`).
   */
  async create(actor: Actor, input: AssistantCreate): Promise<AssistantRow> {
    const { connectionId, ...fields } = input;
    const attempt = assistantEvent(actor, 'assistant.created', null, { name: fields.name });
    return this.audit.attempt(attempt, async () => {
      const connection = await this.connections.resolve(actor.orgId, connectionId);
      const fieldMap = fieldMapFor(connection.provider);
      assertNoProblems(fieldMap.problems(undefined, fields));
      const config = fieldMap.newConfig(fields);
      const provider = await this.connections.providerFor(connection.id);
      const lease = this.leases.forNewRow();
      const creating = await this.repo.insertCreating(
        { ...placementIn(connection), config, createdBy: actor.userId },
        lease,
      );
      let created: ProviderAssistant;
      try {
        created = await provider.create(config, markOf(creating));
      } catch (error) {
        created = await this.afterFailedCreate(provider, creating, lease.token, error);
      }
      const event = {
        ...attempt,
        targetId: creating.id,
        detail: { ...attempt.detail, providerAssistantId: created.id, connectionId: connection.id },
      };
      const row = await this.repo.confirmCreate(
        creating.id,
        lease.token,
        created,
        { source: 'create', ...authorOf(actor) },
        event,
      );
      // Only a create that outlived its lease gets here, after another process adopted it.
      const stored = row ?? (await this.repo.findById(creating.id));
      if (!stored?.providerAssistantId)
        throw new Error(`the create of assistant ${creating.id} was settled elsewhere`);
      return stored;
    });
  }

  /**
   * A create failed. Refused for certain: the record goes. Otherwise the provider may have made
   * it: when the mark is found now, it is adopted; when not, the record stays `pending` (unseen)
   * until its lease runs out, and is then looked for again (`resolveUnknownCreate`).
   */
  private async afterFailedCreate(
    provider: AssistantProvider,
    creating: AssistantRow,
    leaseToken: string,
    error: unknown,
  ): Promise<ProviderAssistant> {
    if (!(error instanceof ProviderError) || error.definitelyNotApplied) {
      await this.repo.dropCreating(creating.id, leaseToken);
      throw error;
    }
    const found = await provider.findCreated(markOf(creating), creating.createdAt).catch((lookup) => {
      this.log.warn({ err: lookup, assistantId: creating.id }, 'could not look for an unconfirmed create');
      return undefined;
    });
    if (found) return found;
    throw new ProviderError(
      error.statusCode,
      error.code as ProviderErrorCode,
      `${error.message}. The provider may still have created the assistant: Switchboard will look for it and add it to the list if it is there`,
      error.details,
      error.headers,
      false,
    );
  }
  /** The seed's PATCH: nested fields merge one by one into the provider's current copy. */
  async update(
    actor: Actor,
    idOrProviderId: string,
    patch: AssistantPatch,
    ifMatch?: string,
  ): Promise<AssistantRow> {
    const current = await this.get(actor, idOrProviderId);
    const event = assistantEvent(actor, 'assistant.updated', current.id);
    return this.audit.attempt(event, async () => {
      if (!ifMatchSatisfied(ifMatch, etagOf(current))) throw preconditionFailed();
      if (Object.values(patch).every((value) => value === undefined)) return current;
      const fieldMap = fieldMapFor(current.provider);
      // A request that cannot pass is refused before it waits for anyone or reaches the provider.
      assertNoProblems(fieldMap.problems(current.config, patch));
      return this.changeAtProvider(actor, current, ifMatch, 'update', event, (base) => {
        assertNoProblems(fieldMap.problems(base.config, patch));
        return nonEmpty(fieldMap.changes(base.config, patch));
      });
    });
  }

  private providerFor(row: AssistantRow): Promise<AssistantProvider> {
    return this.connections.providerFor(row.connectionId);
  }

  async listVersions(actor: Actor, idOrProviderId: string, limit: number, before?: number) {
    const assistant = await this.get(actor, idOrProviderId);
    const rows = await this.repo.listVersions(assistant.id, limit + 1, before);
    const page = toPage(rows, limit, (last) => last.version);
    return { items: page.items, nextBefore: page.next };
  }

  async getVersion(actor: Actor, idOrProviderId: string, n: number) {
    const assistant = await this.get(actor, idOrProviderId);
    const version = await this.repo.getVersion(assistant.id, n);
    if (!version) throw notFound(`Version ${n}`);
    return version;
  }

  /** Makes version `n`'s configuration current again, through the same path as a PATCH. */
  async restore(actor: Actor, idOrProviderId: string, n: number, ifMatch?: string): Promise<AssistantRow> {
    const current = await this.get(actor, idOrProviderId);
    const event = assistantEvent(actor, 'assistant.restored', current.id, { restoredVersion: n });
    return this.audit.attempt(event, async () => {
      if (!ifMatchSatisfied(ifMatch, etagOf(current))) throw preconditionFailed();
      const target = await this.repo.getVersion(current.id, n);
      if (!target) throw notFound(`Version ${n}`);
      return this.changeAtProvider(actor, current, ifMatch, 'restore', event, (base) => {
        return nonEmpty(fieldMapFor(base.provider).restoreChanges(base.config, target.config));
      });
    });
  }

  /** Reads the assistant from the provider and stores what it says (a `provider` version when it differs). */
  async sync(actor: Actor, idOrProviderId: string): Promise<AssistantRow> {
    const current = await this.get(actor, idOrProviderId);
    const event = assistantEvent(actor, 'assistant.synced', current.id);
    return this.audit.attempt(event, async () => {
      const { value, syncState } = await this.withLease(current.id, (lease) =>
        this.storeProviderCopy(lease, actor, { releaseLease: true }),
      );
      // A difference was stored with its own event; an unchanged check is recorded here.
      if (value.version === current.version)
        await this.audit.record({ ...event, detail: { changedPaths: [] } });
      return afterRelease(value, syncState);
    });
  }

  /** The reconciler's sync: skips an assistant whose update is in progress (it reads the provider anyway). */
  async syncInBackground(assistantId: string): Promise<'unchanged' | 'changed' | 'missing' | 'busy'> {
    const before = await this.repo.findById(assistantId);
    if (!before) return 'unchanged';
    try {
      const { value, syncState } = await this.withLease(
        assistantId,
        (lease) => this.checkAtProvider(lease),
        0,
      );
      if (syncState === 'missing') return 'missing';
      return value?.version === before.version ? 'unchanged' : 'changed';
    } catch (error) {
      if (error instanceof ProviderError && error.code === 'provider_not_found') return 'missing';
      if ((error as { code?: string }).code === 'update_in_progress') return 'busy';
      throw error;
    }
  }

  async delete(actor: Actor, idOrProviderId: string): Promise<void> {
    const current = await this.get(actor, idOrProviderId);
    const event = assistantEvent(actor, 'assistant.deleted', current.id, {
      name: current.name,
      providerAssistantId: current.providerAssistantId,
    });
    await this.audit.attempt(event, () =>
      this.withLease(current.id, async () => {
        await (await this.providerFor(current)).delete(providerIdOf(current));
        await this.repo.delete(current.id, event);
      }),
    );
  }

  /** Brings one provider assistant under the organization; importing it again returns the stored one. */
  async importOne(
    actor: Actor,
    providerAssistantId: string,
    connectionId?: string,
  ): Promise<{ row: AssistantRow; created: boolean }> {
    const attempt = assistantEvent(actor, 'assistant.imported', null, { providerAssistantId });
    return this.audit.attempt(attempt, async () => {
      const connection = await this.connections.resolve(actor.orgId, connectionId);
      const existing = await this.repo.findByProviderId(connection.provider, providerAssistantId);
      if (existing?.orgId === actor.orgId && existing.connectionId === connection.id)
        return { row: existing, created: false };
      // Read through the caller's own connection first: an id from another account is simply not there.
      const provider = await this.connections.providerFor(connection.id);
      const remote = await provider.get(providerAssistantId);
      if (existing || !(await this.importable(provider, actor.orgId, remote))) throw alreadyManaged();
      return this.storeImported(actor, connection, remote);
    });
  }

  /**
   * A bulk change's check before it starts: the patch against each assistant's stored copy. The
   * first problems, each naming its assistant; empty when every item can be tried.
   */
  bulkProblems(rows: readonly AssistantRow[], patch: AssistantPatch): FieldProblem[] {
    const problems: FieldProblem[] = [];
    for (const row of rows) {
      const found = fieldMapFor(row.provider).problems(row.config, patch);
      for (const problem of found)
        problems.push({
          field: `patch.${problem.field}`,
          message: `${row.name ?? row.id}: ${problem.message}`,
        });
      if (problems.length >= 10) break;
    }
    return problems;
  }

  /** What a patch would change on each assistant, from the stored copies; nothing is sent. */
  previewPatch(rows: readonly AssistantRow[], patch: AssistantPatch) {
    return rows
      .map((row) => ({
        assistantId: row.id,
        name: row.name,
        changes: previewOf(fieldMapFor(row.provider), row.config, patch),
      }))
      .filter((item) => item.changes.length > 0);
  }

  /** The organization's assistants among `ids`, in the order given; the others are left out. */
  assistantsIn(orgId: string, ids: readonly string[]): Promise<AssistantRow[]> {
    return this.repo.findManyInOrg(orgId, ids);
  }

  /** The ids of the organization's assistants a bulk filter selects, newest first. */
  idsMatching(
    orgId: string,
    filter: { q?: string | undefined; connectionId?: string | undefined },
    limit: number,
  ) {
    return this.repo.idsInOrg(orgId, { nameContains: filter.q, connectionId: filter.connectionId }, limit);
  }

  /**
   * The provider assistants an import may take: none another organization marked as its own, nor
   * one of this organization's creates still being settled. One query for the whole page.
   */
  async importableOf(
    actor: Actor,
    provider: AssistantProvider,
    remotes: readonly ProviderAssistant[],
  ): Promise<ProviderAssistant[]> {
    const marks = remotes.map((remote) => provider.markOf(remote));
    const ownCreates = await this.repo.existingIds(
      marks.flatMap((mark) => (mark && mark.orgId === actor.orgId ? [mark.assistantId] : [])),
    );
    return remotes.filter((_, i) => {
      const mark = marks[i];
      return !mark || (mark.orgId === actor.orgId && !ownCreates.has(mark.assistantId));
    });
  }

  /**
   * Stores a page of importable assistants in one statement; those Switchboard already manages
   * are skipped. `db` is the job's transaction, so the page and the job's progress are stored
   * together. Returns how many were new.
   */
  importPage(
    actor: Actor,
    connection: ConnectionRow,
    remotes: ProviderAssistant[],
    db?: Database,
  ): Promise<number> {
    const audit = assistantEvent(actor, 'assistant.imported', null);
    return this.repo.insertImported({ ...placementIn(connection), remotes, ...authorOf(actor) }, audit, db);
  }

  /**
   * An item a job's runner may have sent before its server died: never sent again. Waits for the
   * dead runner's lease on the assistant, reads the provider's copy and stores it; true when the
   * patch is then already in place (the change reached the provider).
   */
  async settleInterruptedUpdate(actor: Actor, assistantId: string, patch: AssistantPatch): Promise<boolean> {
    await this.get(actor, assistantId);
    const { value } = await this.withLease(
      assistantId,
      (lease) => this.checkAtProvider(lease),
      this.leases.lengthMs,
    );
    if (!value) return false;
    return Object.keys(fieldMapFor(value.provider).changes(value.config, patch)).length === 0;
  }

  /** Not marked by another organization, nor by a create of this one still being settled. */
  private async importable(provider: AssistantProvider, orgId: string, remote: ProviderAssistant) {
    const mark = provider.markOf(remote);
    if (!mark) return true;
    return mark.orgId === orgId && !(await this.repo.findById(mark.assistantId));
  }

  /**
   * Settles assistants a dead process left `pending`: reads each from the provider and stores
   * what it says. Runs on start and periodically; failures stay pending for the next run.
   * `sole` says no other process can hold a lease (embedded PGlite), so leases left by the
   * previous process need not be waited out.
   */
  async recoverPending({ sole = false } = {}): Promise<number> {
    if (sole) await this.repo.clearAllLeases();
    let count = 0;
    for (const row of await this.repo.findStalePending(100)) {
      try {
        await this.withLease(row.id, (lease) => this.checkAtProvider(lease));
        count++;
      } catch (error) {
        this.log.warn(
          { err: error, assistantId: row.id },
          'could not settle a pending assistant; will retry',
        );
      }
    }
    return count;
  }

  private async storeImported(actor: Actor, connection: ConnectionRow, remote: ProviderAssistant) {
    const row = await this.repo.insert(
      {
        ...placementIn(connection),
        providerAssistantId: remote.id,
        config: remote,
        ...authorOf(actor),
        source: 'import',
      },
      (row) =>
        assistantEvent(actor, 'assistant.imported', row.id, {
          providerAssistantId: remote.id,
          connectionId: connection.id,
        }),
    );
    if (row) return { row, created: true };
    // Another request imported it in the meantime.
    const existing = await this.repo.findByProviderId(connection.provider, remote.id);
    if (!existing || existing.orgId !== actor.orgId) throw alreadyManaged();
    return { row: existing, created: false };
  }

  /**
   * The one write path for updates and restores: take the lease → read the provider's current
   * copy (storing it first if it drifted, so a change made elsewhere is never reverted) → build
   * the changes on it → send them → store the provider's answer as the next version.
   */
  private async changeAtProvider(
    actor: Actor,
    current: AssistantRow,
    ifMatch: string | undefined,
    source: VersionSource,
    event: AuditEvent,
    buildChanges: ChangeBuilder,
  ): Promise<AssistantRow> {
    const { value, syncState } = await this.withLease(current.id, async (lease) => {
      if (!ifMatchSatisfied(ifMatch, etagOf(lease.row))) throw preconditionFailed();
      const base = await this.storeProviderCopy(lease, actor, { releaseLease: false });
      const changes = buildChanges(base);
      if (!changes) return base;
      const provider = await this.providerFor(base);
      const confirmed = await provider.update(providerIdOf(base), changes, base.config);
      const { comparable } = fieldMapFor(base.provider);
      const paths = changedPaths(comparable(base.config), comparable(confirmed));
      try {
        return await this.store(
          lease,
          { config: confirmed, changedPaths: paths, source, ...authorOf(actor) },
          { ...event, detail: { ...event.detail, changedPaths: paths } },
          { releaseLease: true },
        );
      } catch (error) {
        // The provider has a change we could not store: settle it from the provider later.
        lease.syncStateAfter = 'pending';
        throw error;
      }
    });
    return afterRelease(value, syncState);
  }

  /**
   * Runs `work` holding the assistant's lease and always releases it, leaving the sync state that
   * is true afterwards: `pending` when the provider may have applied a change we did not store,
   * `missing` when the provider no longer has the assistant.
   */
  private async withLease<T>(
    assistantId: string,
    work: (lease: Lease) => Promise<T>,
    waitMs?: number,
  ): Promise<{ value: T; syncState: SyncState }> {
    const lease = await this.leases.acquire(assistantId, waitMs);
    // This server's own changes are dropped from its cache at once; others hear of them by notification.
    this.caches.assistantChanged(lease.row);
    let value: T;
    try {
      value = await work(lease);
    } catch (error) {
      const after: SyncState = !(error instanceof ProviderError)
        ? lease.syncStateAfter
        : error.code === 'provider_not_found'
          ? 'missing'
          : error.definitelyNotApplied
            ? lease.syncStateAfter
            : 'pending';
      await this.leases.release(lease, after).catch((releaseError) => {
        this.log.error(
          { err: releaseError, assistantId },
          'could not release an update lease; it will expire',
        );
      });
      this.caches.assistantChanged(lease.row);
      throw error;
    }
    await this.leases.release(lease, lease.syncStateAfter);
    // A store that released the lease already put its row in the cache.
    if (!lease.releasedByStore) this.caches.assistantChanged(lease.row);
    return { value, syncState: lease.syncStateAfter };
  }

  /**
   * Stores a confirmed configuration under the lease; the assistant is then in step again. With
   * `releaseLease` (nothing follows under this lease) it also gives the lease back, in the same
   * statement, and caches the row.
   */
  private async store(
    lease: Lease,
    version: NewVersion,
    event: AuditEvent,
    { releaseLease }: { releaseLease: boolean },
  ): Promise<AssistantRow> {
    const stamp = this.caches.assistants.stamp();
    const row = await this.repo.storeVersion(lease.row.id, lease.token, version, event, {
      releaseLease,
    });
    lease.syncStateAfter = 'synced';
    lease.releasedByStore = releaseLease;
    // The row as stored is what the next request would read, so it is kept; a change another
    // server made since `stamp` keeps it out.
    if (releaseLease) this.caches.assistantStored(row, stamp);
    return row;
  }

  /**
   * Switchboard's own check of an assistant under its lease (on start, by the reconciler): a
   * create whose outcome is unknown is settled; any other assistant is read from the provider.
   * Undefined when an unconfirmed create was dropped.
   */
  private checkAtProvider(lease: Lease): Promise<AssistantRow | undefined> {
    if (lease.row.providerAssistantId === null) return this.resolveUnknownCreate(lease);
    return this.storeProviderCopy(lease, null, { releaseLease: true });
  }

  /** Looks for the create's mark at the provider: adopted when there, dropped (with an audit event) when not. */
  private async resolveUnknownCreate(lease: Lease): Promise<AssistantRow | undefined> {
    const row = lease.row;
    const provider = await this.providerFor(row);
    const found = await provider.findCreated(markOf(row), row.createdAt);
    lease.releasedByStore = true;
    lease.syncStateAfter = 'synced';
    if (!found) {
      this.log.info({ assistantId: row.id }, 'dropped a create the provider never made');
      await this.repo.dropCreating(
        row.id,
        lease.token,
        auditEvent(
          null,
          row.orgId,
          'assistant.create_abandoned',
          { type: 'assistant', id: row.id },
          { name: row.name, reason: 'the provider has no assistant from this create' },
        ),
      );
      return undefined;
    }
    this.log.info(
      { assistantId: row.id, providerAssistantId: found.id },
      'adopted a create found at the provider',
    );
    return this.repo.confirmCreate(
      row.id,
      lease.token,
      found,
      { source: 'create', actorUserId: row.createdBy, actorApiKeyId: null },
      auditEvent(
        null,
        row.orgId,
        'assistant.created',
        { type: 'assistant', id: row.id },
        {
          name: row.name,
          providerAssistantId: found.id,
          connectionId: row.connectionId,
          foundAfterUnknownOutcome: true,
        },
      ),
    );
  }

  /**
   * Reads the provider's copy and stores it as a `provider` version when it differs from ours;
   * `caller` is whoever asked (null for Switchboard's own checks); `releaseLease` when nothing
   * follows under this lease.
   */
  private async storeProviderCopy(
    lease: Lease,
    caller: Actor | null,
    { releaseLease }: { releaseLease: boolean },
  ): Promise<AssistantRow> {
    const row = lease.row;
    const remote = await (await this.providerFor(row)).get(providerIdOf(row), row.config);
    const { comparable } = fieldMapFor(row.provider);
    const paths = changedPaths(comparable(row.config), comparable(remote));
    lease.syncStateAfter = 'synced';
    if (paths.length === 0) return row;
    this.log.info({ assistantId: row.id, changedPaths: paths }, 'stored a change made at the provider');
    return this.store(
      lease,
      { config: remote, changedPaths: paths, source: 'provider', actorUserId: null, actorApiKeyId: null },
      auditEvent(
        caller,
        row.orgId,
        'assistant.synced',
        { type: 'assistant', id: row.id },
        { changedPaths: paths },
      ),
      { releaseLease },
    );
  }
}

function assertNoProblems(problems: FieldProblem[]): void {
  if (problems.length > 0) throw validationError(problems);
}

/** Native changes to send, or undefined when they change nothing. */
function nonEmpty(changes: ProviderConfig): ProviderConfig | undefined {
  return Object.keys(changes).length > 0 ? changes : undefined;
}

/** What a patch would change, in the API's words, from the stored copy: nothing is sent. */
function previewOf(fieldMap: ProviderFieldMap, config: ProviderConfig, patch: SwitchboardPatch) {
  const after = fieldMap.applyChanges(config, fieldMap.changes(config, patch));
  return fieldChanges(fieldMap.fieldsOf(config), fieldMap.fieldsOf(after));
}

function assistantEvent(
  actor: Actor,
  action: AuditEvent['action'],
  assistantId: string | null,
  detail: Record<string, unknown> = {},
): AuditEvent {
  return auditEvent(actor, actor.orgId, action, { type: 'assistant', id: assistantId }, detail);
}

function placementIn(connection: ConnectionRow): Placement {
  return { orgId: connection.orgId, connectionId: connection.id, provider: connection.provider };
}

/** What a create writes into the provider's copy, so its outcome can always be found. */
function markOf(row: AssistantRow) {
  return { orgId: row.orgId, assistantId: row.id };
}

/** Every assistant read or changed by id has one; only an unconfirmed create does not. */
function providerIdOf(row: AssistantRow): string {
  if (row.providerAssistantId === null)
    throw new Error(`assistant ${row.id} is not confirmed by its provider yet`);
  return row.providerAssistantId;
}

/** The author columns of a version: the user, or the API key acting without one. */
function authorOf(actor: Actor): { actorUserId: string | null; actorApiKeyId: string | null } {
  return { actorUserId: actor.userId, actorApiKeyId: actor.apiKeyId };
}

function alreadyManaged() {
  return conflict('already_managed', 'This provider assistant is already managed by another organization');
}

/** A row as it is once its lease is released. */
function afterRelease(row: AssistantRow, syncState: SyncState): AssistantRow {
  return { ...row, syncState, leaseToken: null, leaseExpiresAt: null };
}
