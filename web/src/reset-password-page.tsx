import { type FormEvent, useState } from 'react';
import { ApiError, answer, api } from './api.ts';
import { NewPasswordFields, useNewPassword } from './form-field.tsx';
import { Notice } from './notice.tsx';
import { PageTitle, useDocumentTitle } from './page-title.tsx';
import { SignInForm } from './sign-in.tsx';
import { useSubmission } from './use-submission.ts';
import { sentence } from './words.ts';

const focusWhenShown = (element: HTMLElement | null) => {
  element?.focus();
};

/** Why a reset link does not work, in words: the server's for a used or expired one. */
function linkProblem(error: unknown): string | null {
  if (!(error instanceof ApiError)) return null;
  if (error.status === 410) return sentence(error.message);
  if (error.status === 404)
    return 'This reset link is not valid: Switchboard does not know it. Check that you opened the whole link.';
  return null;
}

/** `/reset-password/<token>`: a new password, typed twice, for the account the link was made for. */
export function ResetPasswordPage({ token }: { token: string }) {
  const newPassword = useNewPassword();
  const { busy, notice, fields, submit } = useSubmission();
  const [done, setDone] = useState(false);
  const [deadLink, setDeadLink] = useState<string | null>(null);

  const reset = (event: FormEvent) => {
    event.preventDefault();
    if (!newPassword.matches()) return;
    void submit(
      async () => {
        await answer(
          api.POST('/auth/password-reset/{token}', {
            params: { path: { token } },
            body: { password: newPassword.password },
          }),
        );
        // The link is spent: keep it out of the address bar and the history.
        window.history.replaceState(null, '', '/');
        setDone(true);
        return null;
      },
      (error) => {
        const dead = linkProblem(error);
        if (dead) setDeadLink(dead);
        return dead !== null;
      },
    );
  };

  if (done)
    return (
      <main className="page narrow">
        <PasswordChangedHeading />
        <p role="status" className="ok" tabIndex={-1} ref={focusWhenShown}>
          Your password is changed. Sign in with it now.
        </p>
        <SignInForm onSignedIn={() => window.location.replace('/#/assistants')} />
      </main>
    );

  if (deadLink)
    return (
      <main className="page narrow">
        <PageTitle title="This reset link cannot be used" />
        <p role="alert" className="error">
          {deadLink}
        </p>
        <p>
          A reset link works once, for a short while. For a new one, choose “Forgot password?” on the sign-in
          page.
        </p>
        <p>
          <a href="/">Go to the sign-in page</a>
        </p>
      </main>
    );

  return (
    <main className="page narrow">
      <PageTitle title="Set a new password" />
      <form className="card" onSubmit={reset}>
        <NewPasswordFields
          id="new-password"
          label="New password"
          value={newPassword.password}
          onChange={newPassword.setPassword}
          error={fields.password}
          confirmation={newPassword.confirmation}
        />
        <Notice notice={notice} />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Saving…' : 'Set new password'}
          </button>
        </div>
      </form>
    </main>
  );
}

/** The heading after a reset; the keyboard goes to the message under it, not here. */
function PasswordChangedHeading() {
  useDocumentTitle('Password changed');
  return <h1>Password changed</h1>;
}
