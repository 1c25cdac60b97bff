// The devices of bench/ws_scale.sh: N WebSocket devices on one sidecar (and
// one on a second sidecar), acknowledging every frame at once. Drives the
// measurements itself (psql for the writes, /proc for the sidecar) and
// prints one JSON line of results.
//   node ws_scale_client.js <config.json>
'use strict';
const fs = require('fs');
const { spawn, execFileSync } = require('child_process');
const WebSocket = require('ws');

const cfg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const nowUs = () => Math.round((performance.timeOrigin + performance.now()) * 1000);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sql = (q) => execFileSync('psql', [cfg.url, '-qAtX', '-c', q], { encoding: 'utf8' }).trim();
const clkTck = 100;
const cpuSeconds = (pid) => {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / clkTck;
};
const rssKb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
const statements = () =>
  Number(sql("SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%'"));
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const summary = (us) => ({ min_ms: Math.min(...us) / 1000, p50_ms: pct(us, 50) / 1000, p99_ms: pct(us, 99) / 1000, max_ms: Math.max(...us) / 1000 });

const waiting = new Map(); // row id -> { want, latencies, done }
function onFrame(ws, text) {
  const frame = JSON.parse(text);
  ws.send(JSON.stringify({ ack: frame.seq }));
  const w = waiting.get(frame.k);
  if (!w) return;
  w.latencies.push(nowUs() - Number(frame.t));
  if (w.latencies.length === w.want) w.done();
}

function connect(port, id, i) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/ws?installationId=${id}`, {
      headers: { Authorization: `Bearer secret-${id}` },
      localAddress: `127.0.0.${2 + (i % 8)}`,
      perMessageDeflate: false,
    });
    ws.on('open', () => resolve(ws));
    ws.on('error', reject);
    ws.on('message', (data) => onFrame(ws, data.toString()));
  });
}

// Inserts one row for `tag` (through one psql session kept open: starting
// a process per change would cost more than what is measured) and waits
// until `want` devices received it; frames are matched by a key chosen here.
let keys = 0;
let writer = null;
function change(tag, want) {
  return new Promise((resolve) => {
    const key = `k${++keys}`;
    const w = { want, latencies: [], done: () => { clearTimeout(w.timer); resolve(w.latencies); } };
    waiting.set(key, w);
    w.timer = setTimeout(() => resolve(w.latencies), 60000);
    if (!writer) writer = spawn('psql', [cfg.url, '-qAtX'], { stdio: ['pipe', 'ignore', 'inherit'] });
    writer.stdin.write(`INSERT INTO bench_ws (tag, k, t) VALUES ('${tag}', '${key}', ` +
      `((extract(epoch FROM clock_timestamp()) * 1000000)::bigint)::text);\n`);
  });
}

async function idle(seconds) {
  const cpu0 = cpuSeconds(cfg.pid_a), q0 = statements(), t0 = Date.now();
  await sleep(seconds * 1000);
  const elapsed = (Date.now() - t0) / 1000;
  return { cpu_percent: (100 * (cpuSeconds(cfg.pid_a) - cpu0)) / elapsed, statements_per_s: (statements() - q0 - 1) / elapsed };
}

(async () => {
  const out = { devices: cfg.devices };
  await sleep(2000);
  out.idle_without_devices = await idle(cfg.idle_seconds);
  const rss0 = rssKb(cfg.pid_a);
  const t0 = Date.now();
  const sockets = [];
  for (let i = 0; i < cfg.devices; i += 200) {
    const batch = [];
    for (let j = i; j < Math.min(cfg.devices, i + 200); ++j) batch.push(connect(cfg.port_a, `d${j}`, j));
    sockets.push(...(await Promise.all(batch)));
  }
  sockets.push(await connect(cfg.port_b, 'far', 0));
  out.connect_seconds = (Date.now() - t0) / 1000;
  await sleep(3000);
  out.idle_with_devices = await idle(cfg.idle_seconds);
  out.rss_mb = rssKb(cfg.pid_a) / 1024;
  out.kb_per_connection = (rssKb(cfg.pid_a) - rss0) / cfg.devices;

  out.broadcast = [];
  for (let r = 0; r < cfg.broadcasts; ++r) {
    const lat = await change('all', cfg.devices);
    out.broadcast.push({ received: lat.length, ...summary(lat) });
    await sleep(1000);
  }
  const one = [];
  for (let r = 0; r < cfg.singles; ++r) {
    one.push(...(await change(`dev:${Math.floor(Math.random() * cfg.devices)}`, 1)));
    await sleep(150); // the sidecar asleep on LISTEN, as in latency.sh idle
  }
  out.one_device = summary(one);
  const far = [];
  for (let r = 0; r < cfg.singles; ++r) {
    far.push(...(await change('far', 1)));
    await sleep(150); // the sidecar asleep on LISTEN, as in latency.sh idle
  }
  out.other_replica = summary(far);
  console.log(JSON.stringify(out));
  for (const s of sockets) s.terminate();
  writer.stdin.end();
  process.exit(0);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
