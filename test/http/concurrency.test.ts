// Concurrent updates of one assistant in one process: none is lost, none waits forever.
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AssistantRepository } from '../../src/assistants/assistant-repository.ts';
import { auditEvent } from '../../src/audit/audit-log.ts';
import { assistants, assistantVersions, auditEvents } from '../../src/db/schema.ts';
import { noFaults } from '../../src/providers/vapi/emulator/emulator.ts';
import { distinctModelUpdates, expectSerialised, fieldOf } from '../helpers/concurrency.ts';
import { RICH_PROVIDER_ASSISTANT, seedProviderAssistant } from '../helpers/seed.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ env: { UPDATE_WAIT_MS: '500' } });
});
afterAll(() => t.close());
beforeEach(() => {
  t.emulator.faults = noFaults();
});

describe('concurrent updates', () => {
  it('24 concurrent PATCHes of different model fields: every change lands, in order, in both copies', async () => {
    const slow = await startTestApp({ env: { UPDATE_WAIT_MS: '30000' } });
    try {
      const assistant = await seedProviderAssistant(slow);
      slow.emulator.faults.latencyMs = 20;
      const updates = distinctModelUpdates(24);
      const started = Date.now();
      const results = await Promise.all(
        updates.map((u) => slow.request(slow.owner.cookie, 'PATCH', `/assistants/${assistant.id}`, u.body)),
      );
      const elapsed = Date.now() - started;
      expect(results.map((r) => r.statusCode)).toEqual(updates.map(() => 200));

      const received = slow.emulator.received('PATCH');
      expect(received).toHaveLength(24);
      const finalModel = expectSerialised(RICH_PROVIDER_ASSISTANT.model, received, updates);
      const stored = (await slow.request(slow.owner.cookie, 'GET', `/assistants/${assistant.id}`)).json();
      expect(stored.version).toBe(1 + 24);
      expect(stored.providerConfig.model).toEqual(finalModel);
      expect(slow.emulator.assistants.get(assistant.providerAssistantId)?.model).toEqual(finalModel);
      // Fields no update touched survive all 24.
      expect(finalModel.tools).toEqual(RICH_PROVIDER_ASSISTANT.model.tools);
      expect(fieldOf(finalModel, 'systemPrompt')).toMatch(/^Prompt /);
      console.info(`[figures] 24 concurrent PATCHes with 20 ms provider latency: all 200 in ${elapsed} ms`);
    } finally {
      await slow.close();
    }
  });

  it('a lease left by a dead holder: waiters give up with 409 and Retry-After, then it expires', async () => {
    const assistant = await seedProviderAssistant(t);
    await t.database.db
      .update(assistants)
      .set({ leaseToken: randomUUID(), leaseExpiresAt: sql`now() + interval '1500 milliseconds'` })
      .where(eq(assistants.id, assistant.id));

    const started = Date.now();
    const blocked = await t.request(t.owner.cookie, 'PATCH', `/assistants/${assistant.id}`, {
      name: 'Blocked',
    });
    const waited = Date.now() - started;
    expect(blocked.statusCode).toBe(409);
    expect(blocked.json()).toMatchObject({ code: 'update_in_progress' });
    expect(blocked.headers['retry-after']).toBe('1');
    expect(waited).toBeGreaterThanOrEqual(450);
    expect(waited).toBeLessThan(3_000); // bounded: it never waits on the dead holder's full lease
    expect(
      t.emulator.received('PATCH').filter((r) => r.path.endsWith(assistant.providerAssistantId)),
    ).toHaveLength(0);

    await new Promise((resolve) => setTimeout(resolve, 1_600 - waited));
    const after = await t.request(t.owner.cookie, 'PATCH', `/assistants/${assistant.id}`, {
      name: 'After expiry',
    });
    expect(after.statusCode).toBe(200);
    console.info(`[figures] a waiter behind a dead holder gave up after ${waited} ms (UPDATE_WAIT_MS=500)`);
  });
});

describe('storing a version', () => {
  it('without the lease stores nothing: no configuration, history row or audit event', async () => {
    const assistant = await seedProviderAssistant(t);
    const countOf = async (table: typeof assistantVersions | typeof auditEvents) =>
      (await t.database.db.select().from(table)).length;
    const [versionsBefore, eventsBefore] = [await countOf(assistantVersions), await countOf(auditEvents)];
    const repo = new AssistantRepository(t.database.db);
    const store = repo.storeVersion(
      assistant.id,
      randomUUID(),
      {
        config: { name: 'Never stored' },
        changedPaths: ['name'],
        source: 'update',
        actorUserId: null,
        actorApiKeyId: null,
      },
      auditEvent(null, t.orgId, 'assistant.updated', { type: 'assistant', id: assistant.id }),
      { releaseLease: true },
    );
    await expect(store).rejects.toThrow(/lost its update lease/);
    const [row] = await t.database.db.select().from(assistants).where(eq(assistants.id, assistant.id));
    expect(row).toMatchObject({ version: 1, config: { name: RICH_PROVIDER_ASSISTANT.name } });
    expect(await countOf(assistantVersions)).toBe(versionsBefore);
    expect(await countOf(auditEvents)).toBe(eventsBefore);
  });
});

describe('property: random sequences of partial updates through the API', () => {
  it('the stored configuration equals the reference merge, and unmodelled fields survive', async () => {
    const step = fc.oneof(
      fc.record({ name: fc.string({ minLength: 1, maxLength: 40 }) }),
      fc.record({ firstMessage: fc.option(fc.string({ maxLength: 30 }), { nil: null }) }),
      fc.record({ model: fc.record({ temperature: fc.double({ min: 0, max: 2, noNaN: true }) }) }),
      fc.record({ model: fc.record({ maxTokens: fc.integer({ min: 50, max: 10_000 }) }) }),
      fc.record({ model: fc.record({ systemPrompt: fc.string({ maxLength: 30 }) }) }),
      fc.record({ voice: fc.record({ voiceId: fc.constantFrom('burt', 'sarah', 'paula', 'drew') }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 5 }), async (steps) => {
        const assistant = await seedProviderAssistant(t);
        const expected = structuredClone(RICH_PROVIDER_ASSISTANT) as Record<string, any>;
        for (const body of steps as Array<Record<string, any>>) {
          const res = await t.request(t.owner.cookie, 'PATCH', `/assistants/${assistant.id}`, body);
          expect(res.statusCode).toBe(200);
          if ('name' in body) expected.name = body.name;
          if ('firstMessage' in body) {
            if (body.firstMessage === null) delete expected.firstMessage;
            else expected.firstMessage = body.firstMessage;
          }
          if (body.model?.systemPrompt !== undefined)
            expected.model.messages[0].content = body.model.systemPrompt;
          else if (body.model) Object.assign(expected.model, body.model);
          if (body.voice) Object.assign(expected.voice, body.voice);
        }
        const {
          id: _id,
          orgId: _o,
          createdAt: _c,
          updatedAt: _u,
          isServerUrlSecretSet: _s,
          ...stored
        } = (await t.request(t.owner.cookie, 'GET', `/assistants/${assistant.id}`)).json().providerConfig;
        expect(stored).toEqual(expected);
      }),
      { numRuns: 15 },
    );
  });
});
