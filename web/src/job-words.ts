// A job's kind, state and progress in words, for the progress bar and the Jobs page. Pure: no React.
import type { Job } from './api.ts';
import { assistantsWords } from './words.ts';

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

type Counts = Pick<Job, 'done' | 'total' | 'failed' | 'imported'>;

/** "12 of 200, 1 failed"; "12 so far" while the total is not known yet; an import's "12 of 200, 9 new". */
export function countWords(job: Counts): string {
  const count = job.total === null ? `${job.done} so far` : `${job.done} of ${job.total}`;
  const parts = [count];
  if (job.imported !== null && job.done > 0) parts.push(`${job.imported} new`);
  if (job.failed > 0) parts.push(`${job.failed} failed`);
  return parts.join(', ');
}

/** Where a job stands, as a sentence: "Running: 12 of 200, 1 failed.", "Cancelled after 3 of 6." */
export function progressWords(job: Pick<Job, 'state'> & Counts): string {
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

/** What an import brought in, once it has ended: how many were new, and how many were here already. */
export function importResultWords(job: Pick<Job, 'done' | 'total' | 'failed' | 'imported'>): string {
  if (job.total === 0) return 'This account has no assistants to import.';
  const count = `${job.done - job.failed} of ${assistantsWords(job.total ?? job.done)}`;
  const inSwitchboard = `${count} on this account are now in Switchboard`;
  // An import from before the count was kept says only what it went through.
  if (job.imported === null) return `${inSwitchboard}; those already here were left as they were.`;
  const already = job.done - job.failed - job.imported;
  return `${inSwitchboard}: ${job.imported} new, ${already} already here and left as they were.`;
}
