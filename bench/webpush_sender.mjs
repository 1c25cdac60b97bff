// The reference sender for bench/webpush_throughput.sh: the `web-push`
// library sends N pushes, the same payloads and headers pushsync sends, to
// the fake push service, 500 in flight at a time (pushsync's batch size),
// over a keep-alive agent of up to 64 sockets (web-push speaks HTTP/1.1).
// Prints {failed, cpu_seconds}.
//   node webpush_sender.mjs SUBSCRIPTIONS_FILE VAPID_PUBLIC_KEY VAPID_PEM_FILE N
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import webpush from 'web-push';

const [file, publicKey, pemFile, n] = process.argv.slice(2);
const subscriptions = fs.readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
const privateKey = crypto.createPrivateKey(fs.readFileSync(pemFile)).export({ format: 'jwk' }).d;
const agent = new https.Agent({ keepAlive: true, maxSockets: 64 });
const options = {
  TTL: 3600, urgency: 'normal', contentEncoding: 'aes128gcm', agent,
  vapidDetails: { subject: 'mailto:bench@example.com', publicKey, privateKey },
};

const cpu = process.cpuUsage();
let failed = 0;
for (let base = 1; base <= Number(n); base += 500) {
  const sends = [];
  for (let i = base; i < base + 500 && i <= Number(n); i++) {
    const payload = JSON.stringify({ message: 'PUSH-TO-SYNC', table: 'bench_items', op: 'insert', id: String(i), orig: '' });
    const topic = crypto.createHash('sha256').update(`bench_items:${i}`).digest('hex').slice(0, 32);
    sends.push(webpush.sendNotification(subscriptions[i - 1], payload, { ...options, topic }).catch(() => { failed++; }));
  }
  await Promise.all(sends);
}
const used = process.cpuUsage(cpu);
console.log(JSON.stringify({ failed, cpu_seconds: (used.user + used.system) / 1e6 }));
agent.destroy();
