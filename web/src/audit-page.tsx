import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { type AuditEntry, answer, api, describeError } from './api.ts';
import { ErrorMessage } from './error-message.tsx';

interface Filters {
  targetId: string;
  actorId: string;
}

/** The query of one page; an empty filter is left out (the client skips undefined). */
const query = (filters: Filters, cursor: string | null) => ({
  limit: 50,
  targetId: filters.targetId.trim() || undefined,
  actorId: filters.actorId.trim() || undefined,
  cursor: cursor ?? undefined,
});

/** What changed or why it failed, in a line. */
function describeDetail(entry: AuditEntry): string {
  // The document leaves `detail` open; a failure's reason is its `error: {message?, code}`.
  const error = entry.detail.error as { message?: string; code?: string } | undefined;
  if (typeof error === 'object' && error !== null) return error.message ?? error.code ?? 'failed';
  return Object.entries(entry.detail)
    .map(([key, value]) => `${key}: ${Array.isArray(value) ? value.join(', ') || '—' : String(value)}`)
    .join('; ');
}

const actorName = (entry: AuditEntry) =>
  entry.actor.type === 'system'
    ? 'Switchboard'
    : `${entry.actor.label ?? entry.actor.id ?? 'unknown'}${entry.actor.type === 'api_key' ? ' (API key)' : ''}`;

export function AuditPage({ orgId }: { orgId: string }) {
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [draft, setDraft] = useState<Filters>({ targetId: '', actorId: '' });
  const [filters, setFilters] = useState<Filters>(draft);

  const load = useCallback(
    async (cursor: string | null) => {
      setError(null);
      try {
        const page = (
          await answer(
            api.GET('/orgs/{orgId}/audit', { params: { path: { orgId }, query: query(filters, cursor) } }),
          )
        ).data;
        setEntries((shown) => (cursor ? [...shown, ...page.items] : page.items));
        setNextCursor(page.nextCursor);
      } catch (e) {
        setError(describeError(e));
      }
    },
    [orgId, filters],
  );

  useEffect(() => {
    void load(null);
  }, [load]);

  const apply = (event: FormEvent) => {
    event.preventDefault();
    setFilters(draft);
  };

  return (
    <section>
      <h1>Audit log</h1>
      <form onSubmit={apply} className="card inline" aria-label="Filter the audit log">
        <div className="field">
          <label htmlFor="audit-target">Target id</label>
          <input
            id="audit-target"
            value={draft.targetId}
            onChange={(e) => setDraft({ ...draft, targetId: e.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor="audit-actor">Actor id (user or key)</label>
          <input
            id="audit-actor"
            value={draft.actorId}
            onChange={(e) => setDraft({ ...draft, actorId: e.target.value })}
          />
        </div>
        <button type="submit">Filter</button>
      </form>
      <ErrorMessage text={error} />
      <table>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">Action</th>
            <th scope="col">Target</th>
            <th scope="col">Outcome</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          {entries.length === 0 && (
            <tr>
              <td colSpan={6}>No events.</td>
            </tr>
          )}
          {entries.map((e) => (
            <tr key={e.id} className={e.outcome === 'failure' ? 'failed' : undefined}>
              <td>{new Date(e.at).toLocaleString()}</td>
              <td>{actorName(e)}</td>
              <td>{e.action}</td>
              <td>
                {e.target.type} <code>{e.target.id ?? '—'}</code>
              </td>
              <td>{e.outcome}</td>
              <td>{describeDetail(e)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {nextCursor && (
        <button type="button" onClick={() => void load(nextCursor)}>
          Load older events
        </button>
      )}
    </section>
  );
}
