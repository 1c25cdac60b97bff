// A device of the todo example, in Node (>= 22, or 20 with
// --experimental-websocket): registers through the app's backend (it never
// holds pushsync's API token), listens on pushsync's WebSocket channel, and
// for each push pulls the one record it names from the backend.
//
// Environment: BACKEND_URL (http://backend:3000), PUSHSYNC_WS
// (ws://pushsync:8080/v1/ws), INSTALLATION_ID, EMAIL.
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

async function pull(push) {
  if (push.orig === installationId) return;  // our own write
  if (push.op === 'delete') return console.log(`${push.table} ${push.id} deleted`);
  const answer = await fetch(`${backend}/${push.table}/${encodeURIComponent(push.id)}`);
  console.log(`pulled ${push.table} ${push.id}: ${answer.status} ${await answer.text()}`);
}

function listen(secret, retry = 500) {
  const socket = new WebSocket(`${channel}?installationId=${encodeURIComponent(installationId)}`,
    ['pushsync.v1', secret]);
  socket.onopen = () => { retry = 500; console.log(`${installationId} connected as ${email}`); };
  socket.onmessage = async ({ data }) => {
    const push = JSON.parse(data);
    console.log(`push ${push.seq}: ${push.op} ${push.table} ${push.id}`);
    socket.send(JSON.stringify({ ack: push.seq }));
    await pull(push).catch((e) => console.error(`pull failed: ${e.message}`));
  };
  socket.onclose = () => setTimeout(() => listen(secret, Math.min(retry * 2, 10000)), retry);
}

const started = async (attempt = 1) => {
  try {
    listen(await register());
  } catch (e) {
    console.error(`${e.message}; retrying`);
    setTimeout(() => started(attempt + 1), Math.min(500 * 2 ** attempt, 10000));
  }
};
started();
