import { useEffect, useRef, useState } from 'react';
import { answer, api, describeError, type Job } from './api.ts';
import { ConfirmDialog } from './confirm-dialog.tsx';
import { ErrorMessage } from './error-message.tsx';
import { isActive, progressWords } from './job-words.ts';
import { useAssistantNames } from './use-assistant-names.ts';
import { useJob } from './use-job.ts';
import { sentence } from './words.ts';

/** Errors listed by name; the job keeps up to 100, and a page shows the first few. */
const ERRORS_SHOWN = 10;

/** A job's errors in words, each with its assistant's name when it is known. */
export function JobErrors({ job }: { job: Pick<Job, 'id' | 'errors'> }) {
  const shown = job.errors.slice(0, ERRORS_SHOWN);
  const names = useAssistantNames(shown.flatMap((e) => (e.assistantId ? [e.assistantId] : [])));
  if (shown.length === 0) return null;
  const headingId = `job-errors-${job.id}`;
  return (
    <div className="job-errors">
      <h3 id={headingId} className="job-errors-title">
        What failed
      </h3>
      <ul aria-labelledby={headingId}>
        {shown.map((e, index) => {
          const name = e.assistantId ? names[e.assistantId] : undefined;
          return (
            // Errors never change order or go away: the position is their identity.
            // biome-ignore lint/suspicious/noArrayIndexKey: see above.
            <li key={index}>
              {e.assistantId ? <a href={`#/assistants/${e.assistantId}`}>{name ?? 'An assistant'}</a> : null}
              {e.assistantId ? ': ' : ''}
              {sentence(e.message)}
            </li>
          );
        })}
      </ul>
      {job.errors.length > shown.length && <p>…and {job.errors.length - shown.length} more.</p>}
    </div>
  );
}

/**
 * A job's progress as a bar that moves while it runs (it asks for the job every half second), in
 * words ("Running: 12 of 200, 1 failed."), with its errors and, for editors, a Cancel that asks
 * first. `focus` takes the keyboard to the words when it appears (after the action that started it).
 */
export function JobProgress({
  initial,
  label,
  canCancel,
  focus = false,
  showBarWhenFinished = true,
  onFinished,
  onStateChange,
}: {
  initial: Job;
  /** What the bar measures, for screen readers: "Bulk change", "Import from “Production”". */
  label: string;
  canCancel: boolean;
  focus?: boolean;
  showBarWhenFinished?: boolean;
  onFinished?: (job: Job) => void;
  /** Each time the job's state changes (queued → running → how it ended). */
  onStateChange?: (job: Job) => void;
}) {
  const { job, error, replace } = useJob(initial);
  const [confirming, setConfirming] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const [cancelError, setCancelError] = useState<string | null>(null);
  /** After a cancel, the words take the keyboard once the dialog has closed (a modal keeps it till then). */
  const [refocus, setRefocus] = useState(false);
  const words = useRef<HTMLParagraphElement>(null);
  const active = isActive(job);
  const wasActive = useRef(active);

  useEffect(() => {
    if (focus) words.current?.focus();
  }, [focus]);

  useEffect(() => {
    if (!refocus || confirming) return;
    words.current?.focus();
    setRefocus(false);
  }, [refocus, confirming]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: said when the state changes, not on each look.
  useEffect(() => {
    onStateChange?.(job);
  }, [job.state]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: said once, when the job stops.
  useEffect(() => {
    if (wasActive.current && !active) onFinished?.(job);
    wasActive.current = active;
  }, [active]);

  const cancel = async () => {
    setCancelling(true);
    setCancelError(null);
    try {
      const { data } = await answer(api.POST('/jobs/{id}/cancel', { params: { path: { id: job.id } } }));
      replace(data);
    } catch (e) {
      setCancelError(describeError(e)); // a 409: it finished meanwhile, as the next look shows
    } finally {
      setCancelling(false);
      setConfirming(false);
      setRefocus(true);
    }
  };

  const known = job.total !== null;
  const max = Math.max(job.total ?? 0, 1);
  return (
    <div className="job-progress">
      {(active || showBarWhenFinished) && (
        <progress
          aria-label={label}
          max={max}
          // No value while the total is unknown: the bar shows work without a measure.
          value={known ? (job.total === 0 && !active ? max : job.done) : undefined}
        />
      )}
      <p ref={words} tabIndex={-1} role="status" className={`job-words state-${job.state}`}>
        {progressWords(job)}
      </p>
      <ErrorMessage text={error && `Could not check on the job: ${error}`} />
      <ErrorMessage text={cancelError} />
      <JobErrors job={job} />
      {canCancel && active && (
        <div className="actions">
          <button type="button" className="danger" onClick={() => setConfirming(true)}>
            Cancel job…
          </button>
        </div>
      )}
      {confirming && (
        <ConfirmDialog
          title="Cancel this job?"
          confirmLabel={cancelling ? 'Cancelling…' : 'Yes, cancel it'}
          cancelLabel="Keep it running"
          danger
          busy={cancelling}
          onConfirm={() => void cancel()}
          onCancel={() => setConfirming(false)}
        >
          <p>
            No new item starts. What is done stays done ({job.done}
            {known ? ` of ${job.total}` : ''} so far).
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}
