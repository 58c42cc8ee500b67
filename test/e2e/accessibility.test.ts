// Every page of the dashboard checked by axe-core (WCAG 2.1 A and AA rules) in Chromium, with no
// serious or critical violation, and screenshots of each at a desktop and a phone width.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createAssistant, finishedJob, linkToken, type TestApp } from '../helpers/test-app.ts';
import { screenshot, signIn, withDashboard } from './browser.ts';

let t: TestApp;
let url: string;
let page: Page;

withDashboard((session) => {
  ({ t, url, page } = session);
});

/** The serious and critical problems axe finds on the page as it is now, each with where. */
async function seriousViolations(): Promise<string[]> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((node) => `${v.id} (${v.impact}): ${node.target.join(' ')} — ${v.help}`));
}

interface Check {
  name: string;
  /** Opens the page and waits until it shows what it is for. */
  open: () => Promise<void>;
}

describe('every page', () => {
  it('has no serious or critical accessibility problem, and looks right at 1280 and 390 px', async () => {
    const assistant = await createAssistant(t, undefined, { name: 'Reception' });
    await t.request(t.owner.cookie, 'PATCH', `/assistants/${assistant.id}`, {
      model: { temperature: 0.3, systemPrompt: 'You answer the phone for a dental practice. Be brief.' },
    });
    await t.userWithRole('editor');
    // A finished job with an error, for the Jobs page.
    t.emulator.faults.failures = [
      { method: 'PATCH', status: 400, message: 'voice is not available', times: 1 },
    ];
    const bulk = await t.request(t.owner.cookie, 'POST', '/assistants/bulk', {
      ids: [assistant.id],
      patch: { firstMessage: 'Hello from the front desk.' },
    });
    await finishedJob(t, t.owner.cookie, bulk.json().job.id);
    await t.createApiKey('viewer', 'Monitoring');
    const invitation = (
      await t.request(t.owner.cookie, 'POST', `/orgs/${t.orgId}/invitations`, {
        email: 'new.person@example.com',
        role: 'editor',
      })
    ).json();

    const heading = (name: string) => page.getByRole('heading', { name, level: 1 }).waitFor();
    const visitThen = (address: string, title: string) => async () => {
      await page.goto(address);
      await heading(title);
    };
    const signedOut: Check[] = [
      { name: 'sign-in', open: visitThen(url, 'Sign in to Switchboard') },
      {
        name: 'forgot-password',
        open: async () => {
          await page.goto(url);
          await page.getByRole('button', { name: 'Forgot password?' }).click();
          await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
        },
      },
      {
        name: 'invitation',
        open: async () => {
          await page.goto(`${url}/invitations/${linkToken(invitation.acceptUrl)}`);
          await page.getByRole('heading', { level: 1, name: /^Join / }).waitFor();
        },
      },
      {
        name: 'reset-password',
        open: visitThen(`${url}/reset-password/not-a-real-token`, 'Set a new password'),
      },
    ];
    const go = (route: string, title: string) => async () => {
      await visitThen(`${url}/#${route}`, title)();
      await page
        .getByRole('status')
        .filter({ hasText: /^Loading/ })
        .waitFor({ state: 'detached' });
    };
    const signedIn: Check[] = [
      { name: 'assistants', open: go('/assistants', 'Assistants') },
      {
        name: 'bulk-panel',
        open: async () => {
          await page.getByLabel('Select all on this page').check();
          await page.getByRole('button', { name: 'Change selected…' }).click();
          await page.getByLabel('Change temperature').check();
          await page.getByLabel('Change system prompt').check();
          await page.getByLabel('New temperature (0–2)').fill('0.9');
          await page.getByLabel('New system prompt').fill('You answer the phone for a dental practice.');
          await page.getByRole('button', { name: 'Preview changes' }).click();
          await page.getByRole('status').filter({ hasText: 'would change' }).waitFor();
        },
      },
      { name: 'new-assistant', open: go('/assistants/new', 'New assistant') },
      {
        name: 'assistant',
        open: async () => {
          await go(`/assistants/${assistant.id}`, 'Reception')();
          await page.getByRole('cell', { name: 'Changed: System prompt, Temperature' }).waitFor();
        },
      },
      {
        name: 'assistant-changes',
        open: async () => {
          await page.getByRole('button', { name: 'Changes in v2' }).click();
          await page.getByRole('region', { name: 'What version 2 changed' }).waitFor();
        },
      },
      {
        name: 'assistant-restore-dialog',
        open: async () => {
          await page.getByRole('button', { name: 'Restore v1…' }).click();
          await page.getByRole('dialog', { name: 'Restore version 1?' }).waitFor();
        },
      },
      { name: 'connections', open: go('/connections', 'Connections') },
      {
        name: 'jobs',
        open: async () => {
          await go('/jobs', 'Jobs')();
          await page.getByText('voice is not available').waitFor();
        },
      },
      { name: 'members', open: go('/members', 'Members') },
      { name: 'api-keys', open: go('/api-keys', 'API keys') },
      {
        name: 'audit',
        open: async () => {
          await go('/audit', 'Audit log')();
          await page.getByRole('cell', { name: 'Created an API key' }).first().waitFor();
        },
      },
      { name: 'account', open: go('/account', 'Your account') },
    ];

    const problems: Array<[page: string, problem: string]> = [];
    const visit = async (checks: Check[]) => {
      for (const check of checks) {
        await page.setViewportSize({ width: 1280, height: 900 });
        await check.open();
        for (const found of await seriousViolations()) problems.push([check.name, found]);
        await screenshot(page, `${check.name}-1280`);
        await page.setViewportSize({ width: 390, height: 844 });
        await screenshot(page, `${check.name}-390`);
        // Nothing wider than a phone: no sideways scrolling of the page itself.
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        if (overflow > 0) problems.push([check.name, `${overflow}px wider than a 390px screen`]);
      }
    };
    // The check itself finds a problem when there is one: an image without words.
    await page.goto(url);
    await page.evaluate(() => document.body.insertAdjacentHTML('beforeend', '<img src="/nothing.png">'));
    expect((await seriousViolations()).join('\n')).toContain('image-alt (critical)');

    await visit(signedOut);
    await page.setViewportSize({ width: 1280, height: 900 });
    await signIn(page, url);
    await visit(signedIn);
    expect(problems).toEqual([]);
  });
});
