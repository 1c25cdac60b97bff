// The todo web app in a real browser (Debian's headless Chromium, driven by
// puppeteer-core; nothing downloaded), against a real sidecar, PostgreSQL,
// the example backend and, for Web Push, the fake push service
// (tests/fakes/webpush). Saves a screenshot ($SCREENSHOT, default
// web-demo.png here).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { Sidecar, token, eventually } from '../../../../clients/js/test/support/sidecar.js';

const chromium = process.env.CHROMIUM ?? '/usr/bin/chromium';
let sidecar, backend, browser, origin, pushService, pushControl, keysDir, vapidPublicKey;

// The fake push service, with a certificate for 127.0.0.1 and a VAPID key
// pair made by `pushsync vapid-keys`: the webpush section of the config.
async function startPushService() {
  keysDir = mkdtempSync(join(tmpdir(), 'pushsync-webpush-'));
  const [cert, key, vapid] = ['server.pem', 'server.key', 'vapid.pem'].map((f) => join(keysDir, f));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days',
    '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert],
  { stdio: 'ignore' });
  const binary = process.env.PUSHSYNC_BINARY ?? fileURLToPath(new URL('../../../../build/pushsync', import.meta.url));
  vapidPublicKey = /vapid_public_key: "([^"]+)"/.exec(execFileSync(binary, ['vapid-keys', '--out', vapid]).toString())[1];
  pushService = spawn('node', [fileURLToPath(new URL('../../../../tests/fakes/webpush/fake_push_service.mjs',
    import.meta.url)), '--cert', cert, '--key', key], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [ready] = await createInterface({ input: pushService.stdout })[Symbol.asyncIterator]().next()
    .then(({ value }) => [JSON.parse(value)]);
  pushControl = `http://127.0.0.1:${ready.control}`;
  return `webpush:
  vapid_public_key: "${vapidPublicKey}"
  vapid_private_key_file: ${vapid}
  subject: "mailto:test@example.com"
  ca_file: ${cert}
  allowed_origins: ["127.0.0.1"]
`;
}

before(async () => {
  sidecar = await Sidecar.start(await startPushService());
  sidecar.sql(`INSERT INTO lists (name, owner_email) VALUES ('work', 'bob@example.com');
    INSERT INTO todo_items (list_id, title, owner_email) VALUES
      (1, 'milk', 'ann@example.com'), (1, 'bread', 'ann@example.com'), (2, 'report', 'bob@example.com')`);
  const port = 20000 + Math.floor(Math.random() * 30000);
  backend = spawn('node', [fileURLToPath(new URL('../../backend/server.js', import.meta.url))], {
    env: { ...process.env, DATABASE_URL: sidecar.databaseUrl, PUSHSYNC_URL: `http://127.0.0.1:${sidecar.port}`,
      PUSHSYNC_API_TOKEN: token, PUSHSYNC_VAPID_PUBLIC_KEY: vapidPublicKey, PORT: String(port) },
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
  pushService?.kill('SIGTERM');
  await sidecar?.destroy();
  if (keysDir) rmSync(keysDir, { recursive: true, force: true });
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
const webPushes = (page) => page.$eval('#webpushes', (e) => Number(e.value));

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

// The service worker, given what pushsync sent through Web Push. A headless
// browser cannot subscribe at a real push service, so the test subscribes at
// the fake and registers that subscription through the backend, as the page
// does after pushManager.subscribe(); the fake decrypts what pushsync sends
// (http_ece), and DevTools hands that message to the page's service worker.
test('a Web Push from pushsync makes the service worker tell an open page to pull the item, or show a notification when none is open', async () => {
  const page = await open('ann@example.com');
  const context = page.browserContext();
  await context.overridePermissions(origin, ['notifications']);
  const devtools = await page.createCDPSession();
  const registrations = new Map();  // scope -> registration id
  devtools.on('ServiceWorker.workerRegistrationUpdated', ({ registrations: updated }) => {
    for (const r of updated) if (!r.isDeleted) registrations.set(r.scopeURL, r.registrationId);
  });
  await devtools.send('ServiceWorker.enable');
  await page.evaluate(() => navigator.serviceWorker.ready);
  assert.ok(await eventually(async () => registrations.has(`${origin}/`)), 'the page registered no service worker');
  assert.equal(await page.$eval('#webpush', (e) => e.hidden), false, 'the Web Push button is shown');

  const installationId = await page.evaluate(() => sessionStorage.installationId);
  const made = await (await fetch(`${pushControl}/subscriptions`, {
    method: 'POST', body: JSON.stringify({ applicationServerKey: vapidPublicKey }),
  })).json();
  const registered = await page.evaluate(async (id, subscription) => (await fetch(`/devices/${id}/webpush`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'ann@example.com', subscription }),
  })).status, installationId, made.subscription);
  assert.equal(registered, 200);

  sidecar.sql("UPDATE todo_items SET title = 'whole milk' WHERE id = 1");
  const received = async () => (await (await fetch(`${pushControl}/received`)).json()).accepted
    .filter((m) => m.id === made.id);
  assert.ok(await eventually(async () => (await received()).length === 1), 'pushsync sent no Web Push');
  const [message] = await received();
  assert.deepEqual(JSON.parse(message.payload),
    { message: 'PUSH-TO-SYNC', table: 'todo_items', op: 'update', id: '1', orig: '', list: '1' });

  // An open page whose WebSocket is down (the sidecar stopped): only its
  // service worker can tell it, and it pulls the item.
  await sidecar.stop();
  assert.ok(await eventually(async () => (await state(page)) === 'reconnecting'));
  sidecar.sql("UPDATE todo_items SET title = 'skimmed milk' WHERE id = 1");
  await devtools.send('ServiceWorker.deliverPushMessage',
    { origin, registrationId: registrations.get(`${origin}/`), data: message.payload });
  assert.ok(await eventually(async () => (await webPushes(page)) === 1), 'the page heard nothing from its service worker');
  assert.ok(await eventually(async () => (await text(page, 1)) === 'skimmed milk'), 'the page did not pull the item');
  await sidecar.run();

  // No page of the app open: the service worker shows a notification.
  await page.goto('about:blank');
  await devtools.send('ServiceWorker.deliverPushMessage',
    { origin, registrationId: registrations.get(`${origin}/`), data: message.payload });
  const reopened = await context.newPage();
  await reopened.goto(`${origin}/?user=ann@example.com`);
  const shown = async () => reopened.evaluate(async () => (await (await navigator.serviceWorker.ready)
    .getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag })));
  assert.ok(await eventually(async () => (await shown()).length === 1), 'no notification was shown');
  assert.deepEqual(await shown(), [{ title: 'todo', body: 'An item changed (update todo_items 1)', tag: 'todo_items:1' }]);
});
