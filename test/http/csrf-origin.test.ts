// The CSRF check compares whole origins: scheme, host and port. Another port on the same host is
// another site to a browser (any local dev server), and so is the same host over another scheme.
// `app.inject` requests arrive at http://localhost:80.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const createOrg = (headers: Record<string, string>) =>
  t.request(t.owner.cookie, 'POST', '/orgs', { name: 'Cross-origin attempt' }, headers);

describe('the CSRF check compares scheme, host and port', () => {
  it.each([
    ['another port', { origin: 'http://localhost:8080' }],
    ['another scheme', { origin: 'https://localhost:80' }],
    ['another scheme, default port', { origin: 'https://localhost' }],
    ['another port, by Referer', { referer: 'http://localhost:8080/dashboard' }],
    ['another scheme, by Referer', { referer: 'https://localhost:80/dashboard' }],
  ])('refuses an origin that differs only by %s with 403', async (_what, headers) => {
    const res = await createOrg(headers);
    expect(res.statusCode).toBe(403);
    expect(res.json().message).toContain('Cross-site');
  });

  it.each([
    ['null', { origin: 'null' }],
    ['a data: page', { origin: 'data:text/html,x' }],
    ['not a URL', { referer: 'not a url' }],
  ])('refuses an origin that is no address (%s), saying so', async (_what, headers) => {
    const res = await createOrg(headers);
    expect(res.statusCode).toBe(403);
    expect(res.json().message).toMatch(/^Cross-site request refused: an origin that is not an address \("/);
  });

  it('accepts the server’s own origin, by Origin and by Referer', async () => {
    expect((await createOrg({ origin: 'http://localhost:80' })).statusCode).toBe(201);
    // As a browser sends them to a server on port 3000.
    const atPort3000 = { host: 'localhost:3000', referer: 'http://localhost:3000/dashboard' };
    expect((await createOrg(atPort3000)).statusCode).toBe(201);
    expect((await createOrg({ ...atPort3000, referer: 'http://localhost:80/dashboard' })).statusCode).toBe(
      403,
    );
  });
});
