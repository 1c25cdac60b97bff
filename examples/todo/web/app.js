// The todo web app: lists a user's items (?user=ann@example.com) and, when
// pushsync says an item changed, pulls that one item and updates it in place.
import { PushsyncClient } from '/pushsync-client.js';

const user = new URLSearchParams(location.search).get('user') ?? 'ann@example.com';
// One installation per page (tab): its own pushes, its own writes.
const installationId = sessionStorage.installationId ??= `web-${crypto.randomUUID()}`;
const list = document.querySelector('#items');
const pushes = document.querySelector('#pushes');
document.querySelector('#who').textContent = user;

function render(item) {
  let li = list.querySelector(`li[data-id="${item.id}"]`);
  if (!li) {
    li = document.createElement('li');
    li.dataset.id = item.id;
    li.innerHTML = '<input type="checkbox"><span></span>';
    li.querySelector('input').addEventListener('change', (e) => write(item.id, { done: e.target.checked }));
    list.append(li);
  }
  li.querySelector('span').textContent = item.title;
  li.querySelector('input').checked = item.done;
  li.classList.toggle('done', item.done);
  return li;
}

// Writes carry the installation id: the backend sets pushsync.set_originator.
async function write(id, change) {
  const answer = await fetch(`/todo_items/${id}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', 'x-installation-id': installationId },
    body: JSON.stringify(change),
  });
  if (answer.ok) render(await answer.json());  // no push comes back for our own write
}

// The one-record pull.
async function pull({ op, id }) {
  const li = list.querySelector(`li[data-id="${id}"]`);
  const answer = op === 'delete' ? null : await fetch(`/todo_items/${encodeURIComponent(id)}`);
  if (!answer?.ok) return li?.remove();
  const item = await answer.json();
  if (item.owner_email !== user) return li?.remove();
  const updated = render(item);
  updated.classList.remove('flash');
  void updated.offsetWidth;  // restart the animation
  updated.classList.add('flash');
}

for (const item of await (await fetch(`/todo_items?owner=${encodeURIComponent(user)}`)).json()) render(item);

const device = await (await fetch(`/devices/${installationId}`, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: user }),
})).json();
const sync = new PushsyncClient({ url: device.url, installationId, channelSecret: device.channelSecret });
const state = document.querySelector('#state');
sync.onState((s) => { state.textContent = s; state.dataset.state = s; });
sync.onChange(async (change) => {
  pushes.value = String(Number(pushes.value) + 1);
  if (change.table === 'todo_items') await pull(change);
});
sync.connect();

// Web Push, so the app hears of changes with no tab open: the service worker
// (sw.js) gets the push and tells open tabs, which pull the record (once
// more, if the WebSocket said so too: a pull is idempotent).
const webPush = document.querySelector('#webpush');
const key = await fetch('/webpush-key');
if (key.ok && 'serviceWorker' in navigator && 'PushManager' in window) {
  const registration = await navigator.serviceWorker.register('/sw.js');
  const webPushes = document.querySelector('#webpushes');
  navigator.serviceWorker.addEventListener('message', async ({ data }) => {
    if (!data?.pushsync) return;
    webPushes.value = String(Number(webPushes.value) + 1);
    if (data.pushsync.table === 'todo_items') await pull(data.pushsync);
  });
  webPush.hidden = false;
  webPush.addEventListener('click', async () => {
    const { vapidPublicKey } = await key.json();
    const subscription = await registration.pushManager.subscribe({
      userVisibleOnly: true, applicationServerKey: vapidPublicKey,
    });
    await fetch(`/devices/${installationId}/webpush`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: user, subscription: subscription.toJSON() }),
    });
    webPush.disabled = true;
    webPush.textContent = 'Web Push on';
  }, { once: true });
}
