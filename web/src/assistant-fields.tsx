// The assistant form, shared by "new" and "edit". Its menus and limits come from GET /providers,
// which reads the same catalog and schemas the API validates against, so the form offers only what
// the API accepts, and says each limit before anything is sent. A value the menus lack (set at the
// provider) is still shown, as it is. For someone who may not edit, every field is read-only:
// still selectable and copyable, never greyed out.
import type { ReactNode } from 'react';
import type { ProviderChoices } from './api.ts';
import type { FieldName, FormValues } from './assistant-form.ts';
import { type FieldInputProps, FormField } from './form-field.tsx';
import type { ChoicesState } from './provider-choices.ts';
import { providerName } from './words.ts';

type ModelGroups = NonNullable<ProviderChoices['modelProviders'][number]['modelGroups']>;
type Range = { minimum: number; maximum: number };

interface Props {
  values: FormValues;
  errors: Partial<Record<FieldName, string>>;
  readOnly: boolean;
  onChange: (field: FieldName, value: string) => void;
  /** The menus for the assistant's connection; without them, names are typed. */
  menus: ChoicesState;
}

const rangeWords = (range: Range | undefined) => (range ? ` (${range.minimum}–${range.maximum})` : '');

/** "12 of 40 characters": the limit, seen while typing. */
const counted = (value: string, maxLength: number | undefined) =>
  maxLength === undefined
    ? undefined
    : `${value.length.toLocaleString()} of ${maxLength.toLocaleString()} characters`;

/** The options of a menu: the current value first when the list lacks it. */
const options = (ids: readonly string[], current: string, words: (id: string) => string = (id) => id) =>
  (ids.includes(current) || current === '' ? ids : [current, ...ids]).map((id) => (
    <option key={id} value={id}>
      {words(id)}
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
  const choices = menus.choices;
  const limits = choices?.limits;
  // Without choices once loading is over (it failed, or the connection's kind has none), names are typed.
  const typed = menus.settled && !choices;

  const field = (
    name: FieldName,
    label: string,
    input: (props: FieldInputProps) => ReactNode,
    hint?: string,
  ) => (
    <FormField id={`f-${name}`} label={label} hint={hint} error={errors[name]}>
      {input}
    </FormField>
  );
  const common = (name: FieldName, props: FieldInputProps) => ({
    ...props,
    name,
    value: values[name],
    onChange: (e: { target: { value: string } }) => onChange(name, e.target.value),
  });
  const text =
    (name: FieldName, maxLength?: number, extra: Record<string, string> = {}) =>
    (props: FieldInputProps) => (
      <input {...common(name, props)} {...extra} maxLength={maxLength} readOnly={readOnly} />
    );
  /** Grows with its text (CSS `field-sizing`), up to most of the window. */
  const longText = (name: FieldName, maxLength?: number) => (props: FieldInputProps) => (
    <textarea {...common(name, props)} rows={2} maxLength={maxLength} readOnly={readOnly} />
  );
  /** A menu, or for a reader the chosen value in words, read-only. */
  const menu =
    (name: FieldName, menuOptions: ReactNode, words: (id: string) => string = (id) => id) =>
    (props: FieldInputProps) =>
      readOnly ? (
        <input {...props} name={name} value={values[name] === '' ? 'None' : words(values[name])} readOnly />
      ) : (
        <select {...common(name, props)}>{menuOptions}</select>
      );
  /** A value the provider works out itself, shown read-only in words ("—" until it is known). */
  const shown = (name: FieldName) => (props: FieldInputProps) => (
    <input {...props} name={name} value={values[name] === '' ? '—' : providerName(values[name])} readOnly />
  );
  /** A provider menu; until the choices arrive it holds only the current value. */
  const providerMenu = (name: FieldName, ids: string[] | undefined, first?: ReactNode) =>
    typed
      ? text(name)
      : menu(
          name,
          <>
            {first}
            {options(ids ?? [], values[name], providerName)}
          </>,
          providerName,
        );

  // What this kind of connection holds: fields it has no place for are not offered, and providers it
  // works out from the model or voice id are shown, not chosen.
  const unheld = new Set(choices?.unheldFields ?? []);
  const derived = new Set(choices?.derivedFields ?? []);
  const modelProvider = choices?.modelProviders.find((p) => p.id === values.modelProvider);
  const transcriber = choices?.transcriberProviders.find((p) => p.id === values.transcriberProvider);
  const modelGroups = derived.has('model.provider')
    ? choices?.modelProviders.flatMap((p) =>
        (p.modelGroups ?? []).map((group) => ({ ...group, label: `${providerName(p.id)}: ${group.label}` })),
      )
    : modelProvider?.modelGroups;
  const voiceExamples = choices?.voiceProviders.flatMap((p) => p.exampleVoiceIds ?? []) ?? [];
  const transcriberModels = transcriber?.models;
  const temperature = modelProvider?.temperature ?? limits?.temperature;
  const maxTokens = modelProvider?.maxTokens ?? limits?.maxTokens;

  return (
    <>
      {menus.error && (
        <p className="hint" role="status">
          The lists of providers could not be loaded ({menus.error}), so type their names.
        </p>
      )}
      <fieldset>
        <legend>Assistant</legend>
        {field(
          'name',
          'Name',
          text('name', limits?.name.maxLength),
          counted(values.name, limits?.name.maxLength),
        )}
        {field(
          'firstMessage',
          'First message',
          longText('firstMessage', limits?.firstMessage.maxLength),
          `What the assistant says when a call starts. ${counted(values.firstMessage, limits?.firstMessage.maxLength) ?? ''}`.trim(),
        )}
      </fieldset>
      <fieldset>
        <legend>Model</legend>
        {derived.has('model.provider')
          ? field('modelProvider', 'Provider', shown('modelProvider'), 'Follows from the model.')
          : field(
              'modelProvider',
              'Provider',
              providerMenu(
                'modelProvider',
                choices?.modelProviders.map((p) => p.id),
              ),
            )}
        {field(
          'model',
          'Model',
          modelGroups
            ? menu('model', groupedOptions(modelGroups, values.model))
            : choices || typed
              ? // The provider takes any model name (or is not in the menu).
                text('model', limits?.model.maxLength)
              : menu('model', options([], values.model)),
        )}
        {field(
          'temperature',
          `Temperature${rangeWords(temperature)}`,
          text('temperature', undefined, { inputMode: 'decimal' }),
          temperature
            ? `From ${temperature.minimum} to ${temperature.maximum}; lower is more predictable.`
            : undefined,
        )}
        {!unheld.has('model.maxTokens') &&
          field(
            'maxTokens',
            `Max tokens${rangeWords(maxTokens)}`,
            text('maxTokens', undefined, { inputMode: 'numeric' }),
            maxTokens
              ? `A whole number from ${maxTokens.minimum} to ${maxTokens.maximum.toLocaleString()}: the longest answer, in tokens.`
              : undefined,
          )}
        <div className="span-all">
          {field(
            'systemPrompt',
            'System prompt',
            longText('systemPrompt', limits?.systemPrompt.maxLength),
            counted(values.systemPrompt, limits?.systemPrompt.maxLength),
          )}
        </div>
      </fieldset>
      <fieldset>
        <legend>Voice</legend>
        {derived.has('voice.provider')
          ? field('voiceProvider', 'Provider', shown('voiceProvider'), 'Follows from the voice ID.')
          : field(
              'voiceProvider',
              'Provider',
              providerMenu(
                'voiceProvider',
                choices?.voiceProviders.map((p) => p.id),
              ),
            )}
        {field(
          'voiceId',
          'Voice ID',
          text('voiceId', limits?.voiceId.maxLength),
          voiceExamples.length > 0
            ? `The voice’s id, which names its provider first, e.g. ${voiceExamples.join(', ')}.`
            : 'The voice’s name or id at the voice provider.',
        )}
      </fieldset>
      {!unheld.has('transcriber') && (
        <fieldset>
          <legend>Transcriber</legend>
          {field(
            'transcriberProvider',
            'Provider',
            providerMenu(
              'transcriberProvider',
              choices?.transcriberProviders.map((p) => p.id),
              <option value="">None</option>,
            ),
          )}
          {field(
            'transcriberModel',
            transcriber?.modelRequired ? 'Model' : 'Model (optional)',
            transcriberModels
              ? menu(
                  'transcriberModel',
                  <>
                    <option value="">
                      {transcriber.modelRequired ? 'Choose a model' : 'The provider’s default'}
                    </option>
                    {options(transcriberModels, values.transcriberModel)}
                  </>,
                )
              : text('transcriberModel', limits?.transcriberModel.maxLength),
          )}
        </fieldset>
      )}
    </>
  );
}
