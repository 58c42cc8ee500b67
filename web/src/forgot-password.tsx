import { type FormEvent, useState } from 'react';
import { ApiError, answer, api, describeError } from './api.ts';
import { EmailField } from './form-field.tsx';
import { Notice, type NoticeText } from './notice.tsx';

const focusWhenShown = (element: HTMLElement | null) => {
  element?.focus();
};

/** Asks the server to email a reset link; it answers the same whether or not the account exists. */
export function ForgotPassword({
  initialEmail,
  onBack,
}: {
  initialEmail: string;
  /** Back to signing in, with the email as typed here. */
  onBack: (email: string) => void;
}) {
  const [email, setEmail] = useState(initialEmail);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<NoticeText | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const address = email.trim();
    setBusy(true);
    setNotice(null);
    try {
      await answer(api.POST('/auth/password-reset', { body: { email: address } }));
      setNotice({
        kind: 'ok',
        text: `If an account exists for ${address}, we sent a link to it to set a new password. Check that inbox (and its spam folder).`,
      });
    } catch (e) {
      setNotice({
        kind: 'error',
        text:
          e instanceof ApiError && e.status === 404 && e.code === 'mail_not_configured'
            ? `This server is not set up to send email, so it cannot send reset links. Ask whoever runs this Switchboard for one: they can make it with “npm run reset-password -- ${address}”.`
            : describeError(e),
      });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} className="card" aria-labelledby="forgot-heading">
      <h2 id="forgot-heading">Reset your password</h2>
      <p className="hint">Enter the email you sign in with, and we send it a link to set a new password.</p>
      <EmailField value={email} onChange={setEmail} inputRef={focusWhenShown} />
      <Notice notice={notice} />
      <div className="actions spread">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Sending…' : 'Send reset link'}
        </button>
        <button type="button" className="link" onClick={() => onBack(email)}>
          Back to sign in
        </button>
      </div>
    </form>
  );
}
