// The assistants' rules. Every write goes provider first, then database; the database changes
// only with what the provider confirmed.
import type { FastifyBaseLogger } from 'fastify';
import type { AssistantRow } from '../db/schema.ts';
import { notFound, ProviderError, preconditionFailed, validationError } from '../errors.ts';
import type { AssistantProvider } from '../providers/vapi/vapi-client.ts';
import { deepEqual } from '../shared/objects.ts';
import type { AssistantRepository, NewVersion, SyncState } from './assistant-repository.ts';
import { decodeCursor, encodeCursor, etagOf, ifMatchSatisfied } from './mapper.ts';
import {
  changedPaths,
  mergeAssistantPatch,
  type ProviderConfig,
  providerChanges,
  touchedKeys,
} from './merge.ts';
import type { AssistantCreate, AssistantListQuery, AssistantPatch } from './schemas.ts';
import type { Lease, UpdateLeases } from './update-lease.ts';
import { validateAssistantPatch, validateConfigKeys } from './validation.ts';

/** Who is acting, in which organization (already checked to hold the needed role). */
export interface Actor {
  readonly userId: string;
  readonly orgId: string;
}

export class AssistantService {
  constructor(
    private readonly repo: AssistantRepository,
    private readonly provider: AssistantProvider,
    private readonly leases: UpdateLeases,
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
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
  }

  async get(actor: Actor, idOrProviderId: string): Promise<AssistantRow> {
    const row = await this.repo.findInOrg(actor.orgId, idOrProviderId);
    if (!row) throw notFound('Assistant');
    return row;
  }

  async create(actor: Actor, input: AssistantCreate): Promise<AssistantRow> {
    const config = newProviderConfig(input);
    const problems = validateConfigKeys(config, Object.keys(config));
    if (problems.length > 0) throw validationError(problems);
    const created = await this.provider.create(config);
    try {
      return await this.repo.insert({
        orgId: actor.orgId,
        providerAssistantId: created.id,
        config: created,
        actorUserId: actor.userId,
      });
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
  }

  /**
   * The seed's PATCH: validate → take the update lease → merge onto the freshest stored copy →
   * send each touched top-level key whole → store the provider's answer as the next version.
   */
  async update(
    actor: Actor,
    idOrProviderId: string,
    patch: AssistantPatch,
    ifMatch?: string,
  ): Promise<AssistantRow> {
    const current = await this.get(actor, idOrProviderId);
    if (!ifMatchSatisfied(ifMatch, etagOf(current))) throw preconditionFailed();
    const keys = touchedKeys(patch);
    if (keys.length === 0) return current;
    // A request that cannot pass is refused before it waits for anyone or reaches the provider.
    assertValid(current.config, patch);

    const { value, syncState } = await this.withLease(current.id, async (lease) => {
      if (!ifMatchSatisfied(ifMatch, etagOf(lease.row))) throw preconditionFailed();
      let base = lease.row;
      if (lease.previousSyncState === 'pending') base = await this.settleFromProvider(lease);
      const next = mergeAssistantPatch(base.config, patch);
      assertValid(base.config, patch, next);
      if (keys.every((key) => deepEqual(next[key], base.config[key]))) return base;
      const confirmed = await this.provider.update(base.providerAssistantId, providerChanges(next, keys));
      return this.store(lease, {
        config: confirmed,
        changedPaths: changedPaths(comparable(base.config), comparable(confirmed)),
        source: 'switchboard',
        actorUserId: actor.userId,
      });
    });
    return { ...value, syncState, leaseToken: null, leaseExpiresAt: null };
  }

  async delete(actor: Actor, idOrProviderId: string): Promise<void> {
    const current = await this.get(actor, idOrProviderId);
    await this.withLease(current.id, async () => {
      await this.provider.delete(current.providerAssistantId);
      await this.repo.delete(current.id);
    });
  }

  /**
   * Settles assistants a dead process left `pending`: reads each from the provider and stores
   * what it says. Runs on start and periodically; failures stay pending for the next run.
   * `sole` says no other process can hold a lease (embedded PGlite), so leases left by the
   * previous process need not be waited out.
   */
  async settleStalePending({ sole = false } = {}): Promise<number> {
    if (sole) await this.repo.clearAllLeases();
    let settled = 0;
    for (const row of await this.repo.findStalePending(100)) {
      try {
        await this.withLease(row.id, (lease) => this.settleFromProvider(lease));
        settled++;
      } catch (error) {
        this.log.warn(
          { err: error, assistantId: row.id },
          'could not settle a pending assistant; will retry',
        );
      }
    }
    return settled;
  }

  /**
   * Runs `work` holding the assistant's lease and always releases it, leaving the sync state that
   * is true afterwards: `pending` only when the provider may have applied a change we did not store.
   */
  private async withLease<T>(
    assistantId: string,
    work: (lease: Lease) => Promise<T>,
  ): Promise<{ value: T; syncState: SyncState }> {
    const lease = await this.leases.acquire(assistantId);
    let value: T;
    try {
      value = await work(lease);
    } catch (error) {
      const mayHaveApplied = error instanceof ProviderError && !error.definitelyNotApplied;
      await this.leases
        .release(lease, mayHaveApplied ? 'pending' : lease.syncStateAfter)
        .catch((releaseError) => {
          this.log.error(
            { err: releaseError, assistantId },
            'could not release an update lease; it will expire',
          );
        });
      throw error;
    }
    await this.leases.release(lease, lease.syncStateAfter);
    return { value, syncState: lease.syncStateAfter };
  }

  /** Stores a confirmed configuration under the lease; the assistant is then in step again. */
  private async store(lease: Lease, version: NewVersion): Promise<AssistantRow> {
    const row = await this.repo.storeVersion(lease.row.id, lease.token, version);
    lease.syncStateAfter = 'synced';
    return row;
  }

  /** Reads the provider's copy and stores it as a `provider` version when it differs from ours. */
  private async settleFromProvider(lease: Lease): Promise<AssistantRow> {
    const row = lease.row;
    const remote = await this.provider.get(row.providerAssistantId);
    const paths = changedPaths(comparable(row.config), comparable(remote));
    if (paths.length === 0) {
      lease.syncStateAfter = 'synced';
      return row;
    }
    this.log.info(
      { assistantId: row.id, changedPaths: paths },
      'stored the provider copy of a pending assistant',
    );
    return this.store(lease, { config: remote, changedPaths: paths, source: 'provider', actorUserId: null });
  }
}

function assertValid(
  current: ProviderConfig,
  patch: AssistantPatch,
  next = mergeAssistantPatch(current, patch),
): void {
  const problems = validateAssistantPatch(current, patch, next);
  if (problems.length > 0) throw validationError(problems);
}

/** The provider configuration for a new assistant: Switchboard's names mapped to Vapi's. */
export function newProviderConfig(input: AssistantCreate): ProviderConfig {
  return mergeAssistantPatch({}, input);
}

/** Server-managed timestamps change on every write; they are not part of "what changed". */
function comparable(config: ProviderConfig): ProviderConfig {
  const { updatedAt: _updatedAt, ...rest } = config;
  return rest;
}

export type { SyncState };
