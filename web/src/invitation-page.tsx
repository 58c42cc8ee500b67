import { type FormEvent, useCallback, useEffect, useState } from 'react';
import {
  ApiError,
  answer,
  api,
  describeError,
  fieldProblemsOf,
  type InvitationPreview,
  type Me,
  sameEmail,
} from './api.ts';
import { expiryWords } from './dates.ts';
import { FormField, NewPasswordFields } from './form-field.tsx';
import { Notice, type NoticeText } from './notice.tsx';
import { PageTitle } from './page-title.tsx';
import { SignInForm } from './sign-in.tsx';
import { capitalized, ROLE_WORDS, sentence, withArticle } from './words.ts';

const focusWhenShown = (element: HTMLElement | null) => {
  element?.focus();
};

/** Into the dashboard, in the organization just joined; a fresh load, which also drops the token from the address. */
async function openOrganization(orgId: string) {
  await answer(api.POST('/auth/active-org', { body: { orgId } })).catch(() => undefined);
  window.location.replace('/#/assistants');
}

/**
 * `/invitations/<token>`: what the invitation is, and the one way to accept it that fits the
 * visitor: join (signed in as the invited email), create an account (no account yet), or sign in.
 */
export function InvitationPage({ token }: { token: string }) {
  const [preview, setPreview] = useState<InvitationPreview | null>(null);
  const [problem, setProblem] = useState<unknown>(null);
  const [me, setMe] = useState<Me | null | undefined>(undefined);

  const load = useCallback(async () => {
    setProblem(null);
    try {
      const [invitation, session] = await Promise.all([
        // Accept: the same path is the page itself for a browser.
        answer(
          api.GET('/invitations/{token}', {
            params: { path: { token } },
            headers: { accept: 'application/json' },
          }),
        ),
        answer(api.GET('/auth/me')).then(
          (res) => res.data,
          (e: unknown) => {
            if (e instanceof ApiError && e.status === 401) return null;
            throw e;
          },
        ),
      ]);
      setPreview(invitation.data);
      setMe(session);
    } catch (e) {
      setProblem(e);
    }
  }, [token]);

  useEffect(() => {
    void load();
  }, [load]);

  if (problem) return <InvitationProblem error={problem} retry={() => void load()} />;
  if (!preview || me === undefined)
    return (
      <main className="page narrow">
        <p role="status">Loading the invitation…</p>
      </main>
    );

  const org = preview.organization.name;
  const expiry = expiryWords(preview.expiresAt);
  return (
    <main className="page narrow invitation">
      <p className="product">Switchboard</p>
      <PageTitle title={`Join ${org}`} />
      <p>
        {preview.inviter ? `${preview.inviter.name} invited you` : 'You are invited'} to join{' '}
        <strong>{org}</strong> on Switchboard as {withArticle(preview.role)}, who {ROLE_WORDS[preview.role]}.
      </p>
      <dl className="facts card">
        <div>
          <dt>Organization</dt>
          <dd>{org}</dd>
        </div>
        <div>
          <dt>Role</dt>
          <dd>{preview.role}</dd>
        </div>
        {preview.inviter && (
          <div>
            <dt>Invited by</dt>
            <dd>
              {preview.inviter.name} ({preview.inviter.email})
            </dd>
          </div>
        )}
        <div>
          <dt>For</dt>
          <dd>{preview.email}</dd>
        </div>
        <div>
          <dt>Expiry</dt>
          <dd>{capitalized(expiry.text)}</dd>
        </div>
      </dl>
      <Accept
        token={token}
        preview={preview}
        me={me}
        onSignedIn={setMe}
        onSignedOut={() => setMe(null)}
        onGone={setProblem}
      />
    </main>
  );
}

type Mode = 'create' | 'sign-in';

function Accept({
  token,
  preview,
  me,
  onSignedIn,
  onSignedOut,
  onGone,
}: {
  token: string;
  preview: InvitationPreview;
  me: Me | null;
  onSignedIn: (me: Me) => void;
  onSignedOut: () => void;
  /** The invitation stopped working while the page was open (used, expired, revoked). */
  onGone: (error: unknown) => void;
}) {
  const org = preview.organization;
  const invited = preview.email;
  const [mode, setMode] = useState<Mode>('create');
  // The keyboard moves with a switch of form, not when the page opens.
  const [switched, setSwitched] = useState(false);
  const [notice, setNotice] = useState<NoticeText | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [joined, setJoined] = useState(false);
  // The server refused this account (403): the invitation is for another email.
  const [refusedAccount, setRefusedAccount] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');

  const switchTo = (next: Mode, why: NoticeText | null = null) => {
    setMode(next);
    setSwitched(true);
    setNotice(why);
    setFields({});
  };

  const accept = async (body?: { name: string; password: string }) => {
    setBusy(true);
    setNotice(null);
    setFields({});
    try {
      await answer(
        api.POST('/invitations/{token}/accept', { params: { path: { token } }, body: body ?? {} }),
      );
      setJoined(true);
      await openOrganization(org.id);
    } catch (e) {
      if (e instanceof ApiError && e.status === 410) onGone(e);
      else if (e instanceof ApiError && e.status === 403 && body)
        switchTo('sign-in', {
          kind: 'error',
          text: `There is already an account for ${invited}. Sign in with it to accept the invitation.`,
        });
      else if (e instanceof ApiError && e.status === 403) setRefusedAccount(e.message);
      else {
        setNotice({ kind: 'error', text: describeError(e) });
        setFields(fieldProblemsOf(e));
      }
    } finally {
      setBusy(false);
    }
  };

  const signOut = async () => {
    await answer(api.POST('/auth/logout')).catch(() => undefined);
    setRefusedAccount(null);
    setMode('sign-in');
    setSwitched(true);
    onSignedOut();
  };

  if (joined)
    return (
      <p role="status" className="ok">
        You joined {org.name}. Opening it…
      </p>
    );

  if (me) {
    const member = me.memberships.some((m) => m.orgId === org.id);
    const otherAccount = refusedAccount !== null || !sameEmail(invited, me.user.email);
    if (otherAccount)
      return (
        <section className="card" aria-labelledby="accept-heading">
          <h2 id="accept-heading">Signed in as someone else</h2>
          {refusedAccount && (
            <p role="alert" className="error">
              {sentence(refusedAccount)}
            </p>
          )}
          <p>
            This invitation is for {invited}, and you are signed in as {me.user.email}. Sign out, then sign in
            as {invited} (or create its account) to accept it.
          </p>
          <div className="actions">
            <button type="button" className="primary" onClick={() => void signOut()}>
              Sign out
            </button>
            <a href="/#/assistants">Back to Switchboard</a>
          </div>
        </section>
      );
    if (member)
      return (
        <section className="card" aria-labelledby="accept-heading">
          <h2 id="accept-heading">You are already a member</h2>
          <p>
            {me.user.email} is already a member of {org.name}.
          </p>
          <div className="actions">
            <button type="button" className="primary" onClick={() => void openOrganization(org.id)}>
              Open {org.name}
            </button>
          </div>
        </section>
      );
    return (
      <section className="card" aria-labelledby="accept-heading">
        <h2 id="accept-heading">Accept the invitation</h2>
        <p>You are signed in as {me.user.email}.</p>
        <Notice notice={notice} />
        <div className="actions">
          <button
            type="button"
            className="primary"
            disabled={busy}
            onClick={() => void accept()}
            ref={switched ? focusWhenShown : undefined}
          >
            {busy ? 'Joining…' : `Join ${org.name}`}
          </button>
          <button type="button" className="link" onClick={() => void signOut()}>
            Not you? Sign out
          </button>
        </div>
      </section>
    );
  }

  if (mode === 'sign-in')
    return (
      <section className="accept" aria-labelledby="accept-heading">
        <h2 id="accept-heading">Sign in to accept</h2>
        <Notice notice={notice} focus />
        <p>
          Sign in as {invited}; you come back to this invitation to join {org.name}.
        </p>
        <SignInForm
          initialEmail={invited}
          onSignedIn={(signedIn) => {
            setSwitched(true);
            onSignedIn(signedIn);
          }}
        />
        <p>
          No account for {invited} yet?{' '}
          <button type="button" className="link" onClick={() => switchTo('create')}>
            Create one instead
          </button>
        </p>
      </section>
    );

  const create = (event: FormEvent) => {
    event.preventDefault();
    void accept({ name: name.trim(), password });
  };

  return (
    <section className="accept" aria-labelledby="accept-heading">
      <h2 id="accept-heading">Create your account</h2>
      <p>
        New to Switchboard? Choose your name and a password for {invited}, and you join {org.name} at once.
      </p>
      <form className="card" onSubmit={create}>
        <FormField id="account-name" label="Your name" error={fields.name}>
          {(input) => (
            <input
              {...input}
              autoComplete="name"
              required
              maxLength={100}
              value={name}
              onChange={(e) => setName(e.target.value)}
              ref={switched ? focusWhenShown : undefined}
            />
          )}
        </FormField>
        <NewPasswordFields
          id="account-password"
          label="Password"
          value={password}
          onChange={setPassword}
          error={fields.password}
        />
        <Notice notice={notice} />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Creating your account…' : `Create account and join ${org.name}`}
          </button>
        </div>
      </form>
      <p>
        Already have an account for {invited}?{' '}
        <button type="button" className="link" onClick={() => switchTo('sign-in')}>
          Sign in instead
        </button>
      </p>
    </section>
  );
}

/** A link that does not work, in words that say why and what to do. */
function InvitationProblem({ error, retry }: { error: unknown; retry: () => void }) {
  const status = error instanceof ApiError ? error.status : 0;
  const [title, ...lines] =
    status === 410
      ? ['This invitation can no longer be used', sentence(describeError(error))]
      : status === 404
        ? [
            'This invitation link is not valid',
            'Switchboard does not know this link. Check that you opened the whole link, or ask whoever invited you for a new invitation.',
          ]
        : ['The invitation could not be loaded', describeError(error)];
  return (
    <main className="page narrow">
      <p className="product">Switchboard</p>
      <PageTitle title={title} />
      <div role="alert">
        {lines.map((line) => (
          <p key={line}>{line}</p>
        ))}
      </div>
      <div className="actions">
        {status !== 410 && status !== 404 && (
          <button type="button" onClick={retry}>
            Try again
          </button>
        )}
        <a href="/">Go to Switchboard</a>
      </div>
    </main>
  );
}
