// The emulator's 400s: the request rules the reference states for agents and Retell LLMs (required
// fields, enums, ranges, the keys a request may carry). Each message starts with the field it is
// about, so the client can tell which Switchboard field a refusal concerns.
import { isPlainObject } from '../../../shared/objects.ts';
import { AGENT_REQUEST_KEYS, LLM_REQUEST_KEYS, RETELL_MODELS, RETELL_TEMPERATURE } from '../catalog.ts';

type Fields = Record<string, unknown>;

const ENGINES: Readonly<Record<string, string>> = {
  'retell-llm': 'llm_id',
  'custom-llm': 'llm_websocket_url',
  'conversation-flow': 'conversation_flow_id',
};

const START_SPEAKERS = ['user', 'agent'];

/** Inclusive ranges the reference states for agent settings. */
const AGENT_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  voice_speed: [0.5, 2],
  responsiveness: [0, 1],
};

/** A create's body, or an update's: what it sent and the object as it would be. */
export interface ObjectRequest {
  next: Fields;
  sent: Fields;
  creating: boolean;
}

export function agentProblems({ sent: body, creating }: ObjectRequest): string[] {
  const problems = unknownKeys(body, AGENT_REQUEST_KEYS, 'an agent');
  if (creating || body.response_engine !== undefined) problems.push(...engineProblems(body.response_engine));
  if (creating || body.voice_id !== undefined) {
    if (typeof body.voice_id !== 'string' || body.voice_id === '')
      problems.push('voice_id is required and must be a non-empty string');
  }
  problems.push(...nullableString(body, 'agent_name'));
  for (const [field, [min, max]] of Object.entries(AGENT_RANGES))
    problems.push(...inRange(body, field, min, max));
  return problems;
}

/** The request's keys and values are checked; `model` and `s2s_model` on the LLM as it would be. */
export function llmProblems({ next: merged, sent, creating }: ObjectRequest): string[] {
  const problems = unknownKeys(sent, LLM_REQUEST_KEYS, 'a Retell LLM');
  if (!creating && sent.is_transfer_llm !== undefined)
    problems.push('is_transfer_llm can only be set at creation');
  if (merged.model !== undefined && merged.model !== null && !RETELL_MODELS.includes(String(merged.model)))
    problems.push(`model must be one of ${RETELL_MODELS.join(', ')}`);
  if (merged.model != null && merged.s2s_model != null)
    problems.push('model and s2s_model cannot both be set');
  const [min, max] = RETELL_TEMPERATURE;
  problems.push(...inRange(sent, 'model_temperature', min, max));
  problems.push(...nullableString(sent, 'general_prompt'), ...nullableString(sent, 'begin_message'));
  if (sent.start_speaker !== undefined && !START_SPEAKERS.includes(String(sent.start_speaker)))
    problems.push(`start_speaker must be one of ${START_SPEAKERS.join(', ')}`);
  return problems;
}

function engineProblems(engine: unknown): string[] {
  if (!isPlainObject(engine)) return ['response_engine is required and must be an object'];
  const key = typeof engine.type === 'string' ? ENGINES[engine.type] : undefined;
  if (key === undefined) return [`response_engine.type must be one of ${Object.keys(ENGINES).join(', ')}`];
  return typeof engine[key] === 'string'
    ? []
    : [`response_engine.${key} is required for ${String(engine.type)}`];
}

function unknownKeys(body: Fields, known: readonly string[], what: string): string[] {
  return Object.keys(body)
    .filter((key) => !known.includes(key))
    .map((key) => `${key} is not a field of ${what}`);
}

function nullableString(body: Fields, field: string): string[] {
  const value = body[field];
  return value === undefined || value === null || typeof value === 'string'
    ? []
    : [`${field} must be a string or null`];
}

function inRange(body: Fields, field: string, min: number, max: number): string[] {
  const value = body[field];
  if (value === undefined) return [];
  return typeof value === 'number' && value >= min && value <= max
    ? []
    : [`${field} must be a number from ${min} to ${max}`];
}
