// A strict fake Web Push service (RFC 8030), for pushsync's tests and benchmark.
//
//   node fake_push_service.mjs --cert server.pem --key server.key [--count N]
//
// Push endpoint: https://127.0.0.1:<port>/push/<id>, over HTTP/2 or HTTP/1.1
// (ALPN; --http1-only: HTTP/1.1 only, as some services are; --keep-alive-ms:
// how long it keeps an idle HTTP/1.1 connection, Node's default 5 s). Like a real push service it checks the VAPID Authorization
// (RFC 8292: ES256 signature with k, aud = this origin, exp within 24 h,
// sub mailto:/https:, k = the key the subscription was made with), the
// Content-Encoding (aes128gcm), TTL, Urgency and Topic headers and the size
// (4096 bytes), then decrypts the body with the subscription's private key
// using http_ece, an implementation independent of pushsync's. Then it
// answers what was scripted for the subscription, else 201.
//
// Control, plain HTTP on 127.0.0.1:<control>:
//   POST /subscriptions {"applicationServerKey", "answers"?: [{"status", "retryAfter"?, "body"?}]}
//        -> {"id", "subscription": {"endpoint", "keys": {"p256dh", "auth"}}}
//   POST /script {"id", "answers": [...]}   answers for the next requests of one subscription
//   GET  /received  -> {"accepted": [{"id", "payload", "ttl", "urgency", "topic", "protocol", "at", "authorization"}],
//                       "refused": [{"id", "status", "why", "authorization"}]}
// Prints {"port", "control"} as one JSON line on start. With --count N it
// prints {"accepted", "seconds", "cpu_seconds"} (both from the first accepted
// push on) after N accepted pushes and exits.
// For the benchmark, --subscriptions N --server-key K --write FILE makes N
// subscriptions bound to K first and writes them to FILE, one JSON per line.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import { parseArgs } from 'node:util';
import ece from 'http_ece';

const { values: args } = parseArgs({
  options: {
    cert: { type: 'string' }, key: { type: 'string' }, count: { type: 'string' },
    subscriptions: { type: 'string' }, 'server-key': { type: 'string' }, write: { type: 'string' },
    'http1-only': { type: 'boolean' }, 'keep-alive-ms': { type: 'string' },
  },
});
const maxBodyBytes = 4096;
const urgencies = new Set(['very-low', 'low', 'normal', 'high']);

const subscriptions = new Map(); // id -> {ecdh, auth, serverKey, answers}
const accepted = [];
const refused = [];
let nextId = 1;
let origin = '';
let firstAt = 0;
let cpuAtFirst = null;

const b64 = (buffer) => Buffer.from(buffer).toString('base64url');

// {why} when the Authorization header is not a valid VAPID JWT for this origin.
function checkVapid(header, subscription) {
  const match = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header || '');
  if (!match) return { status: 401, why: 'no "vapid t=..., k=..." Authorization' };
  const [, jwt, k] = match;
  const parts = jwt.split('.');
  if (parts.length !== 3) return { status: 401, why: 'the JWT has not three parts' };
  let head, claims;
  try {
    head = JSON.parse(Buffer.from(parts[0], 'base64url'));
    claims = JSON.parse(Buffer.from(parts[1], 'base64url'));
  } catch {
    return { status: 401, why: 'the JWT is not JSON' };
  }
  if (head.alg !== 'ES256') return { status: 401, why: `alg ${head.alg}, not ES256` };
  const point = Buffer.from(k, 'base64url');
  if (point.length !== 65 || point[0] !== 4) return { status: 401, why: 'k is not an uncompressed P-256 key' };
  const publicKey = crypto.createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: b64(point.subarray(1, 33)), y: b64(point.subarray(33)) },
    format: 'jwk',
  });
  const signed = crypto.verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), { key: publicKey, dsaEncoding: 'ieee-p1363' },
    Buffer.from(parts[2], 'base64url'));
  if (!signed) return { status: 401, why: 'the JWT signature does not verify with k' };
  const now = Date.now() / 1000;
  if (claims.aud !== origin) return { status: 401, why: `aud ${claims.aud}, not ${origin}` };
  if (!(claims.exp > now) || claims.exp > now + 24 * 3600) return { status: 401, why: 'exp is not within 24 hours' };
  if (!/^(mailto:|https:)/.test(claims.sub || '')) return { status: 401, why: 'sub is not a mailto: or https: URL' };
  if (k !== subscription.serverKey) return { status: 403, why: 'k is not the applicationServerKey of the subscription' };
  return null;
}

// {status, why} for a request a real push service would refuse, else {payload}.
function check(headers, body, subscription) {
  const vapid = checkVapid(headers.authorization, subscription);
  if (vapid) return vapid;
  if (headers['content-encoding'] !== 'aes128gcm') return { status: 400, why: 'Content-Encoding is not aes128gcm' };
  if (!/^\d+$/.test(headers.ttl || '')) return { status: 400, why: 'no TTL header' };
  if (headers.urgency !== undefined && !urgencies.has(headers.urgency)) return { status: 400, why: 'bad Urgency' };
  if (headers.topic !== undefined && !/^[A-Za-z0-9_-]{1,32}$/.test(headers.topic)) return { status: 400, why: 'bad Topic' };
  if (body.length > maxBodyBytes) return { status: 413, why: `${body.length} bytes, above ${maxBodyBytes}` };
  let plaintext;
  try {
    plaintext = ece.decrypt(body, { version: 'aes128gcm', privateKey: subscription.ecdh, authSecret: subscription.auth });
  } catch (e) {
    return { status: 400, why: `cannot decrypt: ${e.message}` };
  }
  return { payload: plaintext.toString('utf8') };
}

function onPush(req, res) {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const id = (/^\/push\/([^/]+)$/.exec(req.url) || [])[1];
    const subscription = subscriptions.get(id);
    const answer = (status, why, extra = {}) => {
      if (status !== 201) refused.push({ id, status, why, authorization: req.headers.authorization });
      res.writeHead(status, { 'content-type': 'text/plain', ...extra });
      res.end(why);
    };
    if (req.method !== 'POST' || !subscription) return answer(404, 'no such subscription');
    const body = Buffer.concat(chunks);
    const checked = check(req.headers, body, subscription);
    if (checked.status) return answer(checked.status, checked.why);
    const scripted = subscription.answers.shift();
    if (scripted) return answer(scripted.status, scripted.body || 'scripted',
      scripted.retryAfter ? { 'retry-after': String(scripted.retryAfter) } : {});
    if (!firstAt) {
      firstAt = performance.now();
      cpuAtFirst = process.cpuUsage();
    }
    accepted.push({
      id, payload: checked.payload, ttl: req.headers.ttl, urgency: req.headers.urgency || null,
      topic: req.headers.topic || null, protocol: req.httpVersion, at: Date.now(), authorization: req.headers.authorization,
    });
    res.writeHead(201, { location: `/messages/${accepted.length}` });
    res.end();
    if (args.count && accepted.length === Number(args.count)) finish();
  });
}

function finish() {
  const cpu = process.cpuUsage(cpuAtFirst);
  console.log(JSON.stringify({
    accepted: accepted.length, seconds: (performance.now() - firstAt) / 1000, cpu_seconds: (cpu.user + cpu.system) / 1e6,
  }));
  process.exit(0);
}

function newSubscription({ applicationServerKey, answers = [] }) {
  const ecdh = crypto.createECDH('prime256v1');
  ecdh.generateKeys();
  const auth = b64(crypto.randomBytes(16));
  const id = String(nextId++);
  subscriptions.set(id, { ecdh, auth, serverKey: applicationServerKey, answers: [...answers] });
  return { id, subscription: { endpoint: `${origin}/push/${id}`, keys: { p256dh: b64(ecdh.getPublicKey()), auth } } };
}

function onControl(req, res) {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const reply = (status, value) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    const body = chunks.length ? JSON.parse(Buffer.concat(chunks)) : {};
    if (req.method === 'POST' && req.url === '/subscriptions') return reply(200, newSubscription(body));
    if (req.method === 'POST' && req.url === '/script') {
      const subscription = subscriptions.get(body.id);
      if (!subscription) return reply(404, { error: 'no such subscription' });
      subscription.answers.push(...body.answers);
      return reply(200, {});
    }
    if (req.method === 'GET' && req.url === '/received') return reply(200, { accepted, refused });
    return reply(404, { error: 'unknown control request' });
  });
}

const tls = { cert: fs.readFileSync(args.cert), key: fs.readFileSync(args.key) };
const push = args['http1-only'] ? https.createServer(tls, onPush) : http2.createSecureServer({ ...tls, allowHTTP1: true }, onPush);
if (args['keep-alive-ms']) push.keepAliveTimeout = Number(args['keep-alive-ms']);  // HTTP/1.1 idle connections
const control = http.createServer(onControl);
push.listen(0, '127.0.0.1', () => {
  origin = `https://127.0.0.1:${push.address().port}`;
  control.listen(0, '127.0.0.1', () => {
    if (args.subscriptions) {
      const lines = [];
      for (let i = 0; i < Number(args.subscriptions); i++)
        lines.push(JSON.stringify(newSubscription({ applicationServerKey: args['server-key'] }).subscription));
      fs.writeFileSync(args.write, lines.join('\n') + '\n');
    }
    console.log(JSON.stringify({ port: push.address().port, control: control.address().port }));
  });
});
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
