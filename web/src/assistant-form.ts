// The assistant form's values, and the one rule that matters most: a save sends only what changed.
import type { Assistant, AssistantCreate, AssistantPatch, FieldProblem } from './api.ts';

export interface FormValues {
  name: string;
  firstMessage: string;
  modelProvider: string;
  model: string;
  temperature: string;
  maxTokens: string;
  systemPrompt: string;
  voiceProvider: string;
  voiceId: string;
  transcriberProvider: string;
  transcriberModel: string;
}

export type FieldName = keyof FormValues;

export const EMPTY_FORM: FormValues = {
  name: '',
  firstMessage: '',
  modelProvider: 'openai',
  model: 'gpt-4o',
  temperature: '',
  maxTokens: '',
  systemPrompt: '',
  voiceProvider: '11labs',
  voiceId: '',
  transcriberProvider: '',
  transcriberModel: '',
};

export function formFromAssistant(a: Assistant): FormValues {
  const text = (value: string | number | null | undefined) =>
    value === null || value === undefined ? '' : String(value);
  return {
    name: text(a.name),
    firstMessage: text(a.firstMessage),
    modelProvider: text(a.model?.provider),
    model: text(a.model?.model),
    temperature: text(a.model?.temperature),
    maxTokens: text(a.model?.maxTokens),
    systemPrompt: text(a.model?.systemPrompt),
    voiceProvider: text(a.voice?.provider),
    voiceId: text(a.voice?.voiceId),
    transcriberProvider: text(a.transcriber?.provider),
    transcriberModel: text(a.transcriber?.model),
  };
}

// The bodies are typed by the API's document, so a renamed or retyped field fails the type check.
// The form itself does not judge values: the API does, and its 400 lands at each field. So what
// was typed goes out as it is, cast to what the API expects: a provider name the menus offered
// (or the stored one), and a number or the text that is not one.
type ModelPatch = NonNullable<AssistantPatch['model']>;
type VoicePatch = NonNullable<AssistantPatch['voice']>;
type TranscriberPatch = NonNullable<AssistantPatch['transcriber']>;
type ModelProvider = NonNullable<ModelPatch['provider']>;
type VoiceProvider = NonNullable<VoicePatch['provider']>;
type TranscriberProvider = NonNullable<TranscriberPatch['provider']>;

/** A number when the text is one; otherwise the text itself, so the API can say what is wrong. */
function numberOrText(value: string): number {
  const n = Number(value);
  return (value.trim() !== '' && Number.isFinite(n) ? n : value) as number;
}

/** The PATCH body: only fields whose value changed; an emptied optional field is cleared with null. */
export function patchBody(initial: FormValues, current: FormValues): AssistantPatch {
  const changed = (field: FieldName) => initial[field] !== current[field];
  const textOrNull = (field: FieldName) => (current[field] === '' ? null : current[field]);
  const numberOrNull = (field: FieldName) => (current[field] === '' ? null : numberOrText(current[field]));
  const body: AssistantPatch = {};
  if (changed('name')) body.name = current.name;
  if (changed('firstMessage')) body.firstMessage = textOrNull('firstMessage');

  const model: ModelPatch = {};
  if (changed('modelProvider')) model.provider = current.modelProvider as ModelProvider;
  if (changed('model') || changed('modelProvider')) model.model = current.model;
  if (changed('temperature')) model.temperature = numberOrNull('temperature');
  if (changed('maxTokens')) model.maxTokens = numberOrNull('maxTokens');
  if (changed('systemPrompt')) model.systemPrompt = textOrNull('systemPrompt');
  if (Object.keys(model).length > 0) body.model = model;

  const voice: VoicePatch = {};
  if (changed('voiceProvider')) voice.provider = current.voiceProvider as VoiceProvider;
  if (changed('voiceId')) voice.voiceId = current.voiceId;
  if (Object.keys(voice).length > 0) body.voice = voice;

  if (current.transcriberProvider === '') {
    if (initial.transcriberProvider !== '') body.transcriber = null;
  } else {
    const transcriber: TranscriberPatch = {};
    if (changed('transcriberProvider'))
      transcriber.provider = current.transcriberProvider as TranscriberProvider;
    if (changed('transcriberModel')) transcriber.model = textOrNull('transcriberModel');
    if (Object.keys(transcriber).length > 0) body.transcriber = transcriber;
  }
  return body;
}

/**
 * The POST body for a new assistant; empty optional fields are left out, and so are the fields the
 * connection's platform works out itself or has no place for (`omit`, dotted as the API names them).
 */
export function createBody(v: FormValues, omit: ReadonlySet<string> = new Set()): AssistantCreate {
  const model: AssistantCreate['model'] = { model: v.model };
  if (!omit.has('model.provider')) model.provider = v.modelProvider as ModelProvider;
  if (v.temperature !== '') model.temperature = numberOrText(v.temperature);
  if (v.maxTokens !== '' && !omit.has('model.maxTokens')) model.maxTokens = numberOrText(v.maxTokens);
  if (v.systemPrompt !== '') model.systemPrompt = v.systemPrompt;
  const body: AssistantCreate = {
    name: v.name,
    model,
    voice: {
      ...(omit.has('voice.provider') ? {} : { provider: v.voiceProvider as VoiceProvider }),
      voiceId: v.voiceId,
    },
  };
  if (v.firstMessage !== '') body.firstMessage = v.firstMessage;
  if (v.transcriberProvider !== '' && !omit.has('transcriber')) {
    body.transcriber = {
      provider: v.transcriberProvider as TranscriberProvider,
      ...(v.transcriberModel ? { model: v.transcriberModel } : {}),
    };
  }
  return body;
}

const API_FIELDS: Record<string, FieldName> = {
  name: 'name',
  firstMessage: 'firstMessage',
  'model.provider': 'modelProvider',
  'model.model': 'model',
  'model.temperature': 'temperature',
  'model.maxTokens': 'maxTokens',
  'model.systemPrompt': 'systemPrompt',
  'voice.provider': 'voiceProvider',
  'voice.voiceId': 'voiceId',
  'transcriber.provider': 'transcriberProvider',
  'transcriber.model': 'transcriberModel',
};

/** Puts each of a 400's problems next to its field; the rest are shown for the form as a whole. */
export function problemsByField(details: FieldProblem[]): {
  fields: Partial<Record<FieldName, string>>;
  other: string[];
} {
  const fields: Partial<Record<FieldName, string>> = {};
  const other: string[] = [];
  for (const problem of details) {
    const field = API_FIELDS[problem.field];
    if (field) fields[field] = fields[field] ? `${fields[field]}; ${problem.message}` : problem.message;
    else other.push(problem.field ? `${problem.field}: ${problem.message}` : problem.message);
  }
  return { fields, other };
}

/** The fields whose value differs from what was loaded: the form's unsaved changes. */
export function editedFields(initial: FormValues, current: FormValues): FieldName[] {
  return (Object.keys(initial) as FieldName[]).filter((field) => initial[field] !== current[field]);
}

/**
 * The user's edits (`mine`, made on `base`) put on a fresher copy (`fresh`), for after a 412:
 * the fresh values with each edited field as the user left it, and which of those fields someone
 * else changed too (the user's value wins there, so they should look before saving).
 */
export function reapplyEdits(
  base: FormValues,
  mine: FormValues,
  fresh: FormValues,
): { values: FormValues; edited: FieldName[]; overlapping: FieldName[] } {
  const edited = editedFields(base, mine);
  const values = { ...fresh };
  for (const field of edited) values[field] = mine[field];
  const overlapping = edited.filter((field) => fresh[field] !== base[field] && fresh[field] !== mine[field]);
  return { values, edited, overlapping };
}

/** Each form field by the words its label uses. */
export const FIELD_LABELS: Record<FieldName, string> = {
  name: 'Name',
  firstMessage: 'First message',
  modelProvider: 'Model provider',
  model: 'Model',
  temperature: 'Temperature',
  maxTokens: 'Max tokens',
  systemPrompt: 'System prompt',
  voiceProvider: 'Voice provider',
  voiceId: 'Voice ID',
  transcriberProvider: 'Transcriber',
  transcriberModel: 'Transcriber model',
};

/** Form fields in words, as a list: "Temperature, System prompt". */
export const fieldsInWords = (fields: FieldName[]) => fields.map((field) => FIELD_LABELS[field]).join(', ');
