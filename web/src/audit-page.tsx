import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { type AuditEntry, answer, api } from './api.ts';
import { when } from './dates.ts';
import { ErrorMessage } from './error-message.tsx';
import { changesInWords, fieldWords } from './field-words.ts';
import { FormField } from './form-field.tsx';
import { PageTitle } from './page-title.tsx';
import { usePages } from './use-pages.ts';

type AuditAction = AuditEntry['action'];
type TargetType = AuditEntry['target']['type'];

/** Each action as a sentence's verb; a Record, so an action the API adds fails the type check here. */
export const ACTION_WORDS: Record<AuditAction, string> = {
  'auth.login': 'Signed in',
  'auth.login_failed': 'Failed to sign in',
  'auth.logout': 'Signed out',
  'auth.password_changed': 'Changed their password',
  'auth.password_reset': 'Reset their password',
  'org.created': 'Created the organization',
  'member.added': 'Added a member',
  'member.role_changed': 'Changed a member’s role',
  'member.removed': 'Removed a member',
  'api_key.created': 'Created an API key',
  'api_key.revoked': 'Revoked an API key',
  'assistant.created': 'Created an assistant',
  'assistant.updated': 'Changed an assistant',
  'assistant.deleted': 'Deleted an assistant',
  'assistant.restored': 'Restored a version of an assistant',
  'assistant.synced': 'Synced an assistant from the provider',
  'assistant.imported': 'Imported an assistant',
  'assistant.create_abandoned': 'Dropped an assistant the provider never made',
  'connection.created': 'Added a connection',
  'connection.updated': 'Renamed a connection',
  'connection.key_rotated': 'Updated a connection’s key',
  'connection.deleted': 'Removed a connection',
  'connection.checked': 'Checked a connection',
  'connection.made_default': 'Made a connection the default',
  'invitation.created': 'Invited someone',
  'invitation.revoked': 'Revoked an invitation',
  'invitation.accepted': 'Accepted an invitation',
  'job.started': 'Started a job',
  'job.cancelled': 'Cancelled a job',
  'job.finished': 'A job finished',
};

const TARGET_WORDS: Record<TargetType, string> = {
  user: 'Person',
  organization: 'Organization',
  api_key: 'API key',
  assistant: 'Assistant',
  connection: 'Connection',
  invitation: 'Invitation for',
  job: 'Job',
};

/** The actions in a menu, alphabetical by their words. */
const ACTIONS = (Object.keys(ACTION_WORDS) as AuditAction[]).sort((a, b) =>
  ACTION_WORDS[a].localeCompare(ACTION_WORDS[b]),
);

interface Filters {
  actor: string;
  target: string;
  action: AuditAction | '';
  /** Days as the date inputs give them (`2026-11-30`), in the reader's time zone. */
  from: string;
  to: string;
}

const NO_FILTERS: Filters = { actor: '', target: '', action: '', from: '', to: '' };

/** The start of a local day as an instant; `days` later for the end of a range. */
const dayStart = (day: string, days = 0) => {
  const date = new Date(`${day}T00:00:00`);
  date.setDate(date.getDate() + days);
  return date.toISOString();
};

/** The query of one page; an empty filter is left out (the client skips undefined). */
const query = (filters: Filters, cursor: string | null) => ({
  limit: 50,
  actor: filters.actor.trim() || undefined,
  target: filters.target.trim() || undefined,
  action: filters.action || undefined,
  since: filters.from ? dayStart(filters.from) : undefined,
  until: filters.to ? dayStart(filters.to, 1) : undefined,
  cursor: cursor ?? undefined,
});

const detailValue = (key: string, value: unknown) => {
  if (key === 'changedPaths' && Array.isArray(value)) return changesInWords(value.map(String)) || 'nothing';
  if (Array.isArray(value)) return value.join(', ') || '—';
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids say nothing to a reader (the columns already name who and what): left out of the detail. */
const isIdentifier = (key: string, value: unknown) =>
  /Id$/.test(key) || (typeof value === 'string' && UUID.test(value));

/** What changed or why it failed, in a line. */
function describeDetail(entry: AuditEntry): string {
  // The document leaves `detail` open; a failure's reason is its `error: {message?, code}`.
  const error = entry.detail.error as { message?: string; code?: string } | undefined;
  if (typeof error === 'object' && error !== null) return error.message ?? error.code ?? 'failed';
  return Object.entries(entry.detail)
    .filter(([key, value]) => !isIdentifier(key, value))
    .map(
      ([key, value]) => `${fieldWords(key === 'changedPaths' ? 'changed' : key)}: ${detailValue(key, value)}`,
    )
    .join('; ');
}

const actorName = (entry: AuditEntry) =>
  entry.actor.type === 'system'
    ? 'Switchboard (automatic)'
    : `${entry.actor.label ?? 'someone no longer here'}${entry.actor.type === 'api_key' ? ' (API key)' : ''}`;

/** The target by its name now; a thing that is gone by what the event itself recorded, or as gone. */
function targetName(entry: AuditEntry): string {
  const { type, id, label } = entry.target;
  const recorded = typeof entry.detail.name === 'string' ? entry.detail.name : null;
  const name = label ?? recorded;
  if (name) return `${TARGET_WORDS[type]} ${type === 'user' || type === 'invitation' ? name : `“${name}”`}`;
  return id ? `${TARGET_WORDS[type]} (no longer here)` : TARGET_WORDS[type];
}

export function AuditPage({ orgId }: { orgId: string }) {
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const filtered = Object.values(filters).some(Boolean);

  const fetchPage = useCallback(
    async (cursor: string | null) => {
      const { data } = await answer(
        api.GET('/orgs/{orgId}/audit', { params: { path: { orgId }, query: query(filters, cursor) } }),
      );
      return { items: data.items, next: data.nextCursor };
    },
    [orgId, filters],
  );
  const { items: entries, next, loading, error, load, loadMore } = usePages(fetchPage);

  useEffect(() => {
    void load(null);
  }, [load]);

  const apply = (event: FormEvent) => {
    event.preventDefault();
    setFilters(draft);
  };
  const clear = () => {
    setDraft(NO_FILTERS);
    setFilters(NO_FILTERS);
  };
  const text = (field: 'actor' | 'target', label: string, hint: string) => (
    <FormField id={`audit-${field}`} label={label} hint={hint}>
      {(input) => (
        <input
          {...input}
          type="search"
          maxLength={200}
          value={draft[field]}
          onChange={(e) => setDraft({ ...draft, [field]: e.target.value })}
        />
      )}
    </FormField>
  );
  const day = (field: 'from' | 'to', label: string) => (
    <FormField id={`audit-${field}`} label={label}>
      {(input) => (
        <input
          {...input}
          type="date"
          value={draft[field]}
          onChange={(e) => setDraft({ ...draft, [field]: e.target.value })}
        />
      )}
    </FormField>
  );

  return (
    <section>
      <PageTitle title="Audit log" />
      <p>Every change in this organization, by whom and when, newest first.</p>
      <form onSubmit={apply} className="card filters" aria-label="Filter the audit log">
        {text('actor', 'Who', 'Part of an email or an API key’s name.')}
        {text('target', 'About', 'Part of an assistant’s, connection’s or key’s name, or an email.')}
        <FormField id="audit-action" label="Action">
          {(input) => (
            <select
              {...input}
              value={draft.action}
              onChange={(e) => setDraft({ ...draft, action: e.target.value as Filters['action'] })}
            >
              <option value="">Any action</option>
              {ACTIONS.map((action) => (
                <option key={action} value={action}>
                  {ACTION_WORDS[action]}
                </option>
              ))}
            </select>
          )}
        </FormField>
        {day('from', 'From')}
        {day('to', 'To')}
        <div className="actions">
          <button type="submit" className="primary">
            Filter
          </button>
          {filtered && (
            <button type="button" onClick={clear}>
              Show everything
            </button>
          )}
        </div>
      </form>
      <ErrorMessage text={error} />
      {loading && entries.length === 0 && <p role="status">Loading events…</p>}
      {!loading && !error && entries.length === 0 && (
        <p>{filtered ? 'No events match these filters.' : 'No events yet.'}</p>
      )}
      {entries.length > 0 && (
        <table className="stacked audit">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">About</th>
              <th scope="col">Outcome</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id} className={e.outcome === 'failure' ? 'failed' : undefined}>
                <td data-label="When">{when(e.at)}</td>
                <td data-label="Who">{actorName(e)}</td>
                <td data-label="Action">{ACTION_WORDS[e.action]}</td>
                <td data-label="About">{targetName(e)}</td>
                <td data-label="Outcome">{e.outcome === 'failure' ? 'Failed' : 'Done'}</td>
                <td data-label="Detail">{describeDetail(e)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next && (
        <button type="button" onClick={() => void loadMore()} disabled={loading}>
          {loading ? 'Loading older events…' : 'Show older events'}
        </button>
      )}
    </section>
  );
}
