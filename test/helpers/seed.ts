// Puts an assistant that already exists at the provider under Switchboard, with fields Switchboard
// does not model, the way an import does: created at the emulator, stored as the provider returned it.

import { AssistantRepository } from '../../src/assistants/assistant-repository.ts';
import { auditEvent } from '../../src/audit/audit-log.ts';
import { EMULATOR_KEY, type TestApp } from './test-app.ts';

export const RICH_PROVIDER_ASSISTANT = {
  name: 'Support line',
  firstMessage: 'Thanks for calling.',
  model: {
    provider: 'openai',
    model: 'gpt-4o',
    temperature: 0.5,
    maxTokens: 300,
    messages: [
      { role: 'system', content: 'You are a careful support agent.' },
      { role: 'assistant', content: 'Example greeting.' },
    ],
    tools: [{ type: 'endCall' }],
    toolIds: ['tool-1'],
    emotionRecognitionEnabled: true,
  },
  voice: { provider: '11labs', voiceId: 'burt', stability: 0.4 },
  transcriber: { provider: 'deepgram', model: 'nova-3', language: 'en' },
  metadata: { team: 'support', tier: 2 },
  endCallPhrases: ['goodbye', 'bye now'],
  maxDurationSeconds: 900,
  endCallFunctionEnabled: true,
};

export async function emulatorFetch(t: TestApp, method: string, path: string, body?: unknown) {
  const res = await fetch(`${t.emulatorUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${EMULATOR_KEY}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { id: string } };
}

export async function seedProviderAssistant(
  t: TestApp,
  config: Record<string, unknown> = RICH_PROVIDER_ASSISTANT,
) {
  const created = await emulatorFetch(t, 'POST', '/assistant', config);
  if (created.status !== 201) throw new Error(`emulator create failed: ${JSON.stringify(created.body)}`);
  t.emulator.requests.length = 0;
  const row = await new AssistantRepository(t.database.db).insert(
    {
      orgId: t.orgId,
      connectionId: t.connectionId,
      provider: 'vapi',
      providerAssistantId: created.body.id,
      config: created.body,
      actorUserId: t.owner.userId,
      actorApiKeyId: null,
      source: 'import',
    },
    (row) =>
      auditEvent(null, t.orgId, 'assistant.imported', { type: 'assistant', id: row.id }, { seeded: true }),
  );
  if (!row) throw new Error('seeded assistant already stored');
  return { id: row.id, providerAssistantId: created.body.id };
}
