// Long work in the dashboard (SPEC section 12), in a real headless Chromium against the real server
// and the Vapi emulator: a bulk change previewed (nothing sent) then run with its progress bar, "all
// matching the search", the Jobs page, cancelling a running job, and importing from a connection.
import type { BrowserContext, Page, Request } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { noFaults } from '../../src/providers/vapi/emulator/emulator.ts';
import { emulatorFetch, RICH_PROVIDER_ASSISTANT } from '../helpers/seed.ts';
import { createAssistant, finishedJob, OWNER, type TestApp } from '../helpers/test-app.ts';
import { screenshot, signIn as signInAs, withDashboard } from './browser.ts';

let t: TestApp;
let url: string;
let context: BrowserContext;
let page: Page;

withDashboard((session) => {
  ({ t, url, context, page } = session);
  t.emulator.faults = noFaults();
});

const signIn = (email?: string, password?: string) => signInAs(page, url, email, password);

const jobsNow = async (): Promise<Array<Record<string, unknown>>> =>
  (await t.request(t.owner.cookie, 'GET', '/jobs?limit=100')).json().items;

const stored = async (id: string) => (await t.request(t.owner.cookie, 'GET', `/assistants/${id}`)).json();

async function assistantsNamed(prefix: string, n: number) {
  const made = [];
  for (let i = 1; i <= n; i++)
    made.push(await createAssistant(t, t.owner.cookie, { name: `${prefix} ${i}` }));
  return made;
}

async function searchFor(text: string) {
  await page.getByLabel('Search by name').fill(text);
  await page.getByRole('button', { name: 'Search' }).click();
}

/** A new assistant named `name`, found by search and selected, with the bulk panel open for it. */
async function bulkPanelForOne(name: string) {
  await assistantsNamed(name, 1);
  await signIn();
  await searchFor(name);
  await page.getByLabel('Select all on this page').check();
  await page.getByRole('button', { name: 'Change selected…' }).click();
}

const status = (text: string | RegExp) => page.getByRole('status').filter({ hasText: text });

/** The keyboard reaches `locator`: focus moves after the render that shows it, so this waits for it. */
const expectFocused = (locator: ReturnType<Page['locator']>) =>
  expect.poll(() => locator.evaluate((element) => element === document.activeElement)).toBe(true);

const bulkRequests = (requests: Request[]) => requests.filter((r) => r.url().endsWith('/assistants/bulk'));

describe('jobs in the dashboard', () => {
  it('says there are no jobs yet, distinct from loading', async () => {
    await signIn();
    await page.getByRole('link', { name: 'Jobs' }).click();
    await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor();
    await page.getByText('No jobs yet.').waitFor();
    await expect(page.title()).resolves.toBe('Jobs · Switchboard');
  });

  it('previews a bulk change and sends nothing, then runs it: the bar reaches the end and the list shows the new model', async () => {
    const [first, second, third] = await assistantsNamed('Preview desk', 3);
    await signIn();
    await searchFor('Preview desk');
    await page.getByRole('link', { name: 'Preview desk 3' }).waitFor();
    await page.getByLabel('Select Preview desk 1').check();
    await page.getByLabel('Select Preview desk 2').check();
    await page.getByText('2 assistants selected.').waitFor();
    await page.getByRole('button', { name: 'Change selected…' }).click();
    const panel = page.getByRole('region', { name: 'Change 2 assistants' });
    await panel.waitFor();
    await expectFocused(panel.getByRole('heading', { name: 'Change 2 assistants' }));
    await panel.getByLabel('Change model').check();
    await panel.getByLabel('New model').fill('gpt-4.1');

    t.emulator.requests.length = 0;
    const jobsBefore = (await jobsNow()).length;
    const sent: Request[] = [];
    page.on('request', (r) => sent.push(r));
    await panel.getByRole('button', { name: 'Preview changes' }).click();
    const summary = status('2 assistants of 2 would change. Nothing has been sent yet.');
    await summary.waitFor();
    await expectFocused(summary);
    const table = page.getByRole('table', { name: 'Changes to Preview desk 1' });
    await expect(table.getByRole('row', { name: /Model/ }).textContent()).resolves.toMatch(
      /gpt-4o.*gpt-4\.1/,
    );
    expect(bulkRequests(sent).map((r) => r.postDataJSON())).toEqual([
      { ids: [first.id, second.id], patch: { model: { model: 'gpt-4.1' } }, dryRun: true },
    ]);
    // The dry run sent nothing to the provider and started no job.
    expect(t.emulator.received('PATCH')).toHaveLength(0);
    expect(await jobsNow()).toHaveLength(jobsBefore);
    await screenshot(page, 'bulk-preview-1280');

    await page.getByRole('button', { name: 'Run: change 2 assistants…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Change 2 assistants?' });
    await dialog.getByRole('button', { name: 'Yes, change 2 assistants' }).click();
    const done = status('Finished: 2 of 2.');
    await done.waitFor();
    await expectFocused(done);
    const bar = page.getByRole('progressbar', { name: 'Bulk change' });
    await expect(bar.evaluate((e: HTMLProgressElement) => [e.value, e.max])).resolves.toEqual([2, 2]);
    await screenshot(page, 'bulk-done-1280');
    // The list was loaded again: the two show the new model, the third the old one.
    await expect.poll(() => page.getByRole('cell', { name: 'gpt-4.1 (OpenAI)' }).count()).toBe(2);
    await expect(page.getByRole('cell', { name: 'gpt-4o (OpenAI)' }).count()).resolves.toBe(1);
    expect((await stored(first.id)).model.model).toBe('gpt-4.1');
    expect((await stored(third.id)).model.model).toBe('gpt-4o');
    expect(t.emulator.received('PATCH')).toHaveLength(2);
    await panel.getByRole('button', { name: 'Close' }).click();
    await expectFocused(page.getByLabel('Select all on this page'));
  });

  it('says when nothing would change, and offers no Run', async () => {
    await bulkPanelForOne('Already warm');
    await page.getByLabel('Change temperature').check();
    await page.getByLabel('New temperature (0–2)').fill('0.7');
    await page.getByRole('button', { name: 'Preview changes' }).click();
    await status(/^Nothing would change: the assistant already has these values/).waitFor();
    await expect(page.getByRole('button', { name: /^Run/ }).count()).resolves.toBe(0);
  });

  it('"all matching the search" sends the search, not ids, and changes only the assistants it matches', async () => {
    const sales = await assistantsNamed('Matchy sales', 2);
    const [support] = await assistantsNamed('Matchy support', 1);
    await signIn();
    await searchFor('matchy sales');
    await page.getByRole('link', { name: 'Matchy sales 2' }).waitFor();
    await page.getByRole('button', { name: 'Select all matching “matchy sales”' }).click();
    await page.getByText('All assistants matching “matchy sales” are selected.').waitFor();
    await page.getByRole('button', { name: 'Change selected…' }).click();
    await page.getByRole('heading', { name: 'Change every assistant matching “matchy sales”' }).waitFor();
    await page.getByLabel('Change first message').check();
    await page.getByLabel('New first message').fill('Hello from sales.');
    const sent: Request[] = [];
    page.on('request', (r) => sent.push(r));
    await page.getByRole('button', { name: 'Preview changes' }).click();
    await status('2 assistants of 2 would change.').waitFor();
    await page.getByRole('button', { name: 'Run: change 2 assistants…' }).click();
    await page.getByRole('button', { name: 'Yes, change 2 assistants' }).click();
    await status('Finished: 2 of 2.').waitFor();
    expect(bulkRequests(sent).map((r) => r.postDataJSON())).toEqual([
      { filter: { q: 'matchy sales' }, patch: { firstMessage: 'Hello from sales.' }, dryRun: true },
      { filter: { q: 'matchy sales' }, patch: { firstMessage: 'Hello from sales.' }, dryRun: false },
    ]);
    for (const a of sales) expect((await stored(a.id)).firstMessage).toBe('Hello from sales.');
    expect((await stored(support.id)).firstMessage).toBe('Hello, how can I help?');
  });

  it('says in words why the API refused a bulk change, naming the field', async () => {
    await bulkPanelForOne('Refused voice');
    await page.getByLabel('Change voice').check();
    await page.getByLabel('Voice provider').fill('no-such-voices');
    await page.getByLabel('New voice ID').fill('burt');
    await page.getByRole('button', { name: 'Preview changes' }).click();
    const refusal = page.getByRole('alert');
    await refusal.waitFor();
    await expect(refusal.textContent()).resolves.toMatch(/^Voice provider: must be one of 11labs, /);
    await screenshot(page, 'bulk-refused-1280');
  });

  it('a viewer sees the Jobs page, and no selection or import controls', async () => {
    const viewer = await t.userWithRole('viewer');
    await signIn(viewer.email, 'member-password-1');
    await page.getByRole('link', { name: 'Preview desk 1' }).waitFor();
    await expect(page.getByRole('checkbox').count()).resolves.toBe(0);
    await expect(page.getByRole('button', { name: 'Change selected…' }).count()).resolves.toBe(0);
    await page.getByRole('link', { name: 'Jobs' }).click();
    await page.getByRole('heading', { name: 'Bulk change' }).first().waitFor();
    await page.getByRole('link', { name: 'Connections' }).click();
    await page.getByRole('heading', { name: 'Sandbox' }).waitFor();
    await expect(page.getByRole('button', { name: /^Import all/ }).count()).resolves.toBe(0);
    await context.clearCookies();
  });

  it('lists each job on the Jobs page with who started it and how it ended; cancels a running one after asking', async () => {
    const slow = await assistantsNamed('Slow desk', 6);
    t.emulator.faults = { ...noFaults(), latencyMs: 400, latencyPhase: 'before', latencyMethods: ['PATCH'] };
    const started = await t.request(t.owner.cookie, 'POST', '/assistants/bulk', {
      ids: slow.map((a) => a.id),
      patch: { model: { temperature: 0.4 } },
    });
    expect(started.statusCode).toBe(202);
    const jobId = started.json().job.id;
    await signIn();
    await page.getByRole('link', { name: 'Jobs' }).click();
    const running = page.getByRole('article').first();
    await running.getByRole('heading', { name: 'Bulk change' }).waitFor();
    await running.getByText(`Started by${OWNER.email}`).waitFor();
    await running.getByRole('progressbar', { name: 'Bulk change' }).waitFor();
    await running
      .getByRole('status')
      .filter({ hasText: /^Running: [1-5] of 6\.$/ })
      .waitFor();
    await screenshot(page, 'jobs-running-1280');
    // Older jobs are listed after it, each with how it ended.
    await expect(page.getByText('Finished: 2 of 2.').count()).resolves.toBe(2);

    await running.getByRole('button', { name: 'Cancel job…' }).click();
    await page
      .getByRole('dialog', { name: 'Cancel this job?' })
      .getByRole('button', { name: 'Keep it running' })
      .click();
    await running.getByRole('button', { name: 'Cancel job…' }).click();
    await page.getByRole('button', { name: 'Yes, cancel it' }).click();
    const cancelled = running.getByRole('status').filter({ hasText: /^Cancelled after [0-5] of 6\.$/ });
    await cancelled.waitFor();
    // The answer to the cancel waits for the item at the provider; then the keyboard moves to the words.
    await expectFocused(cancelled);
    await running.getByText('Cancelled', { exact: true }).waitFor();
    const job = (await t.request(t.owner.cookie, 'GET', `/jobs/${jobId}`)).json();
    expect(job.state).toBe('cancelled');
    expect(job.done).toBeLessThan(6);
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'jobs-cancelled-390');
  });

  it('a job waiting to start: its badge follows it to Running and to how it ended, without a reload', async () => {
    const targets = await assistantsNamed('Waiting desk', 4);
    await t.services.jobRunner.stop();
    try {
      const started = await t.request(t.owner.cookie, 'POST', '/assistants/bulk', {
        ids: targets.map((a) => a.id),
        patch: { model: { temperature: 0.3 } },
      });
      expect(started.statusCode).toBe(202);
      await signIn();
      await page.getByRole('link', { name: 'Jobs' }).click();
      const card = page.getByRole('article').first();
      await card.getByText('Waiting to start', { exact: true }).waitFor();
      t.emulator.faults = {
        ...noFaults(),
        latencyMs: 400,
        latencyPhase: 'before',
        latencyMethods: ['PATCH'],
      };
    } finally {
      await t.services.jobRunner.start();
    }
    const card = page.getByRole('article').first();
    await card.getByText('Running', { exact: true }).waitFor();
    await card.getByText('Finished', { exact: true }).waitFor();
    await card.getByText('Ended', { exact: true }).waitFor();
  });

  it('imports all from a connection with a progress bar, says how many came in, and the list shows them', async () => {
    for (const name of ['Imported reception', 'Imported billing', 'Imported night line']) {
      const created = await emulatorFetch(t, 'POST', '/assistant', { ...RICH_PROVIDER_ASSISTANT, name });
      expect(created.status).toBe(201);
    }
    await signIn();
    await page.getByRole('link', { name: 'Connections' }).click();
    await page.getByRole('heading', { name: 'Connections', level: 1 }).waitFor();
    const connections = (await t.request(t.owner.cookie, 'GET', `/orgs/${t.orgId}/connections`)).json();
    const emulator = connections.find((c: { id: string }) => c.id === t.connectionId);
    const card = page.getByRole('article', { name: emulator.name });
    await card.getByRole('button', { name: 'Import all from this connection…' }).click();
    const dialog = page.getByRole('dialog', { name: /^Import every assistant from “/ });
    await dialog.getByRole('button', { name: 'Yes, import them' }).click();
    // It goes through every assistant on the account: the three new ones and those already here.
    const atProvider = t.emulator.assistants.size;
    const done = card.getByRole('status').filter({ hasText: /^Finished/ });
    await done.waitFor();
    await expect(done.textContent()).resolves.toBe(`Finished: ${atProvider} of ${atProvider}, 3 new.`);
    await expectFocused(done);
    await card
      .getByText(
        `${atProvider} of ${atProvider} assistants on this account are now in Switchboard: 3 new, ${atProvider - 3} already here`,
      )
      .waitFor();
    await card.getByRole('progressbar', { name: `Import from “${emulator.name}”` }).waitFor();
    await screenshot(page, 'import-done-1280');
    await page.getByRole('link', { name: 'See the assistants' }).click();
    await searchFor('Imported');
    await page.getByRole('link', { name: 'Imported night line' }).waitFor();
    await expect(page.getByRole('link', { name: /^Imported / }).count()).resolves.toBe(3);

    await page.getByRole('link', { name: 'Jobs' }).click();
    await page.getByRole('heading', { name: `Import from “${emulator.name}”` }).waitFor();
  });

  it('pages the Jobs page: the newest 20, then older ones on asking', async () => {
    const [target] = await assistantsNamed('Paged job', 1);
    const more = 21 - (await jobsNow()).length;
    const started = [];
    for (let i = 0; i < more; i++) {
      const res = await t.request(t.owner.cookie, 'POST', '/assistants/bulk', {
        ids: [target.id],
        patch: { firstMessage: `Hello ${i}` },
      });
      started.push(res.json().job.id);
    }
    for (const id of started) await finishedJob(t, t.owner.cookie, id);
    const total = (await jobsNow()).length;
    await signIn();
    await page.getByRole('link', { name: 'Jobs' }).click();
    await page.getByRole('button', { name: 'Load older jobs' }).waitFor();
    await expect(page.getByRole('article').count()).resolves.toBe(20);
    await page.getByRole('button', { name: 'Load older jobs' }).click();
    await expect.poll(() => page.getByRole('article').count()).toBe(total);
    await expect(page.getByRole('button', { name: 'Load older jobs' }).count()).resolves.toBe(0);
  });
});
