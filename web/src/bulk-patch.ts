// The bulk panel's choices as the partial update (the PATCH body) that POST /assistants/bulk applies
// to each assistant. Provider-neutral: the API checks the values against each assistant's platform.
import type { BulkRequest } from './api.ts';
import { fieldWords } from './field-words.ts';

type Patch = BulkRequest['patch'];
type ModelPatch = NonNullable<Patch['model']>;
type VoicePatch = NonNullable<Patch['voice']>;

export type BulkField = 'temperature' | 'model' | 'firstMessage' | 'systemPrompt' | 'voice';

/** The fields a bulk change offers, each named as the assistant form and its history name it. */
export const BULK_FIELDS: ReadonlyArray<{ field: BulkField; label: string }> = [
  { field: 'model', label: fieldWords('model.model') },
  { field: 'temperature', label: fieldWords('model.temperature') },
  { field: 'systemPrompt', label: fieldWords('model.systemPrompt') },
  { field: 'firstMessage', label: fieldWords('firstMessage') },
  { field: 'voice', label: fieldWords('voice.voiceId') },
];

/** What the user typed, as typed; a field counts only while it is chosen. */
export interface BulkValues {
  modelProvider: string;
  modelName: string;
  temperature: string;
  systemPrompt: string;
  firstMessage: string;
  voiceProvider: string;
  voiceId: string;
}

export const EMPTY_BULK_VALUES: BulkValues = {
  modelProvider: '',
  modelName: '',
  temperature: '',
  systemPrompt: '',
  firstMessage: '',
  voiceProvider: '',
  voiceId: '',
};

/** A text left empty clears the field (null); a provider left empty keeps each assistant's own. */
const textOrNull = (text: string) => (text.trim() === '' ? null : text);

/** The PATCH body for the chosen fields: only they are sent, so every other field stays as it is. */
export function bulkPatchOf(chosen: ReadonlySet<BulkField>, values: BulkValues): Patch {
  const patch: Patch = {};
  const model: ModelPatch = {};
  if (chosen.has('model')) {
    if (values.modelProvider) model.provider = values.modelProvider as ModelPatch['provider'];
    model.model = values.modelName.trim();
  }
  if (chosen.has('temperature')) {
    model.temperature = values.temperature.trim() === '' ? null : Number(values.temperature);
  }
  if (chosen.has('systemPrompt')) model.systemPrompt = textOrNull(values.systemPrompt);
  if (Object.keys(model).length > 0) patch.model = model;
  if (chosen.has('firstMessage')) patch.firstMessage = textOrNull(values.firstMessage);
  if (chosen.has('voice')) {
    const voice: VoicePatch = { voiceId: values.voiceId.trim() };
    if (values.voiceProvider.trim()) voice.provider = values.voiceProvider.trim() as VoicePatch['provider'];
    patch.voice = voice;
  }
  return patch;
}
