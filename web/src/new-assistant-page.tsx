import { type FormEvent, useCallback, useState } from 'react';
import { ApiError, answer, api, describeError } from './api.ts';
import { AssistantFields } from './assistant-fields.tsx';
import { createBody, EMPTY_FORM, fieldsInWords, problemsByField } from './assistant-form.ts';
import { ConnectionSelect } from './connection-select.tsx';
import { byDefaultThenName, defaultConnection } from './connection-words.tsx';
import { ErrorMessage } from './error-message.tsx';
import { PageTitle } from './page-title.tsx';
import { useProviderChoices } from './provider-choices.ts';
import { discardAndLeave, useLeaveQuestion } from './unsaved-changes.ts';
import { UnsavedChangesDialog } from './unsaved-changes-dialog.tsx';
import { useAssistantForm } from './use-assistant-form.ts';
import { useLoaded } from './use-loaded.ts';
import { navigate } from './use-route.ts';

export function NewAssistantPage({ orgId }: { orgId: string }) {
  const loadConnections = useCallback(
    async () =>
      (await answer(api.GET('/orgs/{orgId}/connections', { params: { path: { orgId } } }))).data.sort(
        byDefaultThenName,
      ),
    [orgId],
  );
  const connections = useLoaded(loadConnections, []);
  const [chosen, setChosen] = useState<string | null>(null);
  const form = useAssistantForm(EMPTY_FORM);
  const values = form.values ?? EMPTY_FORM;
  const leaving = useLeaveQuestion(form.edited.length > 0);
  const [connectionError, setConnectionError] = useState<string | undefined>();
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // The default is preselected once the list arrives; until someone picks another.
  const connectionId = chosen ?? defaultConnection(connections.data)?.id ?? '';
  const menus = useProviderChoices(connections.data.find((c) => c.id === connectionId)?.provider);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    form.setErrors({});
    setConnectionError(undefined);
    setMessage(null);
    try {
      const { data } = await answer(
        api.POST('/assistants', {
          body: {
            ...createBody(
              values,
              new Set([...(menus.choices?.derivedFields ?? []), ...(menus.choices?.unheldFields ?? [])]),
            ),
            // Without one (the list did not load), the server uses the organization's default.
            ...(connectionId ? { connectionId } : {}),
          },
        }),
      );
      // Saved: nothing is left to lose on the way to its page.
      discardAndLeave(() => navigate(`/assistants/${data.id}`));
    } catch (e) {
      if (e instanceof ApiError && e.status === 400) {
        const onConnection = e.details.filter((d) => d.field === 'connectionId');
        const { fields, other } = problemsByField(e.details.filter((d) => d.field !== 'connectionId'));
        form.setErrors(fields);
        setConnectionError(onConnection.map((d) => d.message).join('; ') || undefined);
        setMessage(
          other.length > 0
            ? other.join('; ')
            : e.details.length > 0
              ? 'Please correct the highlighted fields.'
              : describeError(e),
        );
      } else {
        setMessage(describeError(e));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <section>
      <PageTitle title="New assistant" />
      <form noValidate onSubmit={(e) => void submit(e)} className="card">
        <fieldset>
          <legend>Where it runs</legend>
          <ConnectionSelect
            connections={connections.data}
            loaded={connections.loaded}
            value={connectionId}
            onChange={setChosen}
            loadFailed={connections.error !== null}
            error={connectionError ?? connections.error ?? undefined}
          />
        </fieldset>
        <AssistantFields
          values={values}
          errors={form.errors}
          readOnly={false}
          onChange={form.change}
          menus={menus}
        />
        <ErrorMessage text={message} />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create assistant'}
          </button>
          <a className="button" href="#/assistants">
            Cancel
          </a>
        </div>
      </form>
      {leaving.asking && (
        <UnsavedChangesDialog
          fields={fieldsInWords(form.edited)}
          onLeave={leaving.leave}
          onStay={leaving.stay}
        />
      )}
    </section>
  );
}
