import { useCallback, useEffect, useState } from 'react';
import { answer, api, type Job, type Role, roleAtLeast } from './api.ts';
import { when } from './dates.ts';
import { ErrorMessage } from './error-message.tsx';
import { JobErrors, JobProgress } from './job-progress.tsx';
import { isActive, kindWords, progressWords, STATE_WORDS } from './job-words.ts';
import { PageTitle } from './page-title.tsx';
import { useLoaded } from './use-loaded.ts';
import { usePages } from './use-pages.ts';

const PAGE_SIZE = 20;

/** The organization's jobs, newest first: what each did, who started it and when, and how it went. */
export function JobsPage({ orgId, role }: { orgId: string; role: Role }) {
  const loadConnections = useCallback(
    async () => (await answer(api.GET('/orgs/{orgId}/connections', { params: { path: { orgId } } }))).data,
    [orgId],
  );
  // Only to name an import's connection; the list works without it.
  const { data: connections } = useLoaded(loadConnections, []);
  const fetchPage = useCallback(async (cursor: string | null) => {
    const query = { limit: PAGE_SIZE, cursor: cursor ?? undefined };
    const { data } = await answer(api.GET('/jobs', { params: { query } }));
    return { items: data.items, next: data.nextCursor };
  }, []);
  const { items: jobs, next, loading, error, load, loadMore } = usePages(fetchPage);

  useEffect(() => {
    void load(null);
  }, [load]);

  const connectionName = (id: string | null) => connections.find((c) => c.id === id)?.name;

  return (
    <section>
      <PageTitle title="Jobs" />
      <p>Imports and bulk changes run in the background; each one’s progress and errors are here.</p>
      <ErrorMessage text={error} />
      {loading && jobs.length === 0 && <p role="status">Loading jobs…</p>}
      {!loading && jobs.length === 0 && !error && <p>No jobs yet.</p>}
      {jobs.length > 0 && (
        <ul className="jobs">
          {jobs.map((job) => (
            <li key={job.id}>
              <JobCard
                job={job}
                title={kindWords(job, connectionName(job.connectionId))}
                canCancel={roleAtLeast(role, 'editor')}
              />
            </li>
          ))}
        </ul>
      )}
      {next && (
        <button type="button" onClick={() => void loadMore()} disabled={loading}>
          {loading ? 'Loading…' : 'Load older jobs'}
        </button>
      )}
    </section>
  );
}

/** One job; one that is queued or running when the page opens keeps its moving bar, and its badge follows its state. */
function JobCard({ job: listed, title, canCancel }: { job: Job; title: string; canCancel: boolean }) {
  const [job, setJob] = useState(listed);
  const [followed] = useState(() => isActive(listed));
  const headingId = `job-${job.id}`;
  return (
    <article className="card job" aria-labelledby={headingId}>
      <div className="heading">
        <h2 id={headingId}>{title}</h2>
        <span className={`badge job-${job.state}`}>{STATE_WORDS[job.state]}</span>
      </div>
      <dl className="facts">
        <div>
          <dt>Started by</dt>
          <dd>{job.createdBy}</dd>
        </div>
        <div>
          <dt>When</dt>
          <dd>{when(job.createdAt)}</dd>
        </div>
        {job.finishedAt && (
          <div>
            <dt>Ended</dt>
            <dd>{when(job.finishedAt)}</dd>
          </div>
        )}
      </dl>
      {followed ? (
        <JobProgress
          initial={listed}
          label={title}
          canCancel={canCancel}
          showBarWhenFinished={false}
          onStateChange={setJob}
        />
      ) : (
        <>
          <p className={`job-words state-${job.state}`}>{progressWords(job)}</p>
          <JobErrors job={job} />
        </>
      )}
    </article>
  );
}
