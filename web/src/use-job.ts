import { useEffect, useState } from 'react';
import { answer, api, describeError, type Job } from './api.ts';
import { isActive } from './job-words.ts';

/** How often a queued or running job is asked for again. */
const POLL_MS = 500;

/**
 * A job as it is now: asked for every half second while it is queued or running, and no more
 * once it has finished. `replace` takes a newer copy (a cancel's answer); `error` is the last
 * failed look, in words (looking goes on).
 */
export function useJob(initial: Job) {
  const [job, setJob] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const active = isActive(job);

  // Each new copy of the job (even an unchanged one after a failed look) schedules the next look.
  useEffect(() => {
    if (!active) return;
    let current = true;
    const timer = setTimeout(async () => {
      try {
        const { data } = await answer(api.GET('/jobs/{id}', { params: { path: { id: job.id } } }));
        if (current) {
          setJob(data);
          setError(null);
        }
      } catch (e) {
        if (current) {
          setError(describeError(e));
          setJob((same) => ({ ...same })); // look again after the same wait
        }
      }
    }, POLL_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [job, active]);

  return { job, error, replace: setJob };
}
