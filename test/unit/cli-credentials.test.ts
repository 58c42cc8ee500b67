import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { credentialsFile, resolveCredentials, saveCredentials } from '../../src/cli/credentials.ts';

const configHome = mkdtempSync(join(tmpdir(), 'switchboard-credentials-'));
afterAll(() => rmSync(configHome, { recursive: true, force: true }));
const env = (more: Record<string, string> = {}) => ({ XDG_CONFIG_HOME: configHome, ...more });

describe('credentials', () => {
  it('without any, say how to give them', () => {
    expect(() => resolveCredentials(env())).toThrow(
      /set SWITCHBOARD_URL and SWITCHBOARD_API_KEY, or run `switchboard login`/,
    );
  });

  it('login saves them readable by the user only, even over an older file', () => {
    const file = credentialsFile(env());
    expect(file).toBe(join(configHome, 'switchboard', 'credentials.json'));
    saveCredentials(env(), { url: 'http://a.example', apiKey: 'sb_one' });
    writeFileSync(file, readFileSync(file), { mode: 0o644 });
    saveCredentials(env(), { url: 'http://a.example', apiKey: 'sb_two' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(configHome, 'switchboard')).mode & 0o777).toBe(0o700);
    expect(resolveCredentials(env())).toEqual({ url: 'http://a.example', apiKey: 'sb_two' });
  });

  it('the environment’s key wins, and needs its URL', () => {
    expect(
      resolveCredentials(env({ SWITCHBOARD_URL: 'https://b.example/', SWITCHBOARD_API_KEY: 'sb_env' })),
    ).toEqual({ url: 'https://b.example', apiKey: 'sb_env' });
    expect(() => resolveCredentials(env({ SWITCHBOARD_API_KEY: 'sb_env' }))).toThrow(
      /SWITCHBOARD_URL is not/,
    );
  });

  it('the saved key is never sent to another address than its own', () => {
    expect(() => resolveCredentials(env({ SWITCHBOARD_URL: 'http://elsewhere.example' }))).toThrow(
      /The saved key is for http:\/\/a\.example/,
    );
    expect(resolveCredentials(env({ SWITCHBOARD_URL: 'http://a.example/' })).apiKey).toBe('sb_two');
  });

  it('an address must be http(s)', () => {
    expect(() => resolveCredentials({ SWITCHBOARD_URL: 'localhost:3000', SWITCHBOARD_API_KEY: 'k' })).toThrow(
      /SWITCHBOARD_URL must start with http/,
    );
    expect(() => resolveCredentials({ SWITCHBOARD_URL: 'not a url', SWITCHBOARD_API_KEY: 'k' })).toThrow(
      /SWITCHBOARD_URL is not an address/,
    );
  });
});
