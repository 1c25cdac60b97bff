// The todo app's service worker: what a page does with a Web Push from
// pushsync. The push is the same hint the WebSocket channel carries,
// decrypted by the browser: {message, table, op, id, orig, ...}.
// An open tab is told which record to pull (it pulls that one record);
// with no tab open, browsers require a visible notification for every push
// (userVisibleOnly), so one is shown; clicking it opens the app.
self.addEventListener('push', (event) => {
  const change = event.data?.json() ?? {};
  event.waitUntil((async () => {
    const tabs = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    for (const tab of tabs) tab.postMessage({ pushsync: change });
    if (tabs.length === 0 || change.alert)
      await self.registration.showNotification('todo', {
        body: change.alert ?? `An item changed (${change.op} ${change.table} ${change.id})`,
        tag: `${change.table}:${change.id}`,  // one notification per record, replaced by the next
      });
  })());
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(self.clients.openWindow('/'));
});
