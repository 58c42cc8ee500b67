// Switchboard's assistant fields (SPEC section 4) to and from a Retell assistant: an agent and the
// Retell LLM it points at (SPEC section 13). Pure functions; the client and the emulator do the I/O.
//
//   name               ↔ agent.agent_name
//   firstMessage       ↔ llm.begin_message, sent with llm.start_speaker "agent" (null: the LLM greets)
//   model.model        ↔ llm.model (Retell's list; an LLM on a speech-to-speech model shows s2s_model)
//   model.provider     ← derived from the model's family (gpt → openai, claude → anthropic, gemini → google)
//   model.temperature  ↔ llm.model_temperature, 0–1 (null sends Retell's default, 0: the field is not nullable)
//   model.systemPrompt ↔ llm.general_prompt
//   voice.voiceId      ↔ agent.voice_id
//   voice.provider     ← derived from the voice id's prefix (`11labs-Adrian` → 11labs)
//   model.maxTokens, transcriber: no place in either object (a value is a 400; null asks for nothing)
import { type FieldProblem, validationError } from '../../errors.ts';
import { deepEqual, isPlainObject } from '../../shared/objects.ts';
import type {
  ProviderAssistant,
  ProviderFieldMap,
  SwitchboardFields,
  SwitchboardPatch,
} from '../provider.ts';
import {
  comparableFields,
  modelProviderOf,
  RETELL_MODEL_PROVIDERS,
  RETELL_MODELS,
  RETELL_TEMPERATURE,
  RETELL_UNHELD_FIELDS,
  RETELL_VOICE_PROVIDERS,
  voiceProviderOf,
  writableAgentFields,
  writableLlmFields,
} from './catalog.ts';

type Fields = Record<string, unknown>;

/**
 * The provider's whole assistant object for Retell: `id` is the agent's `agent_id`; `agent` and
 * `llm` are the agent and its Retell LLM exactly as Retell last answered, unknown fields included.
 */
export type RetellAssistant = ProviderAssistant & { agent: Fields; llm: Fields };

/** What one update sends: each object's touched fields, to its own endpoint. */
export interface RetellChanges {
  agent?: Fields;
  llm?: Fields;
}

const PROVIDER = 'Retell';

export type { SwitchboardPatch };

/** Switchboard's fields as Retell shows them: a Retell assistant always has a model and a voice. */
type RetellFields = SwitchboardFields & {
  model: NonNullable<SwitchboardFields['model']>;
  voice: NonNullable<SwitchboardFields['voice']>;
};

/** What a Retell assistant shows in Switchboard's terms. */
export function retellFieldsOf(assistant: Pick<RetellAssistant, 'agent' | 'llm'>): RetellFields {
  const { agent, llm } = assistant;
  const model = stringOrNull(llm.model) ?? stringOrNull(llm.s2s_model);
  const voiceId = stringOrNull(agent.voice_id);
  return {
    name: stringOrNull(agent.agent_name),
    firstMessage: stringOrNull(llm.begin_message),
    model: {
      provider: model === null ? null : (modelProviderOf(model) ?? null),
      model,
      temperature: typeof llm.model_temperature === 'number' ? llm.model_temperature : null,
      maxTokens: null,
      systemPrompt: stringOrNull(llm.general_prompt),
    },
    voice: { provider: voiceId === null ? null : (voiceProviderOf(voiceId) ?? null), voiceId },
    transcriber: null,
  };
}

/**
 * Every problem with a request for a Retell assistant (`current` absent for a create), each
 * naming the field and Retell. Checked before any call: Retell's own rules are stricter than
 * section 4's (temperature 0–1, its model list, its voice ids) and two fields have no place.
 */
export function retellProblems(
  current: Pick<RetellAssistant, 'agent' | 'llm'> | undefined,
  patch: SwitchboardPatch,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const shown = current ? retellFieldsOf(current) : undefined;
  const cannotHold = (field: string, why: string) =>
    problems.push({ field, message: `${PROVIDER} cannot hold this field: ${why}` });
  if (isPlainObject(patch.transcriber))
    cannotHold('transcriber', 'a Retell agent has no transcriber setting');
  const model = patch.model ?? {};
  if (typeof model.maxTokens === 'number') cannotHold('model.maxTokens', 'a Retell LLM has no token limit');
  if (model.model !== undefined && !RETELL_MODELS.includes(model.model)) {
    problems.push({
      field: 'model.model',
      message: `"${model.model}" is not one of ${PROVIDER}'s models: ${RETELL_MODELS.join(', ')}`,
    });
  }
  if (model.provider !== undefined) {
    const modelName = model.model ?? shown?.model.model ?? undefined;
    problems.push(...derivedProviderProblems('model', model.provider, modelName, modelProviderOf));
  }
  const [min, max] = RETELL_TEMPERATURE;
  if (typeof model.temperature === 'number' && (model.temperature < min || model.temperature > max)) {
    problems.push({ field: 'model.temperature', message: `must be from ${min} to ${max} for ${PROVIDER}` });
  }
  const voice = patch.voice ?? {};
  if (voice.voiceId !== undefined && voiceProviderOf(voice.voiceId) === undefined) {
    const prefixes = Object.keys(RETELL_VOICE_PROVIDERS).map((prefix) => `${prefix}-`);
    problems.push({
      field: 'voice.voiceId',
      message: `"${voice.voiceId}" is not a ${PROVIDER} voice id: it starts with its voice provider, one of ${prefixes.join(', ')} (e.g. 11labs-Adrian)`,
    });
  }
  if (voice.provider !== undefined) {
    const voiceId = voice.voiceId ?? shown?.voice.voiceId ?? undefined;
    problems.push(...derivedProviderProblems('voice', voice.provider, voiceId, voiceProviderOf));
  }
  return problems;
}

/**
 * `model.provider` and `voice.provider` are not stored by Retell: each is derived from the model or
 * voice, so a request may repeat it but not contradict it.
 */
function derivedProviderProblems(
  key: 'model' | 'voice',
  given: string,
  value: string | undefined,
  providerOf: (value: string) => string | undefined,
): FieldProblem[] {
  const field = `${key}.provider`;
  const derived = value === undefined ? undefined : providerOf(value);
  if (derived === undefined) {
    const known = key === 'model' ? RETELL_MODEL_PROVIDERS : Object.keys(RETELL_VOICE_PROVIDERS);
    if (known.includes(given)) return [];
    return [
      { field, message: `"${given}" is not one of ${PROVIDER}'s ${key} providers: ${known.join(', ')}` },
    ];
  }
  if (derived === given) return [];
  const named = key === 'model' ? `model "${value}"` : `voice id "${value}"`;
  return [
    {
      field,
      message: `"${given}" contradicts the ${named}, whose provider is ${derived}: ${PROVIDER} derives ${field} from the ${key === 'model' ? 'model' : 'voice id'}`,
    },
  ];
}

/** Throws the 400 (`validation_failed`) that names every problem; passes a request Retell can hold. */
export function assertRetellPatch(
  current: Pick<RetellAssistant, 'agent' | 'llm'> | undefined,
  patch: SwitchboardPatch,
): void {
  const problems = retellProblems(current, patch);
  if (problems.length > 0) throw validationError(problems);
}

/**
 * The fields a request touches, in each object's own terms; an object the request does not touch
 * is absent. `current` is the assistant as last read (absent for a create). Assumes the request
 * passed `retellProblems`.
 */
export function retellChanges(
  current: Pick<RetellAssistant, 'agent' | 'llm'> | undefined,
  patch: SwitchboardPatch,
): RetellChanges {
  const agent: Fields = {};
  const llm: Fields = {};
  if (patch.name !== undefined) agent.agent_name = patch.name;
  if (patch.voice?.voiceId !== undefined) agent.voice_id = patch.voice.voiceId;
  if (patch.firstMessage !== undefined) {
    llm.begin_message = patch.firstMessage;
    llm.start_speaker = 'agent';
  }
  const model = patch.model ?? {};
  if (model.model !== undefined) {
    llm.model = model.model;
    // Retell takes `model` or `s2s_model`, never both.
    if (current?.llm.s2s_model !== undefined && current.llm.s2s_model !== null) llm.s2s_model = null;
  }
  if (model.temperature !== undefined) llm.model_temperature = model.temperature ?? RETELL_TEMPERATURE[0];
  if (model.systemPrompt !== undefined) llm.general_prompt = model.systemPrompt;
  return {
    ...(Object.keys(agent).length > 0 ? { agent } : {}),
    ...(Object.keys(llm).length > 0 ? { llm } : {}),
  };
}

/** The two objects a create sends, before the LLM's id is known: the agent's engine is added then. */
export function newRetellConfig(fields: SwitchboardPatch): { agent: Fields; llm: Fields } {
  const { agent = {}, llm = {} } = retellChanges(undefined, fields);
  // Without a first message Retell's LLM still speaks first, writing its own greeting.
  return { agent, llm: { start_speaker: 'agent', ...llm } };
}

/** What Retell does with an update: the sent keys replace the object's, `null` included. */
export function applyRetellChanges<T extends Pick<RetellAssistant, 'agent' | 'llm'>>(
  assistant: T,
  changes: RetellChanges,
): T {
  return {
    ...assistant,
    agent: { ...assistant.agent, ...changes.agent },
    llm: { ...assistant.llm, ...changes.llm },
  };
}

/** Keys that say which objects make the assistant, not how it behaves: a restore leaves them. */
const IDENTITY_KEYS = ['response_engine', 'is_transfer_llm'];

/**
 * What to send to make `current` look like `target` again (a restore): for each object, every
 * writable key that differs, whole, and `null` for keys the target does not have.
 */
export function retellRestoreChanges(
  current: Pick<RetellAssistant, 'agent' | 'llm'>,
  target: Pick<RetellAssistant, 'agent' | 'llm'>,
): RetellChanges {
  const agent = differences(writableAgentFields(current.agent), writableAgentFields(target.agent));
  const llm = differences(writableLlmFields(current.llm), writableLlmFields(target.llm));
  return {
    ...(Object.keys(agent).length > 0 ? { agent } : {}),
    ...(Object.keys(llm).length > 0 ? { llm } : {}),
  };
}

function differences(from: Fields, to: Fields): Fields {
  const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])]
    .filter((key) => !IDENTITY_KEYS.includes(key))
    .sort();
  return Object.fromEntries(
    keys.filter((key) => !deepEqual(from[key], to[key])).map((key) => [key, to[key] ?? null]),
  );
}

const stringOrNull = (value: unknown) => (typeof value === 'string' ? value : null);

/** A stored Retell configuration as its two objects (either may be missing from a damaged copy). */
function objectsOf(config: Record<string, unknown>): Pick<RetellAssistant, 'agent' | 'llm'> {
  return {
    agent: isPlainObject(config.agent) ? config.agent : {},
    llm: isPlainObject(config.llm) ? config.llm : {},
  };
}

/** Retell's answers to what the PATCH path asks of a provider's field map. */
export const retellFieldMap: ProviderFieldMap = {
  problems: (current, patch) => retellProblems(current && objectsOf(current), patch),
  changes: (current, patch) => ({ ...retellChanges(objectsOf(current), patch) }),
  newConfig: (fields) => newRetellConfig(fields),
  fieldsOf: (assistant) => retellFieldsOf(objectsOf(assistant)),
  restoreChanges: (current, target) => ({ ...retellRestoreChanges(objectsOf(current), objectsOf(target)) }),
  applyChanges: (current, changes) => ({
    ...current,
    ...applyRetellChanges(objectsOf(current), changes as RetellChanges),
  }),
  comparable: (assistant) => comparableFields(assistant),
  unheldFields: RETELL_UNHELD_FIELDS,
};
