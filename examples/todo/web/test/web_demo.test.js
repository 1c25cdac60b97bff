// The todo web app in a real browser (Debian's headless Chromium, driven by
// puppeteer-core; nothing downloaded), against a real sidecar, PostgreSQL
// and the example backend. Saves a screenshot ($SCREENSHOT, default
// web-demo.png here).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { Sidecar, token, eventually } from '../../../../clients/js/test/support/sidecar.js';

const chromium = process.env.CHROMIUM ?? '/usr/bin/chromium';
let sidecar, backend, browser, origin;

before(async () => {
  sidecar = await Sidecar.start();
  sidecar.sql(`INSERT INTO lists (name, owner_email) VALUES ('work', 'bob@example.com');
    INSERT INTO todo_items (list_id, title, owner_email) VALUES
      (1, 'milk', 'ann@example.com'), (1, 'bread', 'ann@example.com'), (2, 'report', 'bob@example.com')`);
  const port = 20000 + Math.floor(Math.random() * 30000);
  backend = spawn('node', [fileURLToPath(new URL('../../backend/server.js', import.meta.url))], {
    env: { ...process.env, DATABASE_URL: sidecar.databaseUrl, PUSHSYNC_URL: `http://127.0.0.1:${sidecar.port}`,
      PUSHSYNC_API_TOKEN: token, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((done) => backend.stdout.once('data', done));
  origin = `http://127.0.0.1:${port}`;
  browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  backend?.kill('SIGTERM');
  await sidecar?.destroy();
});

// A page of its own (its own session storage: its own installation).
async function open(user) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`${user}: ${e.message}`));
  await page.goto(`${origin}/?user=${encodeURIComponent(user)}`);
  await page.waitForSelector('#state[data-state="open"]', { timeout: 15000 });
  return page;
}
const text = (page, id) => page.$eval(`li[data-id="${id}"] span`, (e) => e.textContent).catch(() => null);
const checked = (page, id) => page.$eval(`li[data-id="${id}"] input`, (e) => e.checked);
const pushes = (page) => page.$eval('#pushes', (e) => Number(e.value));
const state = (page) => page.$eval('#state', (e) => e.dataset.state);

test('a row changed in PostgreSQL updates that item on its owner\'s pages only; a writer\'s page hears nothing of its own write; an offline page catches up', async () => {
  const ann = await open('ann@example.com');
  const annTablet = await open('ann@example.com');
  const bob = await open('bob@example.com');
  assert.equal(await text(ann, 1), 'milk');
  assert.equal(await text(bob, 3), 'report');

  sidecar.sql("UPDATE todo_items SET title = 'oat milk' WHERE id = 1");
  assert.ok(await eventually(async () => (await text(ann, 1)) === 'oat milk'), 'ann\'s page did not update');
  assert.ok(await eventually(async () => (await text(annTablet, 1)) === 'oat milk'));
  assert.equal(await pushes(ann), 1);
  assert.equal(await text(ann, 2), 'bread', 'other items are left as they are');

  // Ann ticks an item on one page: her other page hears it, this one does not.
  await ann.click('li[data-id="2"] input');
  assert.ok(await eventually(async () => await checked(annTablet, 2)), 'the other page did not update');
  assert.equal(sidecar.sql('SELECT done FROM todo_items WHERE id = 2'), 't');
  await new Promise((done) => setTimeout(done, 500));
  assert.equal(await pushes(ann), 1, 'the writer\'s own page was notified');
  assert.equal(await pushes(annTablet), 2);
  assert.equal(await pushes(bob), 0, 'bob heard about ann\'s items');

  // Bob's page goes offline (the sidecar stops), a row changes, it comes back.
  await sidecar.stop();
  assert.ok(await eventually(async () => (await state(bob)) === 'reconnecting'));
  sidecar.sql("UPDATE todo_items SET title = 'report v2' WHERE id = 3");
  await sidecar.run();
  assert.ok(await eventually(async () => (await text(bob, 3)) === 'report v2'), 'bob\'s page did not catch up');
  assert.equal(await state(bob), 'open');
  assert.equal(await pushes(bob), 1);

  await ann.waitForSelector('#state[data-state="open"]', { timeout: 15000 });
  await ann.screenshot({ path: process.env.SCREENSHOT ?? fileURLToPath(new URL('web-demo.png', import.meta.url)) });
});
