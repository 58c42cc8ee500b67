import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { type Assistant, answer, api, type Role, roleAtLeast } from './api.ts';
import { BulkPanel } from './bulk-panel.tsx';
import { connectionLabel } from './connection-words.tsx';
import { ErrorMessage } from './error-message.tsx';
import { useFlash } from './flash.ts';
import { Notice } from './notice.tsx';
import { useLoaded } from './use-loaded.ts';
import { usePages } from './use-pages.ts';
import { useSelection } from './use-selection.ts';
import { assistantsWords, providerName } from './words.ts';

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

const SELECT_PAGE_ID = 'select-page';

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
  const [query, setQuery] = useState('');
  const [search, setSearch] = useState('');
  const deleted = useFlash();
  const canChange = roleAtLeast(role, 'editor');
  const selection = useSelection();
  const [bulkOpen, setBulkOpen] = useState(false);

  const fetchPage = useCallback(
    async (after: string | null) => {
      // An empty filter is left out: the client skips undefined.
      const query = {
        limit: 20,
        q: search || undefined,
        connectionId: connectionId || undefined,
        cursor: after ?? undefined,
      };
      const { data } = await answer(api.GET('/assistants', { params: { query } }));
      return { items: data.items, next: data.nextCursor };
    },
    [search, connectionId],
  );
  const { items, next: cursor, loading, error, load, loadMore } = usePages(fetchPage);

  // A new search or filter starts a new selection: what was chosen may no longer be shown.
  const { clear: clearSelection } = selection;
  useEffect(() => {
    clearSelection();
    setBulkOpen(false);
    void load(null);
  }, [load, clearSelection]);
  const nameOf = (id: string) => {
    const c = connections.find((x) => x.id === id);
    return c ? connectionLabel(c) : '';
  };
  const filtered = connections.find((c) => c.id === connectionId);
  const filteredWords = `${search ? ` matching “${search}”` : ''}${filtered ? ` on “${connectionLabel(filtered)}”` : ''}`;
  const bulkTarget = selection.matching
    ? { filter: { q: search || undefined, connectionId: connectionId || undefined } }
    : { ids: [...selection.ids] };
  const bulkWords = selection.matching
    ? `every assistant${filteredWords}`
    : assistantsWords(selection.ids.size);
  const pageIds = items.map((a) => a.id);
  const wholePageSelected = pageIds.length > 0 && pageIds.every((id) => selection.ids.has(id));
  // Back to the selection, which takes the panel's place.
  const closeBulk = () => {
    setBulkOpen(false);
    selection.clear();
    requestAnimationFrame(() => document.getElementById(SELECT_PAGE_ID)?.focus());
  };

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
      {canChange && items.length > 0 && !bulkOpen && (
        <SelectionBar
          count={selection.ids.size}
          pageSelected={wholePageSelected || selection.matching}
          onSelectPage={(on) => selection.setAll(pageIds, on)}
          matchingWords={selection.matching ? `All assistants${filteredWords} are selected.` : null}
          canSelectMatching={(search !== '' || connectionId !== '') && !selection.matching}
          filteredWords={filteredWords}
          onSelectMatching={selection.selectMatching}
          onClear={selection.clear}
          onChange={() => setBulkOpen(true)}
        />
      )}
      {bulkOpen && (
        <BulkPanel
          target={bulkTarget}
          targetWords={bulkWords}
          onClose={closeBulk}
          onFinished={() => void load(null)}
        />
      )}
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
              {canChange && (
                <th scope="col" className="select">
                  <span className="visually-hidden">Selected</span>
                </th>
              )}
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
                {canChange && (
                  <td className="select">
                    <input
                      type="checkbox"
                      aria-label={`Select ${a.name ?? '(unnamed)'}`}
                      checked={selection.matching || selection.ids.has(a.id)}
                      disabled={selection.matching || bulkOpen}
                      onChange={(e) => selection.toggle(a.id, e.target.checked)}
                    />
                  </td>
                )}
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
        <button type="button" onClick={() => void loadMore()} disabled={loading}>
          {loading ? 'Loading…' : 'Load more'}
        </button>
      )}
    </section>
  );
}

/** What is selected for a bulk change, and the ways to select more or start the change. */
function SelectionBar({
  count,
  pageSelected,
  onSelectPage,
  matchingWords,
  canSelectMatching,
  filteredWords,
  onSelectMatching,
  onClear,
  onChange,
}: {
  count: number;
  /** Every row shown is selected. */
  pageSelected: boolean;
  onSelectPage: (on: boolean) => void;
  /** Set when every assistant the search matches is selected: says so. */
  matchingWords: string | null;
  canSelectMatching: boolean;
  filteredWords: string;
  onSelectMatching: () => void;
  onClear: () => void;
  onChange: () => void;
}) {
  const selected = matchingWords !== null || count > 0;
  return (
    <div className="selection-bar actions">
      <label className="check">
        <input
          id={SELECT_PAGE_ID}
          type="checkbox"
          checked={pageSelected}
          disabled={matchingWords !== null}
          onChange={(e) => onSelectPage(e.target.checked)}
        />
        Select all on this page
      </label>
      <span aria-live="polite">
        {matchingWords ??
          (count > 0 ? `${assistantsWords(count)} selected.` : 'Select assistants to change them together.')}
      </span>
      {canSelectMatching && (
        <button type="button" className="link" onClick={onSelectMatching}>
          Select all{filteredWords}
        </button>
      )}
      {selected && (
        <>
          <button type="button" className="primary" onClick={onChange}>
            Change selected…
          </button>
          <button type="button" onClick={onClear}>
            Clear selection
          </button>
        </>
      )}
    </div>
  );
}
