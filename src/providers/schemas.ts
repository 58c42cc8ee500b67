// The answer of GET /providers: what the assistant form may offer for each kind of connection.
import { type Static, Type } from 'typebox';
import type { ConnectionProvider } from '../connections/connection-repository.ts';
import { nullable, stringEnum } from '../http/schemas.ts';

/** The connection kinds whose assistants Switchboard can configure; the sandbox follows Vapi's rules. */
export const CONFIGURABLE_KINDS = [
  'vapi',
  'sandbox',
  'retell',
] as const satisfies readonly ConnectionProvider[];

const Range = (description: string) =>
  Type.Object(
    {
      minimum: Type.Number({ description: 'The smallest value accepted.' }),
      maximum: Type.Number({ description: 'The largest value accepted.' }),
    },
    { description },
  );

const Length = (description: string) =>
  Type.Object(
    {
      minLength: Type.Integer({ minimum: 0, description: 'The fewest characters accepted.' }),
      maxLength: Type.Integer({ minimum: 0, description: 'The most characters accepted.' }),
    },
    { description },
  );

export const FieldLimits = Type.Object(
  {
    name: Length('`name`.'),
    firstMessage: Length('`firstMessage`.'),
    model: Length('`model.model`, when the provider takes any model name.'),
    systemPrompt: Length('`model.systemPrompt`.'),
    temperature: Range('`model.temperature`, before any model provider narrows it.'),
    maxTokens: Range('`model.maxTokens` (a whole number), before any model provider narrows it.'),
    voiceId: Length('`voice.voiceId`.'),
    transcriberModel: Length('`transcriber.model`, when the provider takes any model name.'),
  },
  { description: 'The limits every create and update is validated against.' },
);

export const ModelGroup = Type.Object(
  {
    label: Type.String({
      description: 'What the models have in common, e.g. `GPT-4o` or `GPT-4o, pinned to a region`.',
    }),
    models: Type.Array(Type.String(), { description: 'Values of `model.model`, in the provider’s order.' }),
  },
  { description: 'Models of one family, shown together in a menu.' },
);

export const ModelProviderChoice = Type.Object(
  {
    id: Type.String({ description: 'The value of `model.provider`.' }),
    modelGroups: nullable(
      Type.Array(ModelGroup, {
        description:
          'Every model the provider accepts, each once, grouped by family: region-pinned deployments (`name:region`) after the rest. Null when the provider takes any model name.',
      }),
    ),
    temperature: Range(
      '`model.temperature` for this provider: the request limit narrowed by its own bounds.',
    ),
    maxTokens: Type.Optional(
      Range(
        '`model.maxTokens` for this provider: the request limit narrowed by its own bounds. Absent when the provider has no place for it.',
      ),
    ),
  },
  { description: 'A language model provider an assistant may use.' },
);

export const VoiceProviderChoice = Type.Object(
  {
    id: Type.String({ description: 'The value of `voice.provider`.' }),
    label: Type.Optional(Type.String({ description: 'The provider’s name in words.' })),
    voiceIdPrefix: Type.Optional(
      Type.String({
        description: 'Where the voice id names its provider (Retell: `11labs-Adrian`), the prefix.',
      }),
    ),
    exampleVoiceIds: Type.Optional(
      Type.Array(Type.String(), { description: 'Voice ids to offer as examples.' }),
    ),
  },
  { description: 'A voice provider an assistant may use.' },
);

export const TranscriberProviderChoice = Type.Object(
  {
    id: Type.String({ description: 'The value of `transcriber.provider`.' }),
    models: nullable(
      Type.Array(Type.String(), {
        description: 'The values `transcriber.model` may take; null when the provider takes any model name.',
      }),
    ),
    modelRequired: Type.Boolean({ description: 'Whether `transcriber.model` must be set.' }),
  },
  { description: 'A speech-to-text provider an assistant may use.' },
);

export const ProviderChoices = Type.Object(
  {
    provider: stringEnum(
      CONFIGURABLE_KINDS,
      'The connection kind (`Connection.provider`) these choices are for.',
    ),
    modelProviders: Type.Array(ModelProviderChoice, { description: 'In the order a menu should list them.' }),
    voiceProviders: Type.Array(VoiceProviderChoice, { description: 'Alphabetical.' }),
    transcriberProviders: Type.Array(TranscriberProviderChoice, { description: 'Alphabetical.' }),
    limits: FieldLimits,
    serverSetFields: Type.Array(Type.String(), {
      description:
        'Paths (dotted) of the stored configuration the provider sets itself (ids, timestamps, versions): they move with every version and say nothing, so a diff leaves them out.',
    }),
    derivedFields: Type.Array(Type.String(), {
      description:
        'Fields this kind of connection works out from others (Retell: `model.provider` from the model, `voice.provider` from the voice id): the form shows them without a menu and need not send them.',
    }),
    unheldFields: Type.Array(Type.String(), {
      description:
        'Fields this kind of connection has no place for (dotted, e.g. `model.maxTokens`): the form hides them and the API refuses them with a 400.',
    }),
  },
  {
    description:
      "What an assistant on one kind of connection can be configured with: the provider's catalog.",
  },
);
export type ProviderChoices = Static<typeof ProviderChoices>;

export const ProviderCatalog = Type.Object(
  {
    items: Type.Array(ProviderChoices, {
      description: 'One entry per connection kind whose assistants Switchboard configures.',
    }),
  },
  {
    description:
      'The choices the assistant form offers, taken from the same catalog and schemas that validate assistants, so the form offers only what the API accepts.',
  },
);
export type ProviderCatalog = Static<typeof ProviderCatalog>;
