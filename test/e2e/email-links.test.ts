// With email set up (SMTP_URL, MAIL_FROM; an SMTP server in this process catches the mail), links
// go by email and the dashboard never shows them: an invitation, and a forgotten password reset
// from the sign-in form through the emailed link to signing in with the new password.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OWNER } from '../helpers/test-app.ts';
import { type Dashboard, freshPage, openDashboard, screenshot, signIn } from './browser.ts';
import { type MailCatcher, startMailCatcher } from './mail-catcher.ts';

let mail: MailCatcher;
let url: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;

let dashboard: Dashboard | undefined;

beforeAll(async () => {
  mail = await startMailCatcher();
  dashboard = await openDashboard({ env: { SMTP_URL: mail.url, MAIL_FROM: 'switchboard@example.com' } });
  ({ url, browser } = dashboard);
}, 60_000);

afterAll(async () => {
  await dashboard?.close();
  await mail?.close();
});

beforeEach(async () => {
  ({ context, page } = await freshPage(browser, context));
});

describe('links by email', () => {
  it('an invitation is emailed, never shown to the admin, and its link works', async () => {
    const email = 'emailed.person@example.com';
    await signIn(page, url);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Members' }).click();
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByRole('button', { name: 'Invite', exact: true }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `We emailed an invitation to ${email}.` })
      .waitFor();
    await expect(page.getByRole('textbox', { name: 'Invitation link' }).count()).resolves.toBe(0);
    await page.getByRole('cell', { name: email, exact: true }).waitFor();

    const link = await mail.linkTo(email, 'invitations');
    await expect(page.content()).resolves.not.toContain(link);
    const invitee = await (await browser.newContext()).newPage();
    await invitee.goto(link);
    await invitee.getByRole('heading', { name: 'Join Acme' }).waitFor();
    await invitee.context().close();
  });

  // Last: it changes the owner's password, which ends the owner's sessions.
  it('a forgotten password: the sign-in form sends a link, whose page sets a new password once', async () => {
    await page.goto(url);
    await page.getByRole('button', { name: 'Forgot password?' }).click();
    await page.getByLabel('Email').fill(OWNER.email);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `If an account exists for ${OWNER.email}, we sent a link to it` })
      .waitFor();
    // The same words for an email with no account.
    await page.getByLabel('Email').fill('nobody@example.com');
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'If an account exists for nobody@example.com, we sent a link to it' })
      .waitFor();

    const link = await mail.linkTo(OWNER.email, 'reset-password');
    expect(link.startsWith(`${url}/reset-password/`)).toBe(true);
    await page.goto(link);
    await page.getByRole('heading', { name: 'Set a new password' }).waitFor();
    await page.getByLabel('New password', { exact: true }).fill('brand-new-password-1');
    await page.getByLabel('Confirm new password').fill('a-typo-password-1');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await expect(page.locator('#new-password-confirm-error').textContent()).resolves.toContain(
      'not the same',
    );
    await expect(
      page.getByLabel('Confirm new password').evaluate((el) => el === document.activeElement),
    ).resolves.toBe(true);
    await screenshot(page, 'reset-password-1280');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'reset-password-390');
    await page.setViewportSize({ width: 1280, height: 900 });

    await page.getByLabel('Confirm new password').fill('brand-new-password-1');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByRole('heading', { name: 'Password changed' }).waitFor();
    expect(page.url()).not.toContain('reset-password');
    await page.getByLabel('Email').fill(OWNER.email);
    await page.getByLabel('Password').fill('brand-new-password-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Assistants' }).waitFor();

    // The link worked once.
    const again = await (await browser.newContext()).newPage();
    await again.goto(link);
    await again.getByLabel('New password', { exact: true }).fill('another-password-1');
    await again.getByLabel('Confirm new password').fill('another-password-1');
    await again.getByRole('button', { name: 'Set new password' }).click();
    await again.getByRole('heading', { name: 'This reset link cannot be used' }).waitFor();
    await expect(again.getByRole('alert').textContent()).resolves.toMatch(/used/i);
    await again.context().close();
  });
});
