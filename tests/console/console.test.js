// The operator's console (GET /console) in a real browser (Debian's headless
// Chromium, driven by puppeteer-core; nothing downloaded), against a real
// sidecar, PostgreSQL and the fake FCM (tests/fakes, `fake_provider fcm
// serve`), which is made to fail and to recover. Saves a screenshot
// ($SCREENSHOT, default console.png here).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { Sidecar, token, eventually } from '../../clients/js/test/support/sidecar.js';

const chromium = process.env.CHROMIUM ?? '/usr/bin/chromium';
const fakeBinary = process.env.FAKE_PROVIDER ??
  fileURLToPath(new URL('../../build/tests/fake_provider', import.meta.url));
const deviceToken = 'console-test-device-token';
let sidecar, fake, fakeLines, browser, page;
const requested = []; // every URL the page asked for
const consoleHeaders = [];

// The fake FCM, serving until its input ends; answers commands (fake_provider_main.cpp).
async function startFake() {
  fake = spawn(fakeBinary, ['fcm', 'serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
  fakeLines = createInterface({ input: fake.stdout })[Symbol.asyncIterator]();
  return JSON.parse((await fakeLines.next()).value);
}

async function fakeSays(command) {
  fake.stdin.write(`${command}\n`);
}

async function acceptedByFake() {
  await fakeSays(`received ${deviceToken}`);
  return JSON.parse((await fakeLines.next()).value).accepted;
}

before(async () => {
  const ready = await startFake();
  sidecar = await Sidecar.start(`fcm:
  service_account_file: ${ready.service_account}
  endpoint: https://127.0.0.1:${ready.port}
  ca_file: ${ready.ca}
`);
  const answer = await fetch(`http://127.0.0.1:${sidecar.port}/v1/installations/phone-1`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ platform: 'fcm', pushChannel: deviceToken, tags: ['_email_ann@example.com'] }),
  });
  assert.equal(answer.status, 201, await answer.text());
  browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage();
  await page.setViewport({ width: 1200, height: 1600 });
  page.on('pageerror', (e) => console.error(`page: ${e.message}`));
  page.on('request', (r) => requested.push(r.url()));
  page.on('response', (r) => { if (new URL(r.url()).pathname.startsWith('/console')) consoleHeaders.push(r.headers()); });
});

after(async () => {
  await browser?.close();
  fake?.stdin.end();
  await sidecar?.destroy();
});

// Rows are written by psql without blocking this process (puppeteer's
// messages keep flowing).
const rows = { started: 0, written: 0, failed: '' };
function writeRow() {
  const statement = `INSERT INTO todo_items (list_id, title, owner_email) VALUES (1, 'item ${++rows.started}', 'ann@example.com')`;
  return new Promise((done) => execFile('psql', ['-qAt', '-v', 'ON_ERROR_STOP=1', sidecar.db, '-c', statement], (error) => {
    if (error) rows.failed = error.message;
    else rows.written++;
    done();
  }));
}

// A row every `ms`, one at a time, until the returned function is called.
function keepWriting(ms) {
  let writing = false;
  const timer = setInterval(() => {
    if (writing) return;
    writing = true;
    writeRow().then(() => { writing = false; });
  }, ms);
  return () => clearInterval(timer);
}

// Waits for `fn` (run in the page) to be true; fails the test with `what`.
async function see(what, fn, ...args) {
  await page.waitForFunction(fn, { timeout: 20000, polling: 100 }, ...args)
    .catch(async () => assert.fail(`the console did not show ${what}; it shows ${JSON.stringify(await shown())}; ` +
      `rows ${JSON.stringify(rows)}; /v1/status: ${await (await fetch(`http://127.0.0.1:${sidecar.port}/v1/status`, { headers: { authorization: `Bearer ${token}` } })).text()}\nlog: ${sidecar.log.slice(-3000)}`));
}

// What the page shows at the top and in its charts (for a failure's message).
function shown() {
  return page.evaluate(() => ({
    updated: document.getElementById('updated').textContent,
    error: document.getElementById('error').textContent,
    latest: [...document.querySelectorAll('.chart')].map((c) => `${c.id}=${c.dataset.latest}`),
    now: new Date().toLocaleTimeString(),
  }));
}

test('a wrong token shows an error and no data', async () => {
  await page.goto(`http://127.0.0.1:${sidecar.port}/console`);
  await page.type('#token', 'not-the-token');
  await page.click('#login button[type=submit]');
  await see('the refusal', () => document.getElementById('error').textContent.includes('refused'));
  assert.equal(await page.$eval('#panels', (e) => e.hidden), true);
  assert.equal(await page.$$eval('#providers tbody tr, #dead-letters tbody tr', (rows) => rows.length), 0);
  assert.equal(await page.$eval('#backlog-changes', (e) => e.textContent), '–');
});

test('with the token it shows pushes per second while rows are written', async () => {
  await page.type('#token', token);
  await page.click('#login button[type=submit]');
  await see('its panels', () => !document.getElementById('panels').hidden);
  await see('FCM up', () => document.querySelector('#provider-fcm')?.dataset.state === 'up');
  const stopWriting = keepWriting(100);
  try {
    await see('FCM pushes per second above 0',
      () => Number(document.getElementById('chart-fcm')?.dataset.latest ?? 0) > 0);
    await see('changes per second above 0', () => Number(document.getElementById('chart-traffic').dataset.latest) > 0);
  } finally {
    stopWriting();
  }
});

test('a failing FCM turns red with its error, and its pushes become dead letters', async () => {
  await fakeSays('fail 400 INVALID_ARGUMENT Message payload is invalid: data must only contain string values');
  await writeRow();
  await see('FCM failing', () => document.querySelector('#provider-fcm')?.dataset.state === 'failing');
  const shown = await page.$eval('#provider-fcm', (row) => ({
    text: row.textContent, color: getComputedStyle(row.querySelector('.state')).backgroundColor }));
  assert.match(shown.text, /fcm 400 INVALID_ARGUMENT: Message payload is invalid: data must only contain string values/);
  assert.equal(shown.color, 'rgb(207, 34, 46)'); // red
  await see('the dead letter', () => [...document.querySelectorAll('#dead-letters tbody tr')]
    .some((r) => r.textContent.includes('phone-1') && r.textContent.includes('INVALID_ARGUMENT')));
});

test('Retry after FCM recovers sends the push and the row leaves the table', async () => {
  await fakeSays('recover');
  const before = await acceptedByFake();
  const id = await page.$eval('#dead-letters tbody tr', (r) => r.dataset.id);
  await page.screenshot({ path: process.env.SCREENSHOT ?? 'console.png', fullPage: true });
  await page.click(`#dead-letters tbody tr[data-id="${id}"] button`);
  await see('the retried row gone', (gone) => !document.querySelector(`#dead-letters tbody tr[data-id="${gone}"]`), id);
  assert.ok(await eventually(async () => (await acceptedByFake()) > before), 'the device got no push after Retry');
  await see('FCM up again', () => document.querySelector('#provider-fcm')?.dataset.state === 'up');
});

test('looking up the installation shows its platform and last pushes', async () => {
  await page.type('#lookup input[name=id]', 'phone-1');
  await page.click('#lookup button[type=submit]');
  await see('the installation', () => document.getElementById('installation').textContent.includes('fcm, tags _email_ann@example.com'));
  // Its recent pushes, newest first: the retried one accepted, the one that failed dead.
  const outcomes = await page.$$eval('#installation table:first-of-type tbody tr', (rows) => rows.map((r) => r.cells[4].textContent));
  assert.equal(outcomes[0], 'accepted');
  assert.ok(outcomes.includes('dead'), outcomes.join());
});

test('every console answer carries a strict policy, and no URL carries the token', () => {
  assert.ok(consoleHeaders.length >= 3, 'the page, its script and its style');
  for (const headers of consoleHeaders) {
    assert.match(headers['content-security-policy'], /default-src 'none'/);
    assert.match(headers['content-security-policy'], /script-src 'self'/);
    assert.match(headers['content-security-policy'], /frame-ancestors 'none'/);
    assert.equal(headers['x-content-type-options'], 'nosniff');
  }
  assert.ok(requested.some((url) => url.includes('/v1/status')));
  for (const url of requested) assert.ok(!url.includes(token), `the token is in ${url}`);
});
