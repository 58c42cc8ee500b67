// Provider connections in the dashboard, in a real headless Chromium against the real server,
// with the Vapi emulator as every Vapi connection's provider. Its own server, since these tests
// make the emulator refuse keys.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RetellEmulator } from '../../src/providers/retell/emulator/emulator.ts';
import { createAssistant, type TestApp } from '../helpers/test-app.ts';
import { type Dashboard, freshPage, openDashboard, screenshot, signIn as signInAs } from './browser.ts';

interface ConnectionJson {
  id: string;
  name: string;
  status: string;
  isDefault: boolean;
}

let t: TestApp;
let url: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;

let dashboard: Dashboard | undefined;

beforeAll(async () => {
  dashboard = await openDashboard();
  ({ t, url, browser } = dashboard);
}, 60_000);

afterAll(async () => {
  await dashboard?.close();
});

beforeEach(async () => {
  ({ context, page } = await freshPage(browser, context));
});

const signIn = (email?: string, password?: string) => signInAs(page, url, email, password);

/** What the server holds, not what the page shows. */
const connections = async (): Promise<ConnectionJson[]> =>
  (await t.request(t.owner.cookie, 'GET', `/orgs/${t.orgId}/connections`)).json();

async function addConnection(body: Record<string, unknown>): Promise<ConnectionJson> {
  const res = await t.request(t.owner.cookie, 'POST', `/orgs/${t.orgId}/connections`, body);
  if (res.statusCode !== 201) throw new Error(`add connection failed: ${res.statusCode} ${res.body}`);
  return res.json();
}

/** A Vapi connection to the emulator, through a key of its own emulator account. */
function addVapiConnection(name: string, apiKey: string, account: string) {
  t.emulator.addKey(apiKey, account);
  return addConnection({ provider: 'vapi', name, apiKey, baseUrl: t.emulatorUrl });
}

async function openConnections() {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Connections' }).click();
  await page.getByRole('heading', { name: 'Connections', level: 1 }).waitFor();
}

/** One connection's card, named by its heading. */
const card = (name: string) => page.getByRole('article', { name, exact: true });

describe('connections', () => {
  it('lists each connection with its state in words; an admin adds a sandbox, and a refused Vapi key stores nothing', async () => {
    await signIn();
    await openConnections();
    const vapi = card('Vapi');
    await expect.poll(() => vapi.textContent()).toContain('Default');
    const vapiText = await vapi.textContent();
    expect(vapiText).toContain('Working');
    expect(vapiText).toContain('…-key'); // the last 4 characters of 'test-emulator-key'
    expect(vapiText).toContain(t.emulatorUrl);
    expect(await card('Sandbox').textContent()).toContain('none needed');

    // A sandbox needs neither key nor URL: the form stops asking for them.
    await page.getByLabel('Provider').selectOption('sandbox');
    await expect(page.getByLabel('API key').count()).resolves.toBe(0);
    await page.getByLabel('Name', { exact: true }).fill('Staging sandbox');
    await page.getByRole('button', { name: 'Add connection' }).click();
    await page.getByText('Added “Staging sandbox (Sandbox)”.').waitFor();
    expect(await card('Staging sandbox').textContent()).toContain('Working');
    expect((await connections()).map((c) => c.name)).toContain('Staging sandbox');

    // The same name again: the server's 409 in words, next to the form.
    await page.getByLabel('Name', { exact: true }).fill('Staging sandbox');
    await page.getByRole('button', { name: 'Add connection' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain(
      'Another connection of this organization has that name',
    );

    // A key Vapi refuses (a public key, say): the reason in words, and nothing stored.
    await page.getByLabel('Provider').selectOption('vapi');
    await expect(page.getByLabel('Base URL (optional)').getAttribute('placeholder')).resolves.toBe(
      'https://api.vapi.ai',
    );
    await expect(page.getByLabel('API key').getAttribute('type')).resolves.toBe('password');
    await page.getByLabel('Name', { exact: true }).fill('Client A');
    await page.getByLabel('API key').fill('public-key-not-private-1234');
    await page.getByLabel('Base URL (optional)').fill(t.emulatorUrl);
    await page.getByRole('button', { name: 'Add connection' }).click();
    const refusal = (await page.getByRole('alert').textContent()) ?? '';
    expect(refusal).toContain('Vapi refused the API key, so nothing was stored');
    expect(refusal).toContain('public key');
    await expect(page.getByLabel('API key').inputValue()).resolves.toBe('');
    expect((await connections()).map((c) => c.name)).not.toContain('Client A');
    await expect(card('Client A').count()).resolves.toBe(0);

    // A key the provider accepts is stored, and only its last 4 characters are ever shown.
    t.emulator.addKey('client-a-private-key-5678', 'client-a-account');
    await page.getByLabel('API key').fill('client-a-private-key-5678');
    await page.getByRole('button', { name: 'Add connection' }).click();
    await page.getByText('Added “Client A (Vapi)”: Vapi accepted the key ending …5678.').waitFor();
    expect(await card('Client A').textContent()).toContain('…5678');
    await expect(page.content()).resolves.not.toContain('client-a-private-key');

    await screenshot(page, 'connections-1280');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'connections-390');
  });

  it('adds a Retell account: the form says Retell’s address, and Retell checks the key', async () => {
    const retell = new RetellEmulator('retell-client-key-2468');
    try {
      const retellUrl = await retell.listen();
      await signIn();
      await openConnections();
      await page.getByLabel('Provider').selectOption('retell');
      await expect(page.getByLabel('Base URL (optional)').getAttribute('placeholder')).resolves.toBe(
        'https://api.retellai.com',
      );
      await page.getByLabel('Name', { exact: true }).fill('Client R');
      await page.getByLabel('API key').fill('retell-client-key-2468');
      await page.getByLabel('Base URL (optional)').fill(retellUrl);
      await page.getByRole('button', { name: 'Add connection' }).click();
      await page.getByText('Added “Client R (Retell)”: Retell accepted the key ending …2468.').waitFor();
      expect((await connections()).find((c) => c.name === 'Client R')).toMatchObject({ status: 'ok' });
      expect(retell.received('GET').map((r) => r.path)).toEqual(['/get-api-key-info']);
    } finally {
      await retell.close();
    }
  });

  it('offers every connection in the create form, the default chosen, and shows the one an assistant runs on', async () => {
    const qa = await addConnection({ provider: 'sandbox', name: 'QA sandbox' });
    await signIn();
    await page.getByRole('link', { name: 'New assistant' }).click();
    const select = page.getByLabel('Connection', { exact: true });
    await expect.poll(() => select.inputValue()).toBe(t.connectionId);
    const offered = await select.locator('option').allTextContents();
    expect(offered).toEqual(expect.arrayContaining(['Vapi (Vapi) — default', 'QA sandbox (Sandbox)']));

    await select.selectOption({ label: 'QA sandbox (Sandbox)' });
    await page.getByLabel('Name', { exact: true }).fill('Sandbox reception');
    await page.getByLabel('Voice ID').fill('burt');
    await screenshot(page, 'new-assistant-connection');
    const sent = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/assistants'));
    await page.getByRole('button', { name: 'Create assistant' }).click();
    expect((await sent).postDataJSON()).toMatchObject({ connectionId: qa.id, name: 'Sandbox reception' });
    await page.getByRole('heading', { name: 'Sandbox reception' }).waitFor();
    const line = page.locator('.connection-line');
    await expect.poll(() => line.textContent()).toContain('QA sandbox (Sandbox)');
    expect(await line.textContent()).toContain('Working');
    await expect(line.getByRole('link').getAttribute('href')).resolves.toBe('#/connections');

    // It was made in the sandbox, not at the Vapi connection's provider.
    const id = page.url().split('/').pop() as string;
    expect((await t.request(t.owner.cookie, 'GET', `/assistants/${id}`)).json().connectionId).toBe(qa.id);
    expect([...t.emulator.assistants.values()].map((a) => a.name)).not.toContain('Sandbox reception');

    // The list names each assistant's connection, and keeps to one when asked.
    await createAssistant(t, t.owner.cookie, { name: 'Vapi reception' });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Assistants' }).click();
    const row = page.getByRole('row').filter({ hasText: 'Sandbox reception' });
    await expect.poll(() => row.textContent()).toContain('QA sandbox (Sandbox)');
    await page.getByRole('link', { name: 'Vapi reception' }).waitFor();
    await page.getByLabel('Connection', { exact: true }).selectOption({ label: 'QA sandbox (Sandbox)' });
    await page.getByRole('link', { name: 'Vapi reception' }).waitFor({ state: 'detached' });
    await expect(page.getByRole('link', { name: 'Sandbox reception' }).count()).resolves.toBe(1);
  });

  it("warns on an assistant's page when its connection's key is refused, until an admin updates the key", async () => {
    const clientB = await addVapiConnection('Client B', 'client-b-first-key-1111', 'client-b-account');
    const assistant = await createAssistant(t, t.owner.cookie, {
      name: 'Client B reception',
      connectionId: clientB.id,
    });
    t.emulator.revokeKey('client-b-first-key-1111');

    await signIn();
    await page.goto(`${url}/#/assistants/${assistant.id}`);
    await page.getByRole('heading', { name: 'Client B reception' }).waitFor();
    await expect.poll(() => page.locator('.connection-line').textContent()).toContain('Working');
    const banner = page
      .getByRole('alert')
      .filter({ hasText: 'refused the key of the connection “Client B”' });
    await expect(banner.count()).resolves.toBe(0);

    // The provider refuses the stored key: the request fails in words, and the page says why.
    await page.getByRole('button', { name: 'Sync from provider' }).click();
    await banner.waitFor();
    await expect(
      page.getByRole('alert').filter({ hasText: 'The voice provider failed' }).textContent(),
    ).resolves.toContain('admin');
    expect((await connections()).find((c) => c.id === clientB.id)?.status).toBe('invalid');
    await page.reload();
    await banner.waitFor();
    expect(await banner.textContent()).toContain('an admin updates the connection’s key');
    await screenshot(page, 'assistant-key-refused');

    await banner.getByRole('link', { name: 'Go to Connections to update the key' }).click();
    await page.getByRole('heading', { name: 'Connections', level: 1 }).waitFor();
    const clientCard = card('Client B');
    expect(await clientCard.textContent()).toContain('Key refused — an admin must update the key');
    await clientCard.getByRole('button', { name: 'Check now' }).click();
    await expect(clientCard.getByRole('alert').textContent()).resolves.toBe(
      'Checked just now: Key refused — an admin must update the key.',
    );

    // A new key of the same account, typed with the keyboard alone, puts the connection right.
    t.emulator.addKey('client-b-second-key-2222', 'client-b-account');
    await clientCard.getByRole('button', { name: 'Update key…' }).focus();
    await page.keyboard.press('Enter');
    await page.keyboard.type('client-b-second-key-2222');
    await page.keyboard.press('Enter');
    await clientCard.getByText('Key updated: Vapi accepted the key ending …2222').waitFor();
    expect(await clientCard.textContent()).toContain('Working');
    await page.goto(`${url}/#/assistants/${assistant.id}`);
    await page.getByRole('heading', { name: 'Client B reception' }).waitFor();
    await expect.poll(() => page.locator('.connection-line').textContent()).toContain('Working');
    await expect(banner.count()).resolves.toBe(0);
  });

  it('removes a connection only after confirmation, and says in words why one in use stays', async () => {
    const inUse = await addConnection({ provider: 'sandbox', name: 'Busy sandbox' });
    await createAssistant(t, t.owner.cookie, { name: 'On the busy sandbox', connectionId: inUse.id });
    await addConnection({ provider: 'sandbox', name: 'Spare sandbox' });
    await signIn();
    await openConnections();

    const busy = card('Busy sandbox');
    await busy.getByRole('button', { name: 'Remove…' }).click();
    await busy.getByRole('button', { name: 'Yes, remove' }).click();
    await expect(busy.getByRole('alert').textContent()).resolves.toBe(
      'An assistant still uses the connection "Busy sandbox"; delete them first',
    );
    expect((await connections()).map((c) => c.name)).toContain('Busy sandbox');

    const spare = card('Spare sandbox');
    await spare.getByRole('button', { name: 'Remove…' }).click();
    await spare.getByRole('button', { name: 'Keep it' }).click();
    expect((await connections()).map((c) => c.name)).toContain('Spare sandbox');
    await spare.getByRole('button', { name: 'Remove…' }).click();
    await spare.getByRole('button', { name: 'Yes, remove' }).click();
    const removed = page.getByRole('status').filter({ hasText: 'Removed the connection “Spare sandbox”.' });
    await removed.waitFor();
    // The removed card's buttons are gone: the keyboard continues from the acknowledgement.
    await expect(removed.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await expect(card('Spare sandbox').count()).resolves.toBe(0);
    expect((await connections()).map((c) => c.name)).not.toContain('Spare sandbox');
  });

  it('renames with the keyboard, Escape closes a form where it opened, and an admin changes the default', async () => {
    await addConnection({ provider: 'sandbox', name: 'Old name' });
    await signIn();
    await openConnections();

    await card('Old name').getByRole('button', { name: 'Rename…' }).focus();
    await page.keyboard.press('Enter');
    await expect(page.getByLabel('New name').evaluate((el) => el === document.activeElement)).resolves.toBe(
      true,
    );
    await page.keyboard.press('Escape');
    const renameButton = card('Old name').getByRole('button', { name: 'Rename…' });
    await expect.poll(() => renameButton.evaluate((el) => el === document.activeElement)).toBe(true);

    await page.keyboard.press('Enter');
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('New name');
    await page.keyboard.press('Enter');
    await card('New name').getByText('Renamed to “New name”.').waitFor();

    try {
      await card('New name').getByRole('button', { name: 'Make default' }).click();
      await card('New name').getByText('“New name” is now the default').waitFor();
      expect(await card('New name').textContent()).toContain('Default');
      expect(await card('Vapi').textContent()).not.toContain('Default');
      expect((await connections()).find((c) => c.isDefault)?.name).toBe('New name');
    } finally {
      await t.request(t.owner.cookie, 'POST', `/orgs/${t.orgId}/connections/${t.connectionId}/default`);
    }
  });

  it('shows a viewer the connections and their state, and no controls', async () => {
    const viewer = await t.userWithRole('viewer');
    await signIn(viewer.email, 'member-password-1');
    await openConnections();
    await expect.poll(() => card('Vapi').textContent()).toContain('Working');
    await page.getByText('Only admins can add or change connections.').waitFor();
    await expect(page.getByRole('button', { name: 'Check now' }).count()).resolves.toBe(0);
    await expect(page.getByRole('button', { name: 'Remove…' }).count()).resolves.toBe(0);
    await expect(page.getByRole('heading', { name: 'Add a connection' }).count()).resolves.toBe(0);
  });
});
