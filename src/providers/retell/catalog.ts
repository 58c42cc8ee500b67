// Facts about Retell's agents and Retell LLMs (shared/reference/retell-api.md: Retell's OpenAPI
// document of 2026-10-04 and the official retell-sdk 5.66.1). The mapping, the client, the emulator
// and the dashboard's choices all read these lists, so Retell's rules have one source.
import { isPlainObject } from '../../shared/objects.ts';
import { groupModels, type ModelGroup } from '../model-groups.ts';

/** Values of the LLM's `model` (the list moves: April 2026 had `gemini-2.5-*` and no `gpt-5.5`). */
export const RETELL_MODELS: readonly string[] = [
  'gpt-4.1',
  'gpt-4.1-mini',
  'gpt-4.1-nano',
  'gpt-5',
  'gpt-5-mini',
  'gpt-5-nano',
  'gpt-5.1',
  'gpt-5.2',
  'gpt-5.4',
  'gpt-5.4-mini',
  'gpt-5.4-nano',
  'gpt-5.5',
  'gpt-5.6-terra',
  'gpt-5.6-luna',
  'gpt-6-astra',
  'gpt-6-sol',
  'gpt-6.1-sol',
  'gpt-6-luna',
  'claude-4.5-sonnet',
  'claude-4.6-sonnet',
  'claude-5-opus',
  'claude-5.5-opus',
  'claude-5-sonnet',
  'claude-5.5-sonnet',
  'claude-4.5-haiku',
  'gemini-3.0-flash',
  'gemini-3.1-flash-lite',
  'gemini-3.5-flash',
  'gemini-3.5-flash-lite',
  'gemini-3.6-flash',
  'gemini-3.7-flash',
  'gemini-3.8-flash',
];

/** What Retell uses when an LLM's `model` is unset. */
export const RETELL_DEFAULT_MODEL = 'gpt-5.6-terra';

/** `model.provider` as Switchboard names it, from the family a Retell model name starts with. */
const MODEL_FAMILY_PROVIDERS: ReadonlyArray<readonly [prefix: string, provider: string]> = [
  ['gpt-', 'openai'],
  ['claude-', 'anthropic'],
  ['gemini-', 'google'],
];

/** The model provider a Retell model belongs to; undefined for a name outside the families. */
export function modelProviderOf(model: string): string | undefined {
  return MODEL_FAMILY_PROVIDERS.find(([prefix]) => model.startsWith(prefix))?.[1];
}

/** The model providers, in menu order, each with its models in Retell's order. */
export const RETELL_MODEL_PROVIDERS: readonly string[] = MODEL_FAMILY_PROVIDERS.map(
  ([, provider]) => provider,
);

/**
 * A Retell voice id names its TTS company before the first `-` (`11labs-Adrian`); there is no
 * voice-provider field. The account's own voices (clones, community voices) use the same
 * prefixes, so the ids cannot be a closed list: the prefix is what is checked.
 */
export const RETELL_VOICE_PROVIDERS: Readonly<Record<string, { readonly label: string }>> = {
  '11labs': { label: 'ElevenLabs' },
  cartesia: { label: 'Cartesia' },
  minimax: { label: 'MiniMax' },
  openai: { label: 'OpenAI' },
  retell: { label: 'Retell' },
};

/** Voice ids the reference names, as examples for a form (an account has more). */
export const RETELL_EXAMPLE_VOICES: readonly string[] = ['11labs-Adrian', 'cartesia-Cimo', 'retell-Cimo'];

const VOICE_ID = /^([a-z0-9_]+)-(\S+)$/;

/** The voice provider a voice id names; undefined when its prefix is not one of Retell's. */
export function voiceProviderOf(voiceId: string): string | undefined {
  const prefix = VOICE_ID.exec(voiceId)?.[1];
  return prefix !== undefined && prefix in RETELL_VOICE_PROVIDERS ? prefix : undefined;
}

/** Retell's stated range of `model_temperature` (its schema sets no bounds; its description does). */
export const RETELL_TEMPERATURE: readonly [number, number] = [0, 1];

/** Keys Retell sets itself on an agent; never sent back. */
export const AGENT_SERVER_SET_KEYS: readonly string[] = [
  'agent_id',
  'version',
  'base_version',
  'assigned_tags',
  'is_published',
  'last_modification_timestamp',
];

/** Keys Retell sets itself on a Retell LLM; never sent back. */
export const LLM_SERVER_SET_KEYS: readonly string[] = [
  'llm_id',
  'version',
  'is_published',
  'last_modification_timestamp',
];

/** What create-agent and update-agent accept (retell-sdk 5.66.1's AgentCreateParams). */
export const AGENT_REQUEST_KEYS: readonly string[] = [
  'response_engine',
  'voice_id',
  'agent_name',
  'allow_dtmf_interruption',
  'allow_user_dtmf',
  'ambient_sound',
  'ambient_sound_volume',
  'backchannel_frequency',
  'backchannel_words',
  'begin_message_delay_ms',
  'boosted_keywords',
  'call_screening_option',
  'custom_stt_config',
  'data_storage_retention_days',
  'data_storage_setting',
  'denoising_mode',
  'enable_backchannel',
  'enable_dynamic_responsiveness',
  'enable_dynamic_voice_speed',
  'enable_expressive_mode',
  'end_call_after_silence_ms',
  'expressive_emotion_tags',
  'expressive_mode_prompt',
  'fallback_voice_ids',
  'guardrail_config',
  'handbook_config',
  'interruption_sensitivity',
  'ivr_option',
  'language',
  'max_call_duration_ms',
  'opt_in_signed_url',
  'pii_config',
  'post_call_analysis_data',
  'post_call_analysis_model',
  'pronunciation_dictionary',
  'reminder_max_count',
  'reminder_trigger_ms',
  'responsiveness',
  'ring_duration_ms',
  'signed_url_expiration_ms',
  'stt_mode',
  'timezone',
  'user_dtmf_options',
  'version_description',
  'version_title',
  'vocab_specialization',
  'voice_emotion',
  'voice_model',
  'voice_speed',
  'voice_temperature',
  'voicemail_option',
  'volume',
  'webhook_events',
  'webhook_timeout_ms',
  'webhook_url',
];

/** What create-retell-llm and update-retell-llm accept (retell-sdk 5.66.1's LlmCreateParams). */
export const LLM_REQUEST_KEYS: readonly string[] = [
  'begin_after_user_silence_ms',
  'begin_message',
  'default_dynamic_variables',
  'general_prompt',
  'general_tools',
  'is_transfer_llm',
  'kb_config',
  'knowledge_base_ids',
  'mcps',
  'model',
  'model_high_priority',
  'model_temperature',
  's2s_model',
  'start_speaker',
  'starting_state',
  'states',
  'tool_call_strict_mode',
];

/** Switchboard's fields that a Retell assistant holds, and where (see mapping.ts). */
export const RETELL_HELD_FIELDS: Readonly<Record<string, string>> = {
  name: 'agent.agent_name',
  firstMessage: 'llm.begin_message (with llm.start_speaker "agent")',
  'model.provider': 'derived from llm.model',
  'model.model': 'llm.model',
  'model.temperature': 'llm.model_temperature',
  'model.systemPrompt': 'llm.general_prompt',
  'voice.provider': 'derived from agent.voice_id',
  'voice.voiceId': 'agent.voice_id',
};

/** Switchboard's fields with no place in a Retell agent or LLM. */
export const RETELL_UNHELD_FIELDS: readonly string[] = ['model.maxTokens', 'transcriber'];

type Fields = Record<string, unknown>;

const without = (object: unknown, keys: readonly string[]): Fields =>
  Object.fromEntries(
    Object.entries(isPlainObject(object) ? object : {}).filter(([key]) => !keys.includes(key)),
  );

/** The agent without the keys Retell sets itself: what may be sent. */
export const writableAgentFields = (agent: unknown): Fields => without(agent, AGENT_SERVER_SET_KEYS);

/** The LLM without the keys Retell sets itself: what may be sent. */
export const writableLlmFields = (llm: unknown): Fields => without(llm, LLM_SERVER_SET_KEYS);

/**
 * A combined Retell assistant without the server-set keys of either object: what two versions of
 * it are compared on (the timestamps move on every change).
 */
export function comparableFields(assistant: Fields): { agent: Fields; llm: Fields } {
  return { agent: writableAgentFields(assistant.agent), llm: writableLlmFields(assistant.llm) };
}

/** What a form may offer for a Retell assistant; the shape follows GET /providers' choices. */
export interface RetellChoices {
  modelProviders: Array<{
    id: string;
    modelGroups: ModelGroup[];
    temperature: { minimum: number; maximum: number };
  }>;
  voiceProviders: Array<{ id: string; label: string; voiceIdPrefix: string; exampleVoiceIds: string[] }>;
  /** Retell has no speech-to-text choice per assistant in Switchboard's terms. */
  transcriberProviders: [];
  /** Switchboard's fields a Retell assistant can hold; the form hides the rest. */
  heldFields: string[];
  unheldFields: string[];
}

export function retellChoices(): RetellChoices {
  const [minimum, maximum] = RETELL_TEMPERATURE;
  return {
    modelProviders: RETELL_MODEL_PROVIDERS.map((id) => ({
      id,
      modelGroups: groupModels(
        id,
        RETELL_MODELS.filter((model) => modelProviderOf(model) === id),
      ),
      temperature: { minimum, maximum },
    })),
    voiceProviders: Object.entries(RETELL_VOICE_PROVIDERS).map(([id, { label }]) => ({
      id,
      label,
      voiceIdPrefix: `${id}-`,
      exampleVoiceIds: RETELL_EXAMPLE_VOICES.filter((voice) => voiceProviderOf(voice) === id),
    })),
    transcriberProviders: [],
    heldFields: Object.keys(RETELL_HELD_FIELDS),
    unheldFields: [...RETELL_UNHELD_FIELDS],
  };
}
