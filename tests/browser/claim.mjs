// Opens a claim link in headless Chromium, accepts the badge, switches it private and public
// again, and screenshots each page. Prints one JSON line with what it saw.
//
// Environment: EMBLEM_CLAIM_URL (a fresh claim link), EMBLEM_BADGE_NAME, EMBLEM_ARTIFACTS
// (screenshot directory), EMBLEM_PLAYWRIGHT (the playwright-core package); set by
// tests/browser/driver.rs.
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const claimUrl = env('EMBLEM_CLAIM_URL');
const badgeName = env('EMBLEM_BADGE_NAME');
const artifacts = env('EMBLEM_ARTIFACTS');
const { chromium } = createRequire(import.meta.url)(env('EMBLEM_PLAYWRIGHT'));

mkdirSync(artifacts, { recursive: true });
const profile = mkdtempSync(join(tmpdir(), 'emblem-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 1,
});
const seen = { requests: [] };
try {
  const page = context.pages()[0] ?? await context.newPage();
  page.on('request', (r) => seen.requests.push(`${r.method()} ${new URL(r.url()).pathname}`));
  page.on('pageerror', (e) => { seen.pageError = String(e); });

  const offer = await page.goto(claimUrl);
  seen.offerStatus = offer.status();
  seen.offerHeading = await page.locator('h1').first().innerText();
  seen.acceptVisible = await page.getByRole('button', { name: 'Accept badge' }).isVisible();
  seen.rejectVisible = await page.getByRole('button', { name: 'Reject…' }).isVisible();
  // The page must fit a phone: nothing wider than the viewport.
  seen.offerScrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  seen.stylesheetApplied = await page.evaluate(
    () => getComputedStyle(document.querySelector('.button-primary')).backgroundColor,
  );
  await page.screenshot({ path: join(artifacts, 'claim-1-offer.png'), fullPage: true });

  await Promise.all([page.waitForURL(claimUrl), page.getByRole('button', { name: 'Accept badge' }).click()]);
  await page.getByRole('button', { name: 'Make private' }).waitFor();
  seen.manageUrl = page.url();
  seen.manageStatus = await page.locator('.status').first().innerText();
  seen.manageHeading = await page.locator('h1').first().innerText();
  seen.linkedinHref = await page.getByRole('link', { name: 'Add to LinkedIn' }).getAttribute('href');
  seen.signature = await page.locator('#signature').inputValue();
  seen.signatureReadonly = await page.locator('#signature').evaluate((t) => t.readOnly);
  await page.screenshot({ path: join(artifacts, 'claim-2-manage.png'), fullPage: true });

  await page.getByRole('button', { name: 'Make private' }).click();
  await page.getByRole('button', { name: 'Make public' }).waitFor();
  seen.privateVisibility = await page.locator('#visibility').innerText();
  await page.screenshot({ path: join(artifacts, 'claim-3-private.png'), fullPage: true });

  await page.getByRole('button', { name: 'Make public' }).click();
  await page.getByRole('button', { name: 'Make private' }).waitFor();
  seen.publicVisibility = await page.locator('#visibility').innerText();

  // The keyboard reaches the buttons (accessibility): Tab until a button has focus.
  let focused = '';
  for (let i = 0; i < 30 && focused !== 'BUTTON'; i += 1) {
    await page.keyboard.press('Tab');
    focused = await page.evaluate(() => document.activeElement?.tagName ?? '');
  }
  seen.keyboardReachesButton = focused === 'BUTTON';
  seen.badgeName = badgeName;
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(JSON.stringify(seen));
