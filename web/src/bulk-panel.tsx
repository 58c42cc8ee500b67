import { type FormEvent, type ReactNode, useEffect, useRef, useState } from 'react';
import {
  ApiError,
  type AssistantPatch,
  answer,
  api,
  type BulkPreview,
  type BulkRequest,
  describeError,
  type Job,
} from './api.ts';
import {
  BULK_FIELDS,
  type BulkField,
  type BulkValues,
  bulkPatchOf,
  EMPTY_BULK_VALUES,
} from './bulk-patch.ts';
import { BulkPreviewList } from './bulk-preview-list.tsx';
import { ConfirmDialog } from './confirm-dialog.tsx';
import { ErrorMessage } from './error-message.tsx';
import { fieldWords } from './field-words.ts';
import { FormField } from './form-field.tsx';
import { JobProgress } from './job-progress.tsx';
import { kindWords } from './job-words.ts';
import { assistantsWords, providerName, sentence } from './words.ts';

/** Which assistants a bulk change is for: chosen ones, or every one a search matches. */
export type BulkTarget = Pick<BulkRequest, 'ids' | 'filter'>;

/** The model providers a change may name; a Record, so one the API adds or drops fails the type check here. */
const MODEL_PROVIDER_SET: Record<NonNullable<NonNullable<AssistantPatch['model']>['provider']>, true> = {
  openai: true,
  anthropic: true,
};
const MODEL_PROVIDERS = Object.keys(MODEL_PROVIDER_SET);

/**
 * A refusal in words: a 400's problems each under the field's name ("Voice provider: must be one
 * of …"), which say more than its summary; any other error as the dashboard says it.
 */
function refusalWords(error: unknown): string {
  if (!(error instanceof ApiError) || error.details.length === 0) return describeError(error);
  return error.details
    .map(({ field, message }) =>
      sentence(`${fieldWords(field.replace(/^(body\.)?patch\.?/, '') || 'patch')}: ${message}`),
    )
    .join(' ');
}

/**
 * A change to many assistants at once: choose the fields and their new values, preview what would
 * change on each (a dry run: nothing is sent), then run it as a job and follow its progress.
 */
export function BulkPanel({
  target,
  targetWords,
  onClose,
  onFinished,
}: {
  target: BulkTarget;
  /** "3 chosen assistants", "every assistant matching “Sales”". */
  targetWords: string;
  onClose: () => void;
  onFinished: () => void;
}) {
  const [chosen, setChosen] = useState<ReadonlySet<BulkField>>(new Set());
  const [values, setValues] = useState<BulkValues>(EMPTY_BULK_VALUES);
  const [preview, setPreview] = useState<BulkPreview | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [job, setJob] = useState<Job | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  // The button that opened the panel is gone: the keyboard starts at the panel's heading.
  useEffect(() => {
    heading.current?.focus();
  }, []);

  // Any edit makes the last preview stale: it must be seen again before running.
  const choose = (field: BulkField, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(field);
    else next.delete(field);
    setChosen(next);
    setPreview(null);
  };
  const edit = (key: keyof BulkValues, value: string) => {
    setValues({ ...values, [key]: value });
    setPreview(null);
  };
  const request = (dryRun: boolean) => ({ ...target, patch: bulkPatchOf(chosen, values), dryRun });

  const showPreview = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setPreview(null);
    try {
      const { data } = await answer(api.POST('/assistants/bulk', { body: request(true) }));
      if (!('items' in data)) throw new Error('a dry run answered without its preview');
      setPreview(data);
    } catch (e) {
      setError(refusalWords(e));
    } finally {
      setBusy(false);
    }
  };

  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      const { data } = await answer(api.POST('/assistants/bulk', { body: request(false) }));
      if (!('job' in data)) throw new Error('a bulk change answered without its job');
      setJob(data.job);
    } catch (e) {
      setError(refusalWords(e));
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  };

  const changing = preview?.items.length ?? 0;
  const input = (key: keyof BulkValues) => ({
    value: values[key],
    onChange: (e: { target: { value: string } }) => edit(key, e.target.value),
  });
  const FIELD_INPUTS: Record<BulkField, ReactNode> = {
    model: (
      <div className="bulk-pair">
        <FormField id="bulk-model-provider" label="Model provider">
          {(props) => (
            <select {...props} {...input('modelProvider')}>
              <option value="">Keep each one’s</option>
              {MODEL_PROVIDERS.map((p) => (
                <option key={p} value={p}>
                  {providerName(p)}
                </option>
              ))}
            </select>
          )}
        </FormField>
        <FormField id="bulk-model" label="New model" hint="As the provider names it, e.g. gpt-4o.">
          {(props) => <input {...props} required maxLength={200} {...input('modelName')} />}
        </FormField>
      </div>
    ),
    temperature: (
      <FormField id="bulk-temperature" label="New temperature (0–2)">
        {(props) => (
          <input {...props} type="number" required min={0} max={2} step={0.1} {...input('temperature')} />
        )}
      </FormField>
    ),
    systemPrompt: (
      <FormField id="bulk-system-prompt" label="New system prompt" hint="Left empty, it is removed.">
        {(props) => <textarea {...props} rows={4} {...input('systemPrompt')} />}
      </FormField>
    ),
    firstMessage: (
      <FormField id="bulk-first-message" label="New first message" hint="Left empty, it is removed.">
        {(props) => <textarea {...props} rows={2} {...input('firstMessage')} />}
      </FormField>
    ),
    voice: (
      <div className="bulk-pair">
        <FormField
          id="bulk-voice-provider"
          label="Voice provider"
          hint="E.g. 11labs; empty keeps each one’s."
        >
          {(props) => <input {...props} maxLength={100} {...input('voiceProvider')} />}
        </FormField>
        <FormField id="bulk-voice" label="New voice ID">
          {(props) => <input {...props} required maxLength={200} {...input('voiceId')} />}
        </FormField>
      </div>
    ),
  };

  return (
    <section className="card bulk-panel" aria-labelledby="bulk-heading">
      <h2 id="bulk-heading" ref={heading} tabIndex={-1}>
        Change {targetWords}
      </h2>
      {job ? (
        <>
          <JobProgress
            initial={job}
            label={kindWords({ kind: 'bulk' }, undefined)}
            canCancel
            focus
            onFinished={onFinished}
          />
          <div className="actions">
            <button type="button" onClick={onClose}>
              Close
            </button>
          </div>
        </>
      ) : (
        <>
          <form onSubmit={(e) => void showPreview(e)} className="bulk-form">
            <fieldset className="bulk-fields">
              <legend>Fields to change</legend>
              {BULK_FIELDS.map(({ field, label }) => (
                <label key={field} className="check">
                  <input
                    type="checkbox"
                    checked={chosen.has(field)}
                    onChange={(e) => choose(field, e.target.checked)}
                  />
                  Change {label.toLowerCase()}
                </label>
              ))}
            </fieldset>
            {BULK_FIELDS.filter(({ field }) => chosen.has(field)).map(({ field }) => (
              <div key={field}>{FIELD_INPUTS[field]}</div>
            ))}
            <p className="hint">
              Only the chosen fields are sent; everything else stays as each assistant has it.
            </p>
            <div className="actions">
              <button type="submit" className="primary" disabled={busy || chosen.size === 0}>
                {busy && !preview ? 'Previewing…' : 'Preview changes'}
              </button>
              <button type="button" onClick={onClose}>
                Cancel
              </button>
            </div>
          </form>
          <ErrorMessage text={error} />
          {preview && <BulkPreviewList preview={preview} />}
          {preview && changing > 0 && (
            <div className="actions">
              <button type="button" className="primary" onClick={() => setConfirming(true)} disabled={busy}>
                Run: change {assistantsWords(changing)}…
              </button>
            </div>
          )}
          {confirming && (
            <ConfirmDialog
              title={`Change ${assistantsWords(changing)}?`}
              confirmLabel={busy ? 'Starting…' : `Yes, change ${assistantsWords(changing)}`}
              busy={busy}
              onConfirm={() => void run()}
              onCancel={() => setConfirming(false)}
            >
              <p>
                Each one is changed here and at its provider, as if you saved it yourself, and gets a new
                version you can restore. It runs in the background; you can cancel it while it runs.
              </p>
            </ConfirmDialog>
          )}
        </>
      )}
    </section>
  );
}
