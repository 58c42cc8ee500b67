// Vapi's request validation as its API applies it (NestJS class-validator with
// forbid-non-whitelisted): unknown keys are rejected as `property X should not exist`, nested
// paths are prefixed, and every problem is listed. See shared/reference/vapi-api.md section 4.

import { isPlainObject } from '../../../shared/objects.ts';
import {
  ASSISTANT_KEYS,
  CLIENT_MESSAGES,
  FIRST_MESSAGE_MODES,
  LEGACY_ASSISTANT_KEYS,
  MODEL_PROVIDERS,
  type ProviderVariant,
  SERVER_MESSAGES,
  TRANSCRIBER_PROVIDERS,
  VOICE_PROVIDERS,
} from '../catalog.ts';

const ALLOWED_KEYS = new Set([...ASSISTANT_KEYS, ...LEGACY_ASSISTANT_KEYS]);
const MESSAGE_ROLES = ['assistant', 'function', 'user', 'system', 'tool'];

type Checker = (value: unknown, key: string, problems: string[]) => void;

const maxLength =
  (max: number): Checker =>
  (value, key, problems) => {
    if (typeof value !== 'string') problems.push(`${key} must be a string`);
    else if (value.length > max) problems.push(`${key} must be shorter than or equal to ${max} characters`);
  };

const numberBetween =
  (min: number | null, max: number | null): Checker =>
  (value, key, problems) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      problems.push(`${key} must be a number conforming to the specified constraints`);
      return;
    }
    if (min !== null && value < min) problems.push(`${key} must not be less than ${min}`);
    if (max !== null && value > max) problems.push(`${key} must not be greater than ${max}`);
  };

const oneOf =
  (allowed: readonly string[]): Checker =>
  (value, key, problems) => {
    if (typeof value !== 'string' || !allowed.includes(value)) {
      problems.push(`${key} must be one of the following values: ${allowed.join(', ')}`);
    }
  };

const eachOneOf =
  (allowed: readonly string[]): Checker =>
  (value, key, problems) => {
    if (!Array.isArray(value)) problems.push(`${key} must be an array`);
    else if (value.some((item) => typeof item !== 'string' || !allowed.includes(item))) {
      problems.push(`each value in ${key} must be one of the following values: ${allowed.join(', ')}`);
    }
  };

const boolean: Checker = (value, key, problems) => {
  if (typeof value !== 'boolean') problems.push(`${key} must be a boolean value`);
};

const object: Checker = (value, key, problems) => {
  if (!isPlainObject(value)) problems.push(`${key} must be an object`);
};

const array: Checker = (value, key, problems) => {
  if (!Array.isArray(value)) problems.push(`${key} must be an array`);
};

const union =
  (variants: Readonly<Record<string, ProviderVariant>>): Checker =>
  (value, key, problems) =>
    validateUnionMember(value, key, variants, problems);

/** Rules for the top-level keys Switchboard and its tests exercise; other keys only need the right kind. */
const TOP_LEVEL_RULES: Record<string, Checker> = {
  name: maxLength(40),
  firstMessage: maxLength(Number.MAX_SAFE_INTEGER),
  firstMessageMode: oneOf(FIRST_MESSAGE_MODES),
  firstMessageInterruptionsEnabled: boolean,
  modelOutputInMessagesEnabled: boolean,
  voicemailMessage: maxLength(1000),
  endCallMessage: maxLength(1000),
  maxDurationSeconds: numberBetween(10, 43200),
  silenceTimeoutSeconds: numberBetween(10, 3600),
  clientMessages: eachOneOf(CLIENT_MESSAGES),
  serverMessages: eachOneOf(SERVER_MESSAGES),
  endCallPhrases: (value, key, problems) => {
    if (!Array.isArray(value)) problems.push(`${key} must be an array`);
    else if (value.some((p) => typeof p !== 'string' || p.length < 2 || p.length > 140)) {
      problems.push(
        `each value in ${key} must be longer than or equal to 2 and shorter than or equal to 140 characters`,
      );
    }
  },
  metadata: object,
  hooks: array,
  credentials: array,
  credentialIds: array,
  transportConfigurations: array,
  model: union(MODEL_PROVIDERS),
  voice: union(VOICE_PROVIDERS),
  transcriber: union(TRANSCRIBER_PROVIDERS),
};

/** Validates a create or update body; returns every problem (empty when valid). */
export function validateAssistantDto(body: unknown): string[] {
  if (!isPlainObject(body)) return ['body must be an object'];
  const problems: string[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (!ALLOWED_KEYS.has(key)) {
      problems.push(`property ${key} should not exist`);
      continue;
    }
    if (value === null) continue; // null clears a field
    TOP_LEVEL_RULES[key]?.(value, key, problems);
  }
  return problems;
}

function validateUnionMember(
  value: unknown,
  path: string,
  variants: Readonly<Record<string, ProviderVariant>>,
  problems: string[],
): void {
  if (!isPlainObject(value)) {
    problems.push(`${path} must be an object`);
    return;
  }
  const provider = value.provider;
  const variant = typeof provider === 'string' ? variants[provider] : undefined;
  if (!variant) {
    problems.push(
      `${path}.provider must be one of the following values: ${Object.keys(variants).join(', ')}`,
    );
    return;
  }
  for (const key of Object.keys(value)) {
    if (!variant.properties.includes(key)) problems.push(`${path}.property ${key} should not exist`);
  }
  for (const key of variant.required) {
    if (value[key] === undefined || value[key] === null || value[key] === '') {
      problems.push(`${path}.${key} should not be empty`);
    }
  }
  if (variant.models && value.model !== undefined && !variant.models.includes(value.model as string)) {
    problems.push(`${path}.model must be one of the following values: ${variant.models.join(', ')}`);
  }
  for (const [key, [min, max]] of Object.entries(variant.bounds ?? {})) {
    if (value[key] !== undefined && value[key] !== null)
      numberBetween(min, max)(value[key], `${path}.${key}`, problems);
  }
  if (value.messages !== undefined) validateMessages(value.messages, `${path}.messages`, problems);
}

function validateMessages(messages: unknown, path: string, problems: string[]): void {
  if (!Array.isArray(messages)) {
    problems.push(`${path} must be an array`);
    return;
  }
  messages.forEach((message, i) => {
    if (!isPlainObject(message) || !MESSAGE_ROLES.includes(message.role as string)) {
      problems.push(`${path}.${i}.role must be one of the following values: ${MESSAGE_ROLES.join(', ')}`);
    } else if (message.content !== null && typeof message.content !== 'string') {
      problems.push(`${path}.${i}.content must be a string`);
    }
  });
}
