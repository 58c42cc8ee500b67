// The assistant form, shared by "new" and "edit". Provider lists come from the same catalog the
// API validates against, so the form offers only what the API accepts.
import type { ReactNode } from 'react';
import { MODEL_PROVIDERS, TRANSCRIBER_PROVIDERS, VOICE_PROVIDERS } from '../../src/providers/vapi/catalog.ts';
import type { FieldName, FormValues } from './assistant-form.ts';

const MODEL_CHOICES = ['openai', 'anthropic'];

interface Props {
  values: FormValues;
  errors: Partial<Record<FieldName, string>>;
  readOnly: boolean;
  onChange: (field: FieldName, value: string) => void;
}

export function AssistantFields({ values, errors, readOnly, onChange }: Props) {
  const field = (name: FieldName, label: string, input: ReactNode) => (
    <div className={`field${errors[name] ? ' invalid' : ''}`}>
      <label htmlFor={`f-${name}`}>{label}</label>
      {input}
      {errors[name] && (
        <p className="field-error" id={`e-${name}`} role="alert">
          {errors[name]}
        </p>
      )}
    </div>
  );
  const common = (name: FieldName) => ({
    id: `f-${name}`,
    name,
    value: values[name],
    disabled: readOnly,
    'aria-invalid': errors[name] ? true : undefined,
    'aria-describedby': errors[name] ? `e-${name}` : undefined,
    onChange: (e: { target: { value: string } }) => onChange(name, e.target.value),
  });
  const models = MODEL_PROVIDERS[values.modelProvider]?.models;
  const providerOptions = (names: string[], current: string) =>
    (names.includes(current) || current === '' ? names : [current, ...names]).map((p) => (
      <option key={p} value={p}>
        {p}
      </option>
    ));

  return (
    <>
      <fieldset>
        <legend>Assistant</legend>
        {field('name', 'Name', <input {...common('name')} />)}
        {field('firstMessage', 'First message', <input {...common('firstMessage')} />)}
      </fieldset>
      <fieldset>
        <legend>Model</legend>
        {field(
          'modelProvider',
          'Provider',
          <select {...common('modelProvider')}>
            {providerOptions(MODEL_CHOICES, values.modelProvider)}
          </select>,
        )}
        {field(
          'model',
          'Model',
          models ? (
            <select {...common('model')}>{providerOptions([...models], values.model)}</select>
          ) : (
            <input {...common('model')} />
          ),
        )}
        {field('temperature', 'Temperature (0–2)', <input inputMode="decimal" {...common('temperature')} />)}
        {field('maxTokens', 'Max tokens (50–10000)', <input inputMode="numeric" {...common('maxTokens')} />)}
        {field('systemPrompt', 'System prompt', <textarea rows={6} {...common('systemPrompt')} />)}
      </fieldset>
      <fieldset>
        <legend>Voice</legend>
        {field(
          'voiceProvider',
          'Provider',
          <select {...common('voiceProvider')}>
            {providerOptions(Object.keys(VOICE_PROVIDERS), values.voiceProvider)}
          </select>,
        )}
        {field('voiceId', 'Voice ID', <input {...common('voiceId')} />)}
      </fieldset>
      <fieldset>
        <legend>Transcriber</legend>
        {field(
          'transcriberProvider',
          'Provider',
          <select {...common('transcriberProvider')}>
            <option value="">None</option>
            {providerOptions(Object.keys(TRANSCRIBER_PROVIDERS), values.transcriberProvider)}
          </select>,
        )}
        {field('transcriberModel', 'Model (optional)', <input {...common('transcriberModel')} />)}
      </fieldset>
    </>
  );
}
