// Opens zhiliang's GraphiQL in Debian's Chromium (headless, through playwright-core), types a query, runs it and
// prints one line of JSON: { rendered, resultText, schemaError, requests, consoleErrors }, schemaError being
// what the documentation explorer says when introspection failed (else null). Every request the page makes is
// recorded, so the Rust test that runs this can check that nothing left for another host. It exits non-zero
// when a step fails; what the results must be is for the Rust test to say.
//
//   node tests/js/graphiql.mjs http://127.0.0.1:8080 target/graphiql.png

import { chromium } from 'playwright-core';

const QUERY = '{ notices(first: 2) { nodes { symbol } } }';
const STEP_MS = 20_000;

const [base, screenshot] = process.argv.slice(2);
if (!base || !screenshot || process.argv.length > 4) {
  process.stderr.write('usage: node graphiql.mjs BASE_URL SCREENSHOT_PATH\n');
  process.exit(2);
}

const requests = [];
const consoleErrors = [];
let step = 'launching /usr/bin/chromium';
let browser;
let page;

function squash(s) {
  return s.replace(/\s+/g, ' ').trim();
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
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, serviceWorkers: 'block' });
  context.on('request', (r) => requests.push(r.url()));
  page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const where = m.location() && m.location().url;
    consoleErrors.push(where ? `${m.text()} (${where})` : m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(`uncaught: ${e.message}`));

  step = 'opening /graphiql';
  const url = new URL('/graphiql', base).href;
  const resp = await page.goto(url, { waitUntil: 'load', timeout: STEP_MS });
  if (!resp || resp.status() !== 200) {
    throw new Error(`${url} answered ${resp ? resp.status() : 'nothing'}`);
  }

  step = 'waiting for the query editor';
  const editor = page.locator('.graphiql-query-editor .CodeMirror').first();
  await editor.waitFor({ state: 'visible', timeout: STEP_MS });
  const rendered = true;

  step = 'typing the query';
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Backspace');
  await page.keyboard.type(QUERY, { delay: 10 });
  // Close an autocompletion list if one is open, so it cannot swallow the next key.
  await page.keyboard.press('Escape');
  const typed = await editor.evaluate((el) => el.CodeMirror.getValue());
  if (squash(typed) !== QUERY) {
    throw new Error(`the editor holds ${JSON.stringify(typed)}, not the typed query`);
  }

  step = 'running the query';
  await page.locator('.graphiql-execute-button').click();
  const result = page.locator('.result-window .CodeMirror').first();
  await result.waitFor({ state: 'visible', timeout: STEP_MS });
  await page.waitForFunction(
    () => {
      const el = document.querySelector('.result-window .CodeMirror');
      const text = el && el.CodeMirror ? el.CodeMirror.getValue() : '';
      return text.includes('"data"') || text.includes('"errors"');
    },
    null,
    { timeout: STEP_MS },
  );
  const resultText = await result.evaluate((el) => el.CodeMirror.getValue());

  step = `taking the screenshot ${screenshot}`;
  await page.screenshot({ path: screenshot, fullPage: true });

  // The documentation explorer shows the schema GraphiQL read by introspection, or the error it got.
  step = 'opening the documentation explorer';
  await page.locator('[aria-label="Show Documentation Explorer"]').click({ timeout: STEP_MS });
  const docs = page.locator('.graphiql-doc-explorer-error, .graphiql-doc-explorer-root-type').first();
  await docs.waitFor({ state: 'visible', timeout: STEP_MS });
  const schemaError = (await docs.getAttribute('class')).includes('graphiql-doc-explorer-error')
    ? squash(await docs.innerText())
    : null;

  process.stdout.write(JSON.stringify({ rendered, resultText, schemaError, requests, consoleErrors }) + '\n');
  await browser.close();
} catch (err) {
  process.stderr.write(`graphiql.mjs: failed while ${step}: ${err && err.message ? err.message : err}\n`);
  process.stderr.write(`graphiql.mjs: requests so far: ${JSON.stringify(requests)}\n`);
  process.stderr.write(`graphiql.mjs: console errors so far: ${JSON.stringify(consoleErrors)}\n`);
  if (page) {
    await page.screenshot({ path: screenshot, fullPage: true }).catch(() => {});
  }
  if (browser) await browser.close().catch(() => {});
  process.exit(1);
}
