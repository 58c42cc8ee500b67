// What makes the dashboard safe to trust with assistants (issue 21), in headless Chromium: edits
// are never lost without a question, history says who changed what and shows it side by side
// before a restore, loading is never shown as empty, and the keyboard lands somewhere sensible
// after every action and page change.
import type { Page, Route } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { emulatorFetch } from '../helpers/seed.ts';
import { createAssistant, MEMBER_PASSWORD, OWNER, type TestApp } from '../helpers/test-app.ts';
import { screenshot, signIn as signInAs, withDashboard } from './browser.ts';

let t: TestApp;
let url: string;
let page: Page;

withDashboard((session) => {
  ({ t, url, page } = session);
});

const signIn = (email?: string, password?: string) => signInAs(page, url, email, password);
const patch = (id: string, body: unknown) => t.request(t.owner.cookie, 'PATCH', `/assistants/${id}`, body);

async function openAssistant(name: string, overrides: Record<string, unknown> = {}) {
  const a = await createAssistant(t, undefined, { name, ...overrides });
  await signIn();
  await page.goto(`${url}/#/assistants/${a.id}`);
  await page.getByRole('heading', { name, level: 1 }).waitFor();
  return a as { id: string };
}

/** Whether the element the keyboard is on matches `selector`, e.g. `h1` or `[role=status]`. */
const focused = (selector: string) =>
  page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector);
const focusedText = () => page.evaluate(() => document.activeElement?.textContent ?? '');

/** WCAG's contrast ratio of a CSS `rgb(…)` colour against white. */
function contrastWithWhite(color: string): number {
  const [r = 0, g = 0, b = 0] = (color.match(/\d+(\.\d+)?/g) ?? []).map(Number);
  const linear = (c: number) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
  return 1.05 / (luminance + 0.05);
}

/** Holds the API's answers to matching requests until `release` is called, to see the loading state. */
async function holdAnswers(pattern: RegExp) {
  const held: Route[] = [];
  let releasing = false;
  await page.route(pattern, (route) => {
    if (releasing) return route.continue();
    held.push(route);
  });
  return {
    async release() {
      releasing = true;
      await Promise.all(held.map((route) => route.continue()));
      await page.unroute(pattern);
    },
  };
}

describe('unsaved changes', () => {
  it('are shown, and leaving by a link, Back, Sync or closing the tab asks first', async () => {
    const a = await openAssistant('Guarded');
    const leaves = () =>
      page.evaluate(() => {
        const event = new Event('beforeunload', { cancelable: true });
        window.dispatchEvent(event);
        return !event.defaultPrevented;
      });
    await expect(page.getByText('No unsaved changes').count()).resolves.toBe(1);
    expect(await leaves()).toBe(true);

    await page.getByLabel('System prompt').fill('A prompt not yet saved.');
    await page.getByText('Unsaved changes: System prompt').waitFor();
    await page.getByText('Unsaved changes', { exact: true }).waitFor();
    await expect(page.title()).resolves.toBe('• Guarded · Switchboard');
    expect(await leaves()).toBe(false);

    // An in-app link asks; staying keeps the edit.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Members' }).click();
    const leave = page.getByRole('dialog', { name: 'Leave without saving?' });
    await leave.getByText('Your changes to System prompt are not saved.').waitFor();
    await screenshot(page, 'unsaved-changes-dialog');
    await leave.getByRole('button', { name: 'Stay and keep editing' }).click();
    await expect(page.getByLabel('System prompt').inputValue()).resolves.toBe('A prompt not yet saved.');
    expect(page.url()).toContain(`#/assistants/${a.id}`);

    // Back asks too.
    await page.goBack();
    await leave.waitFor();
    await page.keyboard.press('Escape');
    await expect(page.getByLabel('System prompt').inputValue()).resolves.toBe('A prompt not yet saved.');
    expect(page.url()).toContain(`#/assistants/${a.id}`);

    // Sync would replace the form: it asks, and keeping the edit sends nothing.
    let synced = false;
    page.on('request', (r) => {
      if (r.url().endsWith('/sync')) synced = true;
    });
    await page.getByRole('button', { name: 'Sync from provider' }).click();
    const sync = page.getByRole('dialog', { name: 'Sync and discard your changes?' });
    await sync.getByRole('button', { name: 'Keep editing' }).click();
    expect(synced).toBe(false);
    await expect(page.getByLabel('System prompt').inputValue()).resolves.toBe('A prompt not yet saved.');

    // Leaving when the user agrees.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Assistants' }).click();
    await leave.getByRole('button', { name: 'Discard changes and leave' }).click();
    await page.getByRole('heading', { name: 'Assistants', level: 1 }).waitFor();
    expect(await leaves()).toBe(true);
    expect((await t.request(t.owner.cookie, 'GET', `/assistants/${a.id}`)).json().version).toBe(1);
  });

  it('on a new assistant’s form too, Cancel asks before throwing the typed fields away', async () => {
    await signIn();
    await page.getByRole('link', { name: 'New assistant' }).click();
    await page.getByLabel('Name').fill('Half typed');
    await page.getByRole('link', { name: 'Cancel' }).click();
    const leave = page.getByRole('dialog', { name: 'Leave without saving?' });
    await leave.getByText('Your changes to Name are not saved.').waitFor();
    await leave.getByRole('button', { name: 'Stay and keep editing' }).click();
    await expect(page.getByLabel('Name').inputValue()).resolves.toBe('Half typed');
    await page.getByLabel('Voice ID').fill('burt');
    // Creating it is not leaving it unsaved: no question on the way to its page.
    await page.getByRole('button', { name: 'Create assistant' }).click();
    await page.getByRole('heading', { name: 'Half typed', level: 1 }).waitFor();
    await expect(leave.count()).resolves.toBe(0);
  });

  it('a sync with nothing new says "already in sync", and one with changes says what it stored', async () => {
    const a = await openAssistant('In step');
    await page.getByRole('button', { name: 'Sync from provider' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'Already in sync: the provider has the same configuration as version 1.' })
      .waitFor();
    // A change made in Vapi's own dashboard.
    const providerId = (await t.request(t.owner.cookie, 'GET', `/assistants/${a.id}`)).json()
      .providerAssistantId;
    await emulatorFetch(t, 'PATCH', `/assistant/${providerId}`, { name: 'Renamed at Vapi' });
    await page.getByRole('button', { name: 'Sync from provider' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'The provider had changes: they are now version 2' })
      .waitFor();
    await page.getByRole('cell', { name: 'Someone at the provider' }).waitFor();
  });
});

describe('history', () => {
  it('names who changed what, shows changes side by side, and restores only once the change is confirmed', async () => {
    const key = await t.createApiKey('editor', 'Deploy bot');
    const a = await createAssistant(t, undefined, { name: 'Historic' });
    await patch(a.id, { model: { temperature: 0.2 } });
    await t.request(
      undefined,
      'PATCH',
      `/assistants/${a.id}`,
      { name: 'Historic desk', model: { systemPrompt: 'Answer in one sentence.' } },
      key.headers,
    );
    await signIn();
    await page.goto(`${url}/#/assistants/${a.id}`);
    await page.getByRole('heading', { name: 'Historic desk', level: 1 }).waitFor();

    const row = (n: number) =>
      page.getByRole('row').filter({ has: page.getByRole('cell', { name: new RegExp(`^${n}(current)?$`) }) });
    await expect(row(3).textContent()).resolves.toContain('Changed: System prompt, Name');
    await expect(row(3).textContent()).resolves.toContain('Deploy bot (API key)');
    await expect(row(3).textContent()).resolves.toContain('current');
    await expect(row(2).textContent()).resolves.toContain(`${OWNER.email}Changed: Temperature`);
    await expect(row(1).textContent()).resolves.toContain('Created');

    // What version 3 changed, next to version 2.
    await page.getByRole('button', { name: 'Changes in v3' }).click();
    const comparison = page.getByRole('region', { name: 'What version 3 changed' });
    await comparison.waitFor();
    expect(await focused('#comparison-heading')).toBe(true);
    const cells = await comparison.getByRole('row').allInnerTexts();
    expect(cells.slice(1).map((line) => line.split('\t').map((cell) => cell.trim()))).toEqual([
      ['Name', 'Historic', 'Historic desk'],
      ['System prompt', 'You are the front desk.', 'Answer in one sentence.'],
    ]);
    await screenshot(page, 'history-diff-1280');

    // Version 2 opened on its own: every field it had.
    await page.getByRole('button', { name: 'Open v2' }).click();
    const opened = page.getByRole('region', { name: 'Version 2, every field' });
    await opened.getByRole('row', { name: /Temperature\s+0\.2/ }).waitFor();
    await expect(opened.getByRole('row', { name: /^Name\s+Historic$/ }).count()).resolves.toBe(1);

    // Version 1 against the current one.
    await page.getByRole('button', { name: 'Compare v1 with current' }).click();
    await page.getByRole('region', { name: 'Version 1 compared with the current version (3)' }).waitFor();
    await expect(
      page
        .getByRole('region', { name: /compared with/ })
        .getByRole('rowheader')
        .allTextContents(),
    ).resolves.toEqual(['Name', 'Temperature', 'System prompt']);

    // A restore first says what it changes; cancelling changes nothing.
    await page.getByRole('button', { name: 'Restore v1…' }).click();
    const restore = page.getByRole('dialog', { name: 'Restore version 1?' });
    await restore.getByRole('rowheader', { name: 'Temperature' }).waitFor();
    await screenshot(page, 'restore-dialog-1280');
    await restore.getByRole('button', { name: 'Cancel' }).click();
    expect((await t.request(t.owner.cookie, 'GET', `/assistants/${a.id}`)).json().version).toBe(3);

    await page.getByRole('button', { name: 'Restore v1…' }).click();
    await restore.getByRole('button', { name: 'Restore version 1' }).click();
    const restored = page.getByRole('status').filter({ hasText: 'Restored version 1: it is now version 4.' });
    await restored.waitFor();
    expect(await focused('[role=status]')).toBe(true);
    await page.getByRole('heading', { name: 'Historic', exact: true, level: 1 }).waitFor();
    await expect(row(4).textContent()).resolves.toContain('current');
    expect((await t.request(t.owner.cookie, 'GET', `/assistants/${a.id}`)).json()).toMatchObject({
      version: 4,
      name: 'Historic',
      model: { temperature: 0.7 },
    });
  });

  it('pages past the newest 20 versions', async () => {
    const a = await createAssistant(t, undefined, { name: 'Long history' });
    for (let n = 1; n <= 21; n += 1) await patch(a.id, { firstMessage: `Hello number ${n}` });
    await signIn();
    await page.goto(`${url}/#/assistants/${a.id}`);
    const versions = page.getByRole('region', { name: 'History' }).locator('tbody tr');
    await expect.poll(() => versions.count()).toBe(20);
    await page.getByRole('button', { name: 'Show older versions' }).click();
    await expect.poll(() => versions.count()).toBe(22);
    await expect(page.getByRole('button', { name: 'Show older versions' }).count()).resolves.toBe(0);
  });
});

describe('loading, empty and in step are different things', () => {
  it('says it is loading while the API has not answered, and empty only once it has', async () => {
    const empty = (await t.request(t.owner.cookie, 'POST', '/orgs', { name: 'Empty org' })).json();
    await signIn();
    await page.getByLabel('Organization').selectOption(empty.orgId);
    await page.getByText('No assistants yet.').waitFor();

    const list = await holdAnswers(/\/assistants\?/);
    await page.getByLabel('Search by name').fill('nothing like this');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('Loading assistants…').waitFor();
    await expect(page.getByText(/^No assistants/).count()).resolves.toBe(0);
    await screenshot(page, 'assistants-loading');
    await list.release();
    await page.getByText('No assistants match “nothing like this”.').waitFor();

    const keys = await holdAnswers(/\/api-keys$/);
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByText('Loading keys…').waitFor();
    await expect(page.getByText('No keys yet.', { exact: false }).count()).resolves.toBe(0);
    await keys.release();
    await page.getByText('No keys yet. Create one below.').waitFor();

    const audit = await holdAnswers(/\/audit\?/);
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByText('Loading events…').waitFor();
    await expect(page.getByText(/^No events/).count()).resolves.toBe(0);
    await audit.release();
    await page.getByRole('cell', { name: 'Created the organization' }).waitFor();

    const members = await holdAnswers(/\/members$/);
    await page.getByRole('link', { name: 'Members' }).click();
    await page.getByText('Loading members…').waitFor();
    await members.release();
    await page.getByRole('cell', { name: OWNER.email, exact: true }).waitFor();

    const connections = await holdAnswers(/\/connections$/);
    await page.getByRole('link', { name: 'Connections' }).click();
    await page.getByText('Loading connections…').waitFor();
    await connections.release();
    await page.getByRole('heading', { name: 'Sandbox', level: 2 }).waitFor();
  });
});

describe('focus', () => {
  it('goes to the heading on every page change, to the outcome after Save, and the tab says where', async () => {
    await openAssistant('Focused');
    expect(await focused('h1')).toBe(true);
    await expect(page.title()).resolves.toBe('Focused · Switchboard');

    await page.getByLabel('Temperature (0–2)').fill('3');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('must be at most 2').waitFor();
    expect(await focused('[role=alert]')).toBe(true);
    // The error goes as soon as the field is fixed, before any save.
    await page.getByLabel('Temperature (0–2)').fill('1.5');
    await expect(page.getByText('must be at most 2').count()).resolves.toBe(0);
    await expect(page.getByLabel('Temperature (0–2)').getAttribute('aria-invalid')).resolves.toBeNull();

    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved as version 2: Temperature.' }).waitFor();
    expect(await focused('[role=status]')).toBe(true);

    for (const [link, title] of [
      ['Connections', 'Connections'],
      ['Members', 'Members'],
      ['API keys', 'API keys'],
      ['Audit log', 'Audit log'],
      ['Assistants', 'Assistants'],
    ] as const) {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link }).click();
      await page.getByRole('heading', { name: title, level: 1 }).waitFor();
      await expect.poll(focusedText).toBe(title);
      await expect(page.title()).resolves.toBe(`${title} · Switchboard`);
    }
  });

  it('draws the focus ring and the inputs’ borders at 3:1 or more against white', async () => {
    await signIn();
    const search = page.getByLabel('Search by name');
    const border = await search.evaluate((e) => getComputedStyle(e).borderTopColor);
    await search.focus();
    await page.keyboard.press('Tab');
    const ring = await page.evaluate(() => {
      const style = getComputedStyle(document.activeElement as Element);
      return {
        outline: style.outlineColor,
        width: style.outlineWidth,
        on: document.activeElement?.textContent,
      };
    });
    expect(ring).toMatchObject({ on: 'Search', width: '3px' });
    expect(contrastWithWhite(border)).toBeGreaterThanOrEqual(3);
    expect(contrastWithWhite(ring.outline)).toBeGreaterThanOrEqual(3);
  });

  it('shows limits before submit: a name counter with maxlength, and the ranges', async () => {
    await signIn();
    await page.getByRole('link', { name: 'New assistant' }).click();
    const name = page.getByLabel('Name');
    // The limits come with the provider's choices (GET /providers), which may answer after the form shows.
    await expect.poll(() => name.getAttribute('maxlength')).toBe('40');
    await name.fill('Front desk');
    await page.getByText('10 of 40 characters').waitFor();
    await page.getByText('From 0 to 2; lower is more predictable.').waitFor();
    await page.getByText('A whole number from 50 to 10,000').waitFor();
    // The system prompt grows with a long prompt instead of scrolling inside six lines.
    const prompt = page.getByLabel('System prompt');
    const before = await prompt.evaluate((e) => e.getBoundingClientRect().height);
    await prompt.fill('You answer the phone for a dental practice.\n'.repeat(20));
    const after = await prompt.evaluate((e) => e.getBoundingClientRect().height);
    expect(after).toBeGreaterThan(before * 4);
  });
});

describe('your account', () => {
  it('changes the password and creates an organization, from the dashboard', async () => {
    const user = await t.userWithRole('editor');
    await signIn(user.email, MEMBER_PASSWORD);
    await page.getByRole('link', { name: user.email }).click();
    await page.getByRole('heading', { name: 'Your account', level: 1 }).waitFor();

    await page.getByLabel('Current password').fill('not my password');
    await page.getByLabel('New password', { exact: true }).fill('a-new-password-2');
    await page.getByLabel('Confirm new password').fill('a-new-password-2');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('alert').waitFor();
    await page.getByLabel('Current password').fill(MEMBER_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('status').filter({ hasText: 'Your password is changed.' }).waitFor();
    expect(
      (await t.request(undefined, 'POST', '/auth/login', { email: user.email, password: 'a-new-password-2' }))
        .statusCode,
    ).toBe(200);

    await page.getByLabel('Organization name').fill('Side project');
    await page.getByText('12 of 100 characters').waitFor();
    await page.getByRole('button', { name: 'Create and open it' }).click();
    await page.getByRole('heading', { name: 'Assistants', level: 1 }).waitFor();
    await expect(page.getByLabel('Organization').locator('option:checked').textContent()).resolves.toBe(
      'Side project (owner)',
    );
    await expect(page.getByRole('link', { name: 'API docs' }).getAttribute('href')).resolves.toBe('/docs');
  });
});
