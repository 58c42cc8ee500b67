// Limits and trust that one tenant, or anyone on the internet, cannot get around: sign-in limits
// kept in the database (per address, IPv6 by /64, and per email; across servers), TRUST_PROXY for
// forwarded addresses and origins, the CSRF check lifted only by an API key that authenticated,
// and caches that anonymous requests cannot empty.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { addressKey } from '../../src/auth/login-limits.ts';
import { createAssistant, OWNER, startTestApp, type TestApp } from '../helpers/test-app.ts';

const LIMITS = {
  LOGIN_RATE_LIMIT_PER_ADDRESS: '4',
  LOGIN_RATE_LIMIT_PER_EMAIL: '3',
  LOGIN_RATE_LIMIT_WINDOW_SECONDS: '600',
};

let t: TestApp;
let proxied: TestApp;

beforeAll(async () => {
  t = await startTestApp({ env: LIMITS });
  proxied = await startTestApp({ env: { ...LIMITS, TRUST_PROXY: 'true' } });
});
afterAll(async () => {
  await t.close();
  await proxied.close();
});

let counter = 0;
const unique = (name: string) => `${name}-${++counter}@example.com`;

function login(
  app: TestApp,
  email: string,
  password: string,
  options: { remoteAddress?: string; headers?: Record<string, string> } = {},
): Promise<LightMyRequestResponse> {
  return app.app.inject({
    method: 'POST',
    url: '/auth/login',
    payload: { email, password },
    remoteAddress: options.remoteAddress ?? '203.0.113.1',
    headers: options.headers ?? {},
  });
}

describe('sign-in limits in the database', () => {
  it('groups IPv6 addresses by /64, and maps IPv4-mapped addresses to IPv4', () => {
    expect(addressKey('2001:db8:1:2::1')).toBe(addressKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff'));
    expect(addressKey('2001:db8:1:2::1')).not.toBe(addressKey('2001:db8:1:3::1'));
    expect(addressKey('::ffff:198.51.100.7')).toBe(addressKey('198.51.100.7'));
  });

  it('counts failures per email across servers; the next attempt is a 429 with Retry-After', async () => {
    const other = await t.secondServer();
    try {
      const email = unique('victim');
      for (let i = 0; i < 3; i++) {
        const remoteAddress = `198.51.100.${10 + i}`;
        expect((await login(t, email, 'wrong-password', { remoteAddress })).statusCode).toBe(401);
      }
      const limited = await other.request(undefined, 'POST', '/auth/login', { email, password: 'x' });
      expect(limited.statusCode).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(500);
      expect(limited.json().code).toBe('rate_limited');
    } finally {
      await other.close();
    }
  });

  it('counts failures per address, IPv6 by /64, whatever the email', async () => {
    for (let i = 1; i <= 4; i++) {
      const res = await login(t, unique('spray'), 'wrong-password', { remoteAddress: `2001:db8:7:7::${i}` });
      expect(res.statusCode).toBe(401);
    }
    expect((await login(t, unique('spray'), 'x', { remoteAddress: '2001:db8:7:7::ffff' })).statusCode).toBe(
      429,
    );
    expect((await login(t, unique('spray'), 'x', { remoteAddress: '2001:db8:7:8::1' })).statusCode).toBe(401);
  });

  it('many failures for other emails leave a limited email limited', async () => {
    const email = unique('kept');
    for (let i = 0; i < 3; i++) await login(t, email, 'wrong', { remoteAddress: `192.0.2.${i + 1}` });
    for (let i = 0; i < 30; i++)
      await login(t, unique('flood'), 'wrong', { remoteAddress: `192.0.2.${50 + i}` });
    expect((await login(t, email, 'wrong', { remoteAddress: '192.0.2.200' })).statusCode).toBe(429);
  });

  it('a successful sign-in clears its email’s count', async () => {
    const attempts = async () => {
      for (let i = 0; i < 2; i++)
        await login(t, OWNER.email, 'wrong', { remoteAddress: `192.0.2.${220 + i}` });
    };
    await attempts();
    expect((await login(t, OWNER.email, OWNER.password, { remoteAddress: '192.0.2.230' })).statusCode).toBe(
      200,
    );
    await attempts();
    expect((await login(t, OWNER.email, OWNER.password, { remoteAddress: '192.0.2.231' })).statusCode).toBe(
      200,
    );
  });

  it('changing a password is limited the same way', async () => {
    const cookie = (await t.login(OWNER.email, OWNER.password)) as string;
    const tries = [];
    for (let i = 0; i < 4; i++) {
      tries.push(
        (
          await t.request(cookie, 'POST', '/auth/password', {
            currentPassword: `wrong-${i}`,
            newPassword: 'another-password-1',
          })
        ).statusCode,
      );
    }
    expect(tries).toEqual([400, 400, 400, 429]);
    // The limit came from this email's failures; a correct sign-in clears it for the next test.
    await t.database.db.execute(
      (await import('drizzle-orm')).sql`delete from login_failures where key like 'email:owner@%'`,
    );
  });
});

describe('TRUST_PROXY', () => {
  it('without it, forwarded addresses are ignored: one client cannot pose as many', async () => {
    for (let i = 0; i < 4; i++) {
      await login(t, unique('forwarded'), 'wrong', {
        remoteAddress: '203.0.113.77',
        headers: { 'x-forwarded-for': `10.0.0.${i}` },
      });
    }
    const res = await login(t, unique('forwarded'), 'wrong', {
      remoteAddress: '203.0.113.77',
      headers: { 'x-forwarded-for': '10.0.0.99' },
    });
    expect(res.statusCode).toBe(429);
  });

  it('with it, the client address comes from X-Forwarded-For', async () => {
    for (let i = 0; i < 4; i++) {
      await login(proxied, unique('behind-proxy'), 'wrong', {
        remoteAddress: '127.0.0.1',
        headers: { 'x-forwarded-for': '198.51.100.200' },
      });
    }
    const sameClient = await login(proxied, unique('behind-proxy'), 'wrong', {
      remoteAddress: '127.0.0.1',
      headers: { 'x-forwarded-for': '198.51.100.200' },
    });
    expect(sameClient.statusCode).toBe(429);
    const otherClient = await login(proxied, unique('behind-proxy'), 'wrong', {
      remoteAddress: '127.0.0.1',
      headers: { 'x-forwarded-for': '198.51.100.201' },
    });
    expect(otherClient.statusCode).toBe(401);
  });

  it('the CSRF check compares the origin with the forwarded protocol and host only behind a trusted proxy', async () => {
    const forwarded = {
      origin: 'https://switchboard.example',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'switchboard.example',
    };
    const trusted = await proxied.request(
      proxied.owner.cookie,
      'POST',
      '/orgs',
      { name: 'Via proxy' },
      forwarded,
    );
    expect(trusted.statusCode).toBe(201);
    const untrusted = await t.request(t.owner.cookie, 'POST', '/orgs', { name: 'Posing' }, forwarded);
    expect(untrusted.statusCode).toBe(403);
  });
});

describe('the CSRF check and API keys', () => {
  it('an Authorization header that authenticates nothing does not lift the check', async () => {
    const res = await t.request(
      t.owner.cookie,
      'POST',
      '/orgs',
      { name: 'Forged' },
      { origin: 'https://evil.example', authorization: 'Bearer not-a-key' },
    );
    expect(res.statusCode).toBe(403);
    expect(res.json().message).toContain('Cross-site');
  });

  it('an API key that authenticates is not a browser’s: the request passes', async () => {
    const key = await t.createApiKey('editor');
    const res = await t.request(
      undefined,
      'POST',
      '/assistants/import',
      { all: true },
      { ...key.headers, origin: 'https://ci.example' },
    );
    expect(res.statusCode).toBe(202);
  });
});

describe('caches', () => {
  it('anonymous requests and failed sign-ins do not empty the session cache', async () => {
    await t.request(t.owner.cookie, 'GET', '/auth/me');
    const resolve = vi.spyOn(t.services.sessions, 'resolve');
    try {
      for (let i = 0; i < 5; i++) {
        await t.request(undefined, 'POST', '/no-such-route', {});
        await login(t, unique('noise'), 'wrong', { remoteAddress: `192.0.2.${100 + i}` });
      }
      expect((await t.request(t.owner.cookie, 'GET', '/auth/me')).statusCode).toBe(200);
      expect(resolve).not.toHaveBeenCalled();
    } finally {
      resolve.mockRestore();
    }
  });

  it('an assistant read by an upper-case id is evicted like any other', async () => {
    const a = await createAssistant(t);
    const upper = a.id.toUpperCase();
    expect((await t.request(t.owner.cookie, 'GET', `/assistants/${upper}`)).statusCode).toBe(200);
    expect((await t.request(t.owner.cookie, 'DELETE', `/assistants/${a.id}`)).statusCode).toBe(204);
    expect((await t.request(t.owner.cookie, 'GET', `/assistants/${upper}`)).statusCode).toBe(404);
  });
});
