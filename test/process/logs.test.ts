// `npm start`'s log lines: readable on a terminal, one JSON object a line otherwise.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { npmStartArgs } from '../../scripts/npm-start.ts';
import { listeningUrl, startServer } from '../helpers/server-process.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-logs-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('log lines', () => {
  it('are JSON when stdout is not a terminal', async () => {
    const server = startServer({ DATA_DIR: dataDir });
    try {
      await listeningUrl(server);
      const first = server.output().split('\n')[0] ?? '';
      expect(JSON.parse(first)).toMatchObject({ level: expect.any(Number), msg: expect.any(String) });
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  }, 60_000);

  it.skipIf(!existsSync('/usr/bin/script'))(
    'are readable lines on a terminal',
    async () => {
      // util-linux `script` runs the server on a pseudo-terminal.
      const command = [process.execPath, ...npmStartArgs()].map((part) => `'${part}'`).join(' ');
      const child = spawn('script', ['-qfec', command, '/dev/null'], {
        env: {
          PATH: process.env.PATH,
          DATA_DIR: dataDir,
          PORT: '0',
          HOST: '127.0.0.1',
          SYNC_INTERVAL_SECONDS: '0',
        },
      });
      let output = '';
      child.stdout.on('data', (chunk) => {
        output += chunk;
      });
      try {
        const deadline = Date.now() + 60_000;
        while (!output.includes('Server listening') && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(output).toMatch(/\[\d\d:\d\d:\d\d\.\d{3}\] .*INFO.*Server listening/);
        expect(output).not.toContain('{"level"');
      } finally {
        child.kill('SIGTERM');
        await new Promise((resolve) => child.once('exit', resolve));
      }
    },
    90_000,
  );
});
