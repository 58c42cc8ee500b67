// The `switchboard` command as a user runs it: the built bin (dist/switchboard.js) as a child
// process, against a real server process, in a real temporary folder. One server for the file; the
// tests run in order and build on each other's files, as a team's repository does.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Assistant } from '../../src/cli/api.ts';
import { closedPort } from '../helpers/ports.ts';
import {
  api,
  type CommandResult,
  commandResult,
  listeningUrl,
  signIn,
  startServer,
  stopStartedProcesses,
  tracked,
} from '../helpers/server-process.ts';

const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
const BIN = new URL(`../../${manifest.bin.switchboard}`, import.meta.url).pathname;

const OWNER = { email: 'owner@cli.example', password: 'owner-password-1' };
const SYSTEM_PROMPT = 'You are the support line of Example Co.\nAnswer in two sentences at most.\n';
const ISO_8601 = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/;

const root = mkdtempSync(join(tmpdir(), 'switchboard-cli-'));
const dir = join(root, 'assistants');
let url: string;
let cookie: string;
let staging: { orgId: string; key: string };
let production: { orgId: string; key: string; connectionId: string };

/** Runs the built command with `env` (nothing of the test's own environment but PATH). */
function switchboard(args: string[], env: Record<string, string> = {}, stdin = ''): Promise<CommandResult> {
  const child = tracked(
    spawn(process.execPath, [BIN, ...args], {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: root, XDG_CONFIG_HOME: join(root, 'config'), ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    }),
  );
  child.stdin.end(stdin);
  return commandResult(child);
}

const as = (org: { key: string }) => ({ SWITCHBOARD_URL: url, SWITCHBOARD_API_KEY: org.key });
const file = (name: string) => join(dir, name);
const readLock = () => JSON.parse(readFileSync(file('switchboard.lock.json'), 'utf8'));

async function assistantsOf(org: { key: string }) {
  const res = await fetch(`${url}/assistants?limit=100`, { headers: { authorization: `Bearer ${org.key}` } });
  const page = (await res.json()) as { items: Assistant[] };
  return Object.fromEntries(page.items.map((a) => [a.name as string, a]));
}

async function createApiKey(orgId: string, name: string, role: string): Promise<string> {
  const res = await api(url, cookie, 'POST', `/orgs/${orgId}/api-keys`, { name, role });
  expect(res.status).toBe(201);
  return res.body.secret;
}

async function createAssistant(name: string, temperature: number) {
  const res = await api(url, cookie, 'POST', '/assistants', {
    name,
    model: { provider: 'openai', model: 'gpt-4o', temperature, systemPrompt: SYSTEM_PROMPT },
    voice: { provider: 'openai', voiceId: 'alloy' },
  });
  expect(res.status).toBe(201);
}

beforeAll(async () => {
  const server = startServer({
    DATA_DIR: join(root, 'data'),
    ADMIN_EMAIL: OWNER.email,
    ADMIN_PASSWORD: OWNER.password,
    ADMIN_ORG: 'Staging',
  });
  url = await listeningUrl(server);
  cookie = await signIn(url, OWNER.email, OWNER.password);
  const me = await api(url, cookie, 'GET', '/auth/me');
  staging = { orgId: me.body.activeOrgId, key: '' };
  staging.key = await createApiKey(staging.orgId, 'staging-ci', 'admin');
  const org = await api(url, cookie, 'POST', '/orgs', { name: 'Production' });
  const connection = await api(url, cookie, 'POST', `/orgs/${org.body.orgId}/connections`, {
    provider: 'sandbox',
    name: 'Live lines',
  });
  production = {
    orgId: org.body.orgId,
    key: await createApiKey(org.body.orgId, 'production-ci', 'editor'),
    connectionId: connection.body.id,
  };
  await createAssistant('Support Bot', 0.7);
  await createAssistant('Sales', 0.5);
}, 120_000);

afterAll(async () => {
  await stopStartedProcesses();
  rmSync(root, { recursive: true, force: true });
});

describe('switchboard --help', () => {
  it('describes every subcommand', async () => {
    const overview = await switchboard(['--help']);
    expect(overview.code).toBe(0);
    for (const command of ['login', 'pull', 'plan', 'apply']) {
      expect(overview.stdout).toContain(`  ${command} `);
      const help = await switchboard([command, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^Usage: switchboard ${command}`));
    }
    const unknown = await switchboard(['pull', '--frce']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('--frce');
  });
});

describe('switchboard login', () => {
  it('checks the key, saves it with mode 0600, and never shows it', async () => {
    const login = await switchboard(['login', '--url', url], {}, `${staging.key}\n`);
    expect(login.code).toBe(0);
    expect(login.stdout).toContain('API key "staging-ci" of organization "Staging"');
    const saved = join(root, 'config', 'switchboard', 'credentials.json');
    expect(statSync(saved).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(saved, 'utf8'))).toEqual({ url, apiKey: staging.key });
    expect(login.stdout + login.stderr).not.toContain(staging.key);

    // Later runs use the saved key without any setting.
    const plan = await switchboard(['plan', root]);
    expect(plan.stdout).toContain('organization "Staging"');
    rmSync(saved);
  });

  it('saves nothing for a key the server refuses, and says so', async () => {
    const login = await switchboard(
      ['login', '--url', url],
      { XDG_CONFIG_HOME: join(root, 'other') },
      'sb_wrong',
    );
    expect(login.code).toBe(1);
    expect(login.stderr).toMatch(/refused the API key \(401/);
    expect(existsSync(join(root, 'other', 'switchboard', 'credentials.json'))).toBe(false);
  });
});

describe('pull, edit, plan, apply', () => {
  it('pull writes one file per assistant and the lock; a plan right after changes nothing', async () => {
    const pull = await switchboard(['pull', dir], as(staging));
    expect(pull.code).toBe(0);
    expect(pull.stdout).toContain('Pulled 2 assistants of organization "Staging"');
    const support = readFileSync(file('support-bot.yaml'), 'utf8');
    expect(support).toContain('name: Support Bot\n');
    expect(support).toContain('temperature: 0.7\n');
    expect(support).toContain('  systemPrompt: |\n    You are the support line of Example Co.\n');

    const server = await assistantsOf(staging);
    expect(readLock().organizations[staging.orgId]).toMatchObject({
      name: 'Staging',
      assistants: {
        'support-bot': {
          id: server['Support Bot']?.id,
          version: 1,
          etag: `"${server['Support Bot']?.id}.1"`,
        },
        sales: { id: server.Sales?.id, version: 1 },
      },
    });
    for (const output of [pull.stdout, pull.stderr, readFileSync(file('switchboard.lock.json'), 'utf8')])
      expect(output).not.toContain(staging.key);

    const plan = await switchboard(['plan', dir], as(staging));
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('No changes');
  });

  it('an edit: plan shows it (exit 2), apply changes only that assistant, and the lock follows', async () => {
    const edited = readFileSync(file('support-bot.yaml'), 'utf8').replace(
      'temperature: 0.7',
      'temperature: 0.2 # calmer on the phone',
    );
    writeFileSync(file('support-bot.yaml'), edited);

    const plan = await switchboard(['plan', dir], as(staging));
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain('~ support-bot.yaml: update "Support Bot"');
    expect(plan.stdout).toContain('model.temperature: 0.7 → 0.2');
    expect(plan.stdout).not.toContain('sales.yaml');
    expect(plan.stdout).not.toContain('\u001b['); // no colour without a terminal

    // Without a terminal to confirm on, apply sends nothing and says how to go on.
    const unconfirmed = await switchboard(['apply', dir], as(staging));
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.stderr).toContain('Pass --yes');
    expect((await assistantsOf(staging))['Support Bot']?.version).toBe(1);

    const apply = await switchboard(['apply', dir, '--yes'], as(staging));
    expect(apply.code).toBe(0);
    const server = await assistantsOf(staging);
    expect(server['Support Bot']).toMatchObject({
      version: 2,
      model: { temperature: 0.2, systemPrompt: SYSTEM_PROMPT, model: 'gpt-4o' },
    });
    expect(server.Sales?.version).toBe(1);
    expect(readLock().organizations[staging.orgId].assistants['support-bot'].version).toBe(2);
    expect(readFileSync(file('support-bot.yaml'), 'utf8')).toContain('# calmer on the phone');

    expect((await switchboard(['plan', dir], as(staging))).code).toBe(0);
  });

  it('a change on the server since the pull: apply leaves it, says who and when, and applies the rest', async () => {
    const sales = (await assistantsOf(staging)).Sales as Assistant;
    const dashboardEdit = await api(url, cookie, 'PATCH', `/assistants/${sales.id}`, {
      firstMessage: 'Hello from the dashboard',
    });
    expect(dashboardEdit.status).toBe(200);
    writeFileSync(
      file('sales.yaml'),
      readFileSync(file('sales.yaml'), 'utf8').replace('model: gpt-4o', 'model: gpt-4o-mini'),
    );
    writeFileSync(
      file('billing.yaml'),
      '# Billing questions\nname: Billing\nmodel:\n  provider: anthropic\n  model: claude-3-5-sonnet-20241022\nvoice:\n  provider: openai\n  voiceId: nova\n',
    );

    const plan = await switchboard(['plan', dir], as(staging));
    expect(plan.code).toBe(1);
    expect(plan.stdout).toMatch(/! sales\.yaml: conflict: changed on the server since the pull/);
    expect(plan.stdout).toContain(`by ${OWNER.email} at`);
    expect(plan.stdout).toContain('+ billing.yaml: create "Billing"');

    const apply = await switchboard(['apply', dir, '--yes'], as(staging));
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain('sales.yaml: not applied');
    expect(apply.stderr).toContain(`version 2 by ${OWNER.email} at `);
    expect(apply.stderr).toMatch(ISO_8601);
    const server = await assistantsOf(staging);
    expect(server.Sales).toMatchObject({
      version: 2,
      firstMessage: 'Hello from the dashboard',
      model: { model: 'gpt-4o' },
    });
    expect(server.Billing).toMatchObject({ version: 1, model: { provider: 'anthropic' } });
    expect(readLock().organizations[staging.orgId].assistants.billing.id).toBe(server.Billing?.id);
  });

  it('pull refuses to overwrite an edit, and with --force takes the server’s version keeping comments', async () => {
    const refused = await switchboard(['pull', dir], as(staging));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('sales.yaml: has changes that were never applied');
    expect(readFileSync(file('sales.yaml'), 'utf8')).toContain('gpt-4o-mini');

    writeFileSync(
      file('sales.yaml'),
      `# Owned by the sales team\n${readFileSync(file('sales.yaml'), 'utf8')}`,
    );
    const forced = await switchboard(['pull', dir, '--force'], as(staging));
    expect(forced.code).toBe(0);
    const sales = readFileSync(file('sales.yaml'), 'utf8');
    expect(sales).toMatch(/^# Owned by the sales team\n/);
    expect(sales).toContain('firstMessage: Hello from the dashboard');
    expect(sales).toContain('model: gpt-4o\n');
    expect(readFileSync(file('billing.yaml'), 'utf8')).toMatch(/^# Billing questions\n/);
    expect((await switchboard(['plan', dir], as(staging))).code).toBe(0);
  });

  it('a 412 (a change between the plan and the update): who changed it and when, nothing overwritten', async () => {
    const script = await createApiKey(staging.orgId, 'dashboard-script', 'editor');
    const support = (await assistantsOf(staging))['Support Bot'] as Assistant;
    const change = await fetch(`${url}/assistants/${support.id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${script}`, 'content-type': 'application/json' },
      body: JSON.stringify({ firstMessage: 'Changed by a script' }),
    });
    expect(change.status).toBe(200);
    // The lock as a plan that read just before that change would have left it: the new version
    // number, the old ETag. Only the server's If-Match check can stop this update.
    const lock = readLock();
    lock.organizations[staging.orgId].assistants['support-bot'].version = support.version + 1;
    writeFileSync(file('switchboard.lock.json'), JSON.stringify(lock));
    const edited = readFileSync(file('support-bot.yaml'), 'utf8');
    writeFileSync(file('support-bot.yaml'), edited.replace('temperature: 0.2', 'temperature: 0.3'));

    const apply = await switchboard(['apply', dir, '--yes'], as(staging));
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain(
      `support-bot.yaml: not applied: the assistant changed on the server since the pull (version ${support.version + 1} by dashboard-script at `,
    );
    expect(apply.stderr).toMatch(ISO_8601);
    expect(apply.stderr).not.toContain(script);
    expect((await assistantsOf(staging))['Support Bot']).toMatchObject({
      version: support.version + 1,
      firstMessage: 'Changed by a script',
      model: { temperature: 0.2 },
    });

    expect((await switchboard(['pull', dir, '--force'], as(staging))).code).toBe(0);
    expect((await switchboard(['plan', dir], as(staging))).code).toBe(0);
  });

  it('a value the server refuses: apply names the file, the line and the field', async () => {
    const original = readFileSync(file('billing.yaml'), 'utf8');
    writeFileSync(
      file('billing.yaml'),
      original.replace('  model: claude', '  temperature: 5\n  model: claude'),
    );
    const apply = await switchboard(['apply', dir, '--yes'], as(staging));
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain('billing.yaml:5: model.temperature must be at most 2');
    expect((await assistantsOf(staging)).Billing?.version).toBe(1);
    writeFileSync(file('billing.yaml'), original);
  });
});

describe('a broken file', () => {
  it('names the file, the line and the problem, and sends nothing', async () => {
    writeFileSync(
      file('broken.yaml'),
      'name: Broken\nmodel:\n  provider: openai\n  model: [gpt-4o\nvoice: {}\n',
    );
    const before = await assistantsOf(staging);
    const apply = await switchboard(['apply', dir, '--yes'], as(staging));
    expect(apply.code).toBe(1);
    expect(apply.stderr).toMatch(/^broken\.yaml:\d+: \S/);
    expect(apply.stderr).toContain('Nothing was sent');
    expect(await assistantsOf(staging)).toEqual(before);

    // The files are read before any request: an address that answers nothing changes no word.
    const port = await closedPort();
    const offline = await switchboard(['plan', dir], {
      ...as(staging),
      SWITCHBOARD_URL: `http://127.0.0.1:${port}`,
    });
    expect(offline.stderr).toBe(apply.stderr);

    writeFileSync(file('broken.yaml'), 'name: Broken\nmodel:\n  provider: openai\n  modle: gpt-4o\n');
    const unknown = await switchboard(['plan', dir], as(staging));
    expect(unknown.stderr).toContain('broken.yaml:4: model.modle is not a field an assistant file has');
    rmSync(file('broken.yaml'));
  });
});

describe('promotion to another organization', () => {
  it('applies the files with its key, by slug, new ones on --connection, leaving the first organization’s lock', async () => {
    // Production already has a Sales of its own: matched by slug and updated, not duplicated.
    const existing = await fetch(`${url}/assistants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${production.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Sales',
        model: { provider: 'openai', model: 'gpt-4o', temperature: 1.5 },
        voice: { provider: 'openai', voiceId: 'alloy' },
      }),
    });
    const productionSales = (await existing.json()) as { id: string };
    const stagingLock = readLock().organizations[staging.orgId];
    const stagingBefore = await assistantsOf(staging);

    const plan = await switchboard(['plan', dir, '--connection', 'Live lines'], as(production));
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain('+ support-bot.yaml: create "Support Bot" on connection "Live lines"');
    expect(plan.stdout).toContain('~ sales.yaml: update "Sales"');

    const apply = await switchboard(['apply', dir, '--yes', '--connection', 'Live lines'], as(production));
    expect(apply.code).toBe(0);
    const promoted = await assistantsOf(production);
    expect(Object.keys(promoted).sort()).toEqual(['Billing', 'Sales', 'Support Bot']);
    expect(promoted.Sales).toMatchObject({
      id: productionSales.id,
      firstMessage: 'Hello from the dashboard',
    });
    expect(promoted['Support Bot']).toMatchObject({
      connectionId: production.connectionId,
      model: { temperature: 0.2, systemPrompt: SYSTEM_PROMPT },
    });
    expect(promoted.Billing?.connectionId).toBe(production.connectionId);

    const lock = readLock();
    expect(lock.organizations[staging.orgId]).toEqual(stagingLock);
    expect(lock.organizations[production.orgId].assistants.sales.id).toBe(productionSales.id);
    expect(await assistantsOf(staging)).toEqual(stagingBefore);
    expect((await switchboard(['plan', dir], as(production))).code).toBe(0);
    expect((await switchboard(['plan', dir], as(staging))).code).toBe(0);
  });
});

describe('deleting', () => {
  it('never without --prune; with it, only what the lock recorded for that organization', async () => {
    rmSync(file('billing.yaml'));
    const plan = await switchboard(['plan', dir], as(staging));
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('billing.yaml is gone; its assistant');
    expect((await switchboard(['apply', dir, '--yes'], as(staging))).code).toBe(0);
    expect(await assistantsOf(staging)).toHaveProperty('Billing');

    const pruned = await switchboard(['apply', dir, '--yes', '--prune'], as(staging));
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toContain('- billing.yaml: delete assistant');
    expect(await assistantsOf(staging)).not.toHaveProperty('Billing');
    expect(readLock().organizations[staging.orgId].assistants).not.toHaveProperty('billing');
    expect(await assistantsOf(production)).toHaveProperty('Billing');
  });
});

describe('errors in words', () => {
  it('a wrong key and an address that does not answer say which', async () => {
    const wrongKey = await switchboard(['plan', dir], {
      SWITCHBOARD_URL: url,
      SWITCHBOARD_API_KEY: 'sb_nope',
    });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toContain(`Switchboard at ${url} refused the API key (401`);

    const port = await closedPort();
    const nobody = await switchboard(['plan', dir], {
      ...as(staging),
      SWITCHBOARD_URL: `http://127.0.0.1:${port}`,
    });
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toContain(`Could not reach Switchboard at http://127.0.0.1:${port}`);
    expect(nobody.stderr).not.toContain(staging.key);
  });

  it('a connection that does not exist is named, with the ones that do', async () => {
    const plan = await switchboard(['plan', dir, '--connection', 'Nope'], as(production));
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain('No connection "Nope" in this organization (its connections: ');
    expect(plan.stderr).toContain('"Live lines"');
  });
});
