import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.ts';

// Any 32 bytes will do for the tests; base64 of them is what `openssl rand -base64 32` prints.
const SECRETS_KEY = Buffer.alloc(32, 7).toString('base64');

function problems(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it('has working defaults for every setting', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      dataDir: './.data',
      databaseUrl: undefined,
      vapiApiKey: undefined,
      vapiBaseUrl: 'https://api.vapi.ai',
      adminOrg: 'Default',
      cookieSecure: false,
      sessionTtlHours: 168,
      providerTimeoutMs: 10_000,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('turns COOKIE_SECURE on in production unless told otherwise', () => {
    const production = { NODE_ENV: 'production', SECRETS_KEY };
    expect(loadConfig(production).cookieSecure).toBe(true);
    expect(loadConfig({ ...production, COOKIE_SECURE: 'false' }).cookieSecure).toBe(false);
  });

  it('reads the master keys as bytes, in base64 or base64url', () => {
    const key = Buffer.alloc(32, 0xfb);
    const config = loadConfig({
      SECRETS_KEY: key.toString('base64'),
      SECRETS_KEY_PREVIOUS: key.toString('base64url'),
    });
    expect(config.secretsKey).toEqual(key);
    expect(config.secretsKeyPrevious).toEqual(key);
    expect(loadConfig({}).secretsKey).toBeUndefined();
  });

  it('requires SECRETS_KEY in production', () => {
    expect(problems({ NODE_ENV: 'production' })).toEqual([
      'SECRETS_KEY must be set when NODE_ENV=production (32 random bytes in base64)',
    ]);
  });

  it.each([
    ['too short', Buffer.alloc(16, 1).toString('base64')],
    ['too long', Buffer.alloc(33, 1).toString('base64')],
    ['not base64', `${SECRETS_KEY.slice(0, -2)}!=`],
  ])('refuses a SECRETS_KEY that is %s, without echoing it', (_, value) => {
    const expected = 'must be 32 random bytes in base64 (e.g. `openssl rand -base64 32`)';
    for (const name of ['SECRETS_KEY', 'SECRETS_KEY_PREVIOUS']) {
      const lines = problems({ NODE_ENV: 'production', SECRETS_KEY, [name]: value });
      expect(lines).toEqual([`${name} ${expected}`]);
      expect(lines[0]).not.toContain(value);
    }
  });

  it('offers the sandbox unless SANDBOX turns it off', () => {
    expect(loadConfig({}).sandbox).toBe(true);
    for (const off of ['off', 'false', '0', 'no']) expect(loadConfig({ SANDBOX: off }).sandbox).toBe(false);
    expect(problems({ SANDBOX: 'later' })).toEqual(['SANDBOX must be true or false, got "later"']);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT must be an integer from 0 to 65535, got "abc"'],
    [{ PORT: '70000' }, 'PORT must be an integer from 0 to 65535, got "70000"'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL must be a postgres:// or postgresql:// URL'],
    [{ COOKIE_SECURE: 'maybe' }, 'COOKIE_SECURE must be true or false, got "maybe"'],
    [{ SESSION_TTL_HOURS: '0' }, 'SESSION_TTL_HOURS must be an integer from 1 to 8760, got "0"'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent'],
    [{ ADMIN_EMAIL: 'a@b.c' }, 'ADMIN_EMAIL and ADMIN_PASSWORD must be set together'],
    [{ VAPI_BASE_URL: 'ftp://x' }, 'VAPI_BASE_URL must be an http(s) URL, got "ftp://x"'],
  ])('%j is refused with one line naming it', (env, message) => {
    expect(problems(env)).toEqual([message]);
  });

  it('reports every bad setting, each on its own line', () => {
    expect(problems({ PORT: 'x', PROVIDER_TIMEOUT_MS: 'y' })).toHaveLength(2);
  });
});
