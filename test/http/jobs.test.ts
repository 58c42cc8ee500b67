// Long work as jobs (SPEC section 12): bulk changes through the PATCH path, the dry run, cancel,
// progress, import in batches, and a job resumed after its runner died with an item at the provider.
import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assistants, assistantVersions, auditEvents, jobs } from '../../src/db/schema.ts';
import { JobRepository } from '../../src/jobs/job-repository.ts';
import { IMPORT_BATCH } from '../../src/jobs/job-runner.ts';
import { noFaults } from '../../src/providers/vapi/emulator/emulator.ts';
import { emulatorFetch } from '../helpers/seed.ts';
import {
  createAssistant,
  finishedJob,
  importAll,
  OWNER,
  startTestApp,
  type TestApp,
} from '../helpers/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const bulk = (body: Record<string, unknown>, cookie = t.owner.cookie) =>
  t.request(cookie, 'POST', '/assistants/bulk', body);

async function someAssistants(n: number, prefix: string) {
  const made = [];
  for (let i = 0; i < n; i++) made.push(await createAssistant(t, t.owner.cookie, { name: `${prefix} ${i}` }));
  return made;
}

/** Provider writes Switchboard sent for one assistant. */
const patchesOf = (providerId: string) =>
  t.emulator.received('PATCH').filter((r) => r.path.endsWith(providerId));

describe('bulk changes', () => {
  it('applies one patch to each chosen assistant through the PATCH path, as the job’s creator', async () => {
    const targets = await someAssistants(3, 'Bulk model');
    const editor = await t.userWithRole('editor');
    const res = await bulk(
      { ids: targets.map((a) => a.id), patch: { model: { temperature: 0.2 } } },
      editor.cookie,
    );
    expect(res.statusCode).toBe(202);
    expect(res.json().job).toMatchObject({ kind: 'bulk', total: 3, imported: null, createdBy: editor.email });
    const job = await finishedJob(t, editor.cookie, res.json().job.id);
    expect(job).toMatchObject({
      state: 'succeeded',
      total: 3,
      done: 3,
      failed: 0,
      imported: null,
      errors: [],
    });
    for (const a of targets) {
      const now = (await t.request(t.owner.cookie, 'GET', `/assistants/${a.id}`)).json();
      expect(now).toMatchObject({ version: 2, syncState: 'synced', updatedBy: editor.userId });
      expect(now.model).toMatchObject({ temperature: 0.2, systemPrompt: a.model.systemPrompt });
      expect(patchesOf(a.providerAssistantId)).toHaveLength(1);
      const [event] = await t.database.db
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.targetId, a.id), eq(auditEvents.action, 'assistant.updated')));
      expect(event).toMatchObject({ actorUserId: editor.userId, requestId: `job:${job.id}` });
    }
    const jobEvents = await t.database.db.select().from(auditEvents).where(eq(auditEvents.targetId, job.id));
    expect(jobEvents.map((e) => e.action).sort()).toEqual(['job.finished', 'job.started']);
    // The end says how far it got, in the audit log as on the job.
    const finished = jobEvents.find((e) => e.action === 'job.finished');
    expect(finished?.detail).toEqual({ kind: 'bulk', state: 'succeeded', total: 3, done: 3, failed: 0 });
  });

  it('a dry run answers what would change on each assistant and sends nothing', async () => {
    const [warm, alreadyCold] = await someAssistants(2, 'Dry run');
    await t.request(t.owner.cookie, 'PATCH', `/assistants/${alreadyCold?.id}`, {
      model: { temperature: 0.1 },
    });
    t.emulator.requests.length = 0;
    const jobsBefore = (await t.database.db.select().from(jobs)).length;
    const res = await bulk({
      filter: { q: 'DRY RUN' },
      patch: { model: { temperature: 0.1 } },
      dryRun: true,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      items: [
        {
          assistantId: warm?.id,
          name: 'Dry run 0',
          changes: [{ field: 'model.temperature', from: warm?.model.temperature, to: 0.1 }],
        },
      ],
      total: 2,
    });
    expect(t.emulator.requests).toEqual([]);
    expect((await t.database.db.select().from(jobs)).length).toBe(jobsBefore);
  });

  it('a filter selects by name in any case, as the list does', async () => {
    await someAssistants(2, 'Filtered Sales');
    await someAssistants(1, 'Filtered Support');
    const res = await bulk({ filter: { q: 'filtered sales' }, patch: { firstMessage: 'Hi from sales' } });
    const job = await finishedJob(t, t.owner.cookie, res.json().job.id);
    expect(job).toMatchObject({ state: 'succeeded', total: 2, done: 2 });
    const list = (await t.request(t.owner.cookie, 'GET', '/assistants?q=Filtered&limit=100')).json();
    const greetings = Object.fromEntries(
      list.items.map((a: { name: string; firstMessage: string }) => [a.name, a.firstMessage]),
    );
    expect(greetings['Filtered Sales 0']).toBe('Hi from sales');
    expect(greetings['Filtered Sales 1']).toBe('Hi from sales');
    expect(greetings['Filtered Support 0']).not.toBe('Hi from sales');
  });

  it('refuses a request that cannot pass before any job starts, naming the problem; its dry run refuses it too', async () => {
    const [a] = await someAssistants(1, 'Refused');
    const before = (await t.database.db.select().from(jobs)).length;
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ patch: { name: 'x' } }, /exactly one of ids or filter/],
      [{ ids: [a?.id], filter: {}, patch: { name: 'x' } }, /exactly one of ids or filter/],
      [{ ids: [a?.id], patch: {} }, /patch.*changes nothing/],
      [{ ids: [randomUUID()], patch: { name: 'x' } }, /ids.*no such assistant/],
      [{ ids: [a?.id], patch: { model: { model: 'no-such-model' } } }, /patch\.model\.model: Refused 0: /],
      [{ ids: [a?.id], patch: { model: { temperature: 7 } } }, /temperature/],
      [{ ids: [], patch: { name: 'x' } }, /ids: must have at least 1 item\b/],
      [
        { ids: [a?.id, a?.id], patch: { name: 'x' } },
        /ids: must not repeat a value: items 1 and 2 are the same/,
      ],
    ];
    for (const [body, message] of cases) {
      for (const dryRun of [false, true]) {
        const res = await bulk({ ...body, ...(dryRun ? { dryRun } : {}) });
        expect(res.statusCode, JSON.stringify({ body, dryRun })).toBe(400);
        expect(res.json().message).toMatch(message);
      }
    }
    // Checked against each assistant, the problem names the field as a single PATCH would.
    const perAssistant = await bulk({
      ids: [a?.id],
      patch: { model: { model: 'no-such-model' } },
      dryRun: true,
    });
    expect(perAssistant.json().details).toEqual([
      { field: 'patch.model.model', message: expect.stringMatching(/^Refused 0: .*no-such-model/) },
    ]);
    expect((await t.database.db.select().from(jobs)).length).toBe(before);
    const viewer = await t.userWithRole('viewer');
    expect((await bulk({ ids: [a?.id], patch: { name: 'x' } }, viewer.cookie)).statusCode).toBe(403);
  });

  it('refuses a filter that matches more than 10,000 assistants, and ids past 10,000', async () => {
    const [a] = await someAssistants(1, 'Capped');
    const [row] = await t.database.db.select().from(assistants).where(eq(assistants.id, a?.id));
    await t.database.db.execute(sql`
      insert into assistants (org_id, connection_id, provider, provider_assistant_id, config)
      select ${row?.orgId}, ${row?.connectionId}, 'vapi', 'capped-' || n, jsonb_build_object('name', 'Capped ' || n)
      from generate_series(1, 10000) as n`);
    try {
      const before = (await t.database.db.select().from(jobs)).length;
      const overCap = await bulk({ filter: { q: 'capped' }, patch: { name: 'x' } });
      expect(overCap.statusCode).toBe(400);
      expect(overCap.json().message).toMatch(/filter.*more than 10000 assistants.*narrow it/);
      const ids = Array.from({ length: 10_001 }, () => randomUUID());
      // 10,000 ids fit in a request (these name no assistant); one more is refused by the schema.
      const atCap = await bulk({ ids: ids.slice(1), patch: { name: 'x' } });
      expect(atCap.statusCode).toBe(400);
      expect(atCap.json().message).toMatch(/ids.*no such assistant/);
      const overCapIds = await bulk({ ids, patch: { name: 'x' } });
      expect(overCapIds.statusCode).toBe(400);
      expect(overCapIds.json().message).toMatch(/ids.*10000/);
      expect((await t.database.db.select().from(jobs)).length).toBe(before);
    } finally {
      await t.database.db.execute(sql`delete from assistants where provider_assistant_id like 'capped-%'`);
    }
  });

  it('an item the provider refuses is counted and named in words; the others go on', async () => {
    const targets = await someAssistants(3, 'Partly');
    t.emulator.faults = {
      ...noFaults(),
      failures: [{ method: 'PATCH', status: 400, message: 'voice is not available', times: 1 }],
    };
    try {
      const res = await bulk({ ids: targets.map((a) => a.id), patch: { name: 'Partly renamed' } });
      const job = await finishedJob(t, t.owner.cookie, res.json().job.id);
      expect(job).toMatchObject({ state: 'succeeded', total: 3, done: 3, failed: 1 });
      expect(job.errors).toEqual([
        { assistantId: targets[0]?.id, message: expect.stringContaining('voice is not available') },
      ]);
    } finally {
      t.emulator.faults = noFaults();
    }
  });

  it('cancel starts no new item and no provider write follows its answer; progress never goes down', async () => {
    const targets = await someAssistants(6, 'Cancelled');
    t.emulator.faults = { ...noFaults(), latencyMs: 150, latencyPhase: 'before', latencyMethods: ['PATCH'] };
    try {
      const patchesBefore = t.emulator.received('PATCH').length;
      const res = await bulk({ ids: targets.map((a) => a.id), patch: { name: 'Never all' } });
      const id = res.json().job.id;
      const seen: number[] = [];
      for (;;) {
        const job = (await t.request(t.owner.cookie, 'GET', `/jobs/${id}`)).json();
        seen.push(job.done);
        if (t.emulator.received('PATCH').length >= patchesBefore + 2) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const cancelled = await t.request(t.owner.cookie, 'POST', `/jobs/${id}/cancel`);
      expect(cancelled.statusCode).toBe(200);
      const writesAtAnswer = t.emulator.received('PATCH').length;
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(t.emulator.received('PATCH')).toHaveLength(writesAtAnswer);
      const job = await finishedJob(t, t.owner.cookie, id);
      seen.push(job.done);
      expect(job.state).toBe('cancelled');
      expect(job.done).toBeLessThan(6);
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
      const again = await t.request(t.owner.cookie, 'POST', `/jobs/${id}/cancel`);
      expect(again.statusCode).toBe(409);
      expect(again.json().message).toMatch(/^This job has already been cancelled; /);
    } finally {
      t.emulator.faults = noFaults();
    }
  });
});

describe('a job whose runner died', () => {
  it('is resumed: an item that may have reached the provider is settled by reading it, never sent again', async () => {
    const targets = await someAssistants(3, 'Resumed');
    const [first, ...rest] = targets as [(typeof targets)[number], ...typeof targets];
    await t.services.jobRunner.stop();
    try {
      const res = await bulk({ ids: targets.map((a) => a.id), patch: { firstMessage: 'Resumed hello' } });
      const id = res.json().job.id;
      // A runner claims the job, records the first item as in flight, its write reaches the
      // provider, and the runner's server dies before it records the item.
      const repo = new JobRepository(t.database.db);
      const token = randomUUID();
      await repo.claim(token, 60_000);
      await repo.startItem(id, token, first.id);
      await emulatorFetch(t, 'PATCH', `/assistant/${first.providerAssistantId}`, {
        firstMessage: 'Resumed hello',
      });
      await t.database.db
        .update(assistants)
        .set({
          syncState: 'pending',
          leaseToken: randomUUID(),
          leaseExpiresAt: sql`now() + interval '300 milliseconds'`,
        })
        .where(eq(assistants.id, first.id));
      await t.database.db
        .update(jobs)
        .set({ leaseExpiresAt: sql`now() - interval '1 second'` })
        .where(eq(jobs.id, id));
      t.emulator.requests.length = 0;

      await t.services.jobRunner.start();
      const job = await finishedJob(t, t.owner.cookie, id);
      expect(job).toMatchObject({ state: 'succeeded', done: 3, failed: 0 });
      expect(patchesOf(first.providerAssistantId)).toHaveLength(0);
      for (const a of rest) expect(patchesOf(a.providerAssistantId)).toHaveLength(1);
      const settled = (await t.request(t.owner.cookie, 'GET', `/assistants/${first.id}`)).json();
      expect(settled).toMatchObject({ firstMessage: 'Resumed hello', syncState: 'synced', version: 2 });
    } finally {
      await t.services.jobRunner.start();
    }
  });
});

describe('a job that cannot go on', () => {
  it('fails with the reason in words, keeping the progress it had', async () => {
    const key = 'jobs-revoked-key-1357';
    t.emulator.addKey(key, 'jobs-revoked-account');
    const added = await t.request(t.owner.cookie, 'POST', `/orgs/${t.orgId}/connections`, {
      provider: 'vapi',
      name: 'Revoked later',
      apiKey: key,
      baseUrl: t.emulatorUrl,
    });
    expect(added.statusCode).toBe(201);
    t.emulator.revokeKey(key);
    const res = await t.request(t.owner.cookie, 'POST', '/assistants/import', {
      connectionId: added.json().id,
      all: true,
    });
    const job = await finishedJob(t, t.owner.cookie, res.json().job.id);
    expect(job).toMatchObject({ state: 'failed', total: null, done: 0 });
    expect(job.errors).toEqual([{ message: expect.stringMatching(/key/i) }]);
  });
});

describe('import all as a job', () => {
  it('asks for all as true, in words', async () => {
    const res = await t.request(t.owner.cookie, 'POST', '/assistants/import', { all: false });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/all: must be true/);
  });

  it('stores every assistant in batches; the answer is the job, and progress reaches the total', async () => {
    const t2 = await startTestApp();
    try {
      const n = IMPORT_BATCH * 2 + 7;
      for (let i = 0; i < n; i += 50) {
        const names = Array.from({ length: Math.min(50, n - i) }, (_, k) => `Imported ${i + k}`);
        await Promise.all(names.map((name) => emulatorFetch(t2, 'POST', '/assistant', { name })));
      }
      const res = await t2.request(t2.owner.cookie, 'POST', '/assistants/import', { all: true });
      expect(res.statusCode).toBe(202);
      expect(Object.keys(res.json())).toEqual(['job']);
      const job = await finishedJob(t2, t2.owner.cookie, res.json().job.id);
      expect(job).toMatchObject({
        state: 'succeeded',
        total: n,
        done: n,
        failed: 0,
        imported: n,
        createdBy: OWNER.email,
      });
      expect(await t2.database.db.$count(assistants)).toBe(n);
      const versions = await t2.database.db.select().from(assistantVersions);
      expect(versions.every((v) => v.version === 1 && v.source === 'import')).toBe(true);
      expect(versions).toHaveLength(n);
      // Importing again finds them all managed already, and says so.
      expect(await importAll(t2, t2.owner.cookie)).toMatchObject({
        state: 'succeeded',
        total: n,
        done: n,
        imported: 0,
      });
      expect((await t2.database.db.select().from(assistantVersions)).length).toBe(n);
      const [finished] = await t2.database.db
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.targetId, job.id), eq(auditEvents.action, 'job.finished')));
      expect(finished?.detail).toEqual({
        kind: 'import',
        state: 'succeeded',
        total: n,
        done: n,
        failed: 0,
        imported: n,
      });
    } finally {
      await t2.close();
    }
  });

  it('resumed after its runner died, counts each new assistant once', async () => {
    const t2 = await startTestApp();
    try {
      const n = IMPORT_BATCH * 2 + 3;
      await Promise.all(
        Array.from({ length: n }, (_, i) =>
          emulatorFetch(t2, 'POST', '/assistant', { name: `Resumed import ${i}` }),
        ),
      );
      await t2.services.jobRunner.stop();
      const res = await t2.request(t2.owner.cookie, 'POST', '/assistants/import', { all: true });
      const id = res.json().job.id;
      expect(res.json().job).toMatchObject({ state: 'queued', total: null, done: 0, imported: 0 });
      // A runner claims the job, stores its first page with the progress, and its server dies.
      const repo = new JobRepository(t2.database.db);
      const token = randomUUID();
      await repo.claim(token, 60_000);
      const actor = {
        orgId: t2.orgId,
        role: 'editor' as const,
        userId: t2.owner.userId,
        apiKeyId: null,
        label: OWNER.email,
        requestId: `job:${id}`,
      };
      const connection = await t2.services.connections.resolve(t2.orgId, t2.connectionId);
      const provider = await t2.services.connections.providerFor(t2.connectionId);
      const firstPage = (await provider.listAll(async () => {})).slice(0, IMPORT_BATCH);
      const importable = await t2.services.assistants.importableOf(actor, provider, firstPage);
      expect(await t2.services.assistants.importPage(actor, connection, importable)).toBe(IMPORT_BATCH);
      await repo.recordProgress(id, token, {
        done: IMPORT_BATCH,
        failed: 0,
        errors: [],
        total: n,
        imported: IMPORT_BATCH,
      });
      await t2.database.db
        .update(jobs)
        .set({ leaseExpiresAt: sql`now() - interval '1 second'` })
        .where(eq(jobs.id, id));

      await t2.services.jobRunner.start();
      // The first page is stored again and adds none; the count is the account's, not more or less.
      const job = await finishedJob(t2, t2.owner.cookie, id);
      expect(job).toMatchObject({ state: 'succeeded', total: n, done: n, imported: n });
      expect(await t2.database.db.$count(assistants)).toBe(n);
    } finally {
      await t2.services.jobRunner.start();
      await t2.close();
    }
  });
});
