// Sessions, organizations and members.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/auth/tokens.ts';
import { sessions } from '../../src/db/schema.ts';
import { OWNER, sessionCookie, startTestApp, type TestApp } from '../helpers/test-app.ts';

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
    const other = await t.login(member.email, 'member-password-1');
    const wrong = await t.request(member.cookie, 'POST', '/auth/password', {
      currentPassword: 'nope',
      newPassword: 'brand-new-pass-1',
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().details).toEqual([{ field: 'currentPassword', message: 'is incorrect' }]);
    const changed = await t.request(member.cookie, 'POST', '/auth/password', {
      currentPassword: 'member-password-1',
      newPassword: 'brand-new-pass-1',
    });
    expect(changed.statusCode).toBe(204);
    expect((await t.request(member.cookie, 'GET', '/auth/me')).statusCode).toBe(200);
    expect((await t.request(other, 'GET', '/auth/me')).statusCode).toBe(401);
    expect(
      (
        await t.request(undefined, 'POST', '/auth/login', {
          email: member.email,
          password: 'member-password-1',
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
    // The test app's own owner sign-in is the first of the five attempts.
    const limited = await startTestApp({ env: { LOGIN_RATE_LIMIT_PER_ADDRESS: '5' } });
    try {
      for (let i = 0; i < 4; i++) {
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

  it('admins list, add, change and remove members; viewers and editors may not', async () => {
    const admin = await t.userWithRole('admin');
    const editor = await t.userWithRole('editor');
    const members = `/orgs/${t.orgId}/members`;
    expect((await t.request(editor.cookie, 'GET', members)).statusCode).toBe(403);
    const added = await t.request(admin.cookie, 'POST', members, {
      email: 'New.Person@example.com',
      role: 'viewer',
      password: 'new-person-1',
    });
    expect(added.statusCode).toBe(201);
    expect(added.json()).toMatchObject({ email: 'new.person@example.com', role: 'viewer' });
    const userId = added.json().userId;
    expect(
      (await t.request(admin.cookie, 'PATCH', `${members}/${userId}`, { role: 'editor' })).json().role,
    ).toBe('editor');
    const list = (await t.request(admin.cookie, 'GET', members)).json();
    expect(list.find((m: { userId: string }) => m.userId === userId)?.role).toBe('editor');
    expect((await t.request(admin.cookie, 'DELETE', `${members}/${userId}`)).statusCode).toBe(204);
    const again = await t.request(admin.cookie, 'POST', members, {
      email: 'new.person@example.com',
      role: 'viewer',
    });
    expect(again.statusCode).toBe(201); // an existing user needs no password
    const duplicate = await t.request(admin.cookie, 'POST', members, {
      email: 'new.person@example.com',
      role: 'viewer',
    });
    expect(duplicate.statusCode).toBe(409);
    const noPassword = await t.request(admin.cookie, 'POST', members, {
      email: 'brand.new@example.com',
      role: 'viewer',
    });
    expect(noPassword.statusCode).toBe(400);
    expect(noPassword.json().details).toEqual([
      { field: 'password', message: 'is required to create a user for a new email' },
    ]);
  });

  it('nobody grants more than they hold; admins cannot touch owners', async () => {
    const admin = await t.userWithRole('admin');
    const members = `/orgs/${t.orgId}/members`;
    const grant = await t.request(admin.cookie, 'POST', members, {
      email: 'x@example.com',
      role: 'owner',
      password: 'password-1',
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

  it('a non-member gets 404 for an organization’s members, whatever the method', async () => {
    const stranger = await t.userWithRole('viewer');
    const org = (await t.request(t.owner.cookie, 'POST', '/orgs', { name: 'Hidden' })).json();
    const members = `/orgs/${org.orgId}/members`;
    expect((await t.request(stranger.cookie, 'GET', members)).statusCode).toBe(404);
    expect(
      (
        await t.request(stranger.cookie, 'POST', members, {
          email: 'a@example.com',
          role: 'viewer',
          password: 'password-1',
        })
      ).statusCode,
    ).toBe(404);
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
