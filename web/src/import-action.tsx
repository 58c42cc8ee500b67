import { useState } from 'react';
import { answer, api, type Connection, describeError, type Job } from './api.ts';
import { ConfirmDialog } from './confirm-dialog.tsx';
import { ErrorMessage } from './error-message.tsx';
import { JobProgress } from './job-progress.tsx';
import { importResultWords, isActive, kindWords } from './job-words.ts';

/**
 * "Import all from this connection": asks first, starts the import job, and follows it with a
 * progress bar; when it ends, says how many came in and links to the list.
 */
export function ImportFromConnection({ connection }: { connection: Connection }) {
  const [confirming, setConfirming] = useState(false);
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [job, setJob] = useState<Job | null>(null);
  const [ended, setEnded] = useState<Job | null>(null);
  const label = kindWords({ kind: 'import' }, connection.name);
  const running = job !== null && ended === null && isActive(job);

  const start = async () => {
    setStarting(true);
    setError(null);
    try {
      const { data } = await answer(
        api.POST('/assistants/import', { body: { connectionId: connection.id, all: true } }),
      );
      if (!('job' in data)) throw new Error('an import of all answered without its job');
      setEnded(null);
      setJob(data.job);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setStarting(false);
      setConfirming(false);
    }
  };

  return (
    <div className="import-result">
      <div className="actions">
        <button type="button" onClick={() => setConfirming(true)} disabled={running || starting}>
          Import all from this connection…
        </button>
      </div>
      {confirming && (
        <ConfirmDialog
          title={`Import every assistant from “${connection.name}”?`}
          confirmLabel={starting ? 'Starting…' : 'Yes, import them'}
          busy={starting}
          onConfirm={() => void start()}
          onCancel={() => setConfirming(false)}
        >
          <p>
            Switchboard brings in each assistant on this account that it does not manage yet; those already
            here are left as they are. It runs in the background, and you can cancel it.
          </p>
        </ConfirmDialog>
      )}
      <ErrorMessage text={error} />
      {job && <JobProgress key={job.id} initial={job} label={label} canCancel focus onFinished={setEnded} />}
      {ended && ended.state !== 'failed' && (
        <p>
          {importResultWords(ended)} <a href="#/assistants">See the assistants</a>
        </p>
      )}
    </div>
  );
}
