// How Switchboard's fields live in a Vapi assistant: a patch becomes Vapi's next configuration,
// and Vapi's configuration shows Switchboard's fields. Pure functions: the field map (field-map.ts)
// serves them to the assistants service; the unit and property tests exercise them directly.
import { validationError } from '../../errors.ts';
import { deepEqual, isPlainObject } from '../../shared/objects.ts';
import type { ProviderConfig, ProviderFieldMap, SwitchboardFields, SwitchboardPatch } from '../provider.ts';
import {
  MODEL_PROVIDERS,
  type ProviderVariant,
  TRANSCRIBER_PROVIDERS,
  VOICE_PROVIDERS,
  writableFields,
} from './catalog.ts';
import { validateAssistantPatch, validateConfigKeys } from './validation.ts';

type Fields = Record<string, unknown>;
type AssistantPatch = SwitchboardPatch;

/**
 * Merges a patch into the stored configuration, field by field inside `model`, `voice` and
 * `transcriber`. Everything the patch does not mention is kept, including fields Switchboard
 * does not model (`model.messages` beyond the system prompt, tools, any top-level key).
 */
export function mergeAssistantPatch(current: ProviderConfig, patch: AssistantPatch): ProviderConfig {
  const next: ProviderConfig = { ...current };
  if (patch.name !== undefined) next.name = patch.name;
  if (patch.firstMessage !== undefined) next.firstMessage = patch.firstMessage;
  if (patch.model !== undefined) {
    const { systemPrompt, ...fields } = patch.model;
    const model = mergeUnionMember(current.model, fields, MODEL_PROVIDERS);
    if (systemPrompt !== undefined) model.messages = withSystemPrompt(model.messages, systemPrompt);
    next.model = model;
  }
  if (patch.voice !== undefined) next.voice = mergeUnionMember(current.voice, patch.voice, VOICE_PROVIDERS);
  if (patch.transcriber !== undefined) {
    next.transcriber =
      patch.transcriber === null
        ? null
        : mergeUnionMember(current.transcriber, patch.transcriber, TRANSCRIBER_PROVIDERS);
  }
  return next;
}

/** The top-level keys a patch touches; each is sent to the provider whole. */
export function touchedKeys(patch: AssistantPatch): string[] {
  return Object.entries(patch)
    .filter(([, value]) => value !== undefined)
    .map(([key]) => key);
}

/** The complete merged value of each touched key: what Vapi's top-level-replace PATCH needs. */
export function providerChanges(next: ProviderConfig, keys: readonly string[]): ProviderConfig {
  return Object.fromEntries(keys.map((key) => [key, next[key] ?? null]));
}

/**
 * Applies one nested patch. `null` removes a field. When the provider changes, fields the new
 * provider does not accept are left behind, since the platform would reject the whole object.
 */
function mergeUnionMember(
  current: unknown,
  patch: Fields,
  variants: Readonly<Record<string, ProviderVariant>>,
): Fields {
  const next: Fields = isPlainObject(current) ? { ...current } : {};
  const providerChanged = patch.provider !== undefined && patch.provider !== next.provider;
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (value === null) delete next[key];
    else next[key] = value;
  }
  const variant = typeof next.provider === 'string' ? variants[next.provider] : undefined;
  if (providerChanged && variant) {
    for (const key of Object.keys(next)) if (!variant.properties.includes(key)) delete next[key];
  }
  return next;
}

/** Vapi keeps the system prompt as the `role: "system"` entry of `model.messages`. */
function withSystemPrompt(messages: unknown, prompt: string | null): unknown[] {
  const list = Array.isArray(messages) ? [...messages] : [];
  const index = list.findIndex((m) => isPlainObject(m) && m.role === 'system');
  if (prompt === null) {
    if (index >= 0) list.splice(index, 1);
  } else if (index >= 0) {
    list[index] = { ...(list[index] as Fields), content: prompt };
  } else {
    list.unshift({ role: 'system', content: prompt });
  }
  return list;
}

export function systemPromptOf(model: unknown): string | null {
  if (!isPlainObject(model) || !Array.isArray(model.messages)) return null;
  const message = model.messages.find((m) => isPlainObject(m) && m.role === 'system') as Fields | undefined;
  return typeof message?.content === 'string' ? message.content : null;
}

/**
 * What to send to make `current` look like `target` again: every top-level key that differs,
 * whole, and `null` for keys the target does not have.
 */
export function restoreChanges(current: ProviderConfig, target: ProviderConfig): ProviderConfig {
  const from = writableFields(current);
  const to = writableFields(target);
  const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort();
  return Object.fromEntries(
    keys.filter((key) => !deepEqual(from[key], to[key])).map((key) => [key, to[key] ?? null]),
  );
}

/** A new assistant's configuration: the patch merged into nothing. */
export function newVapiConfig(fields: SwitchboardPatch): ProviderConfig {
  return mergeAssistantPatch({}, fields);
}

/** Switchboard's fields as a Vapi configuration holds them (an API answer). */
export function vapiFieldsOf(config: ProviderConfig): SwitchboardFields {
  const model = isPlainObject(config.model) ? config.model : undefined;
  const voice = isPlainObject(config.voice) ? config.voice : undefined;
  const transcriber = isPlainObject(config.transcriber) ? config.transcriber : undefined;
  return {
    name: stringOrNull(config.name),
    firstMessage: stringOrNull(config.firstMessage),
    model: model
      ? {
          provider: stringOrNull(model.provider),
          model: stringOrNull(model.model),
          temperature: numberOrNull(model.temperature),
          maxTokens: numberOrNull(model.maxTokens),
          systemPrompt: systemPromptOf(model),
        }
      : null,
    voice: voice ? { provider: stringOrNull(voice.provider), voiceId: stringOrNull(voice.voiceId) } : null,
    transcriber: transcriber
      ? { provider: stringOrNull(transcriber.provider), model: stringOrNull(transcriber.model) }
      : null,
  };
}

const stringOrNull = (value: unknown) => (typeof value === 'string' ? value : null);
const numberOrNull = (value: unknown) => (typeof value === 'number' ? value : null);

/** Vapi's answers to what the PATCH path asks of a provider's field map. */
export const vapiFieldMap: ProviderFieldMap = {
  problems: (current, patch) => {
    if (!current) {
      const config = newVapiConfig(patch);
      return validateConfigKeys(config, Object.keys(config));
    }
    return validateAssistantPatch(current, patch, mergeAssistantPatch(current, patch));
  },
  changes: (current, patch) => {
    const next = mergeAssistantPatch(current, patch);
    const keys = touchedKeys(patch);
    if (keys.every((key) => deepEqual(next[key], current[key]))) return {};
    return providerChanges(next, keys);
  },
  newConfig: newVapiConfig,
  fieldsOf: vapiFieldsOf,
  restoreChanges: (current, target) => {
    const changes = restoreChanges(current, target);
    // A version may hold what Vapi no longer takes (a retired model): say so before sending it.
    const problems = validateConfigKeys(target, Object.keys(changes));
    if (problems.length > 0) throw validationError(problems);
    return changes;
  },
  applyChanges: (current, changes) => ({ ...current, ...changes }),
  comparable: writableFields,
  unheldFields: [],
};
