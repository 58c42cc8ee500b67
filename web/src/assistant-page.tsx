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
} from './api.ts';
import { AssistantConnection } from './assistant-connection.tsx';
import { AssistantFields } from './assistant-fields.tsx';
import {
  FIELD_LABELS,
  type FormValues,
  fieldsInWords,
  formFromAssistant,
  patchBody,
  problemsByField,
  reapplyEdits,
} from './assistant-form.ts';
import { ConfirmDialog } from './confirm-dialog.tsx';
import { ErrorMessage } from './error-message.tsx';
import { flash } from './flash.ts';
import { Notice, type NoticeText } from './notice.tsx';
import { PageTitle, useDocumentTitle } from './page-title.tsx';
import { useProviderChoices } from './provider-choices.ts';
import { useLeaveQuestion } from './unsaved-changes.ts';
import { UnsavedChangesDialog } from './unsaved-changes-dialog.tsx';
import { useAssistantForm } from './use-assistant-form.ts';
import { navigate, setLeaveGuard } from './use-route.ts';
import { VersionHistory } from './version-history.tsx';
import { withArticle } from './words.ts';

interface Loaded {
  assistant: Assistant;
  etag: string | null;
  initial: FormValues;
}

/** A question the page asks before it acts. */
type Question = 'sync' | 'delete' | 'conflict';

export function AssistantPage({ id, role, orgId }: { id: string; role: Role; orgId: string }) {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const { values, setValues, errors, setErrors, change, edited } = useAssistantForm(loaded?.initial ?? null);
  const [notice, setNotice] = useState<NoticeText | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [question, setQuestion] = useState<Question | null>(null);
  const [connection, setConnection] = useState<{ data: Connection | null; error: string | null }>({
    data: null,
    error: null,
  });
  const canEdit = roleAtLeast(role, 'editor');
  const menus = useProviderChoices(loaded?.assistant.provider);
  const dirty = edited.length > 0;
  useDocumentTitle(loaded ? `${dirty ? '• ' : ''}${loaded.assistant.name ?? 'Assistant'}` : 'Assistant');
  const leaving = useLeaveQuestion(dirty);

  const show = useCallback(
    (assistant: Assistant, etag: string | null, formValues?: FormValues) => {
      const initial = formFromAssistant(assistant);
      setLoaded({ assistant, etag, initial });
      setValues(formValues ?? initial);
      setErrors({});
    },
    [setValues, setErrors],
  );

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

  const fetchAssistant = useCallback(
    () => answer(api.GET('/assistants/{id}', { params: { path: { id } } })),
    [id],
  );

  useEffect(() => {
    fetchAssistant().then(
      ({ data, etag }) => {
        show(data, etag);
        void loadConnection(data.connectionId);
      },
      (e: unknown) => setLoadError(describeError(e)),
    );
  }, [fetchAssistant, show, loadConnection]);

  /** Runs an action, says how it went (taking the keyboard there), and puts each 400 at its field. */
  const run = async (action: () => Promise<NoticeText | null>): Promise<boolean> => {
    setBusy(true);
    setNotice(null);
    try {
      const done = await action();
      if (done) setNotice(done);
      return true;
    } catch (e) {
      if (e instanceof ApiError && e.status === 400 && e.details.length > 0) {
        const { fields, other } = problemsByField(e.details);
        setErrors(fields);
        setNotice({
          kind: 'error',
          text:
            other.length > 0 ? other.join('; ') : 'Please correct the highlighted fields. Nothing was saved.',
        });
      } else if (e instanceof ApiError && e.status === 412) {
        setQuestion('conflict');
      } else {
        setNotice({ kind: 'error', text: describeError(e) });
      }
      return false;
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
      setNotice({ kind: 'ok', text: 'Nothing to save: the form has no changes.' });
      return;
    }
    void run(async () => {
      setErrors({});
      const header = loaded.etag ? { 'if-match': loaded.etag } : {};
      const { data, etag } = await answer(
        api.PATCH('/assistants/{id}', { params: { path: { id }, header }, body }),
      );
      show(data, etag);
      return { kind: 'ok', text: `Saved as version ${data.version}: ${fieldsInWords(edited)}.` };
    });
  };

  const remove = () =>
    void run(async () => {
      const name = loaded?.assistant.name ?? 'the assistant';
      await answer(api.DELETE('/assistants/{id}', { params: { path: { id } } }));
      setQuestion(null);
      flash({ kind: 'ok', text: `Deleted “${name}” here and at the provider.` });
      // The edits went with the assistant: nothing is left to lose.
      setLeaveGuard(null);
      navigate('/assistants');
      return null;
    });

  const sync = async () => {
    const before = loaded?.assistant.version;
    const done = await run(async () => {
      const { data, etag } = await answer(api.POST('/assistants/{id}/sync', { params: { path: { id } } }));
      show(data, etag);
      return data.version === before
        ? {
            kind: 'ok',
            text: `Already in sync: the provider has the same configuration as version ${data.version}.`,
          }
        : {
            kind: 'ok',
            text: `The provider had changes: they are now version ${data.version} (see the history).`,
          };
    });
    if (done) setQuestion(null);
  };

  const askSync = () => (dirty ? setQuestion('sync') : void sync());

  const restore = (n: number) =>
    run(async () => {
      const { data, etag } = await answer(
        api.POST('/assistants/{id}/versions/{n}/restore', { params: { path: { id, n } } }),
      );
      show(data, etag);
      return data.version === loaded?.assistant.version
        ? { kind: 'ok', text: `Version ${n} is the same as the current configuration: nothing changed.` }
        : { kind: 'ok', text: `Restored version ${n}: it is now version ${data.version}.` };
    });

  /** After a 412: the fresh copy, with the user's edits kept on top of it (or dropped). */
  const reload = (keepMine: boolean) =>
    void run(async () => {
      if (!loaded || !values) return null;
      const [{ data, etag }, latest] = await Promise.all([
        fetchAssistant(),
        answer(api.GET('/assistants/{id}/versions', { params: { path: { id }, query: { limit: 1 } } })),
      ]);
      const who = latest.data.items[0]?.actorLabel;
      const by = who ? ` by ${who}` : '';
      setQuestion(null);
      if (!keepMine) {
        show(data, etag);
        return { kind: 'ok', text: `Showing version ${data.version}${by}. Your changes were discarded.` };
      }
      const kept = reapplyEdits(loaded.initial, values, formFromAssistant(data));
      show(data, etag, kept.values);
      const overlap =
        kept.overlapping.length > 0
          ? ` They changed ${fieldsInWords(kept.overlapping)} too: yours is in the form, so check it.`
          : '';
      return {
        kind: 'ok',
        text: `Loaded version ${data.version}${by}, with your changes (${fieldsInWords(kept.edited)}) kept on top.${overlap} Save when ready.`,
      };
    });

  if (!loaded || !values) {
    return loadError ? <ErrorMessage text={loadError} /> : <p role="status">Loading the assistant…</p>;
  }
  const a = loaded.assistant;

  return (
    <section>
      <div className="heading">
        <PageTitle title={a.name ?? 'Assistant'}>{a.name ?? '(unnamed)'}</PageTitle>
        <div className="badges">
          <span className={`badge ${a.syncState}`}>
            version {a.version} · {a.syncState}
          </span>
          {dirty && <span className="badge unsaved">Unsaved changes</span>}
        </div>
      </div>
      <AssistantConnection
        connection={connection.data}
        error={connection.error}
        isAdmin={roleAtLeast(role, 'admin')}
      />
      {!canEdit && (
        <p className="banner info">
          You can read this assistant and copy from it, but not change it: you are {withArticle(role)} in this
          organization. An admin can make you an editor.
        </p>
      )}
      <form noValidate onSubmit={save} className="card" aria-label="Assistant settings">
        <AssistantFields
          values={values}
          errors={errors}
          readOnly={!canEdit}
          onChange={change}
          menus={menus}
        />
        <Notice notice={notice} focus />
        {canEdit && (
          <div className="actions">
            <button type="submit" className="primary" disabled={busy}>
              {busy ? 'Working…' : 'Save changes'}
            </button>
            <button type="button" onClick={askSync} disabled={busy}>
              Sync from provider
            </button>
            {roleAtLeast(role, 'admin') && (
              <button type="button" className="danger" onClick={() => setQuestion('delete')} disabled={busy}>
                Delete…
              </button>
            )}
            <p className="unsaved-summary" aria-live="polite">
              {dirty ? `Unsaved changes: ${fieldsInWords(edited)}` : 'No unsaved changes'}
            </p>
          </div>
        )}
      </form>
      <VersionHistory
        assistant={a}
        canRestore={canEdit}
        unsavedFields={edited.map((f) => FIELD_LABELS[f])}
        onRestore={restore}
        serverSetFields={menus.choices?.serverSetFields ?? []}
      />
      {leaving.asking && (
        <UnsavedChangesDialog fields={fieldsInWords(edited)} onLeave={leaving.leave} onStay={leaving.stay} />
      )}
      {question === 'sync' && (
        <ConfirmDialog
          title="Sync and discard your changes?"
          confirmLabel="Discard changes and sync"
          cancelLabel="Keep editing"
          danger
          busy={busy}
          onConfirm={() => void sync()}
          onCancel={() => setQuestion(null)}
        >
          <p>
            Syncing replaces the form with the provider’s copy, so your unsaved changes to{' '}
            {fieldsInWords(edited)} are lost. Save them first to keep them.
          </p>
        </ConfirmDialog>
      )}
      {question === 'delete' && (
        <ConfirmDialog
          title={`Delete “${a.name ?? 'this assistant'}”?`}
          confirmLabel="Yes, delete"
          cancelLabel="Keep it"
          danger
          busy={busy}
          onConfirm={remove}
          onCancel={() => setQuestion(null)}
        >
          <p>
            It is deleted at the provider and here, with its history. Calls to it stop working. This cannot be
            undone.
          </p>
        </ConfirmDialog>
      )}
      {question === 'conflict' && (
        <ConfirmDialog
          title="Someone else changed this assistant"
          confirmLabel="Reload and keep my changes"
          cancelLabel="Not now"
          busy={busy}
          extra={
            <button type="button" onClick={() => reload(false)} disabled={busy}>
              Reload and discard mine
            </button>
          }
          onConfirm={() => reload(true)}
          onCancel={() => setQuestion(null)}
        >
          <p>
            It changed since you opened it, so your changes to {fieldsInWords(edited)} were not saved. Reload
            the new version and keep your changes on top of it, then save again.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
