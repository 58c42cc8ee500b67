// The master key of the stored provider keys, as an operator meets it: a wrong key stops the
// start with one line, production refuses to start without one, and `npm run rotate-secrets`
// moves every stored key to a new master key.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VapiEmulator } from '../../src/providers/vapi/emulator/emulator.ts';
import { listeningUrl, startServer, stopStartedProcesses, tracked } from '../helpers/server-process.ts';

const KEY = 'secrets-process-vapi-key';
const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-secrets-'));
const oldKey = randomBytes(32).toString('base64');
const newKey = randomBytes(32).toString('base64');
let emulator: VapiEmulator;
let env: Record<string, string>;

beforeAll(async () => {
  emulator = new VapiEmulator(KEY);
  env = { DATA_DIR: dataDir, VAPI_API_KEY: KEY, VAPI_BASE_URL: await emulator.listen() };
});
afterEach(() => stopStartedProcesses());
afterAll(async () => {
  await emulator.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Starts, waits until it listens (or exits), and stops it; returns its exit code and output. */
async function startAndStop(extra: Record<string, string>) {
  const server = startServer({ ...env, ...extra });
  try {
    await Promise.race([listeningUrl(server), server.exited]);
  } finally {
    server.child.kill('SIGTERM');
  }
  return { code: await server.exited, output: server.output() };
}

function rotateSecrets(extra: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = tracked(
    spawn(process.execPath, ['--import', 'tsx', 'src/secrets/rotate-secrets.ts'], {
      env: { PATH: process.env.PATH, ...env, ...extra },
    }),
  );
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })));
}

describe('master keys', () => {
  it('production refuses to start without SECRETS_KEY, in one line', async () => {
    const { code, output } = await startAndStop({ NODE_ENV: 'production' });
    expect(code).toBe(1);
    expect(output.trim().split('\n')).toEqual([
      'Configuration error: SECRETS_KEY must be set when NODE_ENV=production (32 random bytes in base64)',
    ]);
  }, 60_000);

  it('a wrong master key stops the start with one line; rotate-secrets moves the keys to a new one', async () => {
    const first = await startAndStop({ SECRETS_KEY: oldKey });
    expect(first.code, first.output).toBe(0);

    const wrong = await startAndStop({ SECRETS_KEY: newKey });
    expect(wrong.code).toBe(1);
    const lastLine = wrong.output.trim().split('\n').at(-1) ?? '';
    expect(lastLine).toMatch(/^Secrets error: .*neither SECRETS_KEY nor SECRETS_KEY_PREVIOUS/);
    expect(wrong.output).not.toMatch(/\n\s+at /);
    expect(wrong.output).not.toContain(newKey);

    const rotated = await rotateSecrets({ SECRETS_KEY: newKey, SECRETS_KEY_PREVIOUS: oldKey });
    expect(rotated.output).toMatch(/re-wrapped 1 provider key/);
    expect(rotated.code).toBe(0);

    const after = await startAndStop({ SECRETS_KEY: newKey });
    expect(after.code, after.output).toBe(0);
    const old = await startAndStop({ SECRETS_KEY: oldKey });
    expect(old.code).toBe(1);
  }, 120_000);
});
