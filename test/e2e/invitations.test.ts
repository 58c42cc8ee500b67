// Membership by invitation in a real headless Chromium against the real server (no SMTP, so the
// inviting admin is shown the link): invite, open the link in another browser, create an account
// or sign in, and join; links that no longer work say why; revoking asks first.
import { eq } from 'drizzle-orm';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { invitations } from '../../src/db/schema.ts';
import { linkToken, OWNER, type TestApp } from '../helpers/test-app.ts';
import { type Dashboard, freshPage, openDashboard, screenshot, signIn as signInAs } from './browser.ts';

interface CreatedInvitation {
  id: string;
  email: string;
  role: string;
  expiresAt: string;
  acceptUrl?: string;
}

let t: TestApp;
let url: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let counter = 0;

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
const uniqueEmail = (name: string) => `${name}.${++counter}@example.com`;

/** A browser with nobody signed in: the person the link was sent to. */
async function strangerPage(width = 1280, height = 900): Promise<Page> {
  const other = await browser.newContext({ viewport: { width, height } });
  return other.newPage();
}

async function openMembers() {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Members' }).click();
  await page.getByRole('heading', { name: 'Members', level: 1 }).waitFor();
}

/** An invitation made through the API, as the owner; its link is returned since no SMTP is set. */
async function invite(
  email: string,
  role = 'viewer',
  orgId = t.orgId,
): Promise<CreatedInvitation & { token: string; link: string }> {
  const res = await t.request(t.owner.cookie, 'POST', `/orgs/${orgId}/invitations`, { email, role });
  if (res.statusCode !== 201) throw new Error(`invite failed: ${res.statusCode} ${res.body}`);
  const created: CreatedInvitation = res.json();
  if (!created.acceptUrl) throw new Error(`no acceptUrl: ${res.body}`);
  const token = linkToken(created.acceptUrl);
  // Made through inject, the link names its Host (localhost): the browser needs the listening port.
  return { ...created, token, link: `${url}/invitations/${token}` };
}

/** What the server holds about the owner's organization's members. */
const members = async (): Promise<{ email: string; role: string }[]> =>
  (await t.request(t.owner.cookie, 'GET', `/orgs/${t.orgId}/members`)).json();

describe('invitations', () => {
  it('an admin invites someone, is shown the link once, and the invitee creates an account with it and lands in the organization', async () => {
    const email = uniqueEmail('new.person');
    await signIn();
    await openMembers();
    // Nobody sets another person's password any more: the old form is gone.
    await expect(page.getByLabel('Password (for a new user)').count()).resolves.toBe(0);
    await expect(page.getByRole('button', { name: 'Add member' }).count()).resolves.toBe(0);

    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Role', { exact: true }).selectOption('editor');
    await page.getByRole('button', { name: 'Invite', exact: true }).click();
    const linkField = page.getByRole('textbox', { name: 'Invitation link' });
    await linkField.waitFor();
    const link = await linkField.inputValue();
    expect(link).toMatch(new RegExp(`^${url}/invitations/[^/]+$`));
    // The link takes the keyboard, selected, ready to copy.
    await expect(linkField.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await expect(page.locator('.card.secret').textContent()).resolves.toContain(
      `Whoever holds this link can accept it: send it only to ${email}`,
    );
    const row = page.getByRole('row').filter({ hasText: email });
    await row.waitFor();
    expect(await row.textContent()).toContain('editor');
    expect(await row.textContent()).toContain('expires in 7 days');
    // Copy puts the link on the clipboard and says so.
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url });
    await page.getByRole('button', { name: 'Copy' }).click();
    await page.getByRole('status').filter({ hasText: 'Copied.' }).waitFor();
    await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(link);
    await screenshot(page, 'members-1280');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'members-390');
    await page.setViewportSize({ width: 1280, height: 900 });
    // Done puts the link away for good, and the keyboard back in the form.
    await page.getByRole('button', { name: 'Done' }).click();
    await expect(page.content()).resolves.not.toContain(link);
    await expect(
      page.getByLabel('Email', { exact: true }).evaluate((el) => el === document.activeElement),
    ).resolves.toBe(true);

    // The invitee's browser: nobody signed in.
    const invitee = await strangerPage();
    await invitee.goto(link);
    await invitee.getByRole('heading', { name: 'Join Acme' }).waitFor();
    const facts = await invitee.locator('.facts').textContent();
    expect(facts).toContain('editor');
    expect(facts).toContain(OWNER.email);
    expect(facts).toMatch(/Expires in 7 days/);
    await screenshot(invitee, 'invitation-1280');
    await invitee.setViewportSize({ width: 390, height: 844 });
    await screenshot(invitee, 'invitation-390');
    await invitee.setViewportSize({ width: 1280, height: 900 });

    // With the keyboard alone.
    await invitee.getByLabel('Your name').focus();
    await invitee.keyboard.type('New Person');
    await invitee.keyboard.press('Tab');
    await invitee.keyboard.type('invitee-password-1');
    await invitee.keyboard.press('Enter');
    await invitee.getByRole('heading', { name: 'Assistants' }).waitFor();
    await expect(invitee.getByRole('link', { name: email, exact: true }).count()).resolves.toBe(1);
    await expect(invitee.getByLabel('Organization').locator('option:checked').textContent()).resolves.toBe(
      'Acme (editor)',
    );
    // The token is gone from the address bar.
    expect(invitee.url()).not.toContain('/invitations/');
    expect((await members()).find((m) => m.email === email)?.role).toBe('editor');
    await invitee.context().close();

    // The admin's list no longer shows it as pending.
    await page.reload();
    await page.getByText('No pending invitations.').waitFor();
  });

  it('someone who already has an account is asked to sign in, and comes back to the invitation to join', async () => {
    // An account in another organization only.
    const email = uniqueEmail('existing');
    const other = await t.request(t.owner.cookie, 'POST', '/orgs', { name: 'Globex' });
    const first = await invite(email, 'viewer', other.json().orgId);
    const made = await t.request(undefined, 'POST', `/invitations/${first.token}/accept`, {
      name: 'Existing Person',
      password: 'existing-password-1',
    });
    expect(made.statusCode).toBe(201);

    const { link } = await invite(email, 'viewer');
    await page.goto(link);
    await page.getByRole('heading', { name: 'Join Acme' }).waitFor();
    // Trying to create the account again: the server says no (403), and the page offers the sign-in.
    await page.getByLabel('Your name').fill('Someone');
    await page.getByLabel('Password', { exact: true }).fill('another-password-1');
    await page.getByRole('button', { name: 'Create account and join Acme' }).click();
    await page.getByRole('heading', { name: 'Sign in to accept' }).waitFor();
    await expect(page.getByRole('alert').textContent()).resolves.toContain(
      `There is already an account for ${email}`,
    );
    await expect(page.getByLabel('Email').inputValue()).resolves.toBe(email);
    await page.getByLabel('Password').fill('existing-password-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Back at the invitation, signed in: one button joins.
    await page.getByRole('button', { name: 'Join Acme' }).click();
    await page.getByRole('heading', { name: 'Assistants' }).waitFor();
    await expect(page.getByLabel('Organization').locator('option:checked').textContent()).resolves.toBe(
      'Acme (viewer)',
    );
  });

  it('someone signed in as another email is told so, and signing out offers the sign-in for the invited one', async () => {
    const email = uniqueEmail('elsewhere');
    const { link } = await invite(email);
    await signIn();
    await page.goto(link);
    await page.getByRole('heading', { name: 'Signed in as someone else' }).waitFor();
    await expect(page.locator('.card').last().textContent()).resolves.toContain(
      `This invitation is for ${email}, and you are signed in as ${OWNER.email}`,
    );
    await expect(page.getByRole('button', { name: 'Join Acme' }).count()).resolves.toBe(0);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to accept' }).waitFor();
    await expect(page.getByLabel('Email').inputValue()).resolves.toBe(email);
  });

  it('a used, expired or unknown link says so in words', async () => {
    const used = await invite(uniqueEmail('used'));
    await t.request(undefined, 'POST', `/invitations/${used.token}/accept`, {
      name: 'Used',
      password: 'used-password-1',
    });
    await page.goto(used.link);
    await page.getByRole('heading', { name: 'This invitation can no longer be used' }).waitFor();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/used|accepted/i);
    await screenshot(page, 'invitation-used');

    const expired = await invite(uniqueEmail('expired'));
    await t.database.db
      .update(invitations)
      .set({ expiresAt: new Date(Date.now() - 60_000) })
      .where(eq(invitations.id, expired.id));
    await page.goto(expired.link);
    await page.getByRole('heading', { name: 'This invitation can no longer be used' }).waitFor();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/expired/i);

    await page.goto(`${url}/invitations/${'x'.repeat(43)}`);
    await page.getByRole('heading', { name: 'This invitation link is not valid' }).waitFor();
    await expect(page.getByRole('alert').textContent()).resolves.toContain(
      'Check that you opened the whole link',
    );
  });

  it('revoking an invitation asks first, says it was revoked, and the link stops working', async () => {
    const email = uniqueEmail('revoked');
    const invitation = await invite(email, 'editor');
    await signIn();
    await openMembers();
    const revoke = page.getByRole('button', { name: `Revoke ${email}…` });
    await revoke.click();
    // Changing one's mind keeps it, and the keyboard goes back to the button.
    await page.getByRole('button', { name: 'Keep it' }).click();
    await expect.poll(() => revoke.evaluate((el) => el === document.activeElement)).toBe(true);
    await revoke.click();
    await expect(page.getByRole('group').textContent()).resolves.toContain(
      `Revoke the invitation for ${email}? Its link stops working at once.`,
    );
    await page.getByRole('button', { name: 'Yes, revoke' }).click();
    const status = page.getByRole('status').filter({ hasText: `Revoked the invitation for ${email}` });
    await status.waitFor();
    await expect(status.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await page.getByRole('cell', { name: email, exact: true }).waitFor({ state: 'detached' });

    const invitee = await strangerPage();
    await invitee.goto(invitation.link);
    await invitee.getByRole('heading', { name: 'This invitation can no longer be used' }).waitFor();
    await expect(invitee.getByRole('alert').textContent()).resolves.toMatch(/revoked/i);
    await invitee.context().close();
  });

  it('says in words when the email is already a member', async () => {
    await signIn();
    await openMembers();
    await page.getByLabel('Email', { exact: true }).fill(OWNER.email);
    await page.getByRole('button', { name: 'Invite', exact: true }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/already a member/i);
  });
});

describe('forgotten passwords', () => {
  it('without email on the server, the sign-in form says a reset link cannot be sent, and how to get one', async () => {
    await page.goto(url);
    await page.getByLabel('Email').fill(OWNER.email);
    await page.getByRole('button', { name: 'Forgot password?' }).click();
    await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
    await expect(page.getByLabel('Email').inputValue()).resolves.toBe(OWNER.email);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain(
      'This server is not set up to send email',
    );
    await page.getByRole('button', { name: 'Back to sign in' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
  });
});
