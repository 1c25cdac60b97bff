// The todo example's own backend, as a team would have it: pushsync does not
// replace it, it tells devices *which* record to pull from it.
//
//   GET   /  (and /app.js, /pushsync-client.js)  the web app (../web)
//   POST  /devices/{installationId}  {"email"}  registers the device with
//         pushsync (the API token stays here)
//         -> {installationId, channelSecret, url: the WebSocket channel}
//   GET   /webpush-key               {vapidPublicKey}: the applicationServerKey (404 without Web Push)
//   POST  /devices/{installationId}/webpush  {"email", "subscription"}  registers
//         the browser's PushSubscription as installation {installationId}-webpush
//   GET   /todo_items?owner={email}  a user's items
//   GET   /todo_items/{id}           the one-record pull a push asks for
//   POST  /todo_items                {"list_id","title","owner_email"}
//   PATCH /todo_items/{id}           {"title"?, "done"?}
// Writes run pushsync.set_originator(X-Installation-Id) in their transaction,
// so the writer's own device is not notified.
//
// Environment: DATABASE_URL (or DATABASE_URL_FILE), PUSHSYNC_URL
// (http://pushsync:8080), PUSHSYNC_API_TOKEN or PUSHSYNC_API_TOKEN_FILE,
// PUSHSYNC_PUBLIC_WS (the channel as browsers reach it; default PUSHSYNC_URL
// as ws://…/v1/ws), PUSHSYNC_VAPID_PUBLIC_KEY (the webpush section's
// vapid_public_key; unset: no Web Push), PORT (3000).
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const secret = (name) => (process.env[name] ?? readFileSync(process.env[`${name}_FILE`], 'utf8')).trim();
const pool = new pg.Pool({ connectionString: secret('DATABASE_URL') });
const pushsync = process.env.PUSHSYNC_URL ?? 'http://127.0.0.1:8080';
const token = secret('PUSHSYNC_API_TOKEN');
const publicChannel = process.env.PUSHSYNC_PUBLIC_WS ?? `${pushsync.replace(/^http/, 'ws')}/v1/ws`;
const vapidPublicKey = process.env.PUSHSYNC_VAPID_PUBLIC_KEY;
const files = {
  '/': ['../web/index.html', 'text/html; charset=utf-8'],
  '/app.js': ['../web/app.js', 'text/javascript'],
  '/sw.js': ['../web/sw.js', 'text/javascript'],
  '/pushsync-client.js': ['../../../clients/js/pushsync-client.js', 'text/javascript'],
};

// PUT /v1/installations/{id} on pushsync, with the token only this backend holds.
async function putInstallation(installationId, installation) {
  const answer = await fetch(`${pushsync}/v1/installations/${encodeURIComponent(installationId)}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(installation),
  });
  const body = await answer.json();
  return answer.ok ? [200, body] : [502, { error: 'pushsync_refused', message: body.message ?? answer.statusText }];
}

async function registerDevice(installationId, { email }) {
  if (typeof email !== 'string' || !email) return [422, { error: 'invalid_field', message: 'email is required' }];
  const [status, body] = await putInstallation(installationId, { platform: 'ws', tags: [`_email_${email}`] });
  if (status !== 200) return [status, body];
  return [200, { installationId, channelSecret: body.channelSecret, url: publicChannel }];
}

// The browser's PushSubscription (subscription.toJSON()) as a webpush installation.
async function registerWebPush(installationId, { email, subscription }) {
  if (typeof email !== 'string' || !email) return [422, { error: 'invalid_field', message: 'email is required' }];
  const [status, body] = await putInstallation(`${installationId}-webpush`,
    { platform: 'webpush', pushChannel: subscription, tags: [`_email_${email}`] });
  return status === 200 ? [200, { installationId: body.installationId }] : [status, body];
}

async function listItems(owner) {
  const { rows } = await pool.query(
    'SELECT id, list_id, title, done, owner_email, updated_at FROM todo_items WHERE owner_email = $1 ORDER BY id', [owner]);
  return [200, rows];
}

async function readItem(id) {
  const { rows } = await pool.query(
    'SELECT id, list_id, title, done, owner_email, updated_at FROM todo_items WHERE id = $1', [id]);
  return rows.length ? [200, rows[0]] : [404, { error: 'not_found', message: `no todo item ${id}` }];
}

// One write transaction, attributed to the device that asked for it.
async function write(installationId, statement, values) {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pushsync.set_originator($1)', [installationId ?? '']);
    const { rows } = await client.query(statement, values);
    await client.query('COMMIT');
    return rows.length ? [200, rows[0]] : [404, { error: 'not_found', message: 'no such todo item' }];
  } catch (e) {
    await client.query('ROLLBACK');
    throw e;
  } finally {
    client.release();
  }
}

async function route(method, url, body, origin) {
  const path = url.pathname;
  const [, collection, id] = path.split('/');
  const [, , , kind] = path.split('/');
  if (collection === 'devices' && id && method === 'POST' && kind === 'webpush')
    return registerWebPush(decodeURIComponent(id), body);
  if (collection === 'devices' && id && method === 'POST') return registerDevice(decodeURIComponent(id), body);
  if (collection === 'webpush-key' && method === 'GET')
    return vapidPublicKey ? [200, { vapidPublicKey }] : [404, { error: 'not_found', message: 'Web Push is not set up' }];
  if (collection !== 'todo_items') return [404, { error: 'not_found', message: 'no such route' }];
  if (method === 'GET' && id) return readItem(id);
  if (method === 'GET') return listItems(url.searchParams.get('owner') ?? '');
  if (method === 'POST' && !id)
    return write(origin, 'INSERT INTO todo_items (list_id, title, owner_email) VALUES ($1, $2, $3) RETURNING *',
      [body.list_id, body.title, body.owner_email]);
  if (method === 'PATCH' && id)
    return write(origin, `UPDATE todo_items SET title = coalesce($2, title), done = coalesce($3, done),
                          updated_at = now() WHERE id = $1 RETURNING *`, [id, body.title ?? null, body.done ?? null]);
  return [405, { error: 'method_not_allowed', message: `${method} ${path}` }];
}

async function readJson(request) {
  let text = '';
  for await (const chunk of request) text += chunk;
  return text ? JSON.parse(text) : {};
}

function serveFile(response, [path, type]) {
  response.writeHead(200, { 'content-type': type }).end(readFileSync(fileURLToPath(new URL(path, import.meta.url))));
}

const server = createServer(async (request, response) => {
  let status, body;
  try {
    const url = new URL(request.url, 'http://backend');
    if (request.method === 'GET' && files[url.pathname]) return serveFile(response, files[url.pathname]);
    [status, body] = await route(request.method, url, await readJson(request), request.headers['x-installation-id']);
  } catch (e) {
    console.error(`${request.method} ${request.url}: ${e.message}`.replaceAll('\n', ' | '));
    [status, body] = [500, { error: 'internal_error', message: 'the request failed; the backend log says why' }];
  }
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
});
server.listen(Number(process.env.PORT ?? 3000), () => console.log(`todo backend on :${server.address().port}`));
process.on('SIGTERM', () => server.close(() => pool.end()));
