// One assistant row is serialized once per response schema, not once for every route: two routes
// that show the same row with different schemas each answer with their own shape.
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { sendAssistant } from '../../src/assistants/routes.ts';
import type { AssistantRow } from '../../src/db/schema.ts';

const row = {
  id: '00000000-0000-4000-8000-000000000001',
  orgId: '00000000-0000-4000-8000-000000000002',
  connectionId: '00000000-0000-4000-8000-000000000003',
  provider: 'vapi',
  name: 'Cached',
  providerAssistantId: 'p-1',
  config: { name: 'Cached', firstMessage: 'Hello' },
  version: 1,
  syncState: 'synced',
  createdBy: null,
  updatedBy: null,
  createdAt: new Date(0),
  updatedAt: new Date(0),
  lastSyncedAt: null,
  leaseToken: null,
  leaseExpiresAt: null,
} as AssistantRow;

describe('the serialized answer cache', () => {
  it('keeps one body per response schema for the same row', async () => {
    const app = Fastify();
    // As the real routes declare answers: a JSON content type with its schema.
    const shape = (properties: Record<string, unknown>) => ({
      response: {
        200: { content: { 'application/json': { schema: { type: 'object', properties } } } },
      },
    });
    app.get('/names', { schema: shape({ name: { type: 'string' } }) }, (_req, reply) =>
      sendAssistant(reply, row),
    );
    app.get('/greetings', { schema: shape({ firstMessage: { type: 'string' } }) }, (_req, reply) =>
      sendAssistant(reply, row),
    );
    const names = await app.inject('/names');
    const greetings = await app.inject('/greetings');
    const namesAgain = await app.inject('/names');
    expect(names.json()).toEqual({ name: 'Cached' });
    expect(greetings.json()).toEqual({ firstMessage: 'Hello' });
    expect(namesAgain.json()).toEqual({ name: 'Cached' });
    await app.close();
  });
});
