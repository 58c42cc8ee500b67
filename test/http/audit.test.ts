// The audit log: every state change, by whom, on what, in which request, how it ended; written in
// the same transaction as the change, readable by admins newest first, paged and filtered.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS } from '../../src/audit/audit-log.ts';
import { emulatorFetch } from '../helpers/seed.ts';
import {
  assistantBody,
  createAssistant,
  EMULATOR_KEY,
  finishedJob,
  linkToken,
  startTestApp,
  type TestApp,
} from '../helpers/test-app.ts';

interface Entry {
  id: string;
  at: string;
  action: string;
  outcome: 'success' | 'failure';
  actor: { type: string; id: string | null; label: string | null };
  target: { type: string; id: string | null; label: string | null };
  requestId: string | null;
  detail: Record<string, unknown> & { error?: { code: string } };
}

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

async function audit(query = ''): Promise<{ items: Entry[]; nextCursor: string | null }> {
  const res = await t.request(t.owner.cookie, 'GET', `/orgs/${t.orgId}/audit${query}`);
  expect(res.statusCode).toBe(200);
  return res.json();
}

/** Every event since the call, oldest first. */
async function eventsSince(marker: string): Promise<Entry[]> {
  const all: Entry[] = [];
  let cursor: string | null = null;
  do {
    const page = await audit(`?limit=200${cursor ? `&cursor=${cursor}` : ''}`);
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  const since = all.filter((e) => e.at >= marker);
  return since.reverse();
}

describe('what is recorded', () => {
  it('every kind of state change, with actor, target, request id and outcome', async () => {
    const marker = new Date(Date.now() - 5).toISOString();
    const email = `audited-${Date.now()}@example.com`;
    const invited = await t.request(t.owner.cookie, 'POST', `/orgs/${t.orgId}/invitations`, {
      email,
      role: 'viewer',
    });
    const withdrawn = await t.request(t.owner.cookie, 'POST', `/orgs/${t.orgId}/invitations`, {
      email: `withdrawn-${email}`,
      role: 'viewer',
    });
    await t.request(t.owner.cookie, 'DELETE', `/orgs/${t.orgId}/invitations/${withdrawn.json().id}`);
    const added = await t.request(
      undefined,
      'POST',
      `/invitations/${linkToken(invited.json().acceptUrl)}/accept`,
      {
        name: 'Audited',
        password: 'member-password-1',
      },
    );
    const memberId = added.json().user.id;
    await t.request(t.owner.cookie, 'PATCH', `/orgs/${t.orgId}/members/${memberId}`, { role: 'editor' });
    const memberCookie = await t.login(email, 'member-password-1');
    await t.request(undefined, 'POST', '/auth/login', { email, password: 'wrong-password' });
    await t.request(memberCookie, 'POST', '/auth/password', {
      currentPassword: 'member-password-1',
      newPassword: 'member-password-2',
    });
    await t.request(memberCookie, 'POST', '/auth/logout');
    const resetLink = (await t.services.passwordResets.issueLink(email, 'http://localhost')).link;
    await t.request(undefined, 'POST', `/auth/password-reset/${linkToken(resetLink)}`, {
      password: 'member-password-3',
    });
    await t.request(t.owner.cookie, 'DELETE', `/orgs/${t.orgId}/members/${memberId}`);
    const key = await t.createApiKey('editor', 'Audited key');
    const created = await t.request(undefined, 'POST', '/assistants', assistantBody(), key.headers);
    const a = created.json();
    const patched = await t.request(t.owner.cookie, 'PATCH', `/assistants/${a.id}`, {
      model: { temperature: 0.1 },
    });
    await t.request(t.owner.cookie, 'POST', `/assistants/${a.id}/versions/1/restore`);
    await t.request(t.owner.cookie, 'POST', `/assistants/${a.id}/sync`);
    const remote = await emulatorFetch(t, 'POST', '/assistant', { name: 'Made at Vapi' });
    const imported = await t.request(t.owner.cookie, 'POST', '/assistants/import', {
      providerAssistantId: remote.body.id,
    });
    await t.request(t.owner.cookie, 'DELETE', `/assistants/${a.id}`);
    await t.request(t.owner.cookie, 'DELETE', `/orgs/${t.orgId}/api-keys/${key.id}`);
    const connections = `/orgs/${t.orgId}/connections`;
    const sandbox = (
      await t.request(t.owner.cookie, 'POST', connections, { provider: 'sandbox', name: 'Audited sandbox' })
    ).json();
    await t.request(t.owner.cookie, 'PATCH', `${connections}/${sandbox.id}`, { name: 'Audited sandbox 2' });
    await t.request(t.owner.cookie, 'POST', `${connections}/${sandbox.id}/check`);
    await t.request(t.owner.cookie, 'POST', `${connections}/${t.connectionId}/default`);
    await t.request(t.owner.cookie, 'PATCH', `${connections}/${t.connectionId}`, { apiKey: EMULATOR_KEY });
    await t.request(t.owner.cookie, 'DELETE', `${connections}/${sandbox.id}`);
    const b = (await t.request(t.owner.cookie, 'POST', '/assistants', assistantBody())).json();
    const bulk = () =>
      t.request(t.owner.cookie, 'POST', '/assistants/bulk', { ids: [b.id], patch: { name: 'Audited bulk' } });
    const job = (await bulk()).json().job;
    await finishedJob(t, t.owner.cookie, job.id);
    await t.services.jobRunner.stop();
    const queued = (await bulk()).json().job;
    await t.request(t.owner.cookie, 'POST', `/jobs/${queued.id}/cancel`);
    await t.services.jobRunner.start();
    const org = (await t.request(t.owner.cookie, 'POST', '/orgs', { name: 'Audited org' })).json();

    const events = await eventsSince(marker);
    const summary = events.map((e) => `${e.action} ${e.outcome}`);
    expect(summary).toEqual([
      'invitation.created success',
      'invitation.created success',
      'invitation.revoked success',
      'invitation.accepted success',
      'auth.login success',
      'member.role_changed success',
      'auth.login success',
      'auth.login_failed failure',
      'auth.password_changed success',
      'auth.logout success',
      'auth.password_reset success',
      'member.removed success',
      'api_key.created success',
      'assistant.created success',
      'assistant.updated success',
      'assistant.restored success',
      'assistant.synced success',
      'assistant.imported success',
      'assistant.deleted success',
      'api_key.revoked success',
      'connection.created success',
      'connection.updated success',
      'connection.checked success',
      'connection.made_default success',
      'connection.key_rotated success',
      'connection.deleted success',
      'assistant.created success',
      'job.started success',
      'assistant.updated success',
      'job.finished success',
      'job.started success',
      'job.cancelled success',
    ]);
    // org.created is in the new organization's log, not this one.
    const theirs = (await t.request(t.owner.cookie, 'GET', `/orgs/${org.orgId}/audit`)).json();
    expect(theirs.items.map((e: Entry) => e.action)).toEqual(['org.created']);
    // A create dropped after an unknown outcome has its own test (create-outcomes.test.ts);
    // member.added is from before invitations, kept for older logs.
    const covered = new Set([
      ...events.map((e) => e.action),
      'org.created',
      'assistant.create_abandoned',
      'member.added',
    ]);
    expect(AUDIT_ACTIONS.filter((action) => !covered.has(action))).toEqual([]);

    const byAction = (action: string) => events.find((e) => e.action === action) as Entry;
    expect(byAction('invitation.created')).toMatchObject({
      actor: { type: 'user', id: t.owner.userId, label: t.owner.email },
      target: { type: 'invitation', id: invited.json().id },
      detail: { email, role: 'viewer' },
      requestId: invited.headers['x-request-id'],
    });
    expect(byAction('invitation.revoked')).toMatchObject({
      target: { type: 'invitation', id: withdrawn.json().id },
      detail: { email: `withdrawn-${email}` },
    });
    expect(byAction('invitation.accepted')).toMatchObject({
      actor: { type: 'user', id: memberId, label: email },
      target: { type: 'invitation', id: invited.json().id },
      detail: { email, role: 'viewer', userId: memberId, newAccount: true },
      requestId: added.headers['x-request-id'],
    });
    expect(byAction('auth.password_reset')).toMatchObject({
      actor: { type: 'user', id: memberId, label: email },
      target: { type: 'user', id: memberId },
    });
    expect(byAction('member.role_changed').detail).toMatchObject({ from: 'viewer', role: 'editor' });
    expect(byAction('auth.login_failed')).toMatchObject({
      actor: { type: 'user', id: memberId, label: email },
      detail: { error: { code: 'invalid_credentials' } },
    });
    expect(byAction('assistant.created')).toMatchObject({
      actor: { type: 'api_key', id: key.id, label: 'Audited key' },
      target: { type: 'assistant', id: a.id },
      requestId: created.headers['x-request-id'],
    });
    expect(byAction('assistant.updated')).toMatchObject({
      target: { id: a.id },
      detail: { changedPaths: ['model.temperature'], version: 2 },
      requestId: patched.headers['x-request-id'],
    });
    expect(byAction('assistant.restored').detail).toMatchObject({ restoredVersion: 1, version: 3 });
    expect(byAction('assistant.synced').detail).toMatchObject({ changedPaths: [] });
    expect(byAction('assistant.imported').target.id).toBe(imported.json().id);
    expect(byAction('api_key.revoked')).toMatchObject({ target: { type: 'api_key', id: key.id } });
  });

  it('a failed login with an unknown email is kept, but in no organization’s log', async () => {
    const before = (await audit('?limit=1')).items[0]?.id;
    const res = await t.request(undefined, 'POST', '/auth/login', {
      email: 'nobody@example.com',
      password: 'whatever-1',
    });
    expect(res.statusCode).toBe(401);
    expect((await audit('?limit=1')).items[0]?.id).toBe(before);
    const rows = await t.database.db.execute(
      sql`select actor_label, outcome from audit_events where action = 'auth.login_failed' and org_id is null`,
    );
    expect((rows as unknown as { rows: unknown[] }).rows).toContainEqual({
      actor_label: 'nobody@example.com',
      outcome: 'failure',
    });
  });

  it('a change the provider refuses is recorded as a failure with the reason, and nothing changed', async () => {
    const a = await createAssistant(t);
    t.emulator.faults.failures = [{ status: 500, times: 10 }];
    const res = await t.request(t.owner.cookie, 'PATCH', `/assistants/${a.id}`, { name: 'Never' });
    t.emulator.faults.failures = [];
    expect(res.statusCode).toBe(500);
    const [latest] = (await audit(`?targetId=${a.id}&limit=1`)).items;
    expect(latest).toMatchObject({
      action: 'assistant.updated',
      outcome: 'failure',
      detail: { error: { code: 'provider_error' } },
      requestId: res.headers['x-request-id'],
    });
    expect((await t.request(t.owner.cookie, 'GET', `/assistants/${a.id}`)).json()).toMatchObject({
      version: 1,
      name: a.name,
    });
  });

  it('a change found at the provider by the reconciler is recorded as Switchboard’s own', async () => {
    const a = await createAssistant(t);
    await emulatorFetch(t, 'PATCH', `/assistant/${a.providerAssistantId}`, {
      firstMessage: 'Changed at Vapi',
    });
    expect(await t.services.assistants.syncInBackground(a.id)).toBe('changed');
    const [latest] = (await audit(`?targetId=${a.id}&limit=1`)).items;
    expect(latest).toMatchObject({
      action: 'assistant.synced',
      outcome: 'success',
      actor: { type: 'system', id: null, label: null },
      detail: { changedPaths: ['firstMessage'], version: 2 },
    });
  });
});

describe('reading the log', () => {
  it('newest first, cursor-paged without gaps or repeats', async () => {
    for (let i = 0; i < 3; i++) await createAssistant(t);
    const full = (await audit('?limit=200')).items;
    const paged: Entry[] = [];
    let cursor: string | null = null;
    do {
      const page = await audit(`?limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(4);
      paged.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor && paged.length < 200);
    expect(paged.map((e) => e.id)).toEqual(full.map((e) => e.id));
    const times = full.map((e) => e.at);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('filters by target and by actor (user or key)', async () => {
    const a = await createAssistant(t);
    await t.request(t.owner.cookie, 'PATCH', `/assistants/${a.id}`, { name: 'Filtered' });
    const byTarget = (await audit(`?targetId=${a.id}`)).items;
    expect(byTarget.map((e) => e.action)).toEqual(['assistant.updated', 'assistant.created']);
    expect(byTarget.every((e) => e.target.id === a.id)).toBe(true);

    const key = await t.createApiKey('editor');
    await createAssistant(t, undefined, {});
    await t.request(undefined, 'GET', '/assistants', undefined, key.headers);
    await t.request(undefined, 'POST', '/assistants', assistantBody(), key.headers);
    const byKey = (await audit(`?actorId=${key.id}`)).items;
    expect(byKey.map((e) => e.action)).toEqual(['assistant.created']);
    const byOwner = (await audit(`?actorId=${t.owner.userId}&limit=200`)).items;
    expect(byOwner.length).toBeGreaterThan(2);
    expect(byOwner.every((e) => e.actor.id === t.owner.userId)).toBe(true);
  });

  it('names each target as it is called now, and filters by names, action and time', async () => {
    const a = await createAssistant(t, undefined, { name: 'Named target' });
    await t.request(t.owner.cookie, 'PATCH', `/assistants/${a.id}`, { name: 'Renamed target' });
    const key = await t.createApiKey('editor', 'Pipeline key');
    await t.request(undefined, 'PATCH', `/assistants/${a.id}`, { firstMessage: 'Hi' }, key.headers);

    const about = (await audit(`?targetId=${a.id}`)).items;
    expect(about.map((e) => e.target.label)).toEqual(['Renamed target', 'Renamed target', 'Renamed target']);
    const [keyCreated] = (await audit('?action=api_key.created&limit=1')).items;
    expect(keyCreated?.detail).toMatchObject({ name: 'Pipeline key' });

    const byTargetName = (await audit('?target=RENAMED%20targ')).items;
    expect(byTargetName.map((e) => e.target.id)).toEqual([a.id, a.id, a.id]);
    const byActorName = (await audit('?actor=pipeline')).items;
    expect(byActorName.map((e) => [e.actor.label, e.action])).toEqual([
      ['Pipeline key', 'assistant.updated'],
    ]);
    const updates = (await audit(`?action=assistant.updated&target=${encodeURIComponent('Renamed')}`)).items;
    expect(updates).toHaveLength(2);
    // A wildcard in the text is taken as itself.
    expect((await audit('?target=%25')).items).toEqual([]);

    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await audit(`?since=${future}`)).items).toEqual([]);
    const past = new Date(Date.now() - 3_600_000).toISOString();
    expect((await audit(`?until=${past}`)).items).toEqual([]);
    expect((await audit(`?since=${past}&target=Renamed`)).items).toHaveLength(3);
    expect((await t.request(t.owner.cookie, 'GET', `/orgs/${t.orgId}/audit?action=nope`)).statusCode).toBe(
      400,
    );

    await t.request(t.owner.cookie, 'DELETE', `/assistants/${a.id}`);
    expect((await audit(`?targetId=${a.id}&limit=1`)).items[0]).toMatchObject({
      action: 'assistant.deleted',
      target: { label: null },
    });
  });

  it('is for admins of the organization only', async () => {
    const editor = await t.userWithRole('editor');
    expect((await t.request(editor.cookie, 'GET', `/orgs/${t.orgId}/audit`)).statusCode).toBe(403);
    const admin = await t.userWithRole('admin');
    expect((await t.request(admin.cookie, 'GET', `/orgs/${t.orgId}/audit`)).statusCode).toBe(200);
    const outsider = (await t.request(editor.cookie, 'POST', '/orgs', { name: 'Own org' })).json();
    expect((await t.request(t.owner.cookie, 'GET', `/orgs/${outsider.orgId}/audit`)).statusCode).toBe(404);
  });

  it('refuses a bad cursor or filter by name', async () => {
    const res = await t.request(t.owner.cookie, 'GET', `/orgs/${t.orgId}/audit?cursor=nonsense&actorId=x`);
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/actorId/);
    const cursor = await t.request(t.owner.cookie, 'GET', `/orgs/${t.orgId}/audit?cursor=nonsense`);
    expect(cursor.statusCode).toBe(400);
    expect(cursor.json().message).toMatch(/cursor/);
  });
});

describe('one transaction with the change', () => {
  it('when the event cannot be written, the change is not made either', async () => {
    await t.database.db.execute(sql`
      create or replace function refuse_audit() returns trigger language plpgsql as $$
      begin
        if new.outcome = 'success' and new.action in ('invitation.accepted', 'assistant.updated') then
          raise exception 'audit storage refused';
        end if;
        return new;
      end $$`);
    await t.database.db.execute(
      sql`create trigger refuse_audit before insert on audit_events for each row execute function refuse_audit()`,
    );
    try {
      const email = `rolled-back-${Date.now()}@example.com`;
      const invited = await t.request(t.owner.cookie, 'POST', `/orgs/${t.orgId}/invitations`, {
        email,
        role: 'viewer',
      });
      const token = linkToken(invited.json().acceptUrl);
      const res = await t.request(undefined, 'POST', `/invitations/${token}/accept`, {
        name: 'Rolled back',
        password: 'member-password-1',
      });
      expect(res.statusCode).toBe(500);
      const members = (await t.request(t.owner.cookie, 'GET', `/orgs/${t.orgId}/members`)).json();
      expect(members.map((m: { email: string }) => m.email)).not.toContain(email);
      expect(
        (await t.request(undefined, 'POST', '/auth/login', { email, password: 'member-password-1' }))
          .statusCode,
      ).toBe(401);
      // Neither the account nor the acceptance was kept: the link still works.
      expect((await t.request(undefined, 'GET', `/invitations/${token}`)).statusCode).toBe(200);

      // The provider took the update but the database could not store it: unchanged, and marked
      // pending so that the next sync brings the provider's copy in.
      const a = await createAssistant(t);
      const patch = await t.request(t.owner.cookie, 'PATCH', `/assistants/${a.id}`, { name: 'Unrecorded' });
      expect(patch.statusCode).toBe(500);
      const after = (await t.request(t.owner.cookie, 'GET', `/assistants/${a.id}`)).json();
      expect(after).toMatchObject({ version: 1, name: a.name, syncState: 'pending' });
      const failures = (await audit(`?targetId=${a.id}&limit=1`)).items;
      expect(failures[0]).toMatchObject({ action: 'assistant.updated', outcome: 'failure' });
    } finally {
      await t.database.db.execute(sql`drop trigger refuse_audit on audit_events`);
    }
  });
});
