// What the browser tests share: the real app on a loopback port with Debian's headless Chromium,
// a fresh page per test, signing in through the page, and full-page screenshots into test-artifacts/.
import { mkdirSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { OWNER, startTestApp, type TestApp, type TestAppOptions } from '../helpers/test-app.ts';

export const ARTIFACTS = 'test-artifacts/screenshots';

export function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}

export async function signIn(page: Page, url: string, email = OWNER.email, password = OWNER.password) {
  await page.goto(url);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Assistants' }).waitFor();
}

export const screenshot = (page: Page, name: string) =>
  page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });

export interface Dashboard {
  t: TestApp;
  /** Where the app listens. */
  url: string;
  browser: Browser;
  close(): Promise<void>;
}

/** The real app listening on loopback, and Chromium to drive it. */
export async function openDashboard(options: TestAppOptions = {}): Promise<Dashboard> {
  const t = await startTestApp(options);
  const url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  const browser = await launchChromium();
  return {
    t,
    url,
    browser,
    async close() {
      await browser.close();
      await t.close();
    },
  };
}

/** A new 1280×900 page in a context of its own, after closing the previous test's context. */
export async function freshPage(
  browser: Browser,
  previous?: BrowserContext,
): Promise<{ context: BrowserContext; page: Page }> {
  await previous?.close();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  return { context, page: await context.newPage() };
}

/** What a test gets: the app, where it listens, and a page of its own. */
export interface TestSession {
  t: TestApp;
  url: string;
  context: BrowserContext;
  page: Page;
}

/**
 * The hooks of a browser test file: one app and one Chromium for the whole file, and before each
 * test a fresh page, handed to `onEachTest` (e.g. `(s) => ({ t, url, page } = s)`).
 */
export function withDashboard(
  onEachTest: (session: TestSession) => void,
  options: TestAppOptions = {},
): void {
  let dashboard: Dashboard | undefined;
  let context: BrowserContext | undefined;
  beforeAll(async () => {
    dashboard = await openDashboard(options);
  }, 60_000);
  afterAll(async () => {
    await dashboard?.close();
  });
  beforeEach(async () => {
    if (!dashboard) throw new Error('the dashboard did not start');
    const fresh = await freshPage(dashboard.browser, context);
    context = fresh.context;
    onEachTest({ t: dashboard.t, url: dashboard.url, ...fresh });
  });
}
