import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.ts';

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
    expect(loadConfig({ NODE_ENV: 'production' }).cookieSecure).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production', COOKIE_SECURE: 'false' }).cookieSecure).toBe(false);
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
