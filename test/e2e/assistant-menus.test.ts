// The assistant form's menus come from GET /providers: models grouped by family, transcriber models
// where the provider has a closed list, and what is chosen there is what the API stores.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RetellEmulator } from '../../src/providers/retell/emulator/emulator.ts';
import type { TestApp } from '../helpers/test-app.ts';
import { type Dashboard, freshPage, openDashboard, signIn } from './browser.ts';

let t: TestApp;
let url: string;
let browser: Browser;
let page: Page;

let dashboard: Dashboard | undefined;

beforeAll(async () => {
  dashboard = await openDashboard();
  ({ t, url, browser } = dashboard);
  ({ page } = await freshPage(browser));
}, 60_000);

afterAll(async () => {
  await dashboard?.close();
  await retell?.close();
});

let retell: RetellEmulator | undefined;

/** The model menu's group labels, and the options of one group. */
const modelGroups = () =>
  page
    .locator('#f-model optgroup')
    .evaluateAll((groups) => groups.map((g) => (g as HTMLOptGroupElement).label));
const modelsIn = (group: string) =>
  page.locator(`#f-model optgroup[label="${group}"] option`).allTextContents();

describe('the assistant form’s menus', () => {
  it('groups models by family from GET /providers, and what is picked there is stored', async () => {
    const asked: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/providers') asked.push(r.method());
    });
    await signIn(page, url);
    await page.getByRole('link', { name: 'New assistant' }).click();
    await page.getByLabel('Temperature (0–2)').waitFor();
    await expect(page.getByLabel('Max tokens (50–10000)').count()).resolves.toBe(1);

    const openai = await modelGroups();
    expect(openai.slice(0, 2)).toEqual(['GPT-5', 'GPT-4.1']);
    expect(openai).toContain('GPT-4o, pinned to a region');
    await expect(modelsIn('GPT-4o')).resolves.toContain('gpt-4o');
    await expect(page.locator('#f-model').inputValue()).resolves.toBe('gpt-4o');

    await page.locator('#f-modelProvider').selectOption('anthropic');
    await expect(modelGroups()).resolves.toEqual(['Claude Opus', 'Claude Sonnet', 'Claude Haiku']);
    await page.locator('#f-model').selectOption('claude-sonnet-4-6');

    // A transcriber with a closed list of models gets a menu; one that takes any name, a text field.
    const transcriberProvider = page.locator('#f-transcriberProvider');
    await transcriberProvider.selectOption('deepgram');
    await expect(page.locator('#f-transcriberModel').evaluate((e) => e.tagName)).resolves.toBe('INPUT');
    await transcriberProvider.selectOption('openai');
    await expect(page.locator('label[for="f-transcriberModel"]').textContent()).resolves.toBe('Model');
    await page.locator('#f-transcriberModel').selectOption('gpt-4o-mini-transcribe');

    await page.getByLabel('Name').fill('Menus');
    await page.getByLabel('Voice ID').fill('burt');
    await page.getByRole('button', { name: 'Create assistant' }).click();
    await page.getByRole('heading', { name: 'Menus' }).waitFor();
    const id = page.url().split('/').pop() as string;
    const stored = (await t.request(t.owner.cookie, 'GET', `/assistants/${id}`)).json();
    expect(stored.model).toMatchObject({ provider: 'anthropic', model: 'claude-sonnet-4-6' });
    expect(stored.transcriber).toEqual({ provider: 'openai', model: 'gpt-4o-mini-transcribe' });
    // The assistant's page shows the same menus; the catalog was asked for once per page load.
    await expect(page.locator('#f-model').inputValue()).resolves.toBe('claude-sonnet-4-6');
    expect(asked).toEqual(['GET']);
  });

  it('on a Retell connection offers Retell’s models and fields only, and the providers follow from them', async () => {
    retell = new RetellEmulator('retell-form-key');
    const res = await t.request(t.owner.cookie, 'POST', `/orgs/${t.orgId}/connections`, {
      provider: 'retell',
      name: 'Retell account',
      apiKey: 'retell-form-key',
      baseUrl: await retell.listen(),
    });
    expect(res.statusCode, res.body).toBe(201);
    await page.goto(`${url}/#/assistants/new`);
    await page.locator('#f-connection').selectOption(res.json().id);
    await page.getByLabel('Temperature (0–1)').waitFor();
    // Retell has no place for a token limit or a transcriber, and names the providers itself.
    await expect(page.locator('#f-maxTokens').count()).resolves.toBe(0);
    await expect(page.getByRole('group', { name: 'Transcriber' }).count()).resolves.toBe(0);
    await expect(page.locator('#f-modelProvider').evaluate((e) => e.tagName)).resolves.toBe('INPUT');
    expect(await modelGroups()).toEqual(expect.arrayContaining([expect.stringMatching(/^Google/)]));

    await page.getByLabel('Name').fill('Retell from the form');
    await page.locator('#f-model').selectOption('gpt-4.1');
    await page.getByLabel('Voice ID').fill('11labs-Adrian');
    await page.getByRole('button', { name: 'Create assistant' }).click();
    await page.getByRole('heading', { name: 'Retell from the form' }).waitFor();
    const id = page.url().split('/').pop() as string;
    const stored = (await t.request(t.owner.cookie, 'GET', `/assistants/${id}`)).json();
    expect(stored).toMatchObject({
      provider: 'retell',
      model: { provider: 'openai', model: 'gpt-4.1' },
      voice: { provider: '11labs', voiceId: '11labs-Adrian' },
    });
    await expect(page.locator('#f-modelProvider').inputValue()).resolves.toBe('OpenAI');
  });
});
