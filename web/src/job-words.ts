// A job's kind, state and progress in words, for the progress bar and the Jobs page. Pure: no React.
import type { Job } from './api.ts';

export type JobState = Job['state'];

const ACTIVE: readonly JobState[] = ['queued', 'running'];

/** Queued or running: it may still move, and it can be cancelled. */
export const isActive = (job: Pick<Job, 'state'>) => ACTIVE.includes(job.state);

/** Each state as a badge says it; a Record, so a state the API adds fails the type check here. */
export const STATE_WORDS: Record<JobState, string> = {
  queued: 'Waiting to start',
  running: 'Running',
  succeeded: 'Finished',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** "12 of 200, 1 failed"; "12 so far" while the total is not known yet. */
export function countWords(job: Pick<Job, 'done' | 'total' | 'failed'>): string {
  const count = job.total === null ? `${job.done} so far` : `${job.done} of ${job.total}`;
  return job.failed > 0 ? `${count}, ${job.failed} failed` : count;
}

/** Where a job stands, as a sentence: "Running: 12 of 200, 1 failed.", "Cancelled after 3 of 6." */
export function progressWords(job: Pick<Job, 'state' | 'done' | 'total' | 'failed'>): string {
  switch (job.state) {
    case 'queued':
      return 'Waiting to start.';
    case 'running':
      return `Running: ${countWords(job)}.`;
    case 'succeeded':
      return `Finished: ${countWords(job)}.`;
    case 'failed':
      return `Failed after ${countWords(job)}.`;
    case 'cancelled':
      return `Cancelled after ${countWords(job)}.`;
  }
}

/** "Import from Production", "Bulk change": what the job does, naming an import's connection. */
export function kindWords(job: Pick<Job, 'kind'>, connectionName: string | undefined): string {
  if (job.kind === 'bulk') return 'Bulk change';
  return connectionName ? `Import from “${connectionName}”` : 'Import from a removed connection';
}
