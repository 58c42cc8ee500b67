// `npm run reset-password -- EMAIL` against the real server process on embedded PGlite: through the
// running server (PGlite allows one process per data folder), and on its own once the server has
// stopped, or died and left its operator.json behind. Also: the first owner's password is printed
// even when LOG_LEVEL hides warnings.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { projectPath } from '../../src/config/paths.ts';
import {
  commandResult,
  listeningUrl,
  type Running,
  signIn,
  startServer,
  stopStartedProcesses,
  tracked,
} from '../helpers/server-process.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-reset-'));
const operatorFile = join(dataDir, 'operator.json');
afterEach(() => stopStartedProcesses());
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function start(env: Record<string, string> = {}): Running {
  return startServer({ DATA_DIR: dataDir, ...env });
}

/** Runs the command as `npm run reset-password -- EMAIL` does. */
function resetPassword(email: string, env: Record<string, string> = {}) {
  const child = tracked(
    spawn(process.execPath, ['--import', 'tsx', 'src/auth/reset-password-command.ts', email], {
      cwd: projectPath(),
      env: { PATH: process.env.PATH, DATA_DIR: dataDir, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  return commandResult(child);
}

function linkIn(output: string): URL {
  const link = /^(http\S+\/reset-password\/[\w-]{43})$/m.exec(output)?.[1];
  if (!link) throw new Error(`no link in:\n${output}`);
  return new URL(link);
}

async function setPassword(url: string, link: URL, password: string) {
  const token = link.pathname.split('/').at(-1);
  const res = await fetch(`${url}/auth/password-reset/${token}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ password }),
  });
  return res.status;
}

async function waitFor(condition: () => boolean, what: string, server: Running) {
  const deadline = Date.now() + 60_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen:\n${server.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('reset-password', () => {
  it('prints the first owner’s password even when LOG_LEVEL hides warnings', async () => {
    const server = start({ LOG_LEVEL: 'error' });
    await waitFor(() => existsSync(operatorFile), 'the operator file', server);
    const line = server
      .output()
      .split('\n')
      .find((l) => l.includes('with password'));
    expect(line).toMatch(/^first owner created: admin@localhost with password \S+ \(shown once\)$/);
    expect(statSync(operatorFile).mode & 0o777).toBe(0o600);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    // A graceful stop takes the operator file with it.
    expect(existsSync(operatorFile)).toBe(false);
  });

  it('while the server runs: the command gets a link from it, and the link sets the password', async () => {
    const server = start();
    const url = await listeningUrl(server);
    await waitFor(() => existsSync(operatorFile), 'the operator file', server);
    const operator = JSON.parse(readFileSync(operatorFile, 'utf8'));
    expect(operator).toEqual({ url, token: expect.stringMatching(/^[\w-]{43}$/), pid: server.child.pid });

    const issued = await resetPassword('Admin@Localhost');
    expect(issued.stderr).toBe('');
    expect(issued.code).toBe(0);
    const link = linkIn(issued.stdout);
    expect(link.origin).toBe(`http://localhost:${new URL(url).port}`);
    expect(await setPassword(url, link, 'reset-while-running-1')).toBe(204);
    expect(await setPassword(url, link, 'reset-while-running-2')).toBe(410);
    expect(await signIn(url, 'admin@localhost', 'reset-while-running-1')).toMatch(/^auth-token=/);
    expect(server.output()).toContain('operator issued a password reset link');
    expect(server.output()).not.toContain(link.pathname.split('/').at(-1));

    const unknown = await resetPassword('nobody@localhost');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe('No user has the email nobody@localhost');
    expect(unknown.stdout).toBe('');

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('with the server stopped, or dead with its operator file left behind: the command opens the database', async () => {
    expect(existsSync(operatorFile)).toBe(false);
    const stopped = await resetPassword('admin@localhost', { PUBLIC_URL: 'https://switchboard.example.com' });
    expect(stopped.stderr).toBe('');
    expect(stopped.code).toBe(0);
    const first = linkIn(stopped.stdout);
    expect(first.origin).toBe('https://switchboard.example.com');
    const unknown = await resetPassword('nobody@localhost');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe('No user has the email nobody@localhost');

    // A server killed outright leaves its operator.json; the command sees it is gone.
    const crashed = start();
    await listeningUrl(crashed);
    // The file is written just after the server starts listening.
    await waitFor(() => existsSync(operatorFile), 'the operator file', crashed);
    crashed.child.kill('SIGKILL');
    await crashed.exited;
    expect(existsSync(operatorFile)).toBe(true);
    const afterCrash = await resetPassword('admin@localhost', { PORT: '4321' });
    expect(afterCrash.stderr).toBe('');
    expect(afterCrash.code).toBe(0);
    const second = linkIn(afterCrash.stdout);
    expect(second.origin).toBe('http://localhost:4321');

    const server = start();
    const url = await listeningUrl(server);
    // The newer link replaced the one issued while stopped.
    expect(await setPassword(url, first, 'reset-while-stopped-1')).toBe(410);
    expect(await setPassword(url, second, 'reset-while-stopped-1')).toBe(204);
    expect(await signIn(url, 'admin@localhost', 'reset-while-stopped-1')).toMatch(/^auth-token=/);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });
});
