// Opens an association's page (served by the Rust test on its own port, so another origin than zhiliang) that
// embeds two zhiliang widgets through the one-line loader, in Debian's Chromium (headless, through
// playwright-core). It reads the DOM inside both iframes, pages the second widget by keyboard (focus the "next"
// link, press Enter), checks that each iframe's height fits its content at a desktop width and on a 360 px phone,
// saves a screenshot (and the top of the page at 360 px as SCREENSHOT-phone.png) and prints one line of JSON:
//   { frames: { zone, credit }, creditPage2, fits, phone, requests, consoleErrors }
// Every request of the page and its frames is recorded, so the Rust test can check that none left for a third
// host. It exits non-zero when a step fails; what the results must be is for the Rust test to say.
//
//   node tests/js/embed.mjs http://127.0.0.1:PORT/association.html target/embed-screenshot.png

import { chromium } from 'playwright-core';

const STEP_MS = 20_000;

const [pageUrl, screenshot] = process.argv.slice(2);
if (!pageUrl || !screenshot || process.argv.length > 4) {
  process.stderr.write('usage: node embed.mjs ASSOCIATION_PAGE_URL SCREENSHOT_PATH\n');
  process.exit(2);
}

const requests = [];
const consoleErrors = [];
let step = 'launching /usr/bin/chromium';
let browser;
let page;

// What a widget's document shows, read inside its frame.
function readWidget() {
  const text = (el) => (el ? el.textContent.replace(/\s+/g, ' ').trim() : null);
  const tables = [...document.querySelectorAll('table')];
  const main = tables[tables.length - 1];
  const de = document.documentElement;
  return {
    lang: de.getAttribute('lang'),
    title: text(document.querySelector('h1')),
    caption: text(main && main.querySelector('caption')),
    headers: main ? [...main.querySelectorAll('thead th')].map(text) : [],
    scopes: main ? [...main.querySelectorAll('th')].map((t) => t.getAttribute('scope')) : [],
    rowCount: main ? main.querySelectorAll('tbody tr').length : 0,
    firstRow: main ? text(main.querySelector('tbody tr th')) : null,
    rowHeads: main ? [...main.querySelectorAll('tbody tr th')].map(text) : [],
    next: !!document.querySelector('a[rel=next]'),
    scrollHeight: de.scrollHeight,
    clientHeight: de.clientHeight,
    scrollWidth: de.scrollWidth,
    clientWidth: de.clientWidth,
    cookie: document.cookie,
  };
}

async function frameOf(pattern) {
  const deadline = Date.now() + STEP_MS;
  for (;;) {
    const f = page.frames().find((fr) => pattern.test(fr.url()));
    if (f) return f;
    if (Date.now() > deadline) throw new Error(`no frame matches ${pattern}`);
    await page.waitForTimeout(100);
  }
}

// Waits until each widget iframe is as tall as its content (the loader applied the posted height), scrolled into
// view first (Chromium does not lay out an off-screen cross-origin frame, so its height is sent once it shows), and
// returns, for each, the iframe's height and the content's.
async function waitFitted() {
  const fitted = [];
  for (const [i, pattern] of [/\/embed\/zone\//, /\/embed\/credit/].entries()) {
    const widget = i === 0 ? 'zone' : 'credit';
    const f = await frameOf(pattern);
    await page.evaluate((n) => document.querySelectorAll('iframe')[n].scrollIntoView({ block: 'start' }), i);
    const deadline = Date.now() + STEP_MS;
    for (;;) {
      const iframeHeight = await page.evaluate((n) => {
        const frames = document.querySelectorAll('iframe');
        if (frames.length !== 2) throw new Error(`${frames.length} iframes on the page, not 2`);
        return frames[n].getBoundingClientRect().height;
      }, i);
      const r = await f.evaluate(() => ({
        content: Math.ceil(document.documentElement.getBoundingClientRect().height),
        scrollHeight: document.documentElement.scrollHeight,
        clientHeight: document.documentElement.clientHeight,
      }));
      const now = { widget, iframeHeight, ...r };
      if (Math.abs(now.iframeHeight - now.content) <= 1 && now.scrollHeight <= now.clientHeight) {
        fitted.push(now);
        break;
      }
      if (Date.now() > deadline) throw new Error(`the ${widget} iframe never fitted its content: ${JSON.stringify(now)}`);
      await page.waitForTimeout(100);
    }
  }
  await page.evaluate(() => window.scrollTo(0, 0));
  return fitted;
}

try {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
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
  });
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    serviceWorkers: 'block',
    locale: 'zh-CN',
  });
  context.on('request', (r) => requests.push(r.url()));
  page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const where = m.location() && m.location().url;
    consoleErrors.push(where ? `${m.text()} (${where})` : m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(`uncaught: ${e.message}`));

  step = `opening ${pageUrl}`;
  const resp = await page.goto(pageUrl, { waitUntil: 'load', timeout: STEP_MS });
  if (!resp || resp.status() !== 200) throw new Error(`${pageUrl} answered ${resp ? resp.status() : 'nothing'}`);

  step = 'waiting for the two iframes';
  await page.locator('iframe').nth(1).waitFor({ state: 'attached', timeout: STEP_MS });
  const zoneFrame = await frameOf(/\/embed\/zone\//);
  const creditFrame = await frameOf(/\/embed\/credit/);
  await zoneFrame.waitForSelector('table tbody tr', { timeout: STEP_MS });
  await creditFrame.waitForSelector('table tbody tr', { timeout: STEP_MS });

  step = 'waiting for the iframes to fit their content (desktop)';
  const fits = await waitFitted();

  step = 'reading the widgets';
  const frames = { zone: await zoneFrame.evaluate(readWidget), credit: await creditFrame.evaluate(readWidget) };
  const iframeTitles = await page.evaluate(() => [...document.querySelectorAll('iframe')].map((f) => f.title));

  step = `taking the screenshot ${screenshot}`;
  await page.screenshot({ path: screenshot, fullPage: true });

  step = 'paging the credit list by keyboard (focus the next link, press Enter)';
  const next = creditFrame.locator('a[rel=next]');
  await next.focus({ timeout: STEP_MS });
  const focused = await creditFrame.evaluate(() => document.activeElement && document.activeElement.getAttribute('rel'));
  await Promise.all([
    creditFrame.waitForURL(/[?&]after=/, { timeout: STEP_MS }),
    page.keyboard.press('Enter'),
  ]);
  await creditFrame.waitForSelector('table tbody tr', { timeout: STEP_MS });
  const creditPage2 = { ...(await creditFrame.evaluate(readWidget)), url: creditFrame.url(), focused };
  const fitsAfterPaging = await waitFitted();

  step = 'narrowing to a 360 px phone';
  await page.setViewportSize({ width: 360, height: 740 });
  await page.waitForTimeout(300);
  const fitsPhone = await waitFitted();
  const phone = {
    fits: fitsPhone,
    zone: await zoneFrame.evaluate(readWidget),
    credit: await creditFrame.evaluate(readWidget),
    pageScrollWidth: await page.evaluate(() => document.documentElement.scrollWidth),
  };
  await page.screenshot({ path: screenshot.replace(/\.png$/, '-phone.png') });

  process.stdout.write(
    JSON.stringify({ frames, iframeTitles, creditPage2, fits, fitsAfterPaging, phone, requests, consoleErrors }) + '\n',
  );
  await browser.close();
} catch (err) {
  process.stderr.write(`embed.mjs: failed while ${step}: ${err && err.message ? err.message : err}\n`);
  process.stderr.write(`embed.mjs: requests so far: ${JSON.stringify(requests)}\n`);
  process.stderr.write(`embed.mjs: console errors so far: ${JSON.stringify(consoleErrors)}\n`);
  if (page) await page.screenshot({ path: screenshot, fullPage: true }).catch(() => {});
  if (browser) await browser.close().catch(() => {});
  process.exit(1);
}
