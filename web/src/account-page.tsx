import { type FormEvent, useRef, useState } from 'react';
import { answer, api, describeError, fieldProblemsOf } from './api.ts';
import { FormField, NewPasswordFields, PASSWORDS_DIFFER } from './form-field.tsx';
import { Notice, type NoticeText } from './notice.tsx';
import { PageTitle } from './page-title.tsx';

const ORG_NAME_MAX = 100;

/** What a signed-in person does for themselves: change their password, start an organization. */
export function AccountPage({
  email,
  onOrgCreated,
}: {
  email: string;
  onOrgCreated: (orgId: string) => void;
}) {
  return (
    <section>
      <PageTitle title="Your account" />
      <p>
        Signed in as <strong>{email}</strong>.
      </p>
      <ChangePasswordForm />
      <CreateOrganizationForm onCreated={onOrgCreated} />
    </section>
  );
}

function ChangePasswordForm() {
  const [current, setCurrent] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [fields, setFields] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<NoticeText | null>(null);
  const [busy, setBusy] = useState(false);
  const confirmInput = useRef<HTMLInputElement>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setNotice(null);
    if (password !== confirm) {
      setFields({ confirm: PASSWORDS_DIFFER });
      confirmInput.current?.focus();
      return;
    }
    setFields({});
    setBusy(true);
    try {
      await answer(api.POST('/auth/password', { body: { currentPassword: current, newPassword: password } }));
      setCurrent('');
      setPassword('');
      setConfirm('');
      setNotice({
        kind: 'ok',
        text: 'Your password is changed. Your other sessions are signed out; this one stays signed in.',
      });
    } catch (e) {
      setNotice({ kind: 'error', text: describeError(e) });
      setFields(fieldProblemsOf(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h2 id="password-heading">Change your password</h2>
      <form className="card narrow-form" onSubmit={(e) => void submit(e)} aria-labelledby="password-heading">
        <FormField id="current-password" label="Current password" error={fields.currentPassword}>
          {(input) => (
            <input
              {...input}
              type="password"
              autoComplete="current-password"
              required
              value={current}
              onChange={(e) => setCurrent(e.target.value)}
            />
          )}
        </FormField>
        <NewPasswordFields
          id="new-password"
          label="New password"
          value={password}
          onChange={setPassword}
          error={fields.newPassword}
          confirmation={{
            value: confirm,
            onChange: setConfirm,
            error: fields.confirm,
            inputRef: confirmInput,
          }}
        />
        <Notice notice={notice} focus />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Changing…' : 'Change password'}
          </button>
        </div>
      </form>
    </>
  );
}

function CreateOrganizationForm({ onCreated }: { onCreated: (orgId: string) => void }) {
  const [name, setName] = useState('');
  const [fields, setFields] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<NoticeText | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setNotice(null);
    setFields({});
    try {
      const { data } = await answer(api.POST('/orgs', { body: { name: name.trim() } }));
      onCreated(data.orgId);
    } catch (e) {
      setNotice({ kind: 'error', text: describeError(e) });
      setFields(fieldProblemsOf(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h2 id="new-org-heading">Create an organization</h2>
      <form className="card narrow-form" onSubmit={(e) => void submit(e)} aria-labelledby="new-org-heading">
        <p className="hint">
          You become its owner, and can invite others from its Members page. You stay a member of your other
          organizations; switch between them at the top.
        </p>
        <FormField
          id="org-name"
          label="Organization name"
          hint={`${name.length} of ${ORG_NAME_MAX} characters`}
          error={fields.name}
        >
          {(input) => (
            <input
              {...input}
              required
              maxLength={ORG_NAME_MAX}
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
          )}
        </FormField>
        <Notice notice={notice} focus />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create and open it'}
          </button>
        </div>
      </form>
    </>
  );
}
