/**
 * The reference settings page in a real browser: Debian's Chromium driven by playwright-core, against the
 * real gateway (port 0) serving the built page. Screenshots go to test-artifacts/settings-page/.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { cspError, DEFAULT_STATUS, html, json, startFakeCsp, type Reply } from '../helpers/fake-csp.js';
import { startGateway } from '../helpers/gateway.js';
import { serviceAccountJwt, userJwt } from '../helpers/operations.js';
import { DEVICE_NAME, KIT_MANIFEST, PASSWORD, startStoreGateway } from './support/frontend-fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const PAGE_DIR = fileURLToPath(new URL('../../dist/settings/', import.meta.url));
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/settings-page/', import.meta.url));
const HAVE_CHROMIUM = existsSync(CHROMIUM);

if (!HAVE_CHROMIUM) {
  process.stderr.write(
    `settings page browser tests skipped: ${CHROMIUM} not found (apt-get install -y chromium)\n`,
  );
}

interface GraphQLRequest {
  readonly operationName: string | undefined;
  readonly withText: boolean;
}

interface Session {
  readonly page: Page;
  /** Every POST /graphql the page sent. */
  readonly graphql: GraphQLRequest[];
  /** Requests to anything but the gateway (a CDN, a font service…): must stay empty. */
  readonly foreign: string[];
  /** Uncaught page errors and console errors (a CSP violation shows up here). */
  readonly problems: string[];
  /** Main-frame navigations after the first load (a reload would count). */
  navigations(): number;
}

let context: BrowserContext | undefined;
let profile: string | undefined;

async function openPage(origin: string): Promise<Session> {
  profile = await mkdtemp(path.join(tmpdir(), 'chromium-profile-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1000, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const graphql: GraphQLRequest[] = [];
  const foreign: string[] = [];
  const problems: string[] = [];
  let navigations = 0;
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(origin) && !url.startsWith('data:')) foreign.push(url);
    if (url === `${origin}/graphql` && request.method() === 'POST') {
      const body = request.postDataJSON() as { operationName?: string; query?: string };
      graphql.push({ operationName: body.operationName, withText: typeof body.query === 'string' });
    }
  });
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) navigations++;
  });
  await page.goto(`${origin}/settings/`);
  return { page, graphql, foreign, problems, navigations: () => navigations - 1 };
}

async function signIn(page: Page, token: string): Promise<void> {
  await page.getByLabel('Access token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

const state = (page: Page, value: 'on' | 'off') =>
  page.locator(`[data-testid="mfa-state"][data-state="${value}"]`);
const alert = (page: Page, code: string) => page.locator(`[role="alert"][data-error-code="${code}"]`);

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

async function submitPassword(page: Page, password: string, verb = 'Turn on'): Promise<void> {
  const dialog = page.locator('dialog[open]');
  await dialog.getByLabel('Password').fill(password);
  await dialog.getByRole('button', { name: verb, exact: true }).click();
}

(HAVE_CHROMIUM ? describe : describe.skip)('the MFA settings page in Chromium', () => {
  beforeAll(async () => {
    if (!existsSync(path.join(PAGE_DIR, 'index.html'))) {
      throw new Error(`${PAGE_DIR} has no built page: run npm run settings:build first.`);
    }
    await mkdir(ARTIFACTS, { recursive: true });
  });

  afterEach(async () => {
    await context?.close();
    context = undefined;
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  it('turns MFA on with trusted documents: wrong password first, then the state changes with no reload and no second myMfa request', async () => {
    const store = await startStoreGateway({ TRUSTED_DOCUMENTS: KIT_MANIFEST, SETTINGS_PAGE: PAGE_DIR });
    try {
      const { token } = await store.addUser('ada@example.com');
      const session = await openPage(store.gateway.url);
      const { page } = session;
      await shot(page, '01-sign-in');
      await signIn(page, token);
      await state(page, 'off').waitFor();
      await expect(page.getByTestId('mfa-device').textContent()).resolves.toBe(DEVICE_NAME);
      await page.locator('[data-action="MFA_ACTIVATION"]').waitFor();
      await shot(page, '02-signed-in-mfa-off');

      await page.getByRole('button', { name: 'Turn on MFA…' }).click();
      await submitPassword(page, 'not my password');
      await alert(page, 'WRONG_PASSWORD').waitFor();
      await shot(page, '03-wrong-password');

      await submitPassword(page, PASSWORD);
      await state(page, 'on').waitFor();
      await page.locator('dialog[open]').waitFor({ state: 'detached' });
      // The table read the log again: the change and the failed attempt are there.
      await page.locator('[data-action="MFA_ENABLE"]').waitFor();
      await page.locator('[data-action="MFA_AUTHENTICATION_FAILURE"]').waitFor();
      await shot(page, '04-mfa-on-audit-updated');

      expect(session.navigations()).toBe(0);
      expect(session.graphql.filter((r) => r.operationName === 'MyMfa')).toHaveLength(1);
      expect(session.graphql.filter((r) => r.operationName === 'UpdateMyMfa')).toHaveLength(2);
      expect(session.graphql.every((r) => !r.withText)).toBe(true);
      expect(session.foreign).toEqual([]);
      expect(session.problems).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('counts down a rate limit live and keeps the password submit disabled meanwhile (gateway without trusted documents)', async () => {
    const store = await startStoreGateway({ SETTINGS_PAGE: PAGE_DIR, BRUTE_FORCE_MAX_ATTEMPTS: '1' });
    try {
      const { token } = await store.addUser('grace@example.com');
      const session = await openPage(store.gateway.url);
      const { page } = session;
      await signIn(page, token);
      await state(page, 'off').waitFor();
      await page.getByRole('button', { name: 'Turn on MFA…' }).click();
      await submitPassword(page, 'wrong once');
      await alert(page, 'WRONG_PASSWORD').waitFor();
      await submitPassword(page, 'wrong twice');
      await alert(page, 'RATE_LIMITED').waitFor();
      const countdown = page.getByTestId('countdown').first();
      const first = await countdown.textContent();
      expect(first).toMatch(/\d+:\d\d/);
      // Live: the text changes by itself within a few seconds (bounded wait, no timing assertion).
      let now = first;
      for (let i = 0; i < 50 && now === first; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        now = await countdown.textContent();
      }
      expect(now).not.toBe(first);
      await page.locator('dialog[open]').getByLabel('Password').fill(PASSWORD);
      await expect(
        page.locator('dialog[open]').getByRole('button', { name: 'Turn on', exact: true }).isDisabled(),
      ).resolves.toBe(true);
      await shot(page, '05-rate-limited-countdown');
      expect(session.foreign).toEqual([]);
      expect(session.problems).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('shows each status error the way the product should, and recovers from an unavailable upstream with Try again', async () => {
    const csp = await startFakeCsp();
    const gateway = await startGateway({
      CSP_BASE_URL: csp.url,
      CSP_TIMEOUT_MS: '400',
      SETTINGS_PAGE: PAGE_DIR,
    });
    try {
      const cases: ReadonlyArray<{ code: string; reply: Reply; token?: string }> = [
        { code: 'SERVICE_ACCOUNT_NOT_ALLOWED', reply: json(200, DEFAULT_STATUS), token: serviceAccountJwt() },
        { code: 'UNAUTHENTICATED', reply: cspError(401) },
        { code: 'FORBIDDEN', reply: cspError(403) },
        { code: 'NOT_FOUND', reply: cspError(404) },
        { code: 'RATE_LIMITED', reply: cspError(429, {}, { 'retry-after': '90' }) },
        { code: 'UNEXPECTED', reply: cspError(500) },
        { code: 'UPSTREAM_UNAVAILABLE', reply: html(502) },
      ];
      const session = await openPage(gateway.url);
      const { page } = session;
      for (const [i, c] of cases.entries()) {
        csp.onStatus(c.reply);
        await page.goto(`${gateway.url}/settings/`);
        await signIn(page, c.token ?? userJwt());
        await alert(page, c.code).waitFor();
        await shot(page, `${String(10 + i)}-status-${c.code.toLowerCase().replaceAll('_', '-')}`);
      }
      csp.onStatus(json(200, DEFAULT_STATUS));
      await alert(page, 'UPSTREAM_UNAVAILABLE').getByRole('button', { name: 'Try again' }).click();
      await state(page, 'on').waitFor();
      await shot(page, '17-recovered-after-try-again');
      expect(session.foreign).toEqual([]);
    } finally {
      await gateway.close();
      await csp.close();
    }
  });
});
