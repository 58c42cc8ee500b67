// The assistant form, shared by "new" and "edit". Its menus and limits come from GET /providers,
// which reads the same catalog and schemas the API validates against, so the form offers only what
// the API accepts. A value the menus lack (set at the provider) is still shown, as it is.
import type { ReactNode } from 'react';
import type { ProviderChoices } from './api.ts';
import type { FieldName, FormValues } from './assistant-form.ts';
import type { ChoicesState } from './provider-choices.ts';

type ModelGroups = NonNullable<ProviderChoices['modelProviders'][number]['modelGroups']>;

interface Props {
  values: FormValues;
  errors: Partial<Record<FieldName, string>>;
  readOnly: boolean;
  onChange: (field: FieldName, value: string) => void;
  /** The menus for the assistant's connection; without them, names are typed. */
  menus: ChoicesState;
}

const rangeWords = (range: { minimum: number; maximum: number } | undefined) =>
  range ? ` (${range.minimum}–${range.maximum})` : '';

/** The options of a menu: the current value first when the list lacks it. */
const options = (names: readonly string[], current: string) =>
  (names.includes(current) || current === '' ? names : [current, ...names]).map((name) => (
    <option key={name} value={name}>
      {name}
    </option>
  ));

const groupedOptions = (groups: ModelGroups, current: string) => (
  <>
    {current === '' && <option value="">Choose a model</option>}
    {current !== '' && !groups.some((group) => group.models.includes(current)) && (
      <option value={current}>{current}</option>
    )}
    {groups.map((group) => (
      <optgroup key={group.label} label={group.label}>
        {options(group.models, '')}
      </optgroup>
    ))}
  </>
);

export function AssistantFields({ values, errors, readOnly, onChange, menus }: Props) {
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

  const choices = menus.choices;
  const limits = choices?.limits;
  // Without choices once loading is over (it failed, or the connection's kind has none), names are typed.
  const typed = menus.settled && !choices;
  const text = (name: FieldName, maxLength?: number) => <input {...common(name)} maxLength={maxLength} />;
  /** A provider menu; until the choices arrive it holds only the current value. */
  const menu = (name: FieldName, ids: string[] | undefined, first?: ReactNode) =>
    typed ? (
      text(name)
    ) : (
      <select {...common(name)}>
        {first}
        {options(ids ?? [], values[name])}
      </select>
    );

  const modelProvider = choices?.modelProviders.find((p) => p.id === values.modelProvider);
  const transcriber = choices?.transcriberProviders.find((p) => p.id === values.transcriberProvider);
  const modelGroups = modelProvider?.modelGroups;
  const transcriberModels = transcriber?.models;

  return (
    <>
      {menus.error && (
        <p className="hint" role="status">
          The lists of providers could not be loaded ({menus.error}), so type their names.
        </p>
      )}
      <fieldset>
        <legend>Assistant</legend>
        {field('name', 'Name', text('name', limits?.name.maxLength))}
        {field('firstMessage', 'First message', text('firstMessage', limits?.firstMessage.maxLength))}
      </fieldset>
      <fieldset>
        <legend>Model</legend>
        {field(
          'modelProvider',
          'Provider',
          menu(
            'modelProvider',
            choices?.modelProviders.map((p) => p.id),
          ),
        )}
        {field(
          'model',
          'Model',
          modelGroups ? (
            <select {...common('model')}>{groupedOptions(modelGroups, values.model)}</select>
          ) : choices || typed ? (
            // The provider takes any model name (or is not in the menu).
            text('model', limits?.model.maxLength)
          ) : (
            <select {...common('model')}>{options([], values.model)}</select>
          ),
        )}
        {field(
          'temperature',
          `Temperature${rangeWords(modelProvider?.temperature ?? limits?.temperature)}`,
          <input inputMode="decimal" {...common('temperature')} />,
        )}
        {field(
          'maxTokens',
          `Max tokens${rangeWords(modelProvider?.maxTokens ?? limits?.maxTokens)}`,
          <input inputMode="numeric" {...common('maxTokens')} />,
        )}
        {field(
          'systemPrompt',
          'System prompt',
          <textarea rows={6} {...common('systemPrompt')} maxLength={limits?.systemPrompt.maxLength} />,
        )}
      </fieldset>
      <fieldset>
        <legend>Voice</legend>
        {field(
          'voiceProvider',
          'Provider',
          menu(
            'voiceProvider',
            choices?.voiceProviders.map((p) => p.id),
          ),
        )}
        {field('voiceId', 'Voice ID', text('voiceId', limits?.voiceId.maxLength))}
      </fieldset>
      <fieldset>
        <legend>Transcriber</legend>
        {field(
          'transcriberProvider',
          'Provider',
          menu(
            'transcriberProvider',
            choices?.transcriberProviders.map((p) => p.id),
            <option value="">None</option>,
          ),
        )}
        {field(
          'transcriberModel',
          transcriber?.modelRequired ? 'Model' : 'Model (optional)',
          transcriberModels ? (
            <select {...common('transcriberModel')}>
              <option value="">
                {transcriber.modelRequired ? 'Choose a model' : 'The provider’s default'}
              </option>
              {options(transcriberModels, values.transcriberModel)}
            </select>
          ) : (
            text('transcriberModel', limits?.transcriberModel.maxLength)
          ),
        )}
      </fieldset>
    </>
  );
}
