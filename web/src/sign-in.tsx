import { type FormEvent, useState } from 'react';
import { answer, api, describeError, type Me } from './api.ts';
import { ErrorMessage } from './error-message.tsx';
import { ForgotPassword } from './forgot-password.tsx';
import { EmailField } from './form-field.tsx';
import { PageTitle } from './page-title.tsx';

/** Moves the keyboard to a control as it appears (stable, so later renders leave focus alone). */
const focusWhenShown = (element: HTMLElement | null) => {
  element?.focus();
};

export function SignIn({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  return (
    <main className="page narrow">
      <PageTitle title="Sign in">Sign in to Switchboard</PageTitle>
      <SignInForm onSignedIn={onSignedIn} />
    </main>
  );
}

/** Email and password, and a way to ask for a reset link instead. */
export function SignInForm({
  onSignedIn,
  initialEmail = '',
}: {
  onSignedIn: (me: Me) => void;
  initialEmail?: string;
}) {
  const [email, setEmail] = useState(initialEmail);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [forgot, setForgot] = useState(false);
  // Only after coming back from the reset form does the keyboard move: not when the page opens.
  const [cameBack, setCameBack] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn((await answer(api.POST('/auth/login', { body: { email, password } }))).data);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  if (forgot)
    return (
      <ForgotPassword
        initialEmail={email}
        onBack={(typed) => {
          setEmail(typed);
          setForgot(false);
          setCameBack(true);
        }}
      />
    );

  return (
    <form onSubmit={(e) => void submit(e)} className="card">
      <EmailField value={email} onChange={setEmail} />
      <label>
        Password
        <input
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          ref={cameBack ? focusWhenShown : undefined}
        />
      </label>
      <ErrorMessage text={error} />
      <div className="actions spread">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <button type="button" className="link" onClick={() => setForgot(true)}>
          Forgot password?
        </button>
      </div>
    </form>
  );
}
