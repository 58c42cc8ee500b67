import { type FormEvent, useCallback, useEffect, useState } from 'react';
import {
  ApiError,
  type Assistant,
  answer,
  api,
  type Connection,
  describeError,
  type Role,
  roleAtLeast,
  type Version,
} from './api.ts';
import { AssistantConnection } from './assistant-connection.tsx';
import { AssistantFields } from './assistant-fields.tsx';
import {
  type FieldName,
  type FormValues,
  formFromAssistant,
  patchBody,
  problemsByField,
} from './assistant-form.ts';
import { ErrorMessage } from './error-message.tsx';
import { useProviderChoices } from './provider-choices.ts';
import { navigate } from './use-route.ts';

interface Loaded {
  assistant: Assistant;
  etag: string | null;
  initial: FormValues;
}

export function AssistantPage({ id, role, orgId }: { id: string; role: Role; orgId: string }) {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [values, setValues] = useState<FormValues | null>(null);
  const [errors, setErrors] = useState<Partial<Record<FieldName, string>>>({});
  const [message, setMessage] = useState<{ kind: 'error' | 'ok'; text: string; reload?: boolean } | null>(
    null,
  );
  const [busy, setBusy] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [versions, setVersions] = useState<Version[]>([]);
  const [connection, setConnection] = useState<{ data: Connection | null; error: string | null }>({
    data: null,
    error: null,
  });
  const canEdit = roleAtLeast(role, 'editor');
  const menus = useProviderChoices(loaded?.assistant.provider);

  const show = useCallback((assistant: Assistant, etag: string | null) => {
    const initial = formFromAssistant(assistant);
    setLoaded({ assistant, etag, initial });
    setValues(initial);
    setErrors({});
  }, []);

  const loadVersions = useCallback(async () => {
    try {
      const { data } = await answer(
        api.GET('/assistants/{id}/versions', { params: { path: { id }, query: { limit: 20 } } }),
      );
      setVersions(data.items);
    } catch {
      setVersions([]);
    }
  }, [id]);

  // Loaded again after every action: a provider call can find the key refused (or working again).
  const loadConnection = useCallback(
    async (connectionId: string) => {
      try {
        const { data } = await answer(
          api.GET('/orgs/{orgId}/connections/{connectionId}', { params: { path: { orgId, connectionId } } }),
        );
        setConnection({ data, error: null });
      } catch (e) {
        setConnection({ data: null, error: describeError(e) });
      }
    },
    [orgId],
  );

  const load = useCallback(async () => {
    setMessage(null);
    try {
      const { data, etag } = await answer(api.GET('/assistants/{id}', { params: { path: { id } } }));
      show(data, etag);
      await Promise.all([loadVersions(), loadConnection(data.connectionId)]);
    } catch (e) {
      setMessage({ kind: 'error', text: describeError(e) });
    }
  }, [id, show, loadVersions, loadConnection]);

  useEffect(() => {
    void load();
  }, [load]);

  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setMessage(null);
    try {
      await action();
    } catch (e) {
      if (e instanceof ApiError && e.status === 400 && e.details.length > 0) {
        const { fields, other } = problemsByField(e.details);
        setErrors(fields);
        setMessage({
          kind: 'error',
          text:
            other.length > 0 ? other.join('; ') : 'Please correct the highlighted fields. Nothing was saved.',
        });
      } else {
        setMessage({
          kind: 'error',
          text: describeError(e),
          reload: e instanceof ApiError && e.status === 412,
        });
      }
    } finally {
      setBusy(false);
      if (loaded) void loadConnection(loaded.assistant.connectionId);
    }
  };

  const save = (event: FormEvent) => {
    event.preventDefault();
    if (!loaded || !values) return;
    const body = patchBody(loaded.initial, values);
    if (Object.keys(body).length === 0) {
      setMessage({ kind: 'ok', text: 'Nothing changed.' });
      return;
    }
    void run(async () => {
      setErrors({});
      const header = loaded.etag ? { 'if-match': loaded.etag } : {};
      const { data, etag } = await answer(
        api.PATCH('/assistants/{id}', { params: { path: { id }, header }, body }),
      );
      show(data, etag);
      await loadVersions();
      setMessage({ kind: 'ok', text: `Saved as version ${data.version}.` });
    });
  };

  const remove = () =>
    void run(async () => {
      await answer(api.DELETE('/assistants/{id}', { params: { path: { id } } }));
      navigate('/assistants');
    });

  const sync = () =>
    void run(async () => {
      const { data, etag } = await answer(api.POST('/assistants/{id}/sync', { params: { path: { id } } }));
      show(data, etag);
      await loadVersions();
      setMessage({ kind: 'ok', text: `Read from the provider: version ${data.version}.` });
    });

  const restore = (n: number) =>
    void run(async () => {
      const { data, etag } = await answer(
        api.POST('/assistants/{id}/versions/{n}/restore', { params: { path: { id, n } } }),
      );
      show(data, etag);
      await loadVersions();
      setMessage({ kind: 'ok', text: `Restored version ${n} as version ${data.version}.` });
    });

  if (!loaded || !values) {
    return message ? <ErrorMessage text={message.text} /> : <p>Loading…</p>;
  }
  const a = loaded.assistant;

  return (
    <section>
      <div className="heading">
        <h1>{a.name ?? '(unnamed)'}</h1>
        <span className={`badge ${a.syncState}`}>
          version {a.version} · {a.syncState}
        </span>
      </div>
      <AssistantConnection
        connection={connection.data}
        error={connection.error}
        isAdmin={roleAtLeast(role, 'admin')}
      />
      <form noValidate onSubmit={save} className="card" aria-label="Assistant settings">
        <AssistantFields
          values={values}
          errors={errors}
          readOnly={!canEdit}
          onChange={(f, v) => setValues({ ...values, [f]: v })}
          menus={menus}
        />
        {message && (
          <p
            role={message.kind === 'error' ? 'alert' : 'status'}
            className={message.kind === 'error' ? 'error' : 'ok'}
          >
            {message.text}{' '}
            {message.reload && (
              <button type="button" onClick={() => void load()}>
                Reload
              </button>
            )}
          </p>
        )}
        {canEdit && (
          <div className="actions">
            <button type="submit" className="primary" disabled={busy}>
              {busy ? 'Saving…' : 'Save changes'}
            </button>
            <button type="button" onClick={sync} disabled={busy}>
              Sync from provider
            </button>
            {roleAtLeast(role, 'admin') &&
              (confirmDelete ? (
                <fieldset className="confirm">
                  <legend>Delete “{a.name}” at the provider and here?</legend>
                  <button type="button" className="danger" onClick={remove} disabled={busy}>
                    Yes, delete
                  </button>{' '}
                  <button type="button" onClick={() => setConfirmDelete(false)}>
                    Keep it
                  </button>
                </fieldset>
              ) : (
                <button type="button" className="danger" onClick={() => setConfirmDelete(true)}>
                  Delete…
                </button>
              ))}
          </div>
        )}
      </form>
      <h2>History</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">When</th>
            <th scope="col">Source</th>
            <th scope="col">What changed</th>
            {canEdit && <th scope="col">Restore</th>}
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => (
            <tr key={v.version}>
              <td>{v.version}</td>
              <td>{new Date(v.createdAt).toLocaleString()}</td>
              <td>{v.source === 'provider' ? 'changed at the provider' : v.source}</td>
              <td>{v.changedPaths.length > 0 ? v.changedPaths.join(', ') : '—'}</td>
              {canEdit && (
                <td>
                  {v.version !== a.version && (
                    <button type="button" onClick={() => restore(v.version)} disabled={busy}>
                      Restore v{v.version}
                    </button>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
