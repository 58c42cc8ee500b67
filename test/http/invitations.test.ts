// Membership by invitation (SPEC section 11): who may invite whom, what a link shows and to whom,
// single use, expiry, revocation, email, and the takeover an admin could once do by setting a
// password for someone else's address.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/auth/tokens.ts';
import { invitations } from '../../src/db/schema.ts';
import { type CaughtMail, type SmtpCatcher, startSmtpCatcher } from '../helpers/smtp-catcher.ts';
import {
  linkToken,
  MEMBER_PASSWORD,
  OWNER,
  sessionCookie,
  startTestApp,
  type TestApp,
} from '../helpers/test-app.ts';

let t: TestApp;
const logLines: string[] = [];
let counter = 0;

beforeAll(async () => {
  t = await startTestApp({ logLines });
});
afterAll(() => t.close());

const uniqueEmail = (prefix = 'invitee') => `${prefix}-${++counter}-${Date.now()}@example.com`;
const invitationsOf = (orgId = t.orgId) => `/orgs/${orgId}/invitations`;

async function invite(email: string, role = 'viewer', cookie = t.owner.cookie, app = t, orgId = app.orgId) {
  const res = await app.request(cookie, 'POST', `/orgs/${orgId}/invitations`, { email, role });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; email: string; role: string; expiresAt: string; acceptUrl?: string };
}

/** The invitation link in an email. */
function linkIn(mail: CaughtMail): string {
  const link = /http:\/\/localhost:80\/invitations\/[\w-]{43}/.exec(mail.text)?.[0];
  if (!link) throw new Error(`no invitation link in: ${mail.text}`);
  return link;
}

async function accept(token: string, body?: unknown, cookie?: string, app = t) {
  return app.request(cookie, 'POST', `/invitations/${token}/accept`, body);
}

describe('inviting (no email set up: the link comes back to the admin)', () => {
  it('answers 201 with the link; the link carries a 256-bit token of which only the hash is stored', async () => {
    const before = Date.now();
    const created = await invite('New.Person@Example.com', 'editor');
    expect(created).toMatchObject({ email: 'new.person@example.com', role: 'editor' });
    expect(created.acceptUrl).toMatch(/^http:\/\/localhost:80\/invitations\/[A-Za-z0-9_-]{43}$/);
    const token = linkToken(created.acceptUrl as string);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    const expires = Date.parse(created.expiresAt);
    expect(expires - before).toBeGreaterThan(167.9 * 3600_000);
    expect(expires - before).toBeLessThan(168.1 * 3600_000);
    const [row] = await t.database.db.select().from(invitations).where(eq(invitations.id, created.id));
    expect(row?.tokenHash).toBe(hashToken(token));
    expect(JSON.stringify(row)).not.toContain(token);
  });

  it('lists pending invitations to admins, without links or tokens', async () => {
    const created = await invite(uniqueEmail('listed'));
    const token = linkToken(created.acceptUrl as string);
    const res = await t.request(t.owner.cookie, 'GET', invitationsOf());
    expect(res.statusCode).toBe(200);
    expect(res.json().find((i: { id: string }) => i.id === created.id)).toEqual({
      id: created.id,
      email: created.email,
      role: 'viewer',
      createdAt: expect.any(String),
      expiresAt: created.expiresAt,
      invitedBy: { id: t.owner.userId, name: 'Owner', email: OWNER.email },
    });
    expect(res.body).not.toContain(token);
    expect(res.body).not.toContain(hashToken(token));
    expect(res.body).not.toContain('acceptUrl');
  });

  it('only admins invite, list and revoke; only owners invite owners', async () => {
    const viewer = await t.userWithRole('viewer');
    const editor = await t.userWithRole('editor');
    const admin = await t.userWithRole('admin');
    for (const member of [viewer, editor]) {
      const res = await t.request(member.cookie, 'POST', invitationsOf(), {
        email: uniqueEmail(),
        role: 'viewer',
      });
      expect(res.statusCode).toBe(403);
      expect((await t.request(member.cookie, 'GET', invitationsOf())).statusCode).toBe(403);
    }
    const asOwner = await t.request(admin.cookie, 'POST', invitationsOf(), {
      email: uniqueEmail(),
      role: 'owner',
    });
    expect(asOwner.statusCode).toBe(403);
    expect(asOwner.json().message).toContain('cannot grant the owner role');
    expect((await invite(uniqueEmail(), 'admin', admin.cookie)).role).toBe('admin');
    expect((await invite(uniqueEmail(), 'owner')).role).toBe('owner');
  });

  it('an admin cannot revoke an owner’s invitation of an owner; a new invitation replaces the pending one', async () => {
    const admin = await t.userWithRole('admin');
    const email = uniqueEmail('twice');
    const ownerInvite = await invite(email, 'owner');
    const denied = await t.request(admin.cookie, 'DELETE', `${invitationsOf()}/${ownerInvite.id}`);
    expect(denied.statusCode).toBe(403);
    const again = await invite(email, 'viewer', admin.cookie);
    const gone = await t.request(
      undefined,
      'GET',
      `/invitations/${linkToken(ownerInvite.acceptUrl as string)}`,
    );
    expect(gone.statusCode).toBe(410);
    expect(gone.json().message).toContain('was revoked');
    const pending = (await t.request(t.owner.cookie, 'GET', invitationsOf())).json();
    expect(
      pending.filter((i: { email: string }) => i.email === email).map((i: { id: string }) => i.id),
    ).toEqual([again.id]);
  });

  it('409 already_member for an email that is a member already', async () => {
    const member = await t.userWithRole('viewer');
    for (const email of [member.email, OWNER.email.toUpperCase()]) {
      const res = await t.request(t.owner.cookie, 'POST', invitationsOf(), { email, role: 'viewer' });
      expect(res.statusCode).toBe(409);
      expect(res.json().code).toBe('already_member');
    }
  });

  it('a non-member of the organization gets 404, and a bad body 400', async () => {
    const outsider = await t.userWithRole('viewer');
    const theirs = (await t.request(outsider.cookie, 'POST', '/orgs', { name: 'Theirs' })).json();
    const res = await t.request(t.owner.cookie, 'POST', invitationsOf(theirs.orgId), {
      email: uniqueEmail(),
      role: 'viewer',
    });
    expect(res.statusCode).toBe(404);
    const bad = await t.request(t.owner.cookie, 'POST', invitationsOf(), {
      email: 'not-an-email',
      role: 'boss',
    });
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .details.map((d: { field: string }) => d.field)
        .sort(),
    ).toEqual(['email', 'role']);
  });

  it('links follow the forwarded origin behind a trusted proxy', async () => {
    const proxied = await startTestApp({ env: { TRUST_PROXY: 'true' } });
    try {
      const res = await proxied.request(
        proxied.owner.cookie,
        'POST',
        invitationsOf(proxied.orgId),
        { email: uniqueEmail(), role: 'viewer' },
        { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'switchboard.example.com' },
      );
      expect(res.statusCode).toBe(201);
      expect(res.json().acceptUrl).toMatch(/^https:\/\/switchboard\.example\.com\/invitations\/[\w-]{43}$/);
    } finally {
      await proxied.close();
    }
    // Without TRUST_PROXY the forwarded headers are ignored.
    const direct = await t.request(
      t.owner.cookie,
      'POST',
      invitationsOf(),
      { email: uniqueEmail(), role: 'viewer' },
      { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example' },
    );
    expect(direct.json().acceptUrl).toMatch(/^http:\/\/localhost:80\//);
  });
});

describe('what a link shows', () => {
  it('the organization, role, inviter, expiry and invited email; 404 for an unknown token', async () => {
    const email = uniqueEmail('preview');
    const created = await invite(email, 'editor');
    const token = linkToken(created.acceptUrl as string);
    const res = await t.request(undefined, 'GET', `/invitations/${token}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      organization: { id: t.orgId, name: 'Acme' },
      role: 'editor',
      inviter: { name: 'Owner', email: OWNER.email },
      expiresAt: created.expiresAt,
      email,
    });
    const unknown = await t.request(undefined, 'GET', `/invitations/${'A'.repeat(43)}`);
    expect(unknown.statusCode).toBe(404);
  });

  it('a browser opening the link is sent to the dashboard’s page for it', async () => {
    const token = linkToken((await invite(uniqueEmail())).acceptUrl as string);
    const res = await t.request(undefined, 'GET', `/invitations/${token}`, undefined, {
      accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/#/invitations/${token}`);
  });

  it('tokens never reach the log', async () => {
    logLines.length = 0;
    const token = linkToken((await invite(uniqueEmail('logged'))).acceptUrl as string);
    await t.request(undefined, 'GET', `/invitations/${token}`);
    await accept(token, { name: 'Logged', password: MEMBER_PASSWORD });
    expect(logLines.join('\n')).toContain('/invitations/<token>');
    expect(logLines.join('\n')).not.toContain(token);
  });
});

describe('accepting', () => {
  it('an email with no account: name and password create it, join, and sign in with the login cookie', async () => {
    const email = uniqueEmail('newcomer');
    const token = linkToken((await invite(email, 'editor')).acceptUrl as string);
    const missing = await accept(token, {});
    expect(missing.statusCode).toBe(400);
    expect(missing.json().details.map((d: { field: string }) => d.field)).toEqual(['name', 'password']);
    const short = await accept(token, { name: 'New', password: 'short' });
    expect(short.statusCode).toBe(400);

    const res = await accept(token, { name: 'Newcomer', password: 'newcomer-pass-1' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      user: { email, name: 'Newcomer' },
      membership: { orgId: t.orgId, orgName: 'Acme', role: 'editor' },
    });
    const login = await t.request(undefined, 'POST', '/auth/login', { email, password: 'newcomer-pass-1' });
    const cookieOf = (r: typeof res) => {
      const c = r.cookies.find((x) => x.name === 'auth-token');
      return {
        httpOnly: c?.httpOnly,
        sameSite: c?.sameSite,
        path: c?.path,
        secure: c?.secure,
        maxAge: c?.maxAge,
      };
    };
    expect(cookieOf(res)).toEqual(cookieOf(login));
    const me = (await t.request(sessionCookie(res), 'GET', '/auth/me')).json();
    expect(me).toMatchObject({ user: { email }, activeOrgId: t.orgId });
    expect((await t.request(sessionCookie(res), 'GET', '/assistants')).statusCode).toBe(200);
  });

  it('works once: a second accept and the preview are 410 invitation_gone, even from the same person', async () => {
    const email = uniqueEmail('once');
    const token = linkToken((await invite(email)).acceptUrl as string);
    const first = await accept(token, { name: 'Once', password: MEMBER_PASSWORD });
    expect(first.statusCode).toBe(201);
    for (const res of [
      await accept(token, { name: 'Twice', password: 'another-pass-1' }),
      await accept(token, {}, sessionCookie(first)),
      await t.request(undefined, 'GET', `/invitations/${token}`),
    ]) {
      expect(res.statusCode).toBe(410);
      expect(res.json()).toMatchObject({ code: 'invitation_gone' });
      expect(res.json().message).toContain('already been used');
    }
    expect(
      (await t.request(undefined, 'POST', '/auth/login', { email, password: 'another-pass-1' })).statusCode,
    ).toBe(401);
  });

  it('two accepts at once: exactly one succeeds', async () => {
    const token = linkToken((await invite(uniqueEmail('race'))).acceptUrl as string);
    const results = await Promise.all(
      ['race-pass-one', 'race-pass-two', 'race-pass-three'].map((password) =>
        accept(token, { name: 'Racer', password }),
      ),
    );
    const statuses = results.map((r) => r.statusCode).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s !== 201).every((s) => s === 410 || s === 403)).toBe(true);
  });

  it('an email with an account: its owner, signed in, joins (200) and their session stays where it was', async () => {
    const existing = await t.userWithRole('viewer');
    const other = (await t.request(t.owner.cookie, 'POST', '/orgs', { name: 'Other team' })).json();
    const created = await invite(existing.email, 'admin', t.owner.cookie, t, other.orgId);
    const token = linkToken(created.acceptUrl as string);
    const activeBefore = (await t.request(existing.cookie, 'GET', '/auth/me')).json().activeOrgId;
    const res = await accept(token, undefined, existing.cookie);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      user: { id: existing.userId, email: existing.email },
      membership: { orgId: other.orgId, orgName: 'Other team', role: 'admin' },
    });
    expect(res.cookies.find((c) => c.name === 'auth-token')).toBeUndefined();
    const me = (await t.request(existing.cookie, 'GET', '/auth/me')).json();
    expect(me.activeOrgId).toBe(activeBefore);
    expect(me.memberships.map((m: { orgId: string }) => m.orgId)).toContain(other.orgId);
  });

  it('an email with an account: anyone else, signed in or not, with or without a password, gets 403', async () => {
    const existing = await t.userWithRole('viewer');
    const other = (await t.request(t.owner.cookie, 'POST', '/orgs', { name: 'Wanted' })).json();
    const token = linkToken(
      (await invite(existing.email, 'admin', t.owner.cookie, t, other.orgId)).acceptUrl as string,
    );
    const stranger = await t.userWithRole('editor');
    for (const [cookie, body] of [
      [undefined, undefined],
      [undefined, { name: 'Imposter', password: 'imposter-pass-1' }],
      [stranger.cookie, undefined],
      [stranger.cookie, { name: 'Imposter', password: 'imposter-pass-1' }],
    ] as const) {
      const res = await accept(token, body, cookie);
      expect(res.statusCode).toBe(403);
      expect(res.json().message).toContain(`sign in as ${existing.email}`);
    }
    // Nothing changed: the account keeps its password and the invitation still works for its owner.
    expect(
      (
        await t.request(undefined, 'POST', '/auth/login', {
          email: existing.email,
          password: 'imposter-pass-1',
        })
      ).statusCode,
    ).toBe(401);
    expect((await t.login(existing.email, MEMBER_PASSWORD)).length).toBeGreaterThan(0);
    expect((await accept(token, undefined, existing.cookie)).statusCode).toBe(200);
  });

  it('an expired invitation is 410 and no longer listed', async () => {
    const created = await invite(uniqueEmail('late'));
    const token = linkToken(created.acceptUrl as string);
    await t.database.db
      .update(invitations)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(eq(invitations.id, created.id));
    const preview = await t.request(undefined, 'GET', `/invitations/${token}`);
    expect(preview.statusCode).toBe(410);
    expect(preview.json().message).toContain('has expired');
    expect((await accept(token, { name: 'Late', password: MEMBER_PASSWORD })).statusCode).toBe(410);
    const pending = (await t.request(t.owner.cookie, 'GET', invitationsOf())).json();
    expect(pending.map((i: { id: string }) => i.id)).not.toContain(created.id);
  });

  it('a revoked invitation is 410; revoking twice is 409, an unknown one 404', async () => {
    const created = await invite(uniqueEmail('revoked'));
    const token = linkToken(created.acceptUrl as string);
    expect((await t.request(t.owner.cookie, 'DELETE', `${invitationsOf()}/${created.id}`)).statusCode).toBe(
      204,
    );
    const res = await accept(token, { name: 'Revoked', password: MEMBER_PASSWORD });
    expect(res.statusCode).toBe(410);
    expect(res.json().message).toContain('was revoked');
    const twice = await t.request(t.owner.cookie, 'DELETE', `${invitationsOf()}/${created.id}`);
    expect(twice.statusCode).toBe(409);
    expect(twice.json().code).toBe('invitation_not_pending');
    const unknown = await t.request(t.owner.cookie, 'DELETE', `${invitationsOf()}/${crypto.randomUUID()}`);
    expect(unknown.statusCode).toBe(404);
    const pending = (await t.request(t.owner.cookie, 'GET', invitationsOf())).json();
    expect(pending.map((i: { id: string }) => i.id)).not.toContain(created.id);
  });

  it('is worth what its sender may still grant: an admin’s invitations stop working when they leave', async () => {
    const admin = await t.userWithRole('admin');
    const token = linkToken((await invite(uniqueEmail('orphan'), 'admin', admin.cookie)).acceptUrl as string);
    await t.request(t.owner.cookie, 'DELETE', `/orgs/${t.orgId}/members/${admin.userId}`);
    const res = await accept(token, { name: 'Orphan', password: MEMBER_PASSWORD });
    expect(res.statusCode).toBe(410);
    expect(res.json().message).toContain('can no longer grant');
  });
});

describe('by email (SMTP_URL and MAIL_FROM set)', () => {
  let smtp: SmtpCatcher;
  let m: TestApp;
  beforeAll(async () => {
    smtp = await startSmtpCatcher();
    m = await startTestApp({
      env: { SMTP_URL: smtp.url, MAIL_FROM: 'Switchboard <noreply@switchboard.test>' },
    });
  });
  afterAll(async () => {
    await m.close();
    await smtp.close();
  });

  it('emails the link to the address and never shows it to the inviter; the emailed link works', async () => {
    const email = uniqueEmail('mailed');
    const res = await m.request(m.owner.cookie, 'POST', invitationsOf(m.orgId), { email, role: 'editor' });
    expect(res.statusCode).toBe(201);
    expect(res.json().acceptUrl).toBeUndefined();
    expect(res.body).not.toContain('/invitations/');
    const mail = await smtp.waitFor(email);
    expect(mail.from).toContain('noreply@switchboard.test');
    expect(mail.subject).toContain('Acme');
    expect(mail.text).toContain(
      'Owner (owner@example.com) invited you to join Acme on Switchboard as editor',
    );
    const accepted = await accept(
      linkToken(linkIn(mail)),
      { name: 'Mailed', password: MEMBER_PASSWORD },
      undefined,
      m,
    );
    expect(accepted.statusCode).toBe(201);
    expect(accepted.json().membership).toMatchObject({ orgId: m.orgId, role: 'editor' });
  });

  it('the takeover: an attacker’s organization invites bob@victim.example, and can neither sign in as Bob nor learn whether he has an account', async () => {
    // Bob has an account (in Acme); nobody@victim.example has none.
    await invite('bob@victim.example', 'viewer', m.owner.cookie, m);
    const bobToken = linkToken(linkIn(await smtp.waitFor('bob@victim.example')));
    expect(
      (await accept(bobToken, { name: 'Bob', password: 'bobs-own-pass-1' }, undefined, m)).statusCode,
    ).toBe(201);
    smtp.messages.length = 0;

    // The attacker signs up through some other invitation, then makes an organization of their own.
    const attackerEmail = uniqueEmail('attacker');
    await invite(attackerEmail, 'viewer', m.owner.cookie, m);
    const attackerLink = linkIn(await smtp.waitFor(attackerEmail));
    const attacker = sessionCookie(
      await accept(linkToken(attackerLink), { name: 'Mallory', password: 'mallory-pass-1' }, undefined, m),
    );
    const evil = (await m.request(attacker, 'POST', '/orgs', { name: 'Evil Corp' })).json();
    smtp.messages.length = 0;

    // Inviting Bob and someone without an account: the same answer, and no link to use.
    const answers = [];
    for (const email of ['bob@victim.example', 'nobody@victim.example']) {
      const res = await m.request(attacker, 'POST', invitationsOf(evil.orgId), { email, role: 'owner' });
      answers.push({ status: res.statusCode, keys: Object.keys(res.json()).sort(), role: res.json().role });
      expect(res.json().acceptUrl).toBeUndefined();
    }
    expect(answers[0]).toEqual(answers[1]);
    // The links went to the addresses' owners, not to the attacker.
    const toBob = await smtp.waitFor('bob@victim.example');
    await smtp.waitFor('nobody@victim.example');
    expect(smtp.messages.some((mail) => mail.to.includes(attackerEmail))).toBe(false);
    // The pending list shows both alike, without links.
    const pending = await m.request(attacker, 'GET', invitationsOf(evil.orgId));
    expect(pending.body).not.toContain('/invitations/');
    // The old way, setting Bob's password as an admin, is gone.
    const old = await m.request(attacker, 'POST', `/orgs/${evil.orgId}/members`, {
      email: 'bob@victim.example',
      role: 'viewer',
      password: 'mallory-sets-1',
    });
    expect(old.statusCode).toBe(410);
    // A password reset for either address answers the same, and mails only the address.
    const resets = [];
    for (const email of ['bob@victim.example', 'nobody@victim.example']) {
      const res = await m.request(undefined, 'POST', '/auth/password-reset', { email });
      resets.push({ status: res.statusCode, body: res.body });
    }
    expect(resets[0]).toEqual(resets[1]);
    // Guessing a token gets nowhere.
    expect((await m.request(undefined, 'GET', `/invitations/${'x'.repeat(43)}`)).statusCode).toBe(404);

    for (const password of ['mallory-sets-1', 'mallory-pass-1']) {
      const login = await m.request(undefined, 'POST', '/auth/login', {
        email: 'bob@victim.example',
        password,
      });
      expect(login.statusCode).toBe(401);
    }
    // Bob's own link, used by Bob signed in, is the only way he joins Evil Corp.
    const bob = await m.login('bob@victim.example', 'bobs-own-pass-1');
    const bobsLink = linkIn(toBob);
    expect(
      (await accept(linkToken(bobsLink), { name: 'Mallory', password: 'x'.repeat(8) }, attacker, m))
        .statusCode,
    ).toBe(403);
    expect((await accept(linkToken(bobsLink), undefined, bob, m)).statusCode).toBe(200);
  });

  it('when the mail server cannot be reached: 500 mail_failed and the invitation is withdrawn', async () => {
    const closed = await startSmtpCatcher();
    const url = closed.url;
    await closed.close();
    const broken = await startTestApp({ env: { SMTP_URL: url, MAIL_FROM: 'noreply@switchboard.test' } });
    try {
      const email = uniqueEmail('unsent');
      const res = await broken.request(broken.owner.cookie, 'POST', invitationsOf(broken.orgId), {
        email,
        role: 'viewer',
      });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toMatchObject({ code: 'mail_failed' });
      const pending = (await broken.request(broken.owner.cookie, 'GET', invitationsOf(broken.orgId))).json();
      expect(pending).toEqual([]);
    } finally {
      await broken.close();
    }
  });
});
