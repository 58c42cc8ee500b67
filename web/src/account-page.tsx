import { type FormEvent, useState } from 'react';
import { answer, api } from './api.ts';
import { FormField, NewPasswordFields, useNewPassword } from './form-field.tsx';
import { Notice } from './notice.tsx';
import { PageTitle } from './page-title.tsx';
import { useSubmission } from './use-submission.ts';

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
  const newPassword = useNewPassword();
  const { busy, notice, fields, submit } = useSubmission();

  const change = (event: FormEvent) => {
    event.preventDefault();
    if (!newPassword.matches()) return;
    void submit(async () => {
      await answer(
        api.POST('/auth/password', { body: { currentPassword: current, newPassword: newPassword.password } }),
      );
      setCurrent('');
      newPassword.clear();
      return 'Your password is changed. Your other sessions are signed out; this one stays signed in.';
    });
  };

  return (
    <>
      <h2 id="password-heading">Change your password</h2>
      <form className="card narrow-form" onSubmit={change} aria-labelledby="password-heading">
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
          value={newPassword.password}
          onChange={newPassword.setPassword}
          error={fields.newPassword}
          confirmation={newPassword.confirmation}
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
  const { busy, notice, fields, submit } = useSubmission();

  const create = (event: FormEvent) => {
    event.preventDefault();
    void submit(async () => {
      const { data } = await answer(api.POST('/orgs', { body: { name: name.trim() } }));
      onCreated(data.orgId);
      return null;
    });
  };

  return (
    <>
      <h2 id="new-org-heading">Create an organization</h2>
      <form className="card narrow-form" onSubmit={create} aria-labelledby="new-org-heading">
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
