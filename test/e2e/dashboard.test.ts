// The dashboard in a real headless Chromium (Debian's), against the real server on a loopback
// port with the Vapi emulator behind it. Screenshots of each main page go to test-artifacts/.
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { noFaults } from '../../src/providers/vapi/emulator/emulator.ts';
import { createAssistant, OWNER, type TestApp } from '../helpers/test-app.ts';
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

async function createThroughForm(name: string) {
  await page.getByRole('link', { name: 'New assistant' }).click();
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Temperature (0–2)').fill('0.7');
  await page.getByLabel('System prompt').fill('You answer the phone politely.');
  await page.getByLabel('Voice ID').fill('burt');
  await page.getByRole('button', { name: 'Create assistant' }).click();
  await page.getByRole('heading', { name }).waitFor();
}

const shot = (name: string) => screenshot(page, name);

describe('dashboard', () => {
  it('signs in with the keyboard alone, and says why a sign-in failed', async () => {
    await page.goto(url);
    await shot('sign-in');
    await page.getByLabel('Email').focus();
    await page.keyboard.type(OWNER.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type('wrong password');
    await page.keyboard.press('Enter');
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Email or password is incorrect');
    await page.getByLabel('Password').fill(OWNER.password);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Assistants' }).waitFor();
  });

  it('creates an assistant, edits temperature and system prompt as one PATCH of only those fields, and keeps them after a reload', async () => {
    await signIn();
    await createThroughForm('Reception');
    await shot('assistant-1280');

    await page.getByLabel('Temperature (0–2)').fill('0.3');
    await page.getByLabel('System prompt').fill('Updated prompt from the dashboard.');
    t.emulator.requests.length = 0;
    const sent = page.waitForRequest((r) => r.method() === 'PATCH');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Saved as version 2: Temperature, System prompt.').waitFor();
    expect((await sent).postDataJSON()).toEqual({
      model: { temperature: 0.3, systemPrompt: 'Updated prompt from the dashboard.' },
    });
    // Vapi received the whole model, the new system prompt in model.messages.
    const atVapi = t.emulator.received('PATCH')[0]?.body as { model: Record<string, unknown> };
    expect(atVapi.model).toMatchObject({
      provider: 'openai',
      model: 'gpt-4o',
      temperature: 0.3,
      messages: [{ role: 'system', content: 'Updated prompt from the dashboard.' }],
    });

    await page.reload();
    await expect(page.getByLabel('Temperature (0–2)').inputValue()).resolves.toBe('0.3');
    await expect(page.getByLabel('System prompt').inputValue()).resolves.toBe(
      'Updated prompt from the dashboard.',
    );
    // The history loads after the form: wait for it rather than count too early.
    await expect
      .poll(() => page.getByRole('cell', { name: 'Changed: System prompt, Temperature' }).count())
      .toBe(1);
  });

  it('shows a validation error next to its field, and a provider failure in words', async () => {
    await signIn();
    await createThroughForm('Errors');
    await page.getByLabel('Temperature (0–2)').fill('5');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect(page.locator('#f-temperature-error').textContent()).resolves.toBe('must be at most 2');
    await expect(page.getByLabel('Temperature (0–2)').getAttribute('aria-invalid')).resolves.toBe('true');
    await shot('validation-error');

    await page.getByLabel('Temperature (0–2)').fill('1');
    t.emulator.faults.failures = [{ status: 500, times: 10, method: 'PATCH' }];
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect(page.getByRole('alert').first().textContent()).resolves.toContain(
      'The voice provider failed, so nothing was changed',
    );
  });

  it('says when someone else changed the assistant (412), and reloads it keeping the user’s edit', async () => {
    await signIn();
    await createThroughForm('Contended');
    const id = page.url().split('/').pop() as string;
    await t.request(t.owner.cookie, 'PATCH', `/assistants/${id}`, { name: 'Changed elsewhere' });
    await page.getByLabel('First message').fill('Mine');
    await page.getByRole('button', { name: 'Save changes' }).click();
    const dialog = page.getByRole('dialog', { name: 'Someone else changed this assistant' });
    await dialog.waitFor();
    await shot('conflict-dialog');
    await dialog.getByRole('button', { name: 'Reload and keep my changes' }).click();
    await page.getByRole('heading', { name: 'Changed elsewhere' }).waitFor();
    await expect(page.getByLabel('First message').inputValue()).resolves.toBe('Mine');
    await page
      .getByRole('status')
      .filter({ hasText: `by ${OWNER.email}, with your changes (First message)` })
      .waitFor();
    // Saved on the fresh copy, their name and the user's first message are both kept.
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Saved as version 3: First message.').waitFor();
    const stored = (await t.request(t.owner.cookie, 'GET', `/assistants/${id}`)).json();
    expect(stored).toMatchObject({ name: 'Changed elsewhere', firstMessage: 'Mine' });
  });

  it('deletes only after confirmation', async () => {
    await signIn();
    await createThroughForm('Temporary');
    await page.getByRole('button', { name: 'Delete…' }).click();
    await page.getByRole('button', { name: 'Keep it' }).click();
    await page.getByRole('button', { name: 'Delete…' }).click();
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    await page.getByRole('heading', { name: 'Assistants' }).waitFor();
    // Said on the list, with the keyboard there.
    const said = page
      .getByRole('status')
      .filter({ hasText: 'Deleted “Temporary” here and at the provider.' });
    await said.waitFor();
    await expect(said.evaluate((element) => element === document.activeElement)).resolves.toBe(true);
    await expect(page.getByRole('link', { name: 'Temporary' }).count()).resolves.toBe(0);
  });

  it('lists, searches and pages; a viewer sees no edit controls', async () => {
    await signIn();
    await createThroughForm('Searchable one');
    await page.goto(`${url}/#/assistants`);
    await page.getByLabel('Search by name').fill('searchable');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: 'Searchable one' }).waitFor();
    await shot('assistants-1280');
    await page.setViewportSize({ width: 390, height: 844 });
    await shot('assistants-390');

    const viewer = await t.userWithRole('viewer');
    await context.clearCookies();
    await page.setViewportSize({ width: 1280, height: 900 });
    await signIn(viewer.email, 'member-password-1');
    await expect(page.getByRole('link', { name: 'New assistant' }).count()).resolves.toBe(0);
    await page.getByRole('link', { name: 'Searchable one' }).first().click();
    await page.getByRole('heading', { name: 'Searchable one' }).waitFor();
    await expect(page.getByRole('button', { name: 'Save changes' }).count()).resolves.toBe(0);
    await expect(page.getByRole('button', { name: 'Delete…' }).count()).resolves.toBe(0);
    // Read-only, not disabled: the text can still be selected and copied, and the page says why.
    await expect(page.getByLabel('Name').isEditable()).resolves.toBe(false);
    await expect(page.getByLabel('Name').isDisabled()).resolves.toBe(false);
    await page.getByText('you are a viewer in this organization').waitFor();
    await expect(page.getByRole('link', { name: 'Members' }).count()).resolves.toBe(0);
  });

  it('a slow answer to an older search never replaces the newer search’s list', async () => {
    await createAssistant(t, t.owner.cookie, { name: 'Older search hit' });
    await createAssistant(t, t.owner.cookie, { name: 'Newer search hit' });
    await signIn();
    // The older search's answer is held back until the newer one has been shown.
    let releaseOlder: () => void = () => {};
    const olderHeld = new Promise<void>((resolve) => {
      releaseOlder = resolve;
    });
    await page.route(/\/assistants\?.*q=older/, async (route) => {
      await olderHeld;
      await route.continue();
    });
    await page.getByLabel('Search by name').fill('older');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByLabel('Search by name').fill('newer');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: 'Newer search hit' }).waitFor();
    const olderAnswered = page.waitForResponse(/\/assistants\?.*q=older/);
    releaseOlder();
    await olderAnswered;
    // Rendering gets its chance; the list still shows the newer search only.
    await page.waitForTimeout(200);
    await expect(page.getByRole('link', { name: 'Older search hit' }).count()).resolves.toBe(0);
    await expect(page.getByRole('link', { name: 'Newer search hit' }).count()).resolves.toBe(1);
    await page.unrouteAll();
  });

  it('a failed search says why until the next search answers; an older search’s late failure is not shown', async () => {
    await createAssistant(t, t.owner.cookie, { name: 'Recovered search hit' });
    await signIn();
    const failing = (route: import('playwright-core').Route) =>
      route.fulfill({ status: 500, contentType: 'application/json', body: '{"message":"The list broke"}' });
    await page.route(/\/assistants\?.*q=broken/, failing);
    let releaseOlder: () => void = () => {};
    const olderHeld = new Promise<void>((resolve) => {
      releaseOlder = resolve;
    });
    await page.route(/\/assistants\?.*q=older/, async (route) => {
      await olderHeld;
      await failing(route);
    });
    await page.getByLabel('Search by name').fill('broken');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('alert').filter({ hasText: 'The list broke' }).waitFor();

    await page.getByLabel('Search by name').fill('older');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByLabel('Search by name').fill('recovered');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: 'Recovered search hit' }).waitFor();
    await expect(page.getByRole('alert').filter({ hasText: 'The list broke' }).count()).resolves.toBe(0);

    const olderAnswered = page.waitForResponse(/\/assistants\?.*q=older/);
    releaseOlder();
    await olderAnswered;
    await page.waitForTimeout(200);
    await expect(page.getByRole('alert').filter({ hasText: 'The list broke' }).count()).resolves.toBe(0);
    await expect(page.getByRole('link', { name: 'Recovered search hit' }).count()).resolves.toBe(1);
    await page.unrouteAll();
  });

  it('lets an admin change a member’s role and remove them after confirming, and says why the last owner stays', async () => {
    const colleague = await t.userWithRole('editor');
    await signIn();
    await page.getByRole('link', { name: 'Members' }).click();
    await page.getByRole('heading', { name: 'Members', level: 1 }).waitFor();
    await page.getByRole('cell', { name: colleague.email, exact: true }).waitFor();
    // Check what the server holds, not the network: the page's reload can be over before a listener starts.
    const roleOf = async (email: string) =>
      (await t.request(t.owner.cookie, 'GET', `/orgs/${t.orgId}/members`))
        .json()
        .find((m: { email: string }) => m.email === email)?.role;
    // A role changes only once confirmed.
    await page.getByLabel(`Role of ${colleague.email}`).selectOption('viewer');
    await page.getByRole('button', { name: 'Keep an editor' }).click();
    await expect(page.getByLabel(`Role of ${colleague.email}`).inputValue()).resolves.toBe('editor');
    expect(await roleOf(colleague.email)).toBe('editor');
    await page.getByLabel(`Role of ${colleague.email}`).selectOption('viewer');
    await page.getByRole('button', { name: 'Change role' }).click();
    await expect.poll(() => roleOf(colleague.email)).toBe('viewer');
    await page
      .getByRole('status')
      .filter({ hasText: `${colleague.email} is now a viewer:` })
      .waitFor();
    await expect(page.getByLabel(`Role of ${colleague.email}`).inputValue()).resolves.toBe('viewer');
    await shot('members');
    // The last owner cannot be demoted: the API says so, and the page shows it.
    await page.getByLabel(`Role of ${OWNER.email}`).selectOption('admin');
    await page.getByRole('button', { name: 'Change role' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('last owner');
    // Removing asks first, then says it is done.
    await page.getByRole('button', { name: `Remove ${colleague.email}…` }).click();
    await page.getByRole('button', { name: 'Keep them' }).click();
    await page.getByRole('button', { name: `Remove ${colleague.email}…` }).click();
    await page.getByRole('button', { name: 'Yes, remove' }).click();
    const removed = page.getByRole('status').filter({ hasText: `Removed ${colleague.email}` });
    await removed.waitFor();
    // The row and its buttons are gone: the keyboard is on the outcome, not lost on the page.
    await expect(removed.evaluate((element) => element === document.activeElement)).resolves.toBe(true);
    await page.getByRole('cell', { name: colleague.email, exact: true }).waitFor({ state: 'detached' });
    await expect.poll(() => roleOf(colleague.email)).toBeUndefined();
  });

  it('lets an admin create an API key (secret shown once) that works, revoke it, and read the audit log', async () => {
    await signIn();
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    await page.getByLabel('Name').fill('Browser-made key');
    await page.getByLabel('Role', { exact: true }).selectOption('editor');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = await page.getByLabel('Secret').inputValue();
    expect(secret).toMatch(/^sb_/);
    await page.getByRole('cell', { name: 'Browser-made key', exact: true }).waitFor();
    await shot('api-keys');

    // The secret works, then no longer once revoked; the page never shows it again.
    const use = () => fetch(`${url}/assistants`, { headers: { authorization: `Bearer ${secret}` } });
    expect((await use()).status).toBe(200);
    await page.getByRole('button', { name: 'Done' }).click();
    await expect(page.content()).resolves.not.toContain(secret);
    await page.getByRole('button', { name: 'Revoke Browser-made key…' }).click();
    await page.getByRole('button', { name: 'Yes, revoke' }).click();
    await page.getByRole('cell', { name: 'Browser-made key', exact: true }).waitFor({ state: 'detached' });
    const revoked = page.getByRole('status').filter({ hasText: 'Revoked “Browser-made key”' });
    await revoked.waitFor();
    await expect(revoked.evaluate((element) => element === document.activeElement)).resolves.toBe(true);
    expect((await use()).status).toBe(401);

    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    const rows = page.getByRole('row');
    // Actions and targets in words, not codes and ids.
    await rows.filter({ hasText: 'Revoked an API key' }).first().waitFor();
    await expect(rows.filter({ hasText: 'Created an API key' }).first().textContent()).resolves.toContain(
      OWNER.email,
    );
    await expect(rows.filter({ hasText: 'Revoked an API key' }).first().textContent()).resolves.toContain(
      'API key “Browser-made key”',
    );
    await shot('audit');
    // Filtering by the owner's email and an action keeps only those events.
    await page.getByLabel('Who').fill(OWNER.email);
    await page.getByLabel('Action').selectOption({ label: 'Revoked an API key' });
    await page.getByRole('button', { name: 'Filter' }).click();
    const cells = (column: number) => page.locator(`tbody tr td:nth-child(${column})`).allTextContents();
    await expect.poll(async () => new Set(await cells(3))).toEqual(new Set(['Revoked an API key']));
    expect(new Set(await cells(2))).toEqual(new Set([OWNER.email]));
    // A day with no events says so, rather than showing nothing.
    await page.getByLabel('From').fill('2001-01-01');
    await page.getByLabel('To').fill('2001-01-02');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByText('No events match these filters.').waitFor();
  });
});

describe('the API reference', () => {
  it('renders at /docs, and neither it nor the dashboard breaks its Content-Security-Policy', async () => {
    const violations: string[] = [];
    page.on('console', (message) => {
      if (message.text().includes('Content Security Policy')) violations.push(message.text());
    });
    await signIn();
    await page.goto(`${url}/docs/`);
    await page.getByText('PATCH', { exact: true }).first().waitFor();
    expect(await page.locator('.opblock').count()).toBeGreaterThan(20);
    expect(violations).toEqual([]);
  });
});
