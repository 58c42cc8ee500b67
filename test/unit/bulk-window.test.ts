// How many bulk items a job keeps in flight: progress is recorded a window at a time.
import { describe, expect, it } from 'vitest';
import { bulkWindow } from '../../src/jobs/job-runner.ts';

describe('bulk windows', () => {
  it('a small job moves item by item; a large one keeps at most eight in flight', () => {
    expect([1, 6, 20, 21, 100, 160, 1000].map(bulkWindow)).toEqual([1, 1, 1, 2, 5, 8, 8]);
  });
});
