import { useCallback, useState } from 'react';
import { AddConnectionForm } from './add-connection-form.tsx';
import { answer, api, describeError, fieldProblemsOf, type Role, roleAtLeast } from './api.ts';
import { AT_ADD_FORM, AT_PAGE, type Feedback, type Perform } from './connection-actions.ts';
import { ConnectionCard } from './connection-card.tsx';
import { byDefaultThenName } from './connection-words.tsx';
import { ErrorMessage } from './error-message.tsx';
import { Notice } from './notice.tsx';
import { PageTitle } from './page-title.tsx';
import { useLoaded } from './use-loaded.ts';

export function ConnectionsPage({ orgId, role }: { orgId: string; role: Role }) {
  const load = useCallback(
    async () =>
      (await answer(api.GET('/orgs/{orgId}/connections', { params: { path: { orgId } } }))).data.sort(
        byDefaultThenName,
      ),
    [orgId],
  );
  const { data: connections, error, loaded, reload } = useLoaded(load, []);
  const [feedback, setFeedback] = useState<Feedback | null>(null);
  const [busyAt, setBusyAt] = useState<string | null>(null);
  const isAdmin = roleAtLeast(role, 'admin');

  const perform: Perform = async (at, action) => {
    setBusyAt(at);
    setFeedback(null);
    try {
      const done = await action();
      await reload();
      setFeedback({ at: done.at ?? at, kind: done.kind ?? 'ok', text: done.text });
      return true;
    } catch (e) {
      setFeedback({ at, kind: 'error', text: describeError(e), fields: fieldProblemsOf(e) });
      return false;
    } finally {
      setBusyAt(null);
    }
  };
  const feedbackAt = (at: string) => (feedback?.at === at ? feedback : null);

  return (
    <section>
      <PageTitle title="Connections" />
      <p>
        Each connection is this organization's own account at a voice platform. Assistants live on one
        connection; new ones go to the default unless someone picks another.
        {!isAdmin && ' Only admins can add or change connections.'}
      </p>
      <ErrorMessage text={error} />
      <Notice notice={feedbackAt(AT_PAGE)} focus />
      {!loaded && !error && <p>Loading connections…</p>}
      {loaded && connections.length === 0 && (
        <p>No connections yet.{isAdmin ? ' Add one below.' : ' An admin can add one.'}</p>
      )}
      {loaded && connections.length > 0 && !connections.some((c) => c.isDefault) && (
        <p className="banner warning">
          No connection is the default, so new assistants must name one.
          {isAdmin && ' Make one the default below.'}
        </p>
      )}
      {connections.length > 0 && (
        <ul className="connections">
          {connections.map((c) => (
            <li key={c.id}>
              <ConnectionCard
                orgId={orgId}
                connection={c}
                isAdmin={isAdmin}
                canImport={roleAtLeast(role, 'editor')}
                busy={busyAt !== null}
                working={busyAt === c.id}
                feedback={feedbackAt(c.id)}
                perform={perform}
              />
            </li>
          ))}
        </ul>
      )}
      {isAdmin && (
        <AddConnectionForm
          orgId={orgId}
          busy={busyAt !== null}
          working={busyAt === AT_ADD_FORM}
          feedback={feedbackAt(AT_ADD_FORM)}
          perform={perform}
        />
      )}
    </section>
  );
}
