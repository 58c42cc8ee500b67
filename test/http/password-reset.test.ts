// Password reset (SPEC section 11): by email when SMTP is set up (the same answer for every
// address, rate-limited), and by the operator through the server's loopback route. A link works
// once, expires, and signs the account out everywhere.
import { randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESET_LIMITS } from '../../src/auth/password-reset-routes.ts';
import { hashToken } from '../../src/auth/tokens.ts';
import { passwordResets } from '../../src/db/schema.ts';
import { type CaughtMail, type SmtpCatcher, startSmtpCatcher } from '../helpers/smtp-catcher.ts';
import {
  linkToken,
  MEMBER_PASSWORD,
  OPERATOR_ORIGIN,
  startTestApp,
  type TestApp,
  type TestUser,
} from '../helpers/test-app.ts';

const OPERATOR_TOKEN = randomBytes(32).toString('base64url');
let smtp: SmtpCatcher;
let t: TestApp;
const logLines: string[] = [];

beforeAll(async () => {
  smtp = await startSmtpCatcher();
  t = await startTestApp({
    env: { SMTP_URL: smtp.url, MAIL_FROM: 'noreply@switchboard.test' },
    logLines,
    mailbox: smtp,
    operatorToken: OPERATOR_TOKEN,
  });
});
afterAll(async () => {
  await t.close();
  await smtp.close();
});

/** Each request from its own address, so the per-address budget is the limits tests' alone. */
let addressCounter = 0;
function fromNewAddress(
  method: 'GET' | 'POST',
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  addressCounter += 1;
  return t.app.inject({
    method,
    url,
    remoteAddress: `10.1.${Math.floor(addressCounter / 250)}.${addressCounter % 250}`,
    headers,
    ...(body === undefined ? {} : { payload: body as object }),
  });
}

function resetLinkIn(mail: CaughtMail, origin = 'http://localhost:80'): string {
  const escaped = origin.replace(/[.:/]/g, '\\$&');
  const link = new RegExp(`${escaped}/reset-password/[\\w-]{43}`).exec(mail.text)?.[0];
  if (!link) throw new Error(`no reset link in: ${mail.text}`);
  return link;
}

async function requestLink(user: TestUser): Promise<string> {
  smtp.messages.length = 0;
  const res = await fromNewAddress('POST', '/auth/password-reset', { email: user.email.toUpperCase() });
  expect(res.statusCode).toBe(202);
  return linkToken(resetLinkIn(await smtp.waitFor(user.email)));
}

const complete = (token: string, password: string) =>
  fromNewAddress('POST', `/auth/password-reset/${token}`, { password });

describe('by email', () => {
  it('emails a one-time link; using it sets the password, ends every session, and is audited', async () => {
    const user = await t.userWithRole('editor');
    const other = await t.login(user.email, MEMBER_PASSWORD);
    const token = await requestLink(user);
    const mail = smtp.messages.find((m) => m.to.includes(user.email)) as CaughtMail;
    expect(mail.from).toContain('noreply@switchboard.test');
    expect(mail.text).toContain(`password of the Switchboard account ${user.email}`);
    const [row] = await t.database.db
      .select()
      .from(passwordResets)
      .where(eq(passwordResets.tokenHash, hashToken(token)));
    expect(row?.expiresAt.getTime()).toBeGreaterThan(Date.now() + 59 * 60_000);
    expect(row?.expiresAt.getTime()).toBeLessThan(Date.now() + 61 * 60_000);

    const short = await complete(token, 'short');
    expect(short.statusCode).toBe(400);
    const done = await complete(token, 'reset-password-1');
    expect(done.statusCode).toBe(204);
    for (const cookie of [user.cookie, other])
      expect((await t.request(cookie, 'GET', '/auth/me')).statusCode).toBe(401);
    const login = (password: string) =>
      t.request(undefined, 'POST', '/auth/login', { email: user.email, password });
    expect((await login(MEMBER_PASSWORD)).statusCode).toBe(401);
    expect((await login('reset-password-1')).statusCode).toBe(200);

    const again = await complete(token, 'reset-password-2');
    expect(again.statusCode).toBe(410);
    expect(again.json()).toMatchObject({ code: 'password_reset_gone' });
    expect((await login('reset-password-2')).statusCode).toBe(401);

    const audit = (
      await t.request(t.owner.cookie, 'GET', `/orgs/${t.orgId}/audit?actorId=${user.userId}&limit=20`)
    ).json();
    const reset = audit.items.find((e: { action: string }) => e.action === 'auth.password_reset');
    expect(reset).toMatchObject({
      action: 'auth.password_reset',
      outcome: 'success',
      actor: { id: user.userId, label: user.email },
      target: { type: 'user', id: user.userId },
      requestId: done.headers['x-request-id'],
    });
  });

  it('answers every address the same, and mails only one that has an account', async () => {
    const user = await t.userWithRole('viewer');
    smtp.messages.length = 0;
    const known = await fromNewAddress('POST', '/auth/password-reset', { email: user.email });
    const unknown = await fromNewAddress('POST', '/auth/password-reset', {
      email: 'nobody-here@example.com',
    });
    expect(known.statusCode).toBe(202);
    expect(unknown.statusCode).toBe(202);
    expect(unknown.body).toBe(known.body);
    await smtp.waitFor(user.email);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(smtp.messages.map((m) => m.to)).toEqual([[user.email]]);
  });

  it('404 for an unknown link, 410 for an expired one; a newer link replaces the older', async () => {
    const user = await t.userWithRole('viewer');
    expect((await complete('A'.repeat(43), 'whatever-pass-1')).statusCode).toBe(404);
    const older = await requestLink(user);
    const newer = await requestLink(user);
    const replaced = await complete(older, 'whatever-pass-1');
    expect(replaced.statusCode).toBe(410);
    expect(replaced.json().message).toContain('newer link');
    await t.database.db
      .update(passwordResets)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(eq(passwordResets.tokenHash, hashToken(newer)));
    const expired = await complete(newer, 'whatever-pass-1');
    expect(expired.statusCode).toBe(410);
    expect(expired.json().message).toContain('has expired');
    expect((await t.request(user.cookie, 'GET', '/auth/me')).statusCode).toBe(200);
  });

  it('links start with PUBLIC_URL when it is set, whatever Host the request names', async () => {
    const other = await startSmtpCatcher();
    const app = await startTestApp({
      env: {
        SMTP_URL: other.url,
        MAIL_FROM: 'noreply@switchboard.test',
        PUBLIC_URL: 'https://sb.example.com/',
      },
    });
    try {
      const res = await app.request(
        undefined,
        'POST',
        '/auth/password-reset',
        { email: 'owner@example.com' },
        {
          host: 'evil.example',
        },
      );
      expect(res.statusCode).toBe(202);
      const mail = await other.waitFor('owner@example.com');
      expect(mail.text).toMatch(/https:\/\/sb\.example\.com\/reset-password\/[\w-]{43}/);
      expect(mail.text).not.toContain('evil.example');
    } finally {
      await app.close();
      await other.close();
    }
  });

  it('is limited per email and per client address (429 with Retry-After)', async () => {
    const email = `limited-${randomBytes(3).toString('hex')}@example.com`;
    for (let i = 0; i < RESET_LIMITS.perEmail; i++) {
      expect((await fromNewAddress('POST', '/auth/password-reset', { email })).statusCode).toBe(202);
    }
    const blocked = await fromNewAddress('POST', '/auth/password-reset', { email: email.toUpperCase() });
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);

    const fromOne = (i: number) =>
      t.app.inject({
        method: 'POST',
        url: '/auth/password-reset',
        remoteAddress: '10.9.9.9',
        payload: { email: `spray-${i}@example.com` },
      });
    for (let i = 0; i < RESET_LIMITS.perAddress; i++) expect((await fromOne(i)).statusCode).toBe(202);
    const sprayed = await fromOne(RESET_LIMITS.perAddress);
    expect(sprayed.statusCode).toBe(429);
    expect(sprayed.json()).toMatchObject({ code: 'rate_limited' });
  });

  it('a browser opening the link is sent to the dashboard’s page; tokens never reach the log', async () => {
    const user = await t.userWithRole('viewer');
    logLines.length = 0;
    const token = await requestLink(user);
    const page = await fromNewAddress('GET', `/reset-password/${token}`, undefined, { accept: 'text/html' });
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe(`/#/reset-password/${token}`);
    await complete(token, 'logged-pass-1');
    const log = logLines.join('\n');
    expect(log).toContain('/auth/password-reset/<token>');
    expect(log).not.toContain(token);
  });

  it('without SMTP: 404 mail_not_configured, pointing at the operator’s command', async () => {
    const plain = await startTestApp();
    try {
      const res = await plain.request(undefined, 'POST', '/auth/password-reset', {
        email: 'owner@example.com',
      });
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('mail_not_configured');
      expect(res.json().message).toContain('npm run reset-password');
    } finally {
      await plain.close();
    }
  });
});

describe("the operator's route", () => {
  const ask = (email: string, headers: Record<string, string>, remoteAddress = '127.0.0.1') =>
    t.app.inject({
      method: 'POST',
      url: '/operator/password-reset',
      remoteAddress,
      headers,
      payload: { email },
    });
  const bearer = { authorization: `Bearer ${OPERATOR_TOKEN}` };

  it('issues a link for the operator token from this machine, and nothing for anyone else', async () => {
    const user = await t.userWithRole('viewer');
    expect((await ask(user.email, {})).statusCode).toBe(401);
    expect((await ask(user.email, { authorization: `Bearer ${OPERATOR_TOKEN}x` })).statusCode).toBe(401);
    expect((await ask(user.email, bearer, '10.0.0.1')).statusCode).toBe(403);
    expect((await ask(user.email, { ...bearer, 'x-forwarded-for': '203.0.113.9' })).statusCode).toBe(403);
    const unknown = await ask('nobody-at-all@example.com', bearer);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().message).toBe('No user has the email nobody-at-all@example.com');

    const res = await ask(user.email, bearer);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ email: user.email });
    expect(res.json().link.startsWith(`${OPERATOR_ORIGIN}/reset-password/`)).toBe(true);
    expect((await complete(linkToken(res.json().link), 'operator-pass-1')).statusCode).toBe(204);
    expect((await t.login(user.email, 'operator-pass-1')).length).toBeGreaterThan(0);
  });

  it('is not in the OpenAPI document, and does not exist without a token', async () => {
    const doc = (await t.request(undefined, 'GET', '/openapi.json')).json();
    expect(Object.keys(doc.paths).some((path) => path.startsWith('/operator'))).toBe(false);
    const plain = await startTestApp();
    try {
      const res = await plain.app.inject({
        method: 'POST',
        url: '/operator/password-reset',
        headers: bearer,
        payload: { email: 'owner@example.com' },
      });
      expect(res.statusCode).toBe(404);
    } finally {
      await plain.close();
    }
  });
});
