import { type FormEvent, useCallback, useRef, useState } from 'react';
import {
  answer,
  api,
  type CreatedInvitation,
  describeError,
  fieldProblemsOf,
  type Invitation,
  type Role,
} from './api.ts';
import { CopyField } from './copy-field.tsx';
import { expiryWords, when } from './dates.ts';
import { ErrorMessage } from './error-message.tsx';
import { FormField } from './form-field.tsx';
import { Notice, type NoticeText } from './notice.tsx';
import { RoleSelect } from './role-select.tsx';
import { useLoaded } from './use-loaded.ts';
import { capitalized, ROLE_WORDS, withArticle } from './words.ts';

const focusWhenShown = (element: HTMLElement | null) => {
  element?.focus();
};

/** Admins: invite someone by email (owners may invite owners), see who is invited, and revoke. */
export function InvitationsPanel({ orgId, role }: { orgId: string; role: Role }) {
  const load = useCallback(
    async () => (await answer(api.GET('/orgs/{orgId}/invitations', { params: { path: { orgId } } }))).data,
    [orgId],
  );
  const { data: invitations, error, loaded, perform, notice, reload } = useLoaded(load, []);
  const [email, setEmail] = useState('');
  const [inviteRole, setInviteRole] = useState<Role>('viewer');
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState<NoticeText | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [link, setLink] = useState<CreatedInvitation | null>(null);
  const [confirmRevoke, setConfirmRevoke] = useState<string | null>(null);
  const emailInput = useRef<HTMLInputElement>(null);

  const invite = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setSent(null);
    setFields({});
    setLink(null);
    try {
      const { data } = await answer(
        api.POST('/orgs/{orgId}/invitations', {
          params: { path: { orgId } },
          body: { email: email.trim(), role: inviteRole },
        }),
      );
      setEmail('');
      if (data.acceptUrl) setLink(data);
      else setSent({ kind: 'ok', text: `We emailed an invitation to ${data.email}.` });
      await reload();
    } catch (e) {
      setSent({ kind: 'error', text: describeError(e) });
      setFields(fieldProblemsOf(e));
    } finally {
      setBusy(false);
    }
  };

  const doneWithLink = () => {
    setLink(null);
    emailInput.current?.focus();
  };

  const revoke = async (invitation: Invitation) => {
    const done = await perform(
      () =>
        answer(
          api.DELETE('/orgs/{orgId}/invitations/{invitationId}', {
            params: { path: { orgId, invitationId: invitation.id } },
          }),
        ),
      `Revoked the invitation for ${invitation.email}: its link no longer works.`,
    );
    if (done) setConfirmRevoke(null);
  };

  const keep = (invitation: Invitation) => {
    setConfirmRevoke(null);
    requestAnimationFrame(() => document.getElementById(`revoke-${invitation.id}`)?.focus());
  };

  return (
    <>
      <h2 id="invite-heading">Invite someone</h2>
      <form className="card inline" onSubmit={(e) => void invite(e)} aria-labelledby="invite-heading">
        <FormField id="invite-email" label="Email" error={fields.email}>
          {(input) => (
            <input
              {...input}
              ref={emailInput}
              type="email"
              required
              maxLength={320}
              autoComplete="off"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          )}
        </FormField>
        <FormField id="invite-role" label="Role" error={fields.role}>
          {(input) => (
            <RoleSelect
              {...input}
              aria-describedby={[input['aria-describedby'], 'invite-role-words'].filter(Boolean).join(' ')}
              grantor={role}
              value={inviteRole}
              onChange={setInviteRole}
            />
          )}
        </FormField>
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Inviting…' : 'Invite'}
          </button>
        </div>
        {/* Under the row, so that the inputs and the button stay in line. */}
        <p className="hint span-all" id="invite-role-words">
          {capitalized(withArticle(inviteRole))} {ROLE_WORDS[inviteRole]}.
        </p>
        {sent && (
          <div className="span-all">
            <Notice notice={sent} />
          </div>
        )}
      </form>
      {link?.acceptUrl && (
        <section className="card secret" aria-labelledby="invite-link-heading">
          <h3 id="invite-link-heading">Invitation link for {link.email}</h3>
          <p>
            This server sends no email, so pass the link on yourself. It is shown only this once, works once,
            and {expiryWords(link.expiresAt).text}.
          </p>
          <p>
            <strong>Whoever holds this link can accept it: send it only to {link.email}.</strong>
          </p>
          <CopyField id="invite-link" label="Invitation link" value={link.acceptUrl} focus />
          <div className="actions">
            <button type="button" onClick={doneWithLink}>
              Done
            </button>
          </div>
        </section>
      )}
      <h2>Pending invitations</h2>
      <ErrorMessage text={error} />
      <Notice notice={notice} focus />
      {!loaded && !error && <p>Loading invitations…</p>}
      {loaded && invitations.length === 0 && <p>No pending invitations.</p>}
      {invitations.length > 0 && (
        <table className="stacked">
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Invited by</th>
              <th scope="col">Sent</th>
              <th scope="col">Expiry</th>
              <th scope="col">Revoke</th>
            </tr>
          </thead>
          <tbody>
            {invitations.map((i) => {
              const expiry = expiryWords(i.expiresAt);
              return (
                <tr key={i.id} className={expiry.expired ? 'expired' : undefined}>
                  <td data-label="Email">{i.email}</td>
                  <td data-label="Role">{i.role}</td>
                  <td data-label="Invited by">{i.invitedBy?.name ?? '—'}</td>
                  <td data-label="Sent">{when(i.createdAt)}</td>
                  <td data-label="Expiry">{expiry.text}</td>
                  <td>
                    {confirmRevoke === i.id ? (
                      <fieldset
                        className="confirm"
                        onKeyDown={(e) => {
                          if (e.key === 'Escape') keep(i);
                        }}
                      >
                        <legend>Revoke the invitation for {i.email}? Its link stops working at once.</legend>
                        <button type="button" className="danger" onClick={() => void revoke(i)}>
                          Yes, revoke
                        </button>{' '}
                        <button type="button" onClick={() => keep(i)} ref={focusWhenShown}>
                          Keep it
                        </button>
                      </fieldset>
                    ) : (
                      <button
                        type="button"
                        id={`revoke-${i.id}`}
                        className="danger"
                        onClick={() => setConfirmRevoke(i.id)}
                      >
                        Revoke {i.email}…
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}
