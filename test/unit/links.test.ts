// Links that carry a token: masked in the log, and the operator file's loopback address.
import { describe, expect, it } from 'vitest';
import { maskLinkToken } from '../../src/http/links.ts';
import { loopbackUrl } from '../../src/http/operator.ts';

describe('maskLinkToken', () => {
  it.each([
    ['/invitations/abc_DEF-123', '/invitations/<token>'],
    ['/invitations/abc/accept', '/invitations/<token>/accept'],
    ['/invitations/abc?x=1', '/invitations/<token>?x=1'],
    ['/reset-password/abc', '/reset-password/<token>'],
    ['/auth/password-reset/abc', '/auth/password-reset/<token>'],
    // Not a token: the route that asks for a link, and an organization's invitation ids.
    ['/auth/password-reset', '/auth/password-reset'],
    [
      '/orgs/5b2f7f6e-0000-4000-8000-000000000000/invitations/6c2f7f6e-0000-4000-8000-000000000000',
      '/orgs/5b2f7f6e-0000-4000-8000-000000000000/invitations/6c2f7f6e-0000-4000-8000-000000000000',
    ],
    ['/assistants/abc', '/assistants/abc'],
  ])('%s → %s', (url, masked) => {
    expect(maskLinkToken(url)).toBe(masked);
  });
});

describe('loopbackUrl', () => {
  it.each([
    [{ address: '0.0.0.0', family: 'IPv4', port: 3000 }, 'http://127.0.0.1:3000'],
    [{ address: '::', family: 'IPv6', port: 3000 }, 'http://[::1]:3000'],
    [{ address: '127.0.0.1', family: 'IPv4', port: 41234 }, 'http://127.0.0.1:41234'],
    [{ address: '::1', family: 'IPv6', port: 80 }, 'http://[::1]:80'],
  ])('%o → %s', (address, url) => {
    expect(loopbackUrl(address)).toBe(url);
  });
});
