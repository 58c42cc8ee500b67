import { type FormEvent, useState } from 'react';
import { ApiError, type Assistant, api, describeError } from './api.ts';
import { AssistantFields } from './assistant-fields.tsx';
import {
  createBody,
  EMPTY_FORM,
  type FieldName,
  type FormValues,
  problemsByField,
} from './assistant-form.ts';
import { ErrorMessage } from './error-message.tsx';
import { navigate } from './use-route.ts';

export function NewAssistantPage() {
  const [values, setValues] = useState<FormValues>(EMPTY_FORM);
  const [errors, setErrors] = useState<Partial<Record<FieldName, string>>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    setMessage(null);
    try {
      const { data } = await api<Assistant>('POST', '/assistants', createBody(values));
      navigate(`/assistants/${data.id}`);
    } catch (e) {
      if (e instanceof ApiError && e.status === 400) {
        const { fields, other } = problemsByField(e.details);
        setErrors(fields);
        setMessage(other.length > 0 ? other.join('; ') : 'Please correct the highlighted fields.');
      } else {
        setMessage(describeError(e));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <section>
      <h1>New assistant</h1>
      <form noValidate onSubmit={(e) => void submit(e)} className="card">
        <AssistantFields
          values={values}
          errors={errors}
          readOnly={false}
          onChange={(f, v) => setValues({ ...values, [f]: v })}
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
    </section>
  );
}
