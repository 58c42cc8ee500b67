// The shapes of jobs (SPEC section 12) in the API: each drives validation, types and the OpenAPI document.
import { type Static, Type } from 'typebox';
import { ASSISTANT_BODY_LIMIT, AssistantPatch } from '../assistants/schemas.ts';

const nullable = <T extends ReturnType<typeof Type.String | typeof Type.Integer>>(schema: T) =>
  Type.Union([schema, Type.Null()]);

export const Job = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    kind: Type.Union([Type.Literal('import'), Type.Literal('bulk')]),
    state: Type.Union(
      [
        Type.Literal('queued'),
        Type.Literal('running'),
        Type.Literal('succeeded'),
        Type.Literal('failed'),
        Type.Literal('cancelled'),
      ],
      {
        description:
          '`queued` until a server takes it, then `running`, then how it ended: `succeeded` once every item was tried (those that failed are counted in `failed` and named in `errors`), `failed` when the job itself could not go on (the reason is the last of `errors`), `cancelled` when someone cancelled it.',
      },
    ),
    connectionId: nullable(
      Type.String({ format: 'uuid', description: "An import's connection; null for a bulk change." }),
    ),
    total: nullable(
      Type.Integer({
        description: 'How many items; null until known (an import knows once it has read the list).',
      }),
    ),
    done: Type.Integer({ description: 'Items finished, successful or not; never goes down.' }),
    failed: Type.Integer({ description: 'The part of `done` that failed.' }),
    imported: nullable(
      Type.Integer({
        description:
          "An import's: the part of `done` that was new. The rest was already managed by Switchboard, in this organization or another. Null for a bulk change.",
      }),
    ),
    errors: Type.Array(
      Type.Object({
        assistantId: Type.Optional(Type.String({ format: 'uuid' })),
        message: Type.String({ description: 'What went wrong, in words.' }),
      }),
      { description: 'The first 100 errors.' },
    ),
    createdBy: Type.String({
      description: 'The email of the user or the name of the API key that started it.',
    }),
    createdAt: Type.String({ format: 'date-time' }),
    startedAt: nullable(Type.String({ format: 'date-time' })),
    finishedAt: nullable(Type.String({ format: 'date-time' })),
  },
  { description: 'Long work in the background, with its progress.' },
);
export type Job = Static<typeof Job>;

export const JobAccepted = Type.Object({ job: Job });

export const JobList = Type.Object({
  items: Type.Array(Job),
  nextCursor: nullable(
    Type.String({ description: 'Pass as `cursor` for the next (older) page; null on the last.' }),
  ),
});

export const JobListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type JobListQuery = Static<typeof JobListQuery>;

export const JobParams = Type.Object({ id: Type.String({ format: 'uuid', description: 'The job id.' }) });

/** At most this many assistants in one bulk change. */
export const MAX_BULK_ITEMS = 10_000;
/** A bulk request's body: that many ids (about 40 bytes each) beside the largest patch. */
export const BULK_BODY_LIMIT = ASSISTANT_BODY_LIMIT + 1024 * 1024;

export const BulkRequest = Type.Object(
  {
    ids: Type.Optional(
      Type.Array(Type.String({ format: 'uuid' }), {
        minItems: 1,
        maxItems: MAX_BULK_ITEMS,
        uniqueItems: true,
        description: 'The assistants to change.',
      }),
    ),
    filter: Type.Optional(
      Type.Object(
        {
          q: Type.Optional(
            Type.String({
              minLength: 1,
              maxLength: 200,
              description: 'The name contains this, in any case.',
            }),
          ),
          connectionId: Type.Optional(Type.String({ format: 'uuid' })),
        },
        {
          additionalProperties: false,
          description: 'Every assistant that matches, as `GET /assistants` filters.',
        },
      ),
    ),
    patch: AssistantPatch,
    dryRun: Type.Optional(
      Type.Boolean({ description: 'Answer with what would change on each assistant, and send nothing.' }),
    ),
  },
  {
    additionalProperties: false,
    description: 'One partial update (the PATCH body) for many assistants: `ids` or `filter`.',
  },
);
export type BulkRequest = Static<typeof BulkRequest>;

export const BulkPreview = Type.Object({
  items: Type.Array(
    Type.Object({
      assistantId: Type.String({ format: 'uuid' }),
      name: nullable(Type.String()),
      changes: Type.Array(
        Type.Object({
          field: Type.String({ description: 'Dotted, as in the PATCH body: `model.temperature`.' }),
          from: Type.Union([Type.String(), Type.Number(), Type.Null()]),
          to: Type.Union([Type.String(), Type.Number(), Type.Null()]),
        }),
      ),
    }),
    { description: 'Each assistant the patch would change; those it would not change are left out.' },
  ),
  total: Type.Integer({ description: 'How many assistants the request selected.' }),
});
