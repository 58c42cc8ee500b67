// Starting, reading and cancelling jobs (SPEC section 12). The work itself is job-runner.ts's.
import type { AssistantService } from '../assistants/assistant-service.ts';
import type { ImportRequest } from '../assistants/schemas.ts';
import { auditEvent } from '../audit/audit-log.ts';
import type { Actor } from '../auth/actor.ts';
import type { ConnectionService } from '../connections/connection-service.ts';
import type { JobRow } from '../db/schema.ts';
import { conflict, notFound, validationError } from '../errors.ts';
import { decodeCursor, encodeCursor, toPage } from '../shared/cursor.ts';
import type { JobRepository, NewJob } from './job-repository.ts';
import { type BulkRequest, type JobListQuery, MAX_BULK_ITEMS } from './schemas.ts';

/** How a cancel waits for an item already at the provider to finish, so none is written after its answer. */
const CANCEL_POLL_MS = 50;

/** What a bulk job stores: the patch, and each item with the connection whose pace it follows. */
export interface BulkInput {
  patch: BulkRequest['patch'];
  items: Array<{ id: string; connectionId: string }>;
}

export class JobService {
  constructor(
    private readonly repo: JobRepository,
    private readonly assistants: AssistantService,
    private readonly connections: Pick<ConnectionService, 'resolve'>,
    /** Tells this server's runner there is work, so it need not wait for its next look. */
    private readonly wake: () => void,
    /** The longest an item can stay at the provider: a cancel waits no longer. */
    private readonly itemMs: number,
  ) {}

  /** `POST /assistants/import`: one provider assistant at once, or every one (`all: true`) as a job. */
  async import(actor: Actor, request: ImportRequest) {
    const { providerAssistantId, all, connectionId } = request;
    if ((providerAssistantId === undefined) === (all === undefined)) {
      throw validationError([
        { field: 'body', message: 'give exactly one of providerAssistantId or all: true' },
      ]);
    }
    if (providerAssistantId !== undefined) {
      return this.assistants.importOne(actor, providerAssistantId, connectionId);
    }
    const connection = await this.connections.resolve(actor.orgId, connectionId);
    return {
      job: await this.start(actor, {
        kind: 'import',
        connectionId: connection.id,
        input: {},
        total: null,
        imported: 0,
      }),
    };
  }

  /**
   * `POST /assistants/bulk`: the patch is checked against every chosen assistant first, so a patch
   * that cannot pass starts nothing (and its dry run says so); then the dry run answers at once.
   */
  async bulk(actor: Actor, request: BulkRequest) {
    if ((request.ids === undefined) === (request.filter === undefined)) {
      throw validationError([{ field: 'body', message: 'give exactly one of ids or filter' }]);
    }
    if (Object.values(request.patch).every((value) => value === undefined)) {
      throw validationError([{ field: 'patch', message: 'changes nothing: name at least one field' }]);
    }
    // A filter is counted before anything is loaded: one past the cap is enough to refuse it.
    const ids =
      request.ids ??
      (await this.assistants.idsMatching(actor.orgId, request.filter ?? {}, MAX_BULK_ITEMS + 1));
    // (Chosen ids are capped by the request's schema.)
    if (!request.ids && ids.length > MAX_BULK_ITEMS) {
      throw validationError([
        {
          field: 'filter',
          message: `matches more than ${MAX_BULK_ITEMS} assistants; one bulk change takes at most ${MAX_BULK_ITEMS}: narrow it`,
        },
      ]);
    }
    const rows = await this.assistants.assistantsIn(actor.orgId, ids);
    if (request.ids && rows.length < request.ids.length) {
      const found = new Set(rows.map((row) => row.id));
      const missing = request.ids.filter((id) => !found.has(id));
      throw validationError([
        {
          field: 'ids',
          message: `no such assistant in this organization: ${missing.slice(0, 5).join(', ')}`,
        },
      ]);
    }
    // The dry run refuses what the run would, so a preview that passes is one the run takes.
    const problems = this.assistants.bulkProblems(rows, request.patch);
    if (problems.length > 0) throw validationError(problems);
    if (request.dryRun) {
      return {
        preview: {
          items: this.assistants.previewPatch(rows, request.patch),
          total: ids.length,
        },
      };
    }
    const input: BulkInput = {
      patch: request.patch,
      items: rows.map(({ id, connectionId }) => ({ id, connectionId })),
    };
    return {
      job: await this.start(actor, {
        kind: 'bulk',
        connectionId: null,
        input: { ...input },
        total: ids.length,
        imported: null,
      }),
    };
  }

  async get(actor: Actor, id: string): Promise<JobRow> {
    const row = await this.repo.findInOrg(actor.orgId, id);
    if (!row) throw notFound('Job');
    return row;
  }

  async list(actor: Actor, query: JobListQuery) {
    const limit = query.limit ?? 20;
    const rows = await this.repo.list(
      actor.orgId,
      limit + 1,
      query.cursor === undefined ? undefined : decodeCursor(query.cursor),
    );
    const page = toPage(rows, limit, encodeCursor);
    return { items: page.items, nextCursor: page.next };
  }

  /**
   * Stops the job: no new item starts, and the answer waits for an item already at the provider,
   * so no provider write follows it. A finished job cannot be cancelled (409).
   */
  async cancel(actor: Actor, id: string): Promise<JobRow> {
    const job = await this.get(actor, id);
    const cancelled = await this.repo.cancel(
      actor.orgId,
      id,
      auditEvent(actor, actor.orgId, 'job.cancelled', { type: 'job', id }, { kind: job.kind }),
    );
    if (!cancelled)
      throw conflict(
        'job_finished',
        `This job has already ${job.state === 'cancelled' ? 'been cancelled' : job.state}; only a queued or running job can be cancelled`,
      );
    const deadline = Date.now() + this.itemMs;
    while ((await this.repo.hasItemInFlight(id)) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, CANCEL_POLL_MS));
    }
    return (await this.repo.findById(id)) ?? cancelled;
  }

  private async start(
    actor: Actor,
    job: Pick<NewJob, 'kind' | 'connectionId' | 'input' | 'total' | 'imported'>,
  ) {
    const row = await this.repo.insert(
      {
        ...job,
        orgId: actor.orgId,
        createdByUser: actor.userId,
        createdByApiKey: actor.apiKeyId,
        createdByLabel: actor.label,
      },
      auditEvent(
        actor,
        actor.orgId,
        'job.started',
        { type: 'job', id: null },
        { kind: job.kind, total: job.total },
      ),
    );
    this.wake();
    return row;
  }
}

export function toJobResponse(row: JobRow) {
  return {
    id: row.id,
    kind: row.kind as 'import' | 'bulk',
    state: row.state as 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled',
    connectionId: row.connectionId,
    total: row.total,
    done: row.done,
    failed: row.failed,
    imported: row.imported,
    errors: row.errors,
    createdBy: row.createdByLabel,
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}
