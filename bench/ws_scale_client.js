// The devices of bench/ws_scale.sh: N WebSocket devices on one sidecar (and
// two on a second sidecar), acknowledging every frame at once; one device
// on each sidecar is the project's own client (clients/js). Drives the
// measurements itself (psql for the writes, /proc for the sidecar) and
// prints one JSON line of results.
//   node ws_scale_client.js <config.json>
'use strict';
const fs = require('fs');
const { spawn, execFileSync } = require('child_process');
const { PerformanceObserver } = require('perf_hooks');
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

// The client's own pauses: a garbage collection stops every simulated
// device at once, and a change that arrives meanwhile is timed late. The
// longest pause of each measured phase is reported next to its latencies.
let longestGcMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) longestGcMs = Math.max(longestGcMs, entry.duration);
}).observe({ entryTypes: ['gc'] });
async function phase(measure) {
  longestGcMs = 0;
  const result = await measure();
  return { ...result, gc_max_ms: longestGcMs };
}

// Every change's key -> { want, latencies, devices (who received it), done }.
const waiting = new Map();
let framesReceived = 0;
let duplicates = 0;
function received(device, key, t, at = nowUs()) {
  ++framesReceived;
  const w = waiting.get(key);
  if (!w) return;
  if (w.devices.has(device)) return void ++duplicates;
  w.devices.add(device);
  w.latencies.push(at - Number(t));
  if (w.latencies.length === w.want) w.done();
}

function connect(port, id, i) {
  return new Promise((resolve, reject) => {
    // Every 10th device as a browser does: the secret among the subprotocols.
    const browser = i % 10 === 9;
    const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/ws?installationId=${id}`,
      browser ? ['pushsync.v1', `secret-${id}`] : [], {
        headers: browser ? {} : { Authorization: `Bearer secret-${id}` },
        localAddress: `127.0.0.${2 + (i % 8)}`,
        perMessageDeflate: false,
      });
    ws.on('open', () => resolve(ws));
    ws.on('error', reject);
    // The frame's arrival time is taken first and the acknowledgement sent
    // after the frames that arrived with it: the simulated devices share
    // one thread, and a device's receipt must not wait for the others' acks.
    ws.on('message', (data) => {
      const at = nowUs();
      const frame = JSON.parse(data.toString());
      received(id, frame.k, frame.t, at);
      setImmediate(() => ws.send(`{"ack":${frame.seq}}`));
    });
  });
}

// The project's client, handing each change over as it comes (coalesceMs 0).
async function connectJs(port, id) {
  const { PushsyncClient } = await import(cfg.js_client);
  const client = new PushsyncClient({ url: `ws://127.0.0.1:${port}/v1/ws`, installationId: id,
    channelSecret: `secret-${id}`, coalesceMs: 0, WebSocket });
  client.onChange((change) => received(id, change.data.k, change.data.t));
  await new Promise((resolve) => {
    const off = client.onState((state) => { if (state === 'open') { off(); resolve(); } });
    client.connect();
  });
  return client;
}

// Inserts one row for `tag` (through one psql session kept open: starting
// a process per change would cost more than what is measured) and waits
// until `want` devices received it; frames are matched by a key chosen here.
let keys = 0;
let writer = null;
let lost = 0;
function change(tag, want) {
  return new Promise((resolve) => {
    const key = `k${++keys}`;
    const w = { want, latencies: [], devices: new Set(),
      done: () => { clearTimeout(w.timer); resolve(w.latencies); } };
    waiting.set(key, w);
    w.timer = setTimeout(() => { lost += want - w.latencies.length; resolve(w.latencies); }, 60000);
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

// `count` changes for `tag` (one device each), the sidecar asleep between
// them as in latency.sh's idle load.
async function singles(tag, count) {
  const all = [];
  for (let r = 0; r < count; ++r) {
    all.push(...(await change(tag, 1)));
    await sleep(150);
  }
  return summary(all);
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
  const clients = [await connectJs(cfg.port_a, 'js'), await connectJs(cfg.port_b, 'farjs')];
  out.connect_seconds = (Date.now() - t0) / 1000;
  await sleep(cfg.idle_wait_seconds * 1000);
  out.idle_with_devices = await idle(cfg.idle_seconds);
  out.rss_mb = rssKb(cfg.pid_a) / 1024;
  out.kb_per_connection = (rssKb(cfg.pid_a) - rss0) / cfg.devices;

  out.broadcast = [];
  for (let r = 0; r < cfg.broadcasts; ++r) {
    const lat = await change('all', cfg.devices);
    out.broadcast.push({ received: lat.length, ...summary(lat) });
    await sleep(1000);
  }
  const firsts = [];
  out.group = await phase(async () => {
    const group = [];
    for (let r = 0; r < cfg.groups; ++r) {
      const lat = await change('group', Math.min(200, cfg.devices));
      group.push(...lat);
      firsts.push(Math.min(...lat));
      await sleep(150);
    }
    return { received: group.length, ...summary(group) };
  });
  out.group_first = summary(firsts);
  out.one_device = await phase(async () => {
    const one = [];
    for (let r = 0; r < cfg.singles; ++r) {
      one.push(...(await change(`dev:${Math.floor(Math.random() * cfg.devices)}`, 1)));
      await sleep(150);
    }
    return summary(one);
  });
  out.one_device_js = await phase(() => singles('js', cfg.singles));
  out.other_replica = await phase(() => singles('far', cfg.singles));
  out.other_replica_js = await phase(() => singles('farjs', cfg.singles));
  await sleep(1000); // anything sent twice comes now
  out.frames_received = framesReceived;
  out.duplicates = duplicates;
  out.lost = lost;
  console.log(JSON.stringify(out));
  for (const s of sockets) s.terminate();
  for (const c of clients) c.close();
  writer.stdin.end();
  process.exit(0);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
