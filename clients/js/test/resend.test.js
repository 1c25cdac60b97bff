// What a real sidecar does only after a lost acknowledgement (send a frame
// again on the next connection), played by a scripted socket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PushsyncClient } from '../pushsync-client.js';

class ScriptedSocket {
  static last;
  constructor(url, protocols) {
    Object.assign(this, { url, protocols, sent: [] });
    ScriptedSocket.last = this;
    queueMicrotask(() => this.onopen?.());
  }
  send(text) { this.sent.push(JSON.parse(text)); }
  close() {}
  frame(object) { this.onmessage?.({ data: JSON.stringify(object) }); }
}

// ann's client, connected to a scripted socket; what it hands over lands in `changes`.
function connected() {
  const client = new PushsyncClient({ url: 'ws://x/v1/ws', installationId: 'ann', channelSecret: 's3cret',
    WebSocket: ScriptedSocket, coalesceMs: 0 });
  const changes = [];
  client.onChange((c) => changes.push(c));
  client.connect();
  return { client, changes, socket: ScriptedSocket.last };
}
const settled = () => new Promise((done) => setTimeout(done, 20));

test('a frame sent again after a lost ack is acknowledged and not handed over twice', async () => {
  const { client, changes, socket } = connected();
  assert.equal(socket.url, 'ws://x/v1/ws?installationId=ann');
  assert.deepEqual(socket.protocols, ['pushsync.v1', 's3cret']);
  const push = { seq: 7, message: 'PUSH-TO-SYNC', table: 'todo_items', op: 'update', id: '1', orig: '' };
  socket.frame(push);
  socket.frame({ ...push, seq: 5, id: '2' });  // an older seq that arrives later is still new
  socket.frame(push);
  await settled();
  assert.deepEqual(changes.map((c) => c.id), ['1', '2']);
  assert.deepEqual(socket.sent, [{ ack: 7 }, { ack: 5 }, { ack: 7 }]);
  client.close();
});

test("a push the device itself caused is acknowledged and dropped", async () => {
  const { client, changes, socket } = connected();
  socket.frame({ seq: 1, message: 'PUSH-TO-SYNC', table: 't', op: 'insert', id: '1', orig: 'ann' });
  socket.frame({ seq: 2, message: 'PUSH-TO-SYNC', table: 't', op: 'insert', id: '2', orig: 'bob' });
  await settled();
  assert.deepEqual(changes.map((c) => c.id), ['2']);
  assert.deepEqual(socket.sent, [{ ack: 1 }, { ack: 2 }]);
  client.close();
});

test('with coalesceMs 0 each push is handed over as its frame arrives, bursts included', () => {
  const { client, changes, socket } = connected();
  const push = { seq: 1, message: 'PUSH-TO-SYNC', table: 't', op: 'update', id: '1', orig: '' };
  socket.frame(push);
  assert.deepEqual(changes.map((c) => c.op), ['update']);  // no timer in between
  socket.frame({ ...push, seq: 2, op: 'delete' });
  assert.deepEqual(changes.map((c) => c.op), ['update', 'delete']);
  client.close();
});

test('options are checked up front', () => {
  assert.throws(() => new PushsyncClient({ url: 'ws://x', installationId: 'a' }), /channelSecret is required/);
});
