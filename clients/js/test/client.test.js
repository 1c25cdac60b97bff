import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PushsyncClient } from '../pushsync-client.js';
import { Sidecar, WebSocketImpl, eventually, sleep } from './support/sidecar.js';

let sidecar;
before(async () => { sidecar = await Sidecar.start('  deliver_to_originator: true'); });
after(async () => { await sidecar?.destroy(); });

async function device(installationId, email, options = {}) {
  const channelSecret = await sidecar.register(installationId, email);
  const client = new PushsyncClient({ url: sidecar.url, installationId, channelSecret, WebSocket: WebSocketImpl,
    minDelayMs: 100, ...options });
  const changes = [];
  const states = [];
  client.onChange((change) => changes.push(change));
  client.onState((state) => states.push(state));
  client.connect();
  assert.ok(await eventually(() => client.state === 'open'), `never connected: ${states}`);
  return { client, changes, states };
}

const mailbox = (id) => Number(sidecar.sql(`SELECT count(*) FROM pushsync.ws_mailbox WHERE installation_id = '${id}'`));

test('a change reaches the device once, with the SPEC fields and data, and is acknowledged', async () => {
  const { client, changes } = await device('ann-browser', 'ann@example.com');
  const id = sidecar.sql("INSERT INTO todo_items (list_id, title, owner_email) VALUES (1, 'milk', 'ann@example.com') RETURNING id");
  assert.ok(await eventually(() => changes.length === 1));
  assert.deepEqual(changes[0], { table: 'todo_items', op: 'insert', id, orig: '', data: { list: '1' } });
  assert.ok(await eventually(() => mailbox('ann-browser') === 0), 'acknowledged frames leave the mailbox');
  await sleep(300);
  assert.equal(changes.length, 1);
  client.close();
  assert.equal(client.state, 'closed');
});

test("the device's own writes are dropped, others' are not", async () => {
  const { client, changes } = await device('bob-browser', 'bob@example.com');
  sidecar.sql(`BEGIN; SELECT pushsync.set_originator('bob-browser');
    INSERT INTO todo_items (list_id, title, owner_email) VALUES (1, 'own', 'bob@example.com'); COMMIT;`);
  sidecar.sql("INSERT INTO todo_items (list_id, title, owner_email) VALUES (1, 'theirs', 'bob@example.com')");
  assert.ok(await eventually(() => changes.length === 1));
  await sleep(300);
  assert.equal(changes.length, 1, 'the own write came through');
  assert.equal(changes[0].orig, '');
  assert.ok(await eventually(() => mailbox('bob-browser') === 0), 'the dropped push is acknowledged too');
  client.close();
});

test('a burst of pushes for one record is one callback with the newest state', async () => {
  const { client, changes } = await device('cid-browser', 'cid@example.com', { coalesceMs: 1000 });
  const id = sidecar.sql("INSERT INTO todo_items (list_id, title, owner_email) VALUES (1, 'v0', 'cid@example.com') RETURNING id");
  for (let v = 1; v <= 5; v++) sidecar.sql(`UPDATE todo_items SET title = 'v${v}' WHERE id = ${id}`);
  sidecar.sql(`DELETE FROM todo_items WHERE id = ${id}`);
  assert.ok(await eventually(() => changes.length >= 1));
  await sleep(1200);
  assert.equal(changes.length, 1, JSON.stringify(changes));
  assert.equal(changes[0].op, 'delete');
  assert.equal(changes[0].id, id);
  client.close();
});

test('a device that was offline reconnects by itself and catches up, nothing lost or twice', async () => {
  const { client, changes, states } = await device('dan-browser', 'dan@example.com');
  await sidecar.stop();
  assert.ok(await eventually(() => client.state === 'reconnecting'));
  const ids = [];
  for (const title of ['a', 'b', 'c'])
    ids.push(sidecar.sql(`INSERT INTO todo_items (list_id, title, owner_email) VALUES (1, '${title}', 'dan@example.com') RETURNING id`));
  await sidecar.run();
  assert.ok(await eventually(() => changes.length === 3), `got ${changes.length}; states ${states}`);
  assert.deepEqual(changes.map((c) => c.id).sort(), ids.sort());
  assert.deepEqual(states.slice(0, 2), ['connecting', 'open']);
  assert.ok(states.includes('reconnecting') && states.at(-1) === 'open', `states ${states}`);
  assert.ok(await eventually(() => mailbox('dan-browser') === 0));
  await sleep(300);
  assert.equal(changes.length, 3);
  client.close();
});
