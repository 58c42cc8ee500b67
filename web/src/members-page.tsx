import { useCallback, useState } from 'react';
import { answer, api, type Member, ROLES, type Role, roleAtLeast } from './api.ts';
import { ErrorMessage } from './error-message.tsx';
import { InvitationsPanel } from './invitations-panel.tsx';
import { Notice } from './notice.tsx';
import { useLoaded } from './use-loaded.ts';
import { withArticle } from './words.ts';

/** A ref that moves the keyboard to a control as it appears. */
const focusWhenShown = (element: HTMLElement | null) => {
  element?.focus();
};

/** Admins: who is in the organization with which role, and inviting more people. */
export function MembersPage({ orgId, role }: { orgId: string; role: Role }) {
  const load = useCallback(
    async () => (await answer(api.GET('/orgs/{orgId}/members', { params: { path: { orgId } } }))).data,
    [orgId],
  );
  const { data: members, error, loaded, perform, notice } = useLoaded(load, []);
  const [confirmRemove, setConfirmRemove] = useState<string | null>(null);
  // A removal takes its row's controls away: then the outcome takes the keyboard, not for a role change.
  const [focusNotice, setFocusNotice] = useState(false);
  const grantable = ROLES.filter((r) => roleAtLeast(role, r));

  const changeRole = (m: Member, next: Role) => {
    setFocusNotice(false);
    void perform(
      () =>
        answer(
          api.PATCH('/orgs/{orgId}/members/{userId}', {
            params: { path: { orgId, userId: m.userId } },
            body: { role: next },
          }),
        ),
      `${m.email} is now ${withArticle(next)}.`,
    );
  };

  const remove = async (m: Member) => {
    setFocusNotice(true);
    const done = await perform(
      () =>
        answer(
          api.DELETE('/orgs/{orgId}/members/{userId}', { params: { path: { orgId, userId: m.userId } } }),
        ),
      `Removed ${m.email} from the organization.`,
    );
    if (done) setConfirmRemove(null);
  };

  const keep = (m: Member) => {
    setConfirmRemove(null);
    requestAnimationFrame(() => document.getElementById(`remove-${m.userId}`)?.focus());
  };

  return (
    <section>
      <h1>Members</h1>
      <ErrorMessage text={error} />
      <Notice notice={notice} focus={focusNotice} />
      {!loaded && !error && <p>Loading members…</p>}
      {loaded && (
        <table className="stacked">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Remove</th>
            </tr>
          </thead>
          <tbody>
            {members.map((m) => (
              <tr key={m.userId}>
                <td data-label="Name">{m.name}</td>
                <td data-label="Email">{m.email}</td>
                <td data-label="Role">
                  <select
                    aria-label={`Role of ${m.email}`}
                    value={m.role}
                    onChange={(e) => changeRole(m, e.target.value as Role)}
                  >
                    {ROLES.map((r) => (
                      <option key={r} value={r} disabled={!grantable.includes(r)}>
                        {r}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  {confirmRemove === m.userId ? (
                    <fieldset
                      className="confirm"
                      onKeyDown={(e) => {
                        if (e.key === 'Escape') keep(m);
                      }}
                    >
                      <legend>Remove {m.email}? They lose access to this organization at once.</legend>
                      <button type="button" className="danger" onClick={() => void remove(m)}>
                        Yes, remove
                      </button>{' '}
                      <button type="button" onClick={() => keep(m)} ref={focusWhenShown}>
                        Keep them
                      </button>
                    </fieldset>
                  ) : (
                    <button
                      type="button"
                      id={`remove-${m.userId}`}
                      className="danger"
                      onClick={() => setConfirmRemove(m.userId)}
                    >
                      Remove {m.email}…
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <InvitationsPanel orgId={orgId} role={role} />
    </section>
  );
}
