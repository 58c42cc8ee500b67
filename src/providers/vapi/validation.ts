// The rules a request must pass before Switchboard calls the provider: the ones the JSON schema
// cannot say (they depend on the stored assistant or on the provider's own lists).
import type { FieldProblem } from '../../errors.ts';
import { isPlainObject } from '../../shared/objects.ts';
import type { SwitchboardPatch as AssistantPatch, ProviderConfig } from '../provider.ts';
import {
  MODEL_PROVIDERS,
  type ProviderVariant,
  SETTABLE_MODEL_PROVIDERS,
  TRANSCRIBER_PROVIDERS,
  VOICE_PROVIDERS,
} from './catalog.ts';

const UNIONS: Record<string, Readonly<Record<string, ProviderVariant>>> = {
  model: MODEL_PROVIDERS,
  voice: VOICE_PROVIDERS,
  transcriber: TRANSCRIBER_PROVIDERS,
};

/** Problems with a patch given the stored configuration and the merge result. */
export function validateAssistantPatch(
  current: ProviderConfig,
  patch: AssistantPatch,
  next: ProviderConfig,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const currentModel = isPlainObject(current.model) ? current.model : {};
  if (
    patch.model?.provider !== undefined &&
    patch.model.provider !== currentModel.provider &&
    patch.model.model === undefined
  ) {
    problems.push({ field: 'model.model', message: 'is required when model.provider changes' });
  }
  // Checking the merge result only makes sense once the request itself is complete.
  return problems.length > 0 ? problems : validateConfigKeys(next, Object.keys(patch));
}

/**
 * Checks the merged value of each given top-level key against the provider's rules: a known
 * provider, its required fields, its closed list of models and its numeric bounds.
 */
/** Where a request may name fewer providers than Vapi knows, the ones it may (the schema's). */
const SETTABLE: Readonly<Record<string, readonly string[]>> = { model: SETTABLE_MODEL_PROVIDERS };

export function validateConfigKeys(config: ProviderConfig, keys: readonly string[]): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const key of keys) {
    const variants = UNIONS[key];
    const value = config[key];
    if (!variants || value === null || value === undefined) continue;
    if (!isPlainObject(value)) {
      problems.push({ field: key, message: 'must be an object' });
      continue;
    }
    const provider = value.provider;
    const variant = typeof provider === 'string' ? variants[provider] : undefined;
    if (!variant) {
      problems.push({
        field: `${key}.provider`,
        message: `is required and must be one of ${(SETTABLE[key] ?? Object.keys(variants)).join(', ')}`,
      });
      continue;
    }
    for (const field of variant.required) {
      if (value[field] === undefined || value[field] === null || value[field] === '') {
        problems.push({ field: `${key}.${field}`, message: `is required by ${key} provider ${provider}` });
      }
    }
    if (variant.models && typeof value.model === 'string' && !variant.models.includes(value.model)) {
      problems.push({
        field: `${key}.model`,
        message: `"${value.model}" is not among ${provider}'s models: ${listSample(variant.models)}`,
      });
    }
    for (const [field, [min, max]] of Object.entries(variant.bounds ?? {})) {
      const n = value[field];
      if (typeof n !== 'number') continue;
      if ((min !== null && n < min) || (max !== null && n > max)) {
        problems.push({
          field: `${key}.${field}`,
          message: `must be from ${min ?? '-∞'} to ${max ?? '∞'} for ${provider}`,
        });
      }
    }
  }
  return problems;
}

function listSample(values: readonly string[]): string {
  const shown = values.slice(0, 8).join(', ');
  return values.length > 8 ? `${shown}, … (${values.length} in all)` : shown;
}
