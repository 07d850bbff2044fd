// Real-browser checks of the sharing pages, driven by tests/browser/share.rs.
//
// Environment: EMBLEM_BASE (app origin), EMBLEM_ASSERTION_ID (an accepted, public award),
// EMBLEM_BADGE_NAME, EMBLEM_ARTIFACTS (screenshot directory), EMBLEM_PLAYWRIGHT (the
// playwright-core package directory installed by tests/browser/setup.sh).
//
// 1. The public badge page: heading, the LinkedIn values to copy, the og:image URL, the badge
//    image really loaded. Screenshot badge-page.png.
// 2. The embed card framed by a page of another origin (frame-ancestors *), its baked image
//    loaded; the certificate framed by the same page is blocked (frame-ancestors 'none').
//    Screenshots embed-card.png and embed-framed.png.
// 3. The certificate under print media: title, QR code drawn, screen-only links hidden; a PDF
//    printed with the page's own @page size is one A4 landscape page. certificate.png/.pdf.
//
// Prints one line per check; exits non-zero with the reason on the first failure.

import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const base = env('EMBLEM_BASE');
const id = env('EMBLEM_ASSERTION_ID');
const badgeName = env('EMBLEM_BADGE_NAME');
const out = env('EMBLEM_ARTIFACTS');
const { chromium } = createRequire(import.meta.url)(env('EMBLEM_PLAYWRIGHT'));

function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
  console.log(`ok - ${message}`);
}

const profile = mkdtempSync(join(tmpdir(), 'emblem-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
  viewport: { width: 1024, height: 800 },
});

try {
  const page = context.pages()[0] ?? (await context.newPage());
  const failedRequests = [];
  page.on('requestfailed', (r) => {
    // Chromium fetches the favicon lazily and cancels that fetch when the test navigates on
    // (net::ERR_ABORTED, seen once in CI): the browser's choice, not a server failure. The
    // favicon itself is checked directly below.
    const aborted = r.failure()?.errorText === 'net::ERR_ABORTED';
    if (aborted && r.url() === `${base}/static/favicon.svg`) return;
    failedRequests.push(`${r.url()} ${r.failure()?.errorText}`);
  });
  const favicon = await fetch(`${base}/static/favicon.svg`);
  check(favicon.status === 200 && (favicon.headers.get('content-type') || '').startsWith('image/svg+xml'),
    `the favicon is served (${favicon.status} ${favicon.headers.get('content-type')})`);

  // 1. The public badge page.
  const badgeUrl = `${base}/assertions/${id}`;
  const response = await page.goto(badgeUrl, { waitUntil: 'load' });
  check(response.status() === 200, `badge page answers 200 (got ${response.status()})`);
  check((await page.locator('h1').innerText()).trim() === badgeName, 'badge page heading is the badge name');
  check(await page.getByRole('heading', { name: 'Add it to LinkedIn by hand' }).isVisible(),
    'badge page shows the LinkedIn values to copy');
  const copied = await page.locator('dl.copy code').allInnerTexts();
  check(copied.includes(id) && copied.includes(badgeUrl), 'values to copy include the credential id and URL');
  const ogImage = await page.locator('meta[property="og:image"]').getAttribute('content');
  check(ogImage === `${badgeUrl}/image`, `og:image is the absolute baked image URL (${ogImage})`);
  const badgeImageWidth = await page.locator('img.badge-image').evaluate((img) => img.naturalWidth);
  check(badgeImageWidth > 0, `badge image loaded (${badgeImageWidth}px wide)`);
  await page.screenshot({ path: join(out, 'badge-page.png'), fullPage: true });

  // 2. The embed card, alone and framed by another origin.
  await page.goto(`${base}/embed/${id}`, { waitUntil: 'load' });
  const card = page.locator('a.embed-card');
  check((await card.locator('.embed-name').innerText()).trim() === badgeName, 'embed card names the badge');
  check((await card.getAttribute('href')) === badgeUrl, 'embed card links the badge page');
  const embedImageWidth = await card.locator('img').evaluate((img) => img.naturalWidth);
  check(embedImageWidth > 0, `embed card's baked image loaded (${embedImageWidth}px wide)`);
  await card.screenshot({ path: join(out, 'embed-card.png') });

  // A page of another origin (another port on loopback) that frames both.
  const parentHtml = `<!DOCTYPE html><title>Someone's blog</title><h1>My blog</h1>
      <iframe id="embed" src="${base}/embed/${id}" width="460" height="130" title="badge"></iframe>
      <iframe id="cert" src="${base}/certificate/${id}" width="460" height="130" title="certificate"></iframe>`;
  const server = createServer((_, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(parentHtml);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const parent = `http://127.0.0.1:${server.address().port}/`;
  await page.goto(parent, { waitUntil: 'load' });
  const embedFrame = await page.locator('#embed').elementHandle().then((h) => h.contentFrame());
  check(embedFrame && (await embedFrame.locator('.embed-name').count()) === 1,
    'another origin can frame the embed card');
  const certFrame = await page.locator('#cert').elementHandle().then((h) => h.contentFrame());
  const certInFrame = certFrame ? await certFrame.locator('.certificate').count() : 0;
  check(certInFrame === 0, 'another origin cannot frame the certificate');
  await page.screenshot({ path: join(out, 'embed-framed.png') });
  server.close();
  // The blocked certificate frame is reported as a failed request; that one is expected.
  failedRequests.splice(0, failedRequests.length,
    ...failedRequests.filter((f) => !f.startsWith(`${base}/certificate/`)));

  // 3. The certificate, printed.
  await page.goto(`${base}/certificate/${id}`, { waitUntil: 'load' });
  await page.emulateMedia({ media: 'print' });
  check((await page.locator('#certificate-title').innerText()).trim().toLowerCase() === 'certificate of achievement',
    'certificate title text');
  check((await page.locator('.certificate-name').innerText()).trim() === badgeName, 'certificate names the badge');
  const qr = page.locator('svg.qr');
  check((await qr.count()) === 1, 'certificate has the QR code svg');
  const box = await qr.boundingBox();
  check(box && box.width > 80 && Math.abs(box.width - box.height) < 1, `QR code drawn square (${box?.width}px)`);
  const verify = await page.locator('.certificate-qr a').getAttribute('href');
  check(verify === `${base}/verify?url=${encodeURIComponent(badgeUrl)}`, 'QR caption links the verify page');
  check(!(await page.locator('.certificate-actions').isVisible()), 'screen-only links are hidden in print');
  await page.screenshot({ path: join(out, 'certificate.png'), fullPage: true });
  const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
  writeFileSync(join(out, 'certificate.pdf'), pdf);
  const text = pdf.toString('latin1');
  const pages = (text.match(/\/Type\s*\/Page[^s]/g) || []).length;
  check(pages === 1, `certificate prints on one page (${pages})`);
  const mediaBox = text.match(/\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/);
  const [w, h] = mediaBox ? [Number(mediaBox[1]), Number(mediaBox[2])] : [0, 0];
  // A4 landscape is 297 × 210 mm = 841.9 × 595.3 pt.
  check(Math.abs(w - 841.9) < 2 && Math.abs(h - 595.3) < 2, `printed page is A4 landscape (${w} × ${h} pt)`);

  check(failedRequests.length === 0, `no failed requests (${failedRequests.join('; ')})`);
} catch (e) {
  console.error(e.stack || String(e));
  process.exitCode = 1;
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
