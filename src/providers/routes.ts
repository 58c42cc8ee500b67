// GET /providers: the choices the assistant form offers, read from the same TypeBox schemas and
// provider catalog that validate assistants, so the dashboard needs no server code to know them.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AssistantCreate } from '../assistants/schemas.ts';
import type { Guards } from '../http/authenticate.ts';
import { errors, SESSION_OR_KEY_SECURITY } from '../http/schemas.ts';
import { groupModels } from './model-groups.ts';
import { AGENT_SERVER_SET_KEYS, LLM_SERVER_SET_KEYS, retellChoices } from './retell/catalog.ts';
import { CONFIGURABLE_KINDS, ProviderCatalog, type ProviderChoices } from './schemas.ts';
import {
  MODEL_PROVIDERS,
  type ProviderVariant,
  SERVER_SET_KEYS,
  TRANSCRIBER_PROVIDERS,
  VOICE_PROVIDERS,
} from './vapi/catalog.ts';

/** The keywords of a TypeBox schema that bound a value; TypeBox keeps them on the schema object. */
interface Bounded {
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  enum?: readonly unknown[];
}
const keywordsOf = (schema: unknown) => schema as Bounded;

function lengthOf(schema: unknown): { minLength: number; maxLength: number } {
  const { minLength = 0, maxLength } = keywordsOf(schema);
  if (maxLength === undefined) throw new Error('a form field without maxLength in the assistant schema');
  return { minLength, maxLength };
}

function rangeOf(schema: unknown): { minimum: number; maximum: number } {
  const { minimum, maximum } = keywordsOf(schema);
  if (minimum === undefined || maximum === undefined)
    throw new Error('an unbounded number in the assistant schema');
  return { minimum, maximum };
}

function enumOf(schema: unknown): string[] {
  const values = keywordsOf(schema).enum;
  if (!values) throw new Error('a provider field without its list in the assistant schema');
  return values.filter((value): value is string => typeof value === 'string');
}

/** The request's range narrowed by the provider's own bounds (null there means unbounded). */
function narrowed(
  range: { minimum: number; maximum: number },
  bounds: ProviderVariant['bounds'],
  field: string,
) {
  const [min, max] = bounds?.[field] ?? [null, null];
  return {
    minimum: min === null ? range.minimum : Math.max(range.minimum, min),
    maximum: max === null ? range.maximum : Math.min(range.maximum, max),
  };
}

function variantOf(catalog: Readonly<Record<string, ProviderVariant>>, id: string): ProviderVariant {
  const variant = catalog[id];
  if (!variant) throw new Error(`the assistant schema allows provider "${id}", which the catalog lacks`);
  return variant;
}

const alphabetical = (a: string, b: string) => a.localeCompare(b, 'en');

/** The choices for a connection that follows Vapi's rules: its catalog, within the request schemas. */
function vapiChoices(): Omit<
  ProviderChoices,
  'provider' | 'unheldFields' | 'derivedFields' | 'serverSetFields'
> {
  const request = AssistantCreate.properties;
  const model = request.model.properties;
  const voice = request.voice.properties;
  const transcriber = request.transcriber.properties;
  const limits = {
    name: lengthOf(request.name),
    firstMessage: lengthOf(request.firstMessage),
    model: lengthOf(model.model),
    systemPrompt: lengthOf(model.systemPrompt),
    temperature: rangeOf(model.temperature),
    maxTokens: rangeOf(model.maxTokens),
    voiceId: lengthOf(voice.voiceId),
    transcriberModel: lengthOf(transcriber.model),
  };
  return {
    modelProviders: enumOf(model.provider).map((id) => {
      const variant = variantOf(MODEL_PROVIDERS, id);
      return {
        id,
        modelGroups: variant.models ? groupModels(id, variant.models) : null,
        temperature: narrowed(limits.temperature, variant.bounds, 'temperature'),
        maxTokens: narrowed(limits.maxTokens, variant.bounds, 'maxTokens'),
      };
    }),
    voiceProviders: enumOf(voice.provider)
      .filter((id) => id in VOICE_PROVIDERS)
      .sort(alphabetical)
      .map((id) => ({ id })),
    transcriberProviders: enumOf(transcriber.provider)
      .sort(alphabetical)
      .map((id) => {
        const variant = variantOf(TRANSCRIBER_PROVIDERS, id);
        return {
          id,
          models: variant.models ? [...variant.models] : null,
          modelRequired: variant.required.includes('model'),
        };
      }),
    limits,
  };
}

export const providerRoutes: FastifyPluginAsyncTypebox<{ guards: Guards }> = async (app, { guards }) => {
  // The catalog is fixed for the life of the process: built once, and checked at start.
  const vapi = vapiChoices();
  const { heldFields: _held, ...retell } = retellChoices();
  const byKind = {
    vapi: { ...vapi, serverSetFields: [...SERVER_SET_KEYS], derivedFields: [], unheldFields: [] },
    sandbox: { ...vapi, serverSetFields: [...SERVER_SET_KEYS], derivedFields: [], unheldFields: [] },
    // Retell's fields share the request schema's lengths.
    retell: {
      ...retell,
      limits: vapi.limits,
      serverSetFields: [
        'id',
        ...AGENT_SERVER_SET_KEYS.map((key) => `agent.${key}`),
        ...LLM_SERVER_SET_KEYS.map((key) => `llm.${key}`),
      ],
      derivedFields: ['model.provider', 'voice.provider'],
    },
  };
  const catalog = { items: CONFIGURABLE_KINDS.map((provider) => ({ provider, ...byKind[provider] })) };

  app.get(
    '/providers',
    {
      preValidation: guards.role('viewer'),
      schema: {
        tags: ['Assistants'],
        summary: 'What assistants can be configured with, per kind of connection',
        description:
          'The model, voice and transcriber providers (with their models where the provider has a closed list) and the field limits that creates and updates are validated against. The same for every organization; any member (viewer) or API key may read it.',
        security: SESSION_OR_KEY_SECURITY,
        response: { 200: ProviderCatalog, ...errors(401, 403) },
      },
    },
    async () => catalog,
  );
};
