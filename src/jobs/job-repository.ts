// SQL for jobs, nothing else. A runner owns a job while its `runner_token` is set and its lease
// is live; every progress write names the token, so a runner that lost the job writes nothing.
import { and, desc, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import { type AuditEvent, writeAudit } from '../audit/audit-log.ts';
import type { Database } from '../db/database.ts';
import { olderThan } from '../db/keyset.ts';
import { type JobRow, jobs } from '../db/schema.ts';

export type JobKind = 'import' | 'bulk';
export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export type JobError = { assistantId?: string; message: string };

/** At most this many errors are kept, the first ones. */
export const MAX_JOB_ERRORS = 100;
const UNFINISHED: JobState[] = ['queued', 'running'];

export interface NewJob {
  orgId: string;
  kind: JobKind;
  connectionId: string | null;
  input: Record<string, unknown>;
  total: number | null;
  /** 0 for an import, null for a bulk change. */
  imported: number | null;
  createdByUser: string | null;
  createdByApiKey: string | null;
  createdByLabel: string;
}

export interface Progress {
  done: number;
  failed: number;
  errors: JobError[];
  total?: number;
  /** An import's new assistants so far. */
  imported?: number;
}

export class JobRepository {
  constructor(private readonly db: Database) {}

  async insert(job: NewJob, audit: AuditEvent): Promise<JobRow> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx.insert(jobs).values(job).returning();
      if (!row) throw new Error('the job was not stored');
      await writeAudit(tx, { ...audit, targetId: row.id });
      return row;
    });
  }

  async findInOrg(orgId: string, id: string): Promise<JobRow | undefined> {
    const [row] = await this.db
      .select()
      .from(jobs)
      .where(and(eq(jobs.orgId, orgId), eq(jobs.id, id)))
      .limit(1);
    return row;
  }

  async findById(id: string): Promise<JobRow | undefined> {
    const [row] = await this.db.select().from(jobs).where(eq(jobs.id, id)).limit(1);
    return row;
  }

  /** Newest first, `limit` at a time, older than `before` when given. */
  async list(orgId: string, limit: number, before?: { createdAt: Date; id: string }): Promise<JobRow[]> {
    return this.db
      .select()
      .from(jobs)
      .where(and(eq(jobs.orgId, orgId), before ? olderThan(jobs.createdAt, jobs.id, before) : undefined))
      .orderBy(desc(jobs.createdAt), desc(jobs.id))
      .limit(limit);
  }

  /**
   * Claims the oldest job that is queued, or running under a lease nobody renewed (its server
   * died), for `token`; `skip locked` lets servers claim side by side without waiting.
   */
  async claim(token: string, leaseMs: number): Promise<JobRow | undefined> {
    const [row] = await this.db
      .update(jobs)
      .set({
        state: 'running',
        runnerToken: token,
        leaseExpiresAt: sql`now() + make_interval(secs => ${leaseMs / 1000})`,
        startedAt: sql`coalesce(${jobs.startedAt}, now())`,
      })
      .where(
        eq(
          jobs.id,
          sql`(select id from ${jobs}
            where state = 'queued'
               or (state = 'running' and (lease_expires_at is null or lease_expires_at < now()))
            order by created_at
            limit 1
            for update skip locked)`,
        ),
      )
      .returning();
    return row;
  }

  /** Extends the lease; false when the job is no longer this runner's to run (cancelled, or lost). */
  async renew(id: string, token: string, leaseMs: number): Promise<boolean> {
    const renewed = await this.db
      .update(jobs)
      .set({ leaseExpiresAt: sql`now() + make_interval(secs => ${leaseMs / 1000})` })
      .where(and(eq(jobs.id, id), eq(jobs.runnerToken, token), eq(jobs.state, 'running')))
      .returning({ id: jobs.id });
    return renewed.length > 0;
  }

  /**
   * Records that `items` are about to reach the provider; false (and nothing recorded) when the job
   * was cancelled or taken over, so the runner sends nothing.
   */
  async startItems(id: string, token: string, items: string[]): Promise<boolean> {
    const started = await this.db
      .update(jobs)
      .set({ inFlight: items })
      .where(and(eq(jobs.id, id), eq(jobs.runnerToken, token), eq(jobs.state, 'running')))
      .returning({ id: jobs.id });
    return started.length > 0;
  }

  /** Records progress and that no item is in flight; `db` lets a batch's own transaction do it. */
  async recordProgress(id: string, token: string, progress: Progress, db: Database = this.db): Promise<void> {
    await db
      .update(jobs)
      .set({ ...progress, inFlight: null })
      .where(and(eq(jobs.id, id), eq(jobs.runnerToken, token)));
  }

  /** Adds an error to the first ones kept, leaving the progress as it is. */
  async addError(id: string, token: string, error: JobError): Promise<void> {
    await this.db
      .update(jobs)
      .set({
        errors: sql`case when jsonb_array_length(${jobs.errors}) < ${MAX_JOB_ERRORS}
          then ${jobs.errors} || jsonb_build_array(${JSON.stringify(error)}::jsonb) else ${jobs.errors} end`,
      })
      .where(and(eq(jobs.id, id), eq(jobs.runnerToken, token)));
  }

  /**
   * Ends a running job with its final state and audit event, which records how far it got; a
   * cancelled job keeps `cancelled`.
   */
  async finish(id: string, token: string, state: JobState, audit: AuditEvent): Promise<void> {
    await this.db.transaction(async (tx) => {
      const finished = await tx
        .update(jobs)
        .set({
          state: sql`case when ${jobs.state} = 'running' then ${state} else ${jobs.state} end`,
          finishedAt: sql`coalesce(${jobs.finishedAt}, now())`,
          runnerToken: null,
          leaseExpiresAt: null,
          inFlight: null,
        })
        .where(and(eq(jobs.id, id), eq(jobs.runnerToken, token)))
        .returning({
          state: jobs.state,
          total: jobs.total,
          done: jobs.done,
          failed: jobs.failed,
          imported: jobs.imported,
        });
      const [final] = finished;
      if (!final) return;
      const { imported, ...counts } = final;
      const detail = { ...audit.detail, ...counts, ...(imported === null ? {} : { imported }) };
      await writeAudit(tx, { ...audit, detail });
    });
  }

  /** A runner stopping cleanly gives its job back for the next claim at once. */
  async giveBack(id: string, token: string): Promise<void> {
    await this.db
      .update(jobs)
      .set({ runnerToken: null, leaseExpiresAt: null })
      .where(and(eq(jobs.id, id), eq(jobs.runnerToken, token)));
  }

  /** Cancels an unfinished job; undefined when it had already finished. */
  async cancel(orgId: string, id: string, audit: AuditEvent): Promise<JobRow | undefined> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx
        .update(jobs)
        .set({ state: 'cancelled', finishedAt: sql`now()` })
        .where(and(eq(jobs.orgId, orgId), eq(jobs.id, id), inArray(jobs.state, UNFINISHED)))
        .returning();
      if (row) await writeAudit(tx, audit);
      return row;
    });
  }

  /**
   * Adds `item` to the items that may reach the provider, just before its write; false (and
   * nothing recorded) when the job was cancelled or taken over, so the runner sends nothing.
   */
  async startItem(id: string, token: string, item: string): Promise<boolean> {
    const started = await this.db
      .update(jobs)
      .set({ inFlight: sql`coalesce(${jobs.inFlight}, '[]'::jsonb) || jsonb_build_array(${item}::text)` })
      .where(and(eq(jobs.id, id), eq(jobs.runnerToken, token), eq(jobs.state, 'running')))
      .returning({ id: jobs.id });
    return started.length > 0;
  }

  /** Whether a runner still has an item of the job at the provider. */
  async hasItemInFlight(id: string): Promise<boolean> {
    const [row] = await this.db
      .select({ id: jobs.id })
      .from(jobs)
      .where(
        and(
          eq(jobs.id, id),
          sql`${jobs.inFlight} is not null`,
          or(isNull(jobs.leaseExpiresAt), sql`${jobs.leaseExpiresAt} > now()`),
          sql`${jobs.runnerToken} is not null`,
        ),
      )
      .limit(1);
    return row !== undefined;
  }

  /** Makes every running job claimable at once: only for a database no other process has open (PGlite). */
  async releaseAll(): Promise<void> {
    await this.db
      .update(jobs)
      .set({ runnerToken: null, leaseExpiresAt: null })
      .where(eq(jobs.state, 'running'));
  }
}
