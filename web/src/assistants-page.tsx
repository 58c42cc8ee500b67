import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { type Assistant, api, describeError, type Role, roleAtLeast } from './api.ts';
import { ErrorMessage } from './error-message.tsx';

interface Page {
  items: Assistant[];
  nextCursor: string | null;
}

export function AssistantsPage({ role }: { role: Role }) {
  const [items, setItems] = useState<Assistant[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [query, setQuery] = useState('');
  const [search, setSearch] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);

  const load = useCallback(async (q: string, after: string | null) => {
    setLoading(true);
    setError(null);
    try {
      const params = new URLSearchParams({ limit: '20' });
      if (q) params.set('q', q);
      if (after) params.set('cursor', after);
      const { data } = await api<Page>('GET', `/assistants?${params}`);
      setItems((previous) => (after ? [...previous, ...data.items] : data.items));
      setCursor(data.nextCursor);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    void load(search, null);
  }, [load, search]);

  const submitSearch = (event: FormEvent) => {
    event.preventDefault();
    setSearch(query.trim());
  };

  return (
    <section>
      <div className="heading">
        <h1>Assistants</h1>
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
      </form>
      <ErrorMessage text={error} />
      {!loading && items.length === 0 && !error && (
        <p>No assistants{search ? ` match “${search}”` : ' yet'}.</p>
      )}
      {items.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Model</th>
              <th scope="col">Voice</th>
              <th scope="col">Version</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {items.map((a) => (
              <tr key={a.id}>
                <td>
                  <a href={`#/assistants/${a.id}`}>{a.name ?? '(unnamed)'}</a>
                </td>
                <td>{[a.model?.provider, a.model?.model].filter(Boolean).join(' / ')}</td>
                <td>{[a.voice?.provider, a.voice?.voiceId].filter(Boolean).join(' / ')}</td>
                <td>{a.version}</td>
                <td>{a.syncState}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {cursor && (
        <button type="button" onClick={() => void load(search, cursor)} disabled={loading}>
          {loading ? 'Loading…' : 'Load more'}
        </button>
      )}
    </section>
  );
}
