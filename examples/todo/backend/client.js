// A device of the todo example, in Node (>= 22, or 20 with
// --experimental-websocket): registers through the app's backend (it never
// holds pushsync's API token), listens with the project's JS client
// (clients/js), and for each change pulls the one record it names.
//
// Environment: BACKEND_URL (http://backend:3000), PUSHSYNC_WS
// (ws://pushsync:8080/v1/ws), INSTALLATION_ID, EMAIL.
import { PushsyncClient } from '../../../clients/js/pushsync-client.js';

const backend = process.env.BACKEND_URL ?? 'http://127.0.0.1:3000';
const channel = process.env.PUSHSYNC_WS ?? 'ws://127.0.0.1:8080/v1/ws';
const installationId = process.env.INSTALLATION_ID ?? 'demo-device';
const email = process.env.EMAIL ?? 'ann@example.com';

async function register() {
  const answer = await fetch(`${backend}/devices/${encodeURIComponent(installationId)}`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }),
  });
  if (!answer.ok) throw new Error(`registering: ${answer.status} ${await answer.text()}`);
  return (await answer.json()).channelSecret;
}

async function pull({ table, op, id }) {
  console.log(`push: ${op} ${table} ${id}`);
  if (op === 'delete') return console.log(`${table} ${id} deleted`);
  const answer = await fetch(`${backend}/${table}/${encodeURIComponent(id)}`);
  console.log(`pulled ${table} ${id}: ${answer.status} ${await answer.text()}`);
}

async function start(attempt = 1) {
  let channelSecret;
  try {
    channelSecret = await register();
  } catch (e) {
    console.error(`${e.message}; retrying`);
    return setTimeout(() => start(attempt + 1), Math.min(500 * 2 ** attempt, 10000));
  }
  const sync = new PushsyncClient({ url: channel, installationId, channelSecret });
  sync.onState((state) => console.log(`${installationId} (${email}): ${state}`));
  sync.onChange((change) => pull(change).catch((e) => console.error(`pull failed: ${e.message}`)));
  sync.connect();
}
start();
