// Sessions, API keys and assistants are read from memory, and every server drops what changed:
// its own changes before it answers, other servers' by the database's notification.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AssistantRepository } from '../../src/assistants/assistant-repository.ts';
import { SessionRepository } from '../../src/auth/session-repository.ts';
import { assistants } from '../../src/db/schema.ts';
import { createAssistant, startTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let b: Awaited<ReturnType<TestApp['secondServer']>>;
beforeAll(async () => {
  t = await startTestApp();
  b = await t.secondServer();
});
afterAll(async () => {
  await b.close();
  await t.close();
});

/** Polls until `check` passes; returns how long it took. */
async function within(check: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await vi.waitFor(check, { timeout: 2_000, interval: 2 });
  return performance.now() - started;
}

describe('reads from memory', () => {
  it('a repeated GET of one assistant reads neither the session nor the assistant again', async () => {
    const a = await createAssistant(t);
    const sessionReads = vi.spyOn(SessionRepository.prototype, 'resolve');
    const assistantReads = vi.spyOn(AssistantRepository.prototype, 'findInOrg');
    try {
      for (let i = 0; i < 5; i++) {
        expect((await t.request(t.owner.cookie, 'GET', `/assistants/${a.id}`)).statusCode).toBe(200);
      }
      expect(sessionReads.mock.calls.length).toBeLessThanOrEqual(1);
      expect(assistantReads.mock.calls.length).toBeLessThanOrEqual(1);
    } finally {
      sessionReads.mockRestore();
      assistantReads.mockRestore();
    }
  });

  it('after a PATCH the stored row is served from memory, and its own late notification keeps it', async () => {
    const a = await createAssistant(t);
    const patched = await t.request(t.owner.cookie, 'PATCH', `/assistants/${a.id}`, { name: 'Kept' });
    expect(patched.statusCode).toBe(200);
    const assistantReads = vi.spyOn(AssistantRepository.prototype, 'findInOrg');
    try {
      // On PostgreSQL the update's notifications arrive after the answer; give them time.
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (const id of [a.id, a.providerAssistantId]) {
        const res = (await t.request(t.owner.cookie, 'GET', `/assistants/${id}`)).json();
        expect(res).toMatchObject({ version: 2, name: 'Kept', syncState: 'synced' });
      }
      expect(assistantReads).not.toHaveBeenCalled();
    } finally {
      assistantReads.mockRestore();
    }
  });

  it('a change made straight in the database reaches the cache (by notification)', async () => {
    const a = await createAssistant(t);
    await t.request(t.owner.cookie, 'GET', `/assistants/${a.id}`);
    await t.database.db
      .update(assistants)
      .set({ config: { ...a.providerConfig, name: 'Edited in SQL' }, version: 7 })
      .where(eq(assistants.id, a.id));
    await within(async () => {
      const res = (await t.request(t.owner.cookie, 'GET', `/assistants/${a.id}`)).json();
      expect(res).toMatchObject({ name: 'Edited in SQL', version: 7 });
    });
  });
});

describe('across two servers on one database', () => {
  it('an update on one server is what the other serves next', async () => {
    const a = await createAssistant(t);
    expect((await b.request(t.owner.cookie, 'GET', `/assistants/${a.id}`)).json().version).toBe(1);
    const patched = await t.request(t.owner.cookie, 'PATCH', `/assistants/${a.id}`, { name: 'Seen by B' });
    expect(patched.statusCode).toBe(200);
    const ms = await within(async () => {
      expect((await b.request(t.owner.cookie, 'GET', `/assistants/${a.id}`)).json()).toMatchObject({
        version: 2,
        name: 'Seen by B',
      });
    });
    console.log(`[figures] assistant change visible on the other server after ${ms.toFixed(1)} ms`);
    expect(ms).toBeLessThan(1_000);
  });

  it("another server's update after this one's stored row replaces it here too", async () => {
    const a = await createAssistant(t);
    expect(
      (await t.request(t.owner.cookie, 'PATCH', `/assistants/${a.id}`, { name: 'From A' })).statusCode,
    ).toBe(200);
    expect(
      (await b.request(t.owner.cookie, 'PATCH', `/assistants/${a.id}`, { name: 'From B' })).statusCode,
    ).toBe(200);
    await within(async () => {
      expect((await t.request(t.owner.cookie, 'GET', `/assistants/${a.id}`)).json()).toMatchObject({
        version: 3,
        name: 'From B',
      });
    });
  });

  it('a sign-out on one server ends the session on the other', async () => {
    const member = await t.userWithRole('viewer');
    expect((await b.request(member.cookie, 'GET', '/assistants')).statusCode).toBe(200);
    expect((await t.request(member.cookie, 'POST', '/auth/logout')).statusCode).toBe(204);
    expect((await t.request(member.cookie, 'GET', '/assistants')).statusCode).toBe(401);
    const ms = await within(async () => {
      expect((await b.request(member.cookie, 'GET', '/assistants')).statusCode).toBe(401);
    });
    console.log(`[figures] sign-out effective on the other server after ${ms.toFixed(1)} ms`);
  });

  it('a removed member and a revoked key lose access on both servers', async () => {
    const member = await t.userWithRole('editor');
    const key = await t.createApiKey('viewer');
    expect((await b.request(member.cookie, 'GET', '/assistants')).statusCode).toBe(200);
    expect((await b.request(undefined, 'GET', '/assistants', undefined, key.headers)).statusCode).toBe(200);
    await t.request(t.owner.cookie, 'DELETE', `/orgs/${t.orgId}/members/${member.userId}`);
    await t.request(t.owner.cookie, 'DELETE', `/orgs/${t.orgId}/api-keys/${key.id}`);
    expect((await t.request(member.cookie, 'GET', '/assistants')).statusCode).toBe(403);
    expect((await t.request(undefined, 'GET', '/assistants', undefined, key.headers)).statusCode).toBe(401);
    await within(async () => {
      expect((await b.request(member.cookie, 'GET', '/assistants')).statusCode).toBe(403);
      expect((await b.request(undefined, 'GET', '/assistants', undefined, key.headers)).statusCode).toBe(401);
    });
  });

  it('while its notification feed is down a server caches nothing, so it is never stale', async () => {
    const a = await createAssistant(t);
    b.services.caches.setEnabled(false);
    try {
      await b.request(t.owner.cookie, 'GET', `/assistants/${a.id}`);
      expect(b.services.caches.assistants.size).toBe(0);
    } finally {
      b.services.caches.setEnabled(true);
    }
  });
});
