import { type FormEvent, useCallback, useEffect, useState } from 'react';
import {
  type Assistant,
  type AssistantSummary,
  answer,
  api,
  describeError,
  type Role,
  roleAtLeast,
} from './api.ts';
import { connectionLabel } from './connection-words.tsx';
import { ErrorMessage } from './error-message.tsx';
import { useFlash } from './flash.ts';
import { Notice } from './notice.tsx';
import { useLoaded } from './use-loaded.ts';
import { providerName } from './words.ts';

/** "gpt-4o (OpenAI)": the chosen thing by name, and whose it is. */
const namedBy = (value: string | null | undefined, provider: string | null | undefined) =>
  value
    ? provider
      ? `${value} (${providerName(provider)})`
      : value
    : provider
      ? providerName(provider)
      : '—';

import { PageTitle } from './page-title.tsx';

const SYNC_WORDS: Record<Assistant['syncState'], string> = {
  synced: 'In sync',
  pending: 'Waiting for the provider',
  missing: 'Gone at the provider',
};

export function AssistantsPage({ role, orgId }: { role: Role; orgId: string }) {
  const loadConnections = useCallback(
    async () => (await answer(api.GET('/orgs/{orgId}/connections', { params: { path: { orgId } } }))).data,
    [orgId],
  );
  // Only to name each assistant's connection and to filter by one; the list works without it.
  const { data: connections } = useLoaded(loadConnections, []);
  const [connectionId, setConnectionId] = useState('');
  const [items, setItems] = useState<AssistantSummary[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [query, setQuery] = useState('');
  const [search, setSearch] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const deleted = useFlash();

  const load = useCallback(async (q: string, connection: string, after: string | null) => {
    setLoading(true);
    setError(null);
    try {
      // An empty filter is left out: the client skips undefined.
      const query = {
        limit: 20,
        q: q || undefined,
        connectionId: connection || undefined,
        cursor: after ?? undefined,
      };
      const { data } = await answer(api.GET('/assistants', { params: { query } }));
      setItems((previous) => (after ? [...previous, ...data.items] : data.items));
      setCursor(data.nextCursor);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    void load(search, connectionId, null);
  }, [load, search, connectionId]);
  const nameOf = (id: string) => {
    const c = connections.find((x) => x.id === id);
    return c ? connectionLabel(c) : '';
  };
  const filtered = connections.find((c) => c.id === connectionId);

  const submitSearch = (event: FormEvent) => {
    event.preventDefault();
    setSearch(query.trim());
  };

  return (
    <section>
      <div className="heading">
        <PageTitle title="Assistants" />
        {roleAtLeast(role, 'editor') && (
          <a className="button primary" href="#/assistants/new">
            New assistant
          </a>
        )}
      </div>
      <form onSubmit={submitSearch} className="search" aria-label="Search assistants">
        <label htmlFor="search">Search by name</label>
        <input id="search" type="search" value={query} onChange={(e) => setQuery(e.target.value)} />
        <button type="submit">Search</button>
        {connections.length > 1 && (
          <>
            <label htmlFor="connection-filter">Connection</label>
            <select
              id="connection-filter"
              value={connectionId}
              onChange={(e) => setConnectionId(e.target.value)}
            >
              <option value="">All connections</option>
              {connections.map((c) => (
                <option key={c.id} value={c.id}>
                  {connectionLabel(c)}
                </option>
              ))}
            </select>
          </>
        )}
      </form>
      <Notice notice={deleted} focus />
      <ErrorMessage text={error} />
      {loading && items.length === 0 && <p role="status">Loading assistants…</p>}
      {!loading && items.length === 0 && !error && (
        <p>
          No assistants{search ? ` match “${search}”` : filtered ? '' : ' yet'}
          {filtered ? ` on “${connectionLabel(filtered)}”` : ''}.
        </p>
      )}
      {items.length > 0 && (
        <table className="stacked">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Connection</th>
              <th scope="col">Model</th>
              <th scope="col">Voice</th>
              <th scope="col">Version</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {items.map((a) => (
              <tr key={a.id}>
                <td data-label="Name">
                  <a href={`#/assistants/${a.id}`}>{a.name ?? '(unnamed)'}</a>
                </td>
                <td data-label="Connection">{nameOf(a.connectionId)}</td>
                <td data-label="Model">{namedBy(a.model?.model, a.model?.provider)}</td>
                <td data-label="Voice">{namedBy(a.voice?.voiceId, a.voice?.provider)}</td>
                <td data-label="Version">{a.version}</td>
                <td data-label="State">{SYNC_WORDS[a.syncState]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {cursor && (
        <button type="button" onClick={() => void load(search, connectionId, cursor)} disabled={loading}>
          {loading ? 'Loading…' : 'Load more'}
        </button>
      )}
    </section>
  );
}
