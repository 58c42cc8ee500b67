// Runs jobs in the background on every server. A runner claims a job (any server may), renews its
// lease while it works, records progress after each page or item, and stops at the next boundary
// when the job is cancelled or the server stops; another server, or this one after a restart,
// goes on from the recorded progress. Provider calls wait for their connection's pace.
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { AssistantService } from '../assistants/assistant-service.ts';
import { auditEvent } from '../audit/audit-log.ts';
import type { Actor } from '../auth/actor.ts';
import type { ConnectionService } from '../connections/connection-service.ts';
import type { Database } from '../db/database.ts';
import type { JobRow } from '../db/schema.ts';
import { ProviderError } from '../errors.ts';
import { parseRetryAfter } from '../shared/retry-after.ts';
import type { ConnectionPacer } from '../sync/pacer.ts';
import {
  type JobError,
  type JobRepository,
  type JobState,
  MAX_JOB_ERRORS,
  type Progress,
} from './job-repository.ts';
import type { BulkInput } from './job-service.ts';

/** Assistants stored per statement by an import. */
export const IMPORT_BATCH = 500;
/** Bulk items in flight at once, at most, each still at its connection's pace. */
export const BULK_WINDOW = 8;
/**
 * The window for a job of `total` items: progress is recorded a window at a time, so a small job
 * moves item by item and a large one gets the full window.
 */
export function bulkWindow(total: number): number {
  return Math.max(1, Math.min(BULK_WINDOW, Math.ceil(total / 20)));
}

export interface JobRunnerOptions {
  /** How often an idle runner looks for work another server queued. */
  pollMs: number;
  /** A dead runner's job is taken over once this has passed without a renewal. */
  leaseMs: number;
  /** Jobs one server runs at once. */
  concurrency: number;
}

/** Why a run stopped before its last item. */
type Stop = 'lost' | 'stopping';

export class JobRunner {
  private timer: NodeJS.Timeout | undefined;
  private readonly active = new Set<Promise<void>>();
  private stopping = false;
  private polling: Promise<void> | undefined;

  constructor(
    private readonly db: Database,
    private readonly repo: JobRepository,
    private readonly assistants: AssistantService,
    private readonly connections: Pick<ConnectionService, 'resolve' | 'providerFor'>,
    private readonly pacer: ConnectionPacer,
    private readonly log: FastifyBaseLogger,
    private readonly options: JobRunnerOptions,
  ) {}

  /** `sole`: no other process can hold a job (embedded PGlite), so a running one is a dead process's. */
  async start({ sole = false } = {}): Promise<void> {
    if (sole) await this.repo.releaseAll();
    this.stopping = false;
    this.timer = setInterval(() => this.wake(), this.options.pollMs);
    this.timer.unref();
    this.wake();
  }

  /** Looks for work now (a job was just queued here). */
  wake(): void {
    if (!this.timer || this.stopping || this.polling) return;
    this.polling = this.claimWhileIdle()
      .catch((error) => this.log.warn({ err: error }, 'could not look for jobs'))
      .finally(() => {
        this.polling = undefined;
      });
  }

  /** Stops taking jobs; running ones stop after their current item and are given back for the next claim. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.polling;
    await Promise.all(this.active);
  }

  private async claimWhileIdle(): Promise<void> {
    while (!this.stopping && this.active.size < this.options.concurrency) {
      const token = randomUUID();
      const job = await this.repo.claim(token, this.options.leaseMs);
      if (!job) return;
      const run = this.run(job, token).finally(() => {
        this.active.delete(run);
        this.wake();
      });
      this.active.add(run);
    }
  }

  private async run(job: JobRow, token: string): Promise<void> {
    let lost = false;
    const renew = setInterval(() => {
      this.repo
        .renew(job.id, token, this.options.leaseMs)
        .then((mine) => {
          if (!mine) lost = true;
        })
        .catch((error) => this.log.warn({ err: error, jobId: job.id }, 'could not renew a job lease'));
    }, this.options.leaseMs / 3);
    const stopped = (): Stop | undefined => (lost ? 'lost' : this.stopping ? 'stopping' : undefined);
    let state: JobState = 'succeeded';
    let detail: Record<string, unknown> = {};
    try {
      const outcome =
        job.kind === 'import'
          ? await this.runImport(job, token, stopped)
          : await this.runBulk(job, token, stopped);
      if (outcome === 'stopping') {
        await this.repo.giveBack(job.id, token);
        return;
      }
      // 'lost': cancelled (finish keeps that state) or taken over (finish then writes nothing).
    } catch (error) {
      state = 'failed';
      detail = { reason: (error as Error).message };
      this.log.warn({ err: error, jobId: job.id }, 'a job failed');
      // Only the reason is added: the progress recorded so far stands.
      await this.repo.addError(job.id, token, { message: (error as Error).message }).catch(() => {});
    } finally {
      clearInterval(renew);
    }
    await this.repo.finish(
      job.id,
      token,
      state,
      auditEvent(null, job.orgId, 'job.finished', { type: 'job', id: job.id }, { kind: job.kind, ...detail }),
    );
  }

  /**
   * Reads the connection's whole list (each page at the connection's pace), then stores it a
   * batch at a time with the progress in the same transaction. A resumed import reads the list
   * again and stores from the start: a page stored before is skipped by the database, and
   * progress never goes below what was recorded.
   */
  private async runImport(
    job: JobRow,
    token: string,
    stopped: () => Stop | undefined,
  ): Promise<Stop | undefined> {
    const actor = actorOf(job);
    if (!job.connectionId) throw new Error('the connection to import from was removed');
    const connection = await this.connections.resolve(job.orgId, job.connectionId);
    const provider = await this.connections.providerFor(connection.id);
    const remotes = await provider.listAll(() => this.pacer.turn(connection.id));
    const progress: Progress = { ...progressOf(job), total: remotes.length, imported: job.imported ?? 0 };
    await this.repo.recordProgress(job.id, token, progress);
    for (let start = 0; start < remotes.length; start += IMPORT_BATCH) {
      const stop = stopped();
      if (stop) return stop;
      if (!(await this.repo.startItem(job.id, token, `import:${start}`))) return 'lost';
      const batch = remotes.slice(start, start + IMPORT_BATCH);
      const importable = await this.assistants.importableOf(actor, provider, batch);
      progress.done = Math.max(progress.done, start + batch.length);
      // Only statements on `tx` inside: embedded PGlite runs nothing else while a transaction is open.
      await this.db.transaction(async (tx) => {
        const added = await this.assistants.importPage(
          actor,
          connection,
          importable,
          tx as unknown as Database,
        );
        // A page stored before a resume adds none the second time, so the count stays exact.
        const after = { ...progress, imported: (progress.imported ?? 0) + added };
        await this.repo.recordProgress(job.id, token, after, tx as unknown as Database);
        progress.imported = after.imported;
      });
    }
    return undefined;
  }

  /**
   * Each item through the same path as a PATCH, as the job's creator, a window of items side by
   * side (each call still waits for its connection's pace). Each item is recorded as in flight just
   * before its write, and the window as done once all of it has finished, so a runner that takes
   * the job over knows which items may have reached the provider: those are settled by reading
   * the provider, never sent again; the rest of the window is sent as usual.
   */
  private async runBulk(
    job: JobRow,
    token: string,
    stopped: () => Stop | undefined,
  ): Promise<Stop | undefined> {
    const actor = actorOf(job);
    const { patch, items } = job.input as unknown as BulkInput;
    const progress = progressOf(job);
    const interrupted = new Set(job.inFlight ?? []);
    const size = bulkWindow(items.length);
    for (let start = progress.done; start < items.length; start += size) {
      const stop = stopped();
      if (stop) return stop;
      const window = items.slice(start, start + size);
      const resumed = window.filter((item) => interrupted.has(item.id));
      const outcomes = await Promise.all(
        window.map((item) =>
          resumed.includes(item)
            ? this.settleItem(actor, item, patch)
            : this.applyItem(job, token, actor, item, patch),
        ),
      );
      interrupted.clear();
      const finished = outcomes.filter((outcome) => outcome !== 'skipped').length;
      progress.done = Math.max(progress.done, start + finished);
      for (const [i, outcome] of outcomes.entries()) {
        if (outcome && outcome !== 'skipped') {
          progress.failed++;
          progress.errors = addError(progress.errors, { assistantId: window[i]?.id, message: outcome });
        }
      }
      await this.repo.recordProgress(job.id, token, progress);
      if (outcomes.includes('skipped')) return 'lost';
    }
    return undefined;
  }

  /** An item that may have reached the provider before its runner died: read, never resent. */
  private async settleItem(
    actor: Actor,
    item: BulkItem,
    patch: BulkInput['patch'],
  ): Promise<string | undefined> {
    try {
      const applied = await this.assistants.settleInterruptedUpdate(actor, item.id, patch);
      return applied
        ? undefined
        : 'the server stopped while this change was being sent; the provider did not take it, and it was not sent again';
    } catch (error) {
      return (error as Error).message;
    }
  }

  /**
   * One bulk item: its error in words, or 'skipped' when the job was cancelled or taken over
   * before its turn came (then nothing is sent).
   */
  private async applyItem(
    job: JobRow,
    token: string,
    actor: Actor,
    item: BulkItem,
    patch: BulkInput['patch'],
  ): Promise<string | 'skipped' | undefined> {
    // A bulk item reads the provider's copy, then writes: two calls at the connection's pace.
    await this.pacer.turn(item.connectionId);
    await this.pacer.turn(item.connectionId);
    if (!(await this.repo.startItem(job.id, token, item.id))) return 'skipped';
    try {
      await this.assistants.update(actor, item.id, patch);
      this.pacer.succeeded(item.connectionId);
      return undefined;
    } catch (error) {
      if (error instanceof ProviderError && error.code === 'provider_rate_limited') {
        this.pacer.slowDown(item.connectionId, parseRetryAfter(error.headers?.['retry-after']));
      }
      return (error as Error).message;
    }
  }
}

type BulkItem = BulkInput['items'][number];

/** The job's creator, acting again for each item (their changes carry their name). */
function actorOf(job: JobRow): Actor {
  return {
    orgId: job.orgId,
    // Checked when the job was started; every item is still checked to be in the organization.
    role: 'editor',
    userId: job.createdByUser,
    apiKeyId: job.createdByApiKey,
    label: job.createdByLabel,
    requestId: `job:${job.id}`,
  };
}

function progressOf(job: JobRow): Progress {
  return { done: job.done, failed: job.failed, errors: job.errors };
}

function addError(errors: JobError[], error: JobError): JobError[] {
  return errors.length >= MAX_JOB_ERRORS ? errors : [...errors, error];
}
