import { type FormEvent, useState } from 'react';
import { answer, api, type Connection } from './api.ts';
import { AT_PAGE, type Feedback, type Perform } from './connection-actions.ts';
import { PROVIDER_NAMES, STATUS_WORDS, StatusBadge } from './connection-words.tsx';
import { FormField, SecretKeyInput, SubmitOrCancel } from './form-field.tsx';
import { ImportFromConnection } from './import-action.tsx';
import { Notice } from './notice.tsx';

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : 'never');

type Panel = 'rename' | 'rotate' | 'remove' | null;

/** A ref that moves the keyboard to a control as it appears (stable, so later renders leave focus alone). */
const focusWhenShown = (element: HTMLElement | null) => {
  element?.focus();
};

/** One connection: what it is and how it is doing, and for admins what can be done with it. */
export function ConnectionCard({
  orgId,
  connection: c,
  isAdmin,
  canImport,
  busy,
  working,
  feedback,
  perform,
}: {
  orgId: string;
  connection: Connection;
  isAdmin: boolean;
  /** Editors and above may import the connection's assistants. */
  canImport: boolean;
  /** Some action on the page is running; `working`: one of this connection's. */
  busy: boolean;
  working: boolean;
  feedback: Feedback | null;
  perform: Perform;
}) {
  const [panel, setPanel] = useState<Panel>(null);
  const [name, setName] = useState(c.name);
  const [apiKey, setApiKey] = useState('');
  const [checking, setChecking] = useState(false);
  const params = { path: { orgId, connectionId: c.id } };
  const provider = PROVIDER_NAMES[c.provider];
  const hasKey = c.provider !== 'sandbox';
  const headingId = `connection-${c.id}`;

  const open = (next: Panel) => {
    setName(c.name);
    setApiKey('');
    setPanel(next);
  };
  // Back to the button that opened the panel, so the keyboard does not lose its place.
  const close = () => {
    const opener = panel;
    setPanel(null);
    if (opener) requestAnimationFrame(() => document.getElementById(`${opener}-${c.id}`)?.focus());
  };
  const closeOnEscape = (event: { key: string }) => {
    if (event.key === 'Escape') close();
  };

  const check = async () => {
    setChecking(true);
    await perform(c.id, async () => {
      const { data } = await answer(api.POST('/orgs/{orgId}/connections/{connectionId}/check', { params }));
      return {
        kind: data.status === 'ok' ? 'ok' : 'error',
        text: `Checked just now: ${STATUS_WORDS[data.status]}.`,
      };
    });
    setChecking(false);
  };

  const makeDefault = () =>
    void perform(c.id, async () => {
      await answer(api.POST('/orgs/{orgId}/connections/{connectionId}/default', { params }));
      return { text: `“${c.name}” is now the default: new assistants go here unless someone picks another.` };
    });

  const rename = async (event: FormEvent) => {
    event.preventDefault();
    const done = await perform(c.id, async () => {
      const { data } = await answer(
        api.PATCH('/orgs/{orgId}/connections/{connectionId}', { params, body: { name: name.trim() } }),
      );
      return { text: `Renamed to “${data.name}”.` };
    });
    if (done) setPanel(null);
  };

  const rotate = async (event: FormEvent) => {
    event.preventDefault();
    const done = await perform(c.id, async () => {
      const { data } = await answer(
        api.PATCH('/orgs/{orgId}/connections/{connectionId}', { params, body: { apiKey: apiKey.trim() } }),
      );
      return {
        text: `Key updated: ${provider} accepted the key ending …${data.keyHint}, and it is now in use.`,
      };
    });
    setApiKey('');
    if (done) setPanel(null);
  };

  const remove = () =>
    void perform(c.id, async () => {
      await answer(api.DELETE('/orgs/{orgId}/connections/{connectionId}', { params }));
      return { text: `Removed the connection “${c.name}”.`, at: AT_PAGE };
    });

  const fields = feedback?.fields ?? {};

  return (
    <article className="card connection" aria-labelledby={headingId}>
      <div className="heading">
        <h2 id={headingId}>{c.name}</h2>
        <div className="badges">
          {c.isDefault && <span className="badge default">Default</span>}
          <StatusBadge status={c.status} />
        </div>
      </div>
      <dl className="facts">
        <div>
          <dt>Provider</dt>
          <dd>{provider}</dd>
        </div>
        <div>
          <dt>API key</dt>
          <dd>{c.keyHint ? <code>…{c.keyHint}</code> : hasKey ? 'not stored' : 'none needed'}</dd>
        </div>
        <div>
          <dt>Base URL</dt>
          <dd>{c.baseUrl ? <code>{c.baseUrl}</code> : 'built into Switchboard'}</dd>
        </div>
        <div>
          <dt>Account</dt>
          <dd>{c.providerAccountId ? <code>{c.providerAccountId}</code> : hasKey ? 'not known yet' : '—'}</dd>
        </div>
        <div>
          <dt>Last checked</dt>
          <dd>{when(c.checkedAt)}</dd>
        </div>
      </dl>
      {isAdmin && (
        <div className="actions">
          <button type="button" onClick={() => void check()} disabled={busy}>
            {checking ? 'Checking…' : 'Check now'}
          </button>
          <button type="button" id={`rename-${c.id}`} onClick={() => open('rename')} disabled={busy}>
            Rename…
          </button>
          {hasKey && (
            <button type="button" id={`rotate-${c.id}`} onClick={() => open('rotate')} disabled={busy}>
              Update key…
            </button>
          )}
          {!c.isDefault && (
            <button type="button" onClick={makeDefault} disabled={busy}>
              Make default
            </button>
          )}
          <button
            type="button"
            id={`remove-${c.id}`}
            className="danger"
            onClick={() => open('remove')}
            disabled={busy}
          >
            Remove…
          </button>
        </div>
      )}
      {panel === 'rename' && (
        <form className="inline-panel" onSubmit={(e) => void rename(e)} onKeyDown={closeOnEscape}>
          <FormField id={`new-name-${c.id}`} label="New name" error={fields.name}>
            {(input) => (
              <input
                {...input}
                required
                maxLength={80}
                value={name}
                onChange={(e) => setName(e.target.value)}
                ref={focusWhenShown}
              />
            )}
          </FormField>
          <SubmitOrCancel
            label="Save name"
            workingLabel="Renaming…"
            working={working}
            disabled={busy}
            onCancel={close}
          />
        </form>
      )}
      {panel === 'rotate' && (
        <form className="inline-panel" onSubmit={(e) => void rotate(e)} onKeyDown={closeOnEscape}>
          <FormField
            id={`new-key-${c.id}`}
            label="New API key"
            error={fields.apiKey}
            hint={`${provider} is asked first whether it accepts the key; a key of another ${provider} account is refused. Until then the old key stays in use. The key is never shown again.`}
          >
            {(input) => (
              <SecretKeyInput input={input} value={apiKey} onChange={setApiKey} inputRef={focusWhenShown} />
            )}
          </FormField>
          <SubmitOrCancel
            label="Check and save key"
            workingLabel="Checking the key…"
            working={working}
            disabled={busy}
            onCancel={close}
          />
        </form>
      )}
      {panel === 'remove' && (
        <fieldset className="confirm" onKeyDown={closeOnEscape}>
          <legend>
            Remove “{c.name}”?{hasKey && ' Switchboard forgets its key.'} A connection that assistants still
            use cannot be removed.
          </legend>
          <button type="button" className="danger" onClick={remove} disabled={busy}>
            Yes, remove
          </button>{' '}
          <button type="button" onClick={close} ref={focusWhenShown}>
            Keep it
          </button>
        </fieldset>
      )}
      <Notice notice={feedback} />
      {canImport && <ImportFromConnection connection={c} />}
    </article>
  );
}
