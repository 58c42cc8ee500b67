import { type FormEvent, useCallback, useState } from 'react';
import { answer, api, type Role, roleAtLeast } from './api.ts';
import { CopyField } from './copy-field.tsx';
import { when } from './dates.ts';
import { ErrorMessage } from './error-message.tsx';
import { Notice } from './notice.tsx';
import { PageTitle } from './page-title.tsx';
import { RoleSelect } from './role-select.tsx';
import { useLoaded } from './use-loaded.ts';

export function ApiKeysPage({ orgId, role }: { orgId: string; role: Role }) {
  const load = useCallback(
    async () => (await answer(api.GET('/orgs/{orgId}/api-keys', { params: { path: { orgId } } }))).data,
    [orgId],
  );
  const { data: keys, error, loaded, act, perform, notice } = useLoaded(load, []);
  const [name, setName] = useState('');
  const [keyRole, setKeyRole] = useState<Role>('viewer');
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);
  const [confirmRevoke, setConfirmRevoke] = useState<string | null>(null);

  const create = (event: FormEvent) => {
    event.preventDefault();
    setCreated(null);
    void act(async () => {
      const { data } = await answer(
        api.POST('/orgs/{orgId}/api-keys', { params: { path: { orgId } }, body: { name, role: keyRole } }),
      );
      setCreated({ name: data.name, secret: data.secret });
      setName('');
    });
  };

  return (
    <section>
      <PageTitle title="API keys" />
      <p>
        Scripts and CI use a key as <code>Authorization: Bearer sb_…</code> on the assistant routes. A key
        acts in this organization with its role.
      </p>
      <ErrorMessage text={error} />
      <Notice notice={notice} focus />
      {created && (
        <div className="card secret" role="status">
          <p>
            <strong>Copy the secret of “{created.name}” now.</strong> It is shown only this once; Switchboard
            keeps only its hash.
          </p>
          <CopyField id="new-key-secret" label="Secret" value={created.secret} />
          <div className="actions">
            <button type="button" onClick={() => setCreated(null)}>
              Done
            </button>
          </div>
        </div>
      )}
      <table className="stacked">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Role</th>
            <th scope="col">Key</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">Revoke</th>
          </tr>
        </thead>
        <tbody>
          {!loaded && !error && (
            <tr>
              <td colSpan={6} role="status">
                Loading keys…
              </td>
            </tr>
          )}
          {loaded && keys.length === 0 && (
            <tr>
              <td colSpan={6}>No keys yet. Create one below.</td>
            </tr>
          )}
          {keys.map((k) => (
            <tr key={k.id}>
              <td data-label="Name">{k.name}</td>
              <td data-label="Role">{k.role}</td>
              <td data-label="Key">
                <code>{k.prefix}…</code>
              </td>
              <td data-label="Created">{when(k.createdAt)}</td>
              <td data-label="Last used">{when(k.lastUsedAt)}</td>
              <td>
                {confirmRevoke === k.id ? (
                  <fieldset className="confirm">
                    <legend>Revoke “{k.name}”? Anything using it stops working at once.</legend>
                    <button
                      type="button"
                      className="danger"
                      onClick={() =>
                        void perform(
                          () =>
                            answer(
                              api.DELETE('/orgs/{orgId}/api-keys/{keyId}', {
                                params: { path: { orgId, keyId: k.id } },
                              }),
                            ),
                          `Revoked “${k.name}”: anything using it is refused from now on.`,
                        )
                      }
                    >
                      Yes, revoke
                    </button>{' '}
                    <button type="button" onClick={() => setConfirmRevoke(null)}>
                      Keep it
                    </button>
                  </fieldset>
                ) : (
                  <button
                    type="button"
                    className="danger"
                    disabled={!roleAtLeast(role, k.role)}
                    onClick={() => setConfirmRevoke(k.id)}
                  >
                    Revoke {k.name}…
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Create a key</h2>
      <form onSubmit={create} className="card inline">
        <div className="field">
          <label htmlFor="key-name">Name</label>
          <input
            id="key-name"
            required
            maxLength={100}
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="key-role">Role</label>
          <RoleSelect id="key-role" grantor={role} value={keyRole} onChange={setKeyRole} />
        </div>
        <button type="submit" className="primary">
          Create key
        </button>
      </form>
    </section>
  );
}
