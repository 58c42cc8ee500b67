// One TypeBox schema per shape: it validates requests, types the handlers and writes the OpenAPI
// document. Descriptions come from the seed (shared/seed), which is binding.
import { type Static, Type } from 'typebox';
import { nullable, stringEnum } from '../http/schemas.ts';
import { RETELL_VOICE_PROVIDERS } from '../providers/retell/catalog.ts';
import {
  SETTABLE_MODEL_PROVIDERS,
  TRANSCRIBER_PROVIDERS,
  VOICE_PROVIDERS,
} from '../providers/vapi/catalog.ts';

/** Every platform's voice providers: each connection's platform checks that the one given is its own. */
const VOICE_PROVIDER_IDS = [
  ...new Set([...Object.keys(VOICE_PROVIDERS), ...Object.keys(RETELL_VOICE_PROVIDERS)]),
].sort();

const MODEL_DESCRIPTION =
  'Configuration for the underlying language model (OpenAI / Anthropic).\nFor non-technical readers, you can think of this as picking which "brain" the agent uses and how creative it should be.';

const fields = {
  name: Type.String({ minLength: 1, maxLength: 40, description: 'Assistant display name.' }),
  firstMessage: Type.String({
    maxLength: 10_000,
    description: 'First message sent by the assistant when a call/chat starts.',
  }),
  modelProvider: stringEnum(SETTABLE_MODEL_PROVIDERS, 'Language model provider.'),
  modelName: Type.String({
    minLength: 1,
    maxLength: 200,
    description: 'Model name from the chosen provider.',
  }),
  temperature: Type.Number({
    minimum: 0,
    maximum: 2,
    description:
      'Controls creativity. Lower values are more deterministic, higher values more creative and varied.',
  }),
  maxTokens: Type.Integer({
    minimum: 50,
    maximum: 10_000,
    description: 'Maximum number of tokens the model can generate for a response.',
  }),
  systemPrompt: Type.String({
    maxLength: 100_000,
    description: 'The system prompt: the `role: "system"` entry of the provider\'s `model.messages`.',
  }),
  voiceProvider: stringEnum(VOICE_PROVIDER_IDS, 'Voice provider identifier.'),
  voiceId: Type.String({
    minLength: 1,
    maxLength: 200,
    description: 'Voice identifier within the chosen provider.',
  }),
  transcriberProvider: stringEnum(Object.keys(TRANSCRIBER_PROVIDERS), 'Speech-to-text provider identifier.'),
  transcriberModel: Type.String({
    minLength: 1,
    maxLength: 200,
    description: 'Optional model identifier, depending on the provider.',
  }),
};

const closed = { additionalProperties: false } as const;

/**
 * The body limit of a create or an update: room for a body whose every field is within its limit
 * even when each character is sent escaped as a surrogate pair (`\ud83d\ude00`, 12 bytes), as
 * JSON encoders that keep to ASCII send them. The longest texts, the system prompt and the first
 * message, are 110,000 characters at most: about 1.3 MB.
 */
export const ASSISTANT_BODY_LIMIT = 2 * 1024 * 1024;

const connectionIdField = (description: string) => Type.String({ format: 'uuid', description });

export const AssistantPatch = Type.Object(
  {
    name: Type.Optional(fields.name),
    firstMessage: Type.Optional(nullable(fields.firstMessage)),
    model: Type.Optional(
      Type.Object(
        {
          provider: Type.Optional(fields.modelProvider),
          model: Type.Optional(fields.modelName),
          temperature: Type.Optional(nullable(fields.temperature)),
          maxTokens: Type.Optional(nullable(fields.maxTokens)),
          systemPrompt: Type.Optional(nullable(fields.systemPrompt)),
        },
        { ...closed, description: MODEL_DESCRIPTION },
      ),
    ),
    voice: Type.Optional(
      Type.Object(
        { provider: Type.Optional(fields.voiceProvider), voiceId: Type.Optional(fields.voiceId) },
        { ...closed, description: 'Voice configuration for spoken responses when used in calls.' },
      ),
    ),
    transcriber: Type.Optional(
      nullable(
        Type.Object(
          {
            provider: Type.Optional(fields.transcriberProvider),
            model: Type.Optional(nullable(fields.transcriberModel)),
          },
          { ...closed, description: 'Speech-to-text configuration used to transcribe calls.' },
        ),
      ),
    ),
  },
  { ...closed, description: 'Partial update payload for an existing assistant. All fields are optional.' },
);
export type AssistantPatch = Static<typeof AssistantPatch>;

export const AssistantCreate = Type.Object(
  {
    connectionId: Type.Optional(
      connectionIdField("Where to create it: one of the organization's connections; its default without it."),
    ),
    name: fields.name,
    firstMessage: Type.Optional(fields.firstMessage),
    model: Type.Object(
      {
        provider: Type.Optional(
          stringEnum(
            ['openai', 'anthropic'],
            'Language model provider. Required where the connection’s platform needs it (Vapi); derived from the model where the platform names it there (Retell).',
          ),
        ),
        model: fields.modelName,
        temperature: Type.Optional(fields.temperature),
        maxTokens: Type.Optional(fields.maxTokens),
        systemPrompt: Type.Optional(fields.systemPrompt),
      },
      { ...closed, description: MODEL_DESCRIPTION },
    ),
    voice: Type.Object(
      {
        provider: Type.Optional(
          stringEnum(
            VOICE_PROVIDER_IDS,
            'Voice provider identifier. Required where the platform needs it (Vapi); derived from the voice id where the platform names it there (Retell: `11labs-Adrian`).',
          ),
        ),
        voiceId: fields.voiceId,
      },
      { ...closed, description: 'Voice configuration for spoken responses when used in calls.' },
    ),
    transcriber: Type.Optional(
      Type.Object(
        { provider: fields.transcriberProvider, model: Type.Optional(fields.transcriberModel) },
        { ...closed, description: 'Speech-to-text configuration used to transcribe calls.' },
      ),
    ),
  },
  { ...closed, description: 'A new assistant. It is created at the provider first, then stored.' },
);
export type AssistantCreate = Static<typeof AssistantCreate>;

const openString = (description: string) => Type.String({ description });

export const Assistant = Type.Object(
  {
    id: Type.String({ format: 'uuid', description: 'Assistant identifier.' }),
    orgId: Type.String({ format: 'uuid', description: 'Owning organization identifier.' }),
    connectionId: Type.String({
      format: 'uuid',
      description: "The organization's connection (provider account) the assistant lives in.",
    }),
    provider: Type.String({
      description: 'The voice platform that runs the assistant (`vapi`, or `sandbox` for the built-in one).',
    }),
    providerAssistantId: Type.String({ description: "The assistant's identifier at the provider." }),
    name: nullable(Type.String({ description: 'Human-friendly assistant name shown in the dashboard.' })),
    firstMessage: nullable(
      Type.String({ description: 'First message sent by the assistant when a call/chat starts.' }),
    ),
    model: nullable(
      Type.Object(
        {
          provider: nullable(openString('Language model provider.')),
          model: nullable(openString('Model name from the chosen provider.')),
          temperature: nullable(fields.temperature),
          maxTokens: nullable(
            Type.Number({ description: 'Maximum number of tokens the model can generate for a response.' }),
          ),
          systemPrompt: nullable(fields.systemPrompt),
        },
        { description: MODEL_DESCRIPTION },
      ),
    ),
    voice: nullable(
      Type.Object(
        {
          provider: nullable(openString('Voice provider identifier.')),
          voiceId: nullable(openString('Voice identifier within the chosen provider.')),
        },
        { description: 'Voice configuration for spoken responses when used in calls.' },
      ),
    ),
    transcriber: nullable(
      Type.Object(
        {
          provider: nullable(openString('Speech-to-text provider identifier.')),
          model: nullable(openString('Optional model identifier, depending on the provider.')),
        },
        { description: 'Speech-to-text configuration used to transcribe calls.' },
      ),
    ),
    version: Type.Integer({
      minimum: 1,
      description: 'Goes up by one with every configuration the provider confirms.',
    }),
    syncState: stringEnum(
      ['synced', 'pending', 'missing'],
      '`pending` while an update may have reached the provider without being stored; `missing` when the provider no longer has it.',
    ),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    createdBy: nullable(Type.String({ format: 'uuid', description: 'The user who created it.' })),
    updatedBy: nullable(Type.String({ format: 'uuid', description: 'The user who last changed it.' })),
    providerConfig: Type.Object(
      {},
      {
        additionalProperties: true,
        description:
          "The provider's complete assistant object as it last confirmed it, including every field Switchboard does not model.",
      },
    ),
  },
  {
    description:
      'A voice/chat agent configuration that defines how the assistant behaves and which model, voice and tools it uses.',
  },
);
export type Assistant = Static<typeof Assistant>;

/** What a list shows of each assistant: everything but the provider's whole object (`GET /assistants/{id}` has it). */
export const AssistantSummary = Type.Omit(Assistant, ['providerConfig'], {
  description: 'An assistant as a list shows it: its fields without the provider’s whole object.',
});

export const AssistantList = Type.Object({
  items: Type.Array(AssistantSummary),
  nextCursor: nullable(
    Type.String({ description: 'Pass as `cursor` for the next page; null on the last page.' }),
  ),
});

export const AssistantListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'Page size.' })),
    cursor: Type.Optional(
      Type.String({ maxLength: 200, description: "From the previous page's `nextCursor`." }),
    ),
    q: Type.Optional(
      Type.String({
        maxLength: 100,
        description: 'Only assistants whose name contains this text (any case).',
      }),
    ),
    connectionId: Type.Optional(connectionIdField('Only the assistants of this connection.')),
  },
  closed,
);
export type AssistantListQuery = Static<typeof AssistantListQuery>;

export const AssistantIdParams = Type.Object({
  id: Type.String({
    minLength: 1,
    maxLength: 200,
    description: 'Assistant identifier (external provider ID or local DB ID).',
  }),
});

export const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(
    Type.String({ description: "Makes the update conditional: the assistant's current `ETag`, or 412." }),
  ),
});

export const AssistantVersion = Type.Object(
  {
    version: Type.Integer({ minimum: 1 }),
    source: stringEnum(
      ['create', 'update', 'restore', 'import', 'provider'],
      'How this configuration came about; `provider` marks a change made outside Switchboard.',
    ),
    actorUserId: nullable(
      Type.String({
        format: 'uuid',
        description: 'Who made it; null for changes found at the provider or made with an API key.',
      }),
    ),
    actorApiKeyId: nullable(
      Type.String({ format: 'uuid', description: 'The API key that made it, when one did.' }),
    ),
    actorLabel: nullable(
      Type.String({
        description:
          "Who made it, in words: the user's email or the API key's name; null for a change found at the provider, or when the user or key is gone.",
      }),
    ),
    createdAt: Type.String({ format: 'date-time' }),
    changedPaths: Type.Array(Type.String(), {
      description: 'Dotted paths that differ from the previous version, e.g. `model.temperature`.',
    }),
  },
  { description: 'One configuration the provider confirmed.' },
);

export const AssistantVersionDetail = Type.Object(
  {
    ...AssistantVersion.properties,
    config: Type.Object(
      {},
      { additionalProperties: true, description: "The provider's whole assistant object at this version." },
    ),
  },
  { description: 'One confirmed configuration, in full.' },
);

export const AssistantVersionList = Type.Object({
  items: Type.Array(AssistantVersion),
  nextBefore: nullable(
    Type.Integer({ description: 'Pass as `before` for the next (older) page; null on the last.' }),
  ),
});

export const VersionListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    before: Type.Optional(Type.Integer({ minimum: 1, description: 'Only versions older than this one.' })),
  },
  closed,
);

export const VersionParams = Type.Object({
  id: AssistantIdParams.properties.id,
  n: Type.Integer({ minimum: 1, description: 'Version number.' }),
});

export const ImportRequest = Type.Object(
  {
    connectionId: Type.Optional(
      connectionIdField("The connection to import from; the organization's default without it."),
    ),
    providerAssistantId: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: "The provider's assistant id." }),
    ),
    all: Type.Optional(
      Type.Literal(true, {
        description:
          'Import every assistant of the connection that Switchboard does not manage yet and that no other organization marked as its own.',
      }),
    ),
  },
  { ...closed, description: 'Either `providerAssistantId` or `all: true`.' },
);
export type ImportRequest = Static<typeof ImportRequest>;
