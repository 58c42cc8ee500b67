// Sessions, organizations and members.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/auth/tokens.ts';
import { sessions } from '../../src/db/schema.ts';
import { MEMBER_PASSWORD, OWNER, sessionCookie, startTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

describe('sign-in', () => {
  it('sets an HttpOnly, SameSite=Lax, Path=/ session cookie and returns the user and memberships', async () => {
    const res = await t.request(undefined, 'POST', '/auth/login', {
      email: 'OWNER@Example.com',
      password: OWNER.password,
    });
    expect(res.statusCode).toBe(200);
    const cookie = res.cookies.find((c) => c.name === 'auth-token');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookie?.secure).toBeFalsy();
    expect(Buffer.from(cookie?.value ?? '', 'base64url').length).toBeGreaterThanOrEqual(16);
    expect(res.json()).toMatchObject({
      user: { email: OWNER.email },
      memberships: [{ orgId: t.orgId, orgName: 'Acme', role: 'owner' }],
      activeOrgId: t.orgId,
    });
  });

  it('stores only the token’s hash', async () => {
    const res = await t.request(undefined, 'POST', '/auth/login', {
      email: OWNER.email,
      password: OWNER.password,
    });
    const token = res.cookies.find((c) => c.name === 'auth-token')?.value as string;
    const rows = await t.database.db.select().from(sessions).where(eq(sessions.tokenHash, token));
    expect(rows).toHaveLength(0);
    const hashed = await t.database.db
      .select()
      .from(sessions)
      .where(eq(sessions.tokenHash, hashToken(token)));
    expect(hashed).toHaveLength(1);
  });

  it('the same 401 for an unknown email and a wrong password', async () => {
    const unknown = await t.request(undefined, 'POST', '/auth/login', {
      email: 'nobody@example.com',
      password: 'whatever1',
    });
    const wrong = await t.request(undefined, 'POST', '/auth/login', {
      email: OWNER.email,
      password: 'wrong-password',
    });
    expect(unknown.statusCode).toBe(401);
    expect(wrong.statusCode).toBe(401);
    expect(unknown.json().message).toBe(wrong.json().message);
    expect(unknown.json().code).toBe(wrong.json().code);
  });

  it('sets Secure on the cookie when COOKIE_SECURE is on', async () => {
    const secure = await startTestApp({ env: { COOKIE_SECURE: 'true' } });
    try {
      const res = await secure.request(undefined, 'POST', '/auth/login', {
        email: OWNER.email,
        password: OWNER.password,
      });
      expect(res.cookies.find((c) => c.name === 'auth-token')?.secure).toBe(true);
    } finally {
      await secure.close();
    }
  });

  it('logout revokes the session on the server and clears the cookie', async () => {
    const cookie = await t.login(OWNER.email, OWNER.password);
    const res = await t.request(cookie, 'POST', '/auth/logout');
    expect(res.statusCode).toBe(204);
    expect(res.cookies.find((c) => c.name === 'auth-token')?.value).toBe('');
    expect((await t.request(cookie, 'GET', '/auth/me')).statusCode).toBe(401);
  });

  it('a password change ends the other sessions at once and keeps this one', async () => {
    const member = await t.userWithRole('editor');
    const other = await t.login(member.email, MEMBER_PASSWORD);
    const wrong = await t.request(member.cookie, 'POST', '/auth/password', {
      currentPassword: 'nope',
      newPassword: 'brand-new-pass-1',
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().details).toEqual([{ field: 'currentPassword', message: 'is incorrect' }]);
    const changed = await t.request(member.cookie, 'POST', '/auth/password', {
      currentPassword: MEMBER_PASSWORD,
      newPassword: 'brand-new-pass-1',
    });
    expect(changed.statusCode).toBe(204);
    expect((await t.request(member.cookie, 'GET', '/auth/me')).statusCode).toBe(200);
    expect((await t.request(other, 'GET', '/auth/me')).statusCode).toBe(401);
    expect(
      (
        await t.request(undefined, 'POST', '/auth/login', {
          email: member.email,
          password: MEMBER_PASSWORD,
        })
      ).statusCode,
    ).toBe(401);
    expect(
      (
        await t.request(undefined, 'POST', '/auth/login', {
          email: member.email,
          password: 'brand-new-pass-1',
        })
      ).statusCode,
    ).toBe(200);
  });

  it('rate-limits sign-in per address across emails', async () => {
    // Failures count, successes do not: the test app's own sign-ins leave the budget whole.
    const limited = await startTestApp({ env: { LOGIN_RATE_LIMIT_PER_ADDRESS: '5' } });
    try {
      for (let i = 0; i < 5; i++) {
        const res = await limited.request(undefined, 'POST', '/auth/login', {
          email: `spray${i}@example.com`,
          password: 'guess-123',
        });
        expect(res.statusCode).toBe(401);
      }
      const blocked = await limited.request(undefined, 'POST', '/auth/login', {
        email: 'spray9@example.com',
        password: 'guess-123',
      });
      expect(blocked.statusCode).toBe(429);
      expect(blocked.headers['retry-after']).toBeDefined();
    } finally {
      await limited.close();
    }
  });

  it('accepts state-changing requests from ALLOWED_ORIGINS, and only those', async () => {
    const allowed = await startTestApp({ env: { ALLOWED_ORIGINS: 'https://admin.example.com' } });
    try {
      const ok = await allowed.request(
        allowed.owner.cookie,
        'POST',
        '/orgs',
        { name: 'Allowed' },
        { origin: 'https://admin.example.com' },
      );
      expect(ok.statusCode).toBe(201);
      const other = await allowed.request(
        allowed.owner.cookie,
        'POST',
        '/orgs',
        { name: 'Other' },
        { origin: 'https://admin.example.org' },
      );
      expect(other.statusCode).toBe(403);
    } finally {
      await allowed.close();
    }
  });

  it('an expired session is a 401', async () => {
    const cookie = await t.login(OWNER.email, OWNER.password);
    const token = cookie.split('=')[1] as string;
    await t.database.db
      .update(sessions)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(eq(sessions.tokenHash, hashToken(token)));
    expect((await t.request(cookie, 'GET', '/auth/me')).statusCode).toBe(401);
  });

  it('rate-limits sign-in per email with 429 and Retry-After', async () => {
    const limited = await startTestApp({ env: { LOGIN_RATE_LIMIT_PER_EMAIL: '3' } });
    try {
      const attempt = () =>
        limited.request(undefined, 'POST', '/auth/login', {
          email: 'victim@example.com',
          password: 'guess-123',
        });
      for (let i = 0; i < 3; i++) expect((await attempt()).statusCode).toBe(401);
      const blocked = await attempt();
      expect(blocked.statusCode).toBe(429);
      expect(blocked.json()).toMatchObject({ code: 'rate_limited' });
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
      // Another email from the same address is not blocked by this one's budget.
      const other = await limited.request(undefined, 'POST', '/auth/login', {
        email: OWNER.email,
        password: OWNER.password,
      });
      expect(other.statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('refuses a state-changing request from another site', async () => {
    const evil = await t.request(
      t.owner.cookie,
      'POST',
      '/orgs',
      { name: 'CSRF' },
      { origin: 'https://evil.example' },
    );
    expect(evil.statusCode).toBe(403);
    expect(evil.json().message).toContain('Cross-site');
    const referer = await t.request(
      t.owner.cookie,
      'POST',
      '/orgs',
      { name: 'CSRF' },
      { referer: 'https://evil.example/x' },
    );
    expect(referer.statusCode).toBe(403);
    const same = await t.request(
      t.owner.cookie,
      'POST',
      '/orgs',
      { name: 'Same site' },
      { origin: 'http://localhost:80' },
    );
    expect(same.statusCode).toBe(201);
  });
});

describe('organizations and members', () => {
  it('creating an organization makes the caller its owner; active-org switches to it', async () => {
    const cookie = await t.login(OWNER.email, OWNER.password);
    const created = await t.request(cookie, 'POST', '/orgs', { name: 'Second' });
    expect(created.statusCode).toBe(201);
    const org = created.json();
    expect(org).toMatchObject({ orgName: 'Second', role: 'owner' });
    const orgs = (await t.request(cookie, 'GET', '/orgs')).json();
    expect(orgs.map((o: { orgId: string }) => o.orgId)).toContain(org.orgId);
    const switched = await t.request(cookie, 'POST', '/auth/active-org', { orgId: org.orgId });
    expect(switched.json().activeOrgId).toBe(org.orgId);
    expect((await t.request(cookie, 'GET', '/assistants')).json().items).toEqual([]);
  });

  it('cannot switch to an organization one is not a member of', async () => {
    const viewer = await t.userWithRole('viewer');
    const other = (await t.request(t.owner.cookie, 'POST', '/orgs', { name: 'Private' })).json();
    const res = await t.request(viewer.cookie, 'POST', '/auth/active-org', { orgId: other.orgId });
    expect(res.statusCode).toBe(404);
  });

  it('admins list, change and remove members; viewers and editors may not', async () => {
    const admin = await t.userWithRole('admin');
    const editor = await t.userWithRole('editor');
    const viewer = await t.userWithRole('viewer');
    const members = `/orgs/${t.orgId}/members`;
    expect((await t.request(editor.cookie, 'GET', members)).statusCode).toBe(403);
    expect((await t.request(editor.cookie, 'DELETE', `${members}/${viewer.userId}`)).statusCode).toBe(403);
    const list = (await t.request(admin.cookie, 'GET', members)).json();
    expect(list.find((m: { userId: string }) => m.userId === viewer.userId)).toMatchObject({
      email: viewer.email,
      role: 'viewer',
    });
    expect(
      (await t.request(admin.cookie, 'PATCH', `${members}/${viewer.userId}`, { role: 'editor' })).json().role,
    ).toBe('editor');
    expect((await t.request(admin.cookie, 'DELETE', `${members}/${viewer.userId}`)).statusCode).toBe(204);
    const after = (await t.request(admin.cookie, 'GET', members)).json();
    expect(after.map((m: { userId: string }) => m.userId)).not.toContain(viewer.userId);
  });

  it('adding a member by email and password is gone: 410 pointing at invitations, and nothing is created', async () => {
    const admin = await t.userWithRole('admin');
    const email = 'set.by.admin@example.com';
    for (const cookie of [admin.cookie, t.owner.cookie, undefined]) {
      const res = await t.request(cookie, 'POST', `/orgs/${t.orgId}/members`, {
        email,
        role: 'viewer',
        password: 'chosen-by-admin-1',
      });
      expect(res.statusCode).toBe(410);
      expect(res.json()).toMatchObject({ code: 'use_invitations' });
      expect(res.json().message).toContain(`POST /orgs/${t.orgId}/invitations`);
    }
    const login = await t.request(undefined, 'POST', '/auth/login', { email, password: 'chosen-by-admin-1' });
    expect(login.statusCode).toBe(401);
    const doc = (await t.request(undefined, 'GET', '/openapi.json')).json();
    expect(doc.paths['/orgs/{orgId}/members'].post).toMatchObject({ deprecated: true });
    expect(Object.keys(doc.paths['/orgs/{orgId}/members'].post.responses)).toEqual(['410']);
  });

  it('nobody grants more than they hold; admins cannot touch owners', async () => {
    const admin = await t.userWithRole('admin');
    const members = `/orgs/${t.orgId}/members`;
    const grant = await t.request(admin.cookie, 'POST', `/orgs/${t.orgId}/invitations`, {
      email: 'x@example.com',
      role: 'owner',
    });
    expect(grant.statusCode).toBe(403);
    const demote = await t.request(admin.cookie, 'PATCH', `${members}/${t.owner.userId}`, { role: 'viewer' });
    expect(demote.statusCode).toBe(403);
  });

  it('the last owner cannot be removed or demoted', async () => {
    const members = `/orgs/${t.orgId}/members`;
    const demote = await t.request(t.owner.cookie, 'PATCH', `${members}/${t.owner.userId}`, {
      role: 'admin',
    });
    expect(demote.statusCode).toBe(409);
    expect(demote.json().code).toBe('last_owner');
    const remove = await t.request(t.owner.cookie, 'DELETE', `${members}/${t.owner.userId}`);
    expect(remove.statusCode).toBe(409);
  });

  it('a removed member loses access to the organization at once', async () => {
    const editor = await t.userWithRole('editor');
    expect((await t.request(editor.cookie, 'GET', '/assistants')).statusCode).toBe(200);
    await t.request(t.owner.cookie, 'DELETE', `/orgs/${t.orgId}/members/${editor.userId}`);
    const after = await t.request(editor.cookie, 'GET', '/assistants');
    expect(after.statusCode).toBe(403);
    expect((await t.request(editor.cookie, 'GET', `/orgs/${t.orgId}/members`)).statusCode).toBe(404);
  });

  it('removing a member revokes the API keys they made in that organization, one audit event each', async () => {
    const admin = await t.userWithRole('admin');
    const make = async (cookie: string, orgId: string, name: string) => {
      const res = await t.request(cookie, 'POST', `/orgs/${orgId}/api-keys`, { name, role: 'viewer' });
      expect(res.statusCode).toBe(201);
      return res.json() as { id: string; secret: string };
    };
    const theirs = [
      await make(admin.cookie, t.orgId, 'Leaver 1'),
      await make(admin.cookie, t.orgId, 'Leaver 2'),
    ];
    const ownersKey = await make(t.owner.cookie, t.orgId, 'Stays');
    const ownOrg = (await t.request(admin.cookie, 'POST', '/orgs', { name: 'Leaver Inc' })).json();
    const elsewhere = await make(admin.cookie, ownOrg.orgId, 'Elsewhere');
    const works = async (key: { secret: string }) =>
      (await t.request(undefined, 'GET', '/assistants', undefined, { authorization: `Bearer ${key.secret}` }))
        .statusCode;
    expect(await works(theirs[0] as { secret: string })).toBe(200);

    const removed = await t.request(t.owner.cookie, 'DELETE', `/orgs/${t.orgId}/members/${admin.userId}`);
    expect(removed.statusCode).toBe(204);
    for (const key of theirs) expect(await works(key)).toBe(401);
    expect(await works(ownersKey)).toBe(200);
    expect(await works(elsewhere)).toBe(200);
    const listed = (await t.request(t.owner.cookie, 'GET', `/orgs/${t.orgId}/api-keys`)).json();
    expect(listed.map((k: { id: string }) => k.id)).not.toContain(theirs[0]?.id);
    const audit = (await t.request(t.owner.cookie, 'GET', `/orgs/${t.orgId}/audit?limit=10`)).json();
    const revocations = audit.items.filter(
      (e: { action: string; requestId: string }) =>
        e.action === 'api_key.revoked' && e.requestId === removed.headers['x-request-id'],
    );
    expect(revocations.map((e: { target: { id: string } }) => e.target.id).sort()).toEqual(
      theirs.map((k) => k.id).sort(),
    );
    expect(revocations[0]).toMatchObject({
      outcome: 'success',
      actor: { id: t.owner.userId },
      detail: { reason: 'creator_left' },
    });
  });

  it('a non-member gets 404 for an organization’s members, whatever the method', async () => {
    const stranger = await t.userWithRole('viewer');
    const org = (await t.request(t.owner.cookie, 'POST', '/orgs', { name: 'Hidden' })).json();
    const members = `/orgs/${org.orgId}/members`;
    expect((await t.request(stranger.cookie, 'GET', members)).statusCode).toBe(404);
    expect(
      (
        await t.request(stranger.cookie, 'POST', `/orgs/${org.orgId}/invitations`, {
          email: 'a@example.com',
          role: 'viewer',
        })
      ).statusCode,
    ).toBe(404);
    expect((await t.request(stranger.cookie, 'GET', `/orgs/${org.orgId}/invitations`)).statusCode).toBe(404);
    expect((await t.request(stranger.cookie, 'DELETE', `${members}/${t.owner.userId}`)).statusCode).toBe(404);
  });

  it('a login response cookie works for the next request', async () => {
    const res = await t.request(undefined, 'POST', '/auth/login', {
      email: OWNER.email,
      password: OWNER.password,
    });
    expect((await t.request(sessionCookie(res), 'GET', '/auth/me')).json().user.email).toBe(OWNER.email);
  });
});
