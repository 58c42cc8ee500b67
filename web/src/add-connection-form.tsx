import { type FormEvent, useState } from 'react';
import { answer, api } from './api.ts';
import { AT_ADD_FORM, type Feedback, type Perform } from './connection-actions.ts';
import { connectionLabel } from './connection-words.tsx';
import { FormField, SecretKeyInput } from './form-field.tsx';
import { Notice } from './notice.tsx';

/** The providers an admin can connect. */
type Offered = 'vapi' | 'retell' | 'sandbox';

/** What differs between the platforms whose accounts take a key. */
const ACCOUNTS = {
  vapi: {
    label: 'Vapi',
    api: 'https://api.vapi.ai',
    keyHint:
      'Vapi’s private API key (not the public one). Switchboard checks it with Vapi before storing it, keeps it encrypted, and never shows it again: only its last 4 characters.',
  },
  retell: {
    label: 'Retell',
    api: 'https://api.retellai.com',
    keyHint:
      'A Retell API key from Retell’s dashboard. Switchboard checks it with Retell before storing it, keeps it encrypted, and never shows it again: only its last 4 characters.',
  },
} as const;

export function AddConnectionForm({
  orgId,
  busy,
  working,
  feedback,
  perform,
}: {
  orgId: string;
  /** Some action on the page is running; `working`: this form's. */
  busy: boolean;
  working: boolean;
  feedback: Feedback | null;
  perform: Perform;
}) {
  const [provider, setProvider] = useState<Offered>('vapi');
  const [name, setName] = useState('');
  const [apiKey, setApiKey] = useState('');
  const [baseUrl, setBaseUrl] = useState('');
  const fields = feedback?.fields ?? {};

  const add = async (event: FormEvent) => {
    event.preventDefault();
    const body =
      provider !== 'sandbox'
        ? {
            provider,
            name: name.trim(),
            apiKey: apiKey.trim(),
            ...(baseUrl.trim() ? { baseUrl: baseUrl.trim() } : {}),
          }
        : { provider, name: name.trim() };
    const done = await perform(AT_ADD_FORM, async () => {
      const { data } = await answer(
        api.POST('/orgs/{orgId}/connections', { params: { path: { orgId } }, body }),
      );
      return {
        text:
          provider === 'sandbox'
            ? `Added “${connectionLabel(data)}”.`
            : `Added “${connectionLabel(data)}”: ${ACCOUNTS[provider].label} accepted the key ending …${data.keyHint}.`,
      };
    });
    // The key is never kept in the page longer than the request that carries it.
    setApiKey('');
    if (done) {
      setName('');
      setBaseUrl('');
    }
  };

  return (
    <>
      <h2 id="add-connection">Add a connection</h2>
      <form className="card add-connection" onSubmit={(e) => void add(e)} aria-labelledby="add-connection">
        <FormField id="connection-provider" label="Provider" error={fields.provider}>
          {(input) => (
            <select {...input} value={provider} onChange={(e) => setProvider(e.target.value as Offered)}>
              <option value="vapi">Vapi</option>
              <option value="retell">Retell</option>
              <option value="sandbox">Sandbox (built in, no account needed)</option>
            </select>
          )}
        </FormField>
        <FormField
          id="connection-name"
          label="Name"
          error={fields.name}
          hint="Unique in this organization, e.g. “Production” or the client’s name."
        >
          {(input) => (
            <input
              {...input}
              required
              maxLength={80}
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
          )}
        </FormField>
        {provider !== 'sandbox' ? (
          <>
            <FormField
              id="connection-key"
              label="API key"
              error={fields.apiKey}
              hint={ACCOUNTS[provider].keyHint}
            >
              {(input) => <SecretKeyInput input={input} value={apiKey} onChange={setApiKey} />}
            </FormField>
            <FormField
              id="connection-base-url"
              label="Base URL (optional)"
              error={fields.baseUrl}
              hint={`Leave empty for ${ACCOUNTS[provider].label}’s public API (${ACCOUNTS[provider].api}); set it for a region, a proxy or an emulator.`}
            >
              {(input) => (
                <input
                  {...input}
                  type="url"
                  placeholder={ACCOUNTS[provider].api}
                  value={baseUrl}
                  onChange={(e) => setBaseUrl(e.target.value)}
                />
              )}
            </FormField>
          </>
        ) : (
          <p className="hint">
            The sandbox behaves like Vapi and keeps its assistants in Switchboard’s own database: no account
            or key needed, nothing leaves this server.
          </p>
        )}
        <Notice notice={feedback} />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {working ? (provider === 'vapi' ? 'Checking the key…' : 'Adding…') : 'Add connection'}
          </button>
        </div>
      </form>
    </>
  );
}
