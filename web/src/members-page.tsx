import { useCallback, useState } from 'react';
import { answer, api, type Member, ROLES, type Role, roleAtLeast } from './api.ts';
import { ErrorMessage } from './error-message.tsx';
import { InvitationsPanel } from './invitations-panel.tsx';
import { Notice } from './notice.tsx';
import { PageTitle } from './page-title.tsx';
import { useLoaded } from './use-loaded.ts';
import { capitalized, ROLE_WORDS, withArticle } from './words.ts';

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
  const [roleChange, setRoleChange] = useState<{ member: Member; role: Role } | null>(null);
  // A removal takes its row's controls away: then the outcome takes the keyboard, not for a role change.
  const [focusNotice, setFocusNotice] = useState(false);
  const grantable = ROLES.filter((r) => roleAtLeast(role, r));

  /** Back to the member's role menu, where the change was asked for. */
  const focusRoleOf = (m: Member) =>
    requestAnimationFrame(() => document.getElementById(`role-${m.userId}`)?.focus());

  const changeRole = async (m: Member, next: Role) => {
    setFocusNotice(false);
    await perform(
      () =>
        answer(
          api.PATCH('/orgs/{orgId}/members/{userId}', {
            params: { path: { orgId, userId: m.userId } },
            body: { role: next },
          }),
        ),
      `${m.email} is now ${withArticle(next)}: ${ROLE_WORDS[next]}.`,
    );
    setRoleChange(null);
    focusRoleOf(m);
  };

  const keepRole = (m: Member) => {
    setRoleChange(null);
    focusRoleOf(m);
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
      <PageTitle title="Members" />
      <ErrorMessage text={error} />
      <Notice notice={notice} focus={focusNotice} />
      {!loaded && !error && <p role="status">Loading members…</p>}
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
                    id={`role-${m.userId}`}
                    aria-label={`Role of ${m.email}`}
                    value={roleChange?.member.userId === m.userId ? roleChange.role : m.role}
                    onChange={(e) => setRoleChange({ member: m, role: e.target.value as Role })}
                  >
                    {ROLES.map((r) => (
                      <option key={r} value={r} disabled={!grantable.includes(r)}>
                        {r}
                      </option>
                    ))}
                  </select>
                  {roleChange?.member.userId === m.userId && roleChange.role !== m.role && (
                    <fieldset
                      className="confirm"
                      onKeyDown={(e) => {
                        if (e.key === 'Escape') keepRole(m);
                      }}
                    >
                      <legend>
                        Make {m.email} {withArticle(roleChange.role)}?{' '}
                        {capitalized(withArticle(roleChange.role))} {ROLE_WORDS[roleChange.role]}.
                      </legend>
                      <button
                        type="button"
                        className="primary"
                        onClick={() => void changeRole(m, roleChange.role)}
                      >
                        Change role
                      </button>{' '}
                      <button type="button" onClick={() => keepRole(m)}>
                        Keep {withArticle(m.role)}
                      </button>
                    </fieldset>
                  )}
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
