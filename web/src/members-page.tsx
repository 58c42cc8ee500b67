import { type FormEvent, useCallback, useState } from 'react';
import { api, type Member, ROLES, type Role, roleAtLeast } from './api.ts';
import { ErrorMessage } from './error-message.tsx';
import { RoleSelect } from './role-select.tsx';
import { useLoaded } from './use-loaded.ts';

export function MembersPage({ orgId, role }: { orgId: string; role: Role }) {
  const load = useCallback(async () => (await api<Member[]>('GET', `/orgs/${orgId}/members`)).data, [orgId]);
  const { data: members, error, act } = useLoaded(load, []);
  const [email, setEmail] = useState('');
  const [newRole, setNewRole] = useState<Role>('viewer');
  const [password, setPassword] = useState('');
  const grantable = ROLES.filter((r) => roleAtLeast(role, r));

  const add = (event: FormEvent) => {
    event.preventDefault();
    void act(async () => {
      await api('POST', `/orgs/${orgId}/members`, {
        email,
        role: newRole,
        ...(password ? { password } : {}),
      });
      setEmail('');
      setPassword('');
    });
  };

  return (
    <section>
      <h1>Members</h1>
      <ErrorMessage text={error} />
      <table>
        <thead>
          <tr>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            <th scope="col">Remove</th>
          </tr>
        </thead>
        <tbody>
          {members.map((m) => (
            <tr key={m.userId}>
              <td>{m.email}</td>
              <td>
                <select
                  aria-label={`Role of ${m.email}`}
                  value={m.role}
                  onChange={(e) =>
                    void act(() =>
                      api('PATCH', `/orgs/${orgId}/members/${m.userId}`, { role: e.target.value }),
                    )
                  }
                >
                  {ROLES.map((r) => (
                    <option key={r} value={r} disabled={!grantable.includes(r)}>
                      {r}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                <button
                  type="button"
                  className="danger"
                  onClick={() => void act(() => api('DELETE', `/orgs/${orgId}/members/${m.userId}`))}
                >
                  Remove {m.email}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Add a member</h2>
      <form onSubmit={add} className="card inline">
        <div className="field">
          <label htmlFor="member-email">Email</label>
          <input
            id="member-email"
            type="email"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="member-role">Role</label>
          <RoleSelect id="member-role" grantor={role} value={newRole} onChange={setNewRole} />
        </div>
        <div className="field">
          <label htmlFor="member-password">Password (for a new user)</label>
          <input
            id="member-password"
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        <button type="submit" className="primary">
          Add member
        </button>
      </form>
    </section>
  );
}
