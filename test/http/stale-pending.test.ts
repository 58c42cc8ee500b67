// An assistant a dead server left `pending` on a shared database (PostgreSQL; run on PGlite too):
// while that server's lease is live, settling leaves it alone, since the server may only be slow;
// once the lease has run out, the next settle reads the provider and stores what it has.
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assistants } from '../../src/db/schema.ts';
import { emulatorFetch, seedProviderAssistant } from '../helpers/seed.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const row = async (id: string) => {
  const [found] = await t.database.db.select().from(assistants).where(eq(assistants.id, id));
  if (!found) throw new Error(`assistant ${id} is gone`);
  return found;
};

describe('settling what a dead server left pending', () => {
  it('leaves a live lease alone, and settles once lease_expires_at is past', async () => {
    const a = await seedProviderAssistant(t);
    // The dead server took the lease, and its update reached the provider; its answer never came back.
    const deadServersLease = randomUUID();
    await t.database.db
      .update(assistants)
      .set({
        syncState: 'pending',
        leaseToken: deadServersLease,
        leaseExpiresAt: sql`now() + interval '10 minutes'`,
      })
      .where(eq(assistants.id, a.id));
    await emulatorFetch(t, 'PATCH', `/assistant/${a.providerAssistantId}`, { name: 'Applied, unanswered' });
    t.emulator.requests.length = 0;

    // `sole: false`, as on PostgreSQL: another server may still hold the lease.
    const started = Date.now();
    expect(await t.services.assistants.recoverPending({ sole: false })).toBe(0);
    // Not even waited for: the live lease keeps the assistant out of the settle altogether.
    expect(Date.now() - started).toBeLessThan(t.config.updateWaitMs / 2);
    expect(t.emulator.received()).toEqual([]);
    expect(await row(a.id)).toMatchObject({ syncState: 'pending', leaseToken: deadServersLease, version: 1 });

    await t.database.db
      .update(assistants)
      .set({ leaseExpiresAt: sql`now() - interval '1 second'` })
      .where(eq(assistants.id, a.id));
    expect(await t.services.assistants.recoverPending({ sole: false })).toBe(1);
    expect(t.emulator.received().map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /assistant/${a.providerAssistantId}`,
    ]);
    const settled = await row(a.id);
    expect(settled).toMatchObject({
      syncState: 'synced',
      leaseToken: null,
      leaseExpiresAt: null,
      version: 2,
    });
    expect(settled.config).toEqual(t.emulator.assistants.get(a.providerAssistantId));
    const versions = (await t.request(t.owner.cookie, 'GET', `/assistants/${a.id}/versions`)).json();
    expect(versions.items[0]).toMatchObject({ version: 2, source: 'provider' });
    const api = (await t.request(t.owner.cookie, 'GET', `/assistants/${a.id}`)).json();
    expect(api).toMatchObject({ name: 'Applied, unanswered', syncState: 'synced', version: 2 });
  });
});
