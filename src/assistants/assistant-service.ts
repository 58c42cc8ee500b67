// The assistants' rules. Every write goes provider first, then database; the database changes
// only with what the provider confirmed, and every confirmed configuration becomes a version.
import type { FastifyBaseLogger } from 'fastify';
import { type AuditEvent, type AuditLog, auditEvent } from '../audit/audit-log.ts';
import type { Actor } from '../auth/actor.ts';
import { assistantKey, type Caches } from '../db/caches.ts';
import type { AssistantRow } from '../db/schema.ts';
import { conflict, notFound, ProviderError, preconditionFailed, validationError } from '../errors.ts';
import type { AssistantProvider } from '../providers/vapi/vapi-client.ts';
import { decodeCursor, encodeCursor, toPage } from '../shared/cursor.ts';
import { deepEqual } from '../shared/objects.ts';
import type { AssistantRepository, NewVersion, SyncState, VersionSource } from './assistant-repository.ts';
import { etagOf, ifMatchSatisfied } from './mapper.ts';
import {
  changedPaths,
  comparable,
  mergeAssistantPatch,
  type ProviderConfig,
  providerChanges,
  restoreChanges,
  touchedKeys,
} from './merge.ts';
import type { AssistantCreate, AssistantListQuery, AssistantPatch } from './schemas.ts';
import type { Lease, UpdateLeases } from './update-lease.ts';
import { validateAssistantPatch, validateConfigKeys } from './validation.ts';

/** Builds the provider changes from the provider's current copy; undefined when nothing would change. */
type ChangeBuilder = (base: AssistantRow) => ProviderConfig | undefined;

export class AssistantService {
  constructor(
    private readonly repo: AssistantRepository,
    private readonly provider: AssistantProvider,
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
    });
    const page = toPage(rows, limit, encodeCursor);
    return { items: page.items, nextCursor: page.next };
  }

  async get(actor: Actor, idOrProviderId: string): Promise<AssistantRow> {
    const row = await this.caches.assistants.getOrLoad(assistantKey(actor.orgId, idOrProviderId), () =>
      this.repo.findInOrg(actor.orgId, idOrProviderId),
    );
    if (!row) throw notFound('Assistant');
    return row;
  }

  async create(actor: Actor, input: AssistantCreate): Promise<AssistantRow> {
    const config = newProviderConfig(input);
    const attempt = assistantEvent(actor, 'assistant.created', null, { name: config.name });
    return this.audit.attempt(attempt, async () => {
      const problems = validateConfigKeys(config, Object.keys(config));
      if (problems.length > 0) throw validationError(problems);
      const created = await this.provider.create(config);
      try {
        const row = await this.repo.insert(newAssistant(actor, created, 'create'), (row) => ({
          ...attempt,
          targetId: row.id,
          detail: { ...attempt.detail, providerAssistantId: created.id },
        }));
        if (!row)
          throw new Error(`the provider returned an assistant id that is already stored: ${created.id}`);
        return row;
      } catch (error) {
        // Not stored, so it must not stay at the provider as an orphan either.
        await this.provider.delete(created.id).catch((cleanup) => {
          this.log.error(
            { err: cleanup, providerAssistantId: created.id },
            'could not remove an unstored provider assistant',
          );
        });
        throw error;
      }
    });
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
      const keys = touchedKeys(patch);
      if (keys.length === 0) return current;
      // A request that cannot pass is refused before it waits for anyone or reaches the provider.
      assertValidPatch(current.config, patch);
      return this.changeAtProvider(actor, current, ifMatch, 'update', event, (base) => {
        const next = mergeAssistantPatch(base.config, patch);
        assertValidPatch(base.config, patch, next);
        if (keys.every((key) => deepEqual(next[key], base.config[key]))) return undefined;
        return providerChanges(next, keys);
      });
    });
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
        const changes = restoreChanges(base.config, target.config);
        const problems = validateConfigKeys(target.config, Object.keys(changes));
        if (problems.length > 0) throw validationError(problems);
        return Object.keys(changes).length > 0 ? changes : undefined;
      });
    });
  }

  /** Reads the assistant from the provider and stores what it says (a `provider` version when it differs). */
  async sync(actor: Actor, idOrProviderId: string): Promise<AssistantRow> {
    const current = await this.get(actor, idOrProviderId);
    const event = assistantEvent(actor, 'assistant.synced', current.id);
    return this.audit.attempt(event, async () => {
      const { value, syncState } = await this.withLease(current.id, (lease) =>
        this.settleFromProvider(lease, actor, { last: true }),
      );
      // A difference was stored with its own event; an unchanged check is recorded here.
      if (value.version === current.version)
        await this.audit.record({ ...event, detail: { changedPaths: [] } });
      return settled(value, syncState);
    });
  }

  /** The reconciler's sync: skips an assistant whose update is in progress (it reads the provider anyway). */
  async syncInBackground(assistantId: string): Promise<'unchanged' | 'changed' | 'missing' | 'busy'> {
    const before = await this.repo.findById(assistantId);
    if (!before) return 'unchanged';
    try {
      const { value, syncState } = await this.withLease(
        assistantId,
        (lease) => this.settleFromProvider(lease, null, { last: true }),
        0,
      );
      if (syncState === 'missing') return 'missing';
      return value.version === before.version ? 'unchanged' : 'changed';
    } catch (error) {
      if (error instanceof ProviderError && error.code === 'provider_not_found') return 'missing';
      if ((error as { code?: string }).code === 'update_in_progress') return 'busy';
      throw error;
    }
  }

  async delete(actor: Actor, idOrProviderId: string): Promise<void> {
    const current = await this.get(actor, idOrProviderId);
    const event = assistantEvent(actor, 'assistant.deleted', current.id, {
      name: current.config.name,
      providerAssistantId: current.providerAssistantId,
    });
    await this.audit.attempt(event, () =>
      this.withLease(current.id, async () => {
        await this.provider.delete(current.providerAssistantId);
        await this.repo.delete(current.id, event);
      }),
    );
  }

  /** Brings one provider assistant under the organization; importing it again returns the stored one. */
  async importOne(
    actor: Actor,
    providerAssistantId: string,
  ): Promise<{ row: AssistantRow; created: boolean }> {
    const attempt = assistantEvent(actor, 'assistant.imported', null, { providerAssistantId });
    return this.audit.attempt(attempt, async () => {
      const existing = await this.repo.findByProviderId(providerAssistantId);
      if (existing) {
        if (existing.orgId === actor.orgId) return { row: existing, created: false };
        throw alreadyManaged();
      }
      const remote = await this.provider.get(providerAssistantId);
      return this.storeImported(actor, remote);
    });
  }

  /** Imports every provider assistant that no organization manages yet. */
  async importAll(actor: Actor): Promise<{ imported: AssistantRow[]; alreadyManaged: number }> {
    const imported: AssistantRow[] = [];
    let alreadyManaged = 0;
    const attempt = assistantEvent(actor, 'assistant.imported', null, { all: true });
    const remotes = await this.audit.attempt(attempt, () => this.provider.listAll());
    for (const remote of remotes) {
      if (await this.repo.findByProviderId(remote.id)) {
        alreadyManaged++;
        continue;
      }
      const { row, created } = await this.storeImported(actor, remote);
      if (created) imported.push(row);
      else alreadyManaged++;
    }
    return { imported, alreadyManaged };
  }

  /**
   * Settles assistants a dead process left `pending`: reads each from the provider and stores
   * what it says. Runs on start and periodically; failures stay pending for the next run.
   * `sole` says no other process can hold a lease (embedded PGlite), so leases left by the
   * previous process need not be waited out.
   */
  async settleStalePending({ sole = false } = {}): Promise<number> {
    if (sole) await this.repo.clearAllLeases();
    let count = 0;
    for (const row of await this.repo.findStalePending(100)) {
      try {
        await this.withLease(row.id, (lease) => this.settleFromProvider(lease, null, { last: true }));
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

  private async storeImported(actor: Actor, remote: ProviderConfig & { id: string }) {
    const row = await this.repo.insert(newAssistant(actor, remote, 'import'), (row) =>
      assistantEvent(actor, 'assistant.imported', row.id, { providerAssistantId: remote.id }),
    );
    if (row) return { row, created: true };
    // Another request imported it in the meantime.
    const existing = await this.repo.findByProviderId(remote.id);
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
      const base = await this.settleFromProvider(lease, actor, { last: false });
      const changes = buildChanges(base);
      if (!changes) return base;
      const confirmed = await this.provider.update(base.providerAssistantId, changes);
      const paths = changedPaths(comparable(base.config), comparable(confirmed));
      try {
        return await this.store(
          lease,
          { config: confirmed, changedPaths: paths, source, ...authorOf(actor) },
          { ...event, detail: { ...event.detail, changedPaths: paths } },
          { last: true },
        );
      } catch (error) {
        // The provider has a change we could not store: settle it from the provider later.
        lease.syncStateAfter = 'pending';
        throw error;
      }
    });
    return settled(value, syncState);
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
   * Stores a confirmed configuration under the lease; the assistant is then in step again. The
   * `last` store of a lease also releases it, in the same statement, and caches the row.
   */
  private async store(
    lease: Lease,
    version: NewVersion,
    event: AuditEvent,
    { last }: { last: boolean },
  ): Promise<AssistantRow> {
    const mark = this.caches.assistants.mark();
    const row = await this.repo.storeVersion(lease.row.id, lease.token, version, event, {
      releaseLease: last,
    });
    lease.syncStateAfter = 'synced';
    lease.releasedByStore = last;
    // The row as stored is what the next request would read, so it is kept; a change another
    // server made since `mark` keeps it out.
    if (last) this.caches.assistantStored(row, mark);
    return row;
  }

  /**
   * Reads the provider's copy and stores it as a `provider` version when it differs from ours;
   * `caller` is whoever asked (null for Switchboard's own checks); `last` when nothing follows
   * under this lease.
   */
  private async settleFromProvider(
    lease: Lease,
    caller: Actor | null,
    { last }: { last: boolean },
  ): Promise<AssistantRow> {
    const row = lease.row;
    const remote = await this.provider.get(row.providerAssistantId);
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
      { last },
    );
  }
}

function assertValidPatch(
  current: ProviderConfig,
  patch: AssistantPatch,
  next = mergeAssistantPatch(current, patch),
): void {
  const problems = validateAssistantPatch(current, patch, next);
  if (problems.length > 0) throw validationError(problems);
}

function assistantEvent(
  actor: Actor,
  action: AuditEvent['action'],
  assistantId: string | null,
  detail: Record<string, unknown> = {},
): AuditEvent {
  return auditEvent(actor, actor.orgId, action, { type: 'assistant', id: assistantId }, detail);
}

/** The row for an assistant the provider now has, made by `actor` (a create or an import). */
function newAssistant(actor: Actor, remote: ProviderConfig & { id: string }, source: 'create' | 'import') {
  return { orgId: actor.orgId, providerAssistantId: remote.id, config: remote, ...authorOf(actor), source };
}

/** The author columns of a version: the user, or the API key acting without one. */
function authorOf(actor: Actor): { actorUserId: string | null; actorApiKeyId: string | null } {
  return { actorUserId: actor.userId, actorApiKeyId: actor.apiKeyId };
}

function alreadyManaged() {
  return conflict('already_managed', 'This provider assistant is already managed by another organization');
}

/** A row as it is once its lease is released. */
function settled(row: AssistantRow, syncState: SyncState): AssistantRow {
  return { ...row, syncState, leaseToken: null, leaseExpiresAt: null };
}

/** The provider configuration for a new assistant: Switchboard's names mapped to Vapi's. */
export function newProviderConfig(input: AssistantCreate): ProviderConfig {
  return mergeAssistantPatch({}, input);
}
