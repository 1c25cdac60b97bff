// The reference client for bench/apns_throughput.sh: @parse/node-apn sends
// N pushes, the same bodies and headers pushsync sends, to the fake APNs,
// 500 in flight at a time (pushsync's batch size). Prints {failed, cpu_seconds}.
//   node node_apn_client.js PORT CA_FILE KEY_FILE N CLIENTS
'use strict';
const apn = require('@parse/node-apn');
const fs = require('fs');

async function main() {
  const [port, ca, key, n, clients] = process.argv.slice(2);
  const options = {
    token: { key, keyId: 'KEY1234567', teamId: 'TEAM123456' },
    address: 'localhost', port: Number(port), ca: [fs.readFileSync(ca)], production: false,
  };
  const provider = Number(clients) > 1
    ? new apn.MultiProvider({ ...options, clientCount: Number(clients) })
    : new apn.Provider(options);
  const cpu = process.cpuUsage();
  let failed = 0;
  for (let base = 1; base <= Number(n); base += 500) {
    const sends = [];
    for (let i = base; i < base + 500 && i <= Number(n); i++) {
      const note = new apn.Notification();
      note.rawPayload = { aps: { 'content-available': 1 }, message: 'PUSH-TO-SYNC', table: 'bench_items',
                          op: 'insert', id: String(i), orig: '' };
      note.topic = 'com.example.todo';
      note.pushType = 'background';
      note.priority = 5;
      note.expiry = Math.floor(Date.now() / 1000) + 3600;
      note.collapseId = 'bench_items:' + i;
      sends.push(provider.send(note, i.toString(16).padStart(64, '0')));
    }
    for (const result of await Promise.all(sends)) failed += result.failed.length;
  }
  const used = process.cpuUsage(cpu);
  console.log(JSON.stringify({ failed, cpu_seconds: (used.user + used.system) / 1e6 }));
  provider.shutdown();
}
main().catch((e) => { console.error(e); process.exit(1); });
