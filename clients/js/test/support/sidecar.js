// A real pushsync for the client's tests: a throwaway PostgreSQL cluster
// (scripts/pg-tmp.sh) with the todo example's schema, the built binary
// (PUSHSYNC_BINARY, default build/pushsync) with the HTTP API and the
// WebSocket channel on a free port. No mocks.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, chmodSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../../../..');
const binary = process.env.PUSHSYNC_BINARY ?? join(root, 'build/pushsync');
export const token = 'js-client-test-token';

// Node 22 has WebSocket; Node 20 with --experimental-websocket; else `ws`.
export const WebSocketImpl = globalThis.WebSocket ?? (await import('ws')).WebSocket;

function freePort() {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

export class Sidecar {
  static async start(deliveryExtra = '') {
    const sidecar = new Sidecar();
    sidecar.dir = mkdtempSync(join(tmpdir(), 'pushsync-js-'));
    chmodSync(sidecar.dir, 0o755);
    sidecar.db = execFileSync(join(root, 'scripts/pg-tmp.sh'), ['start', join(sidecar.dir, 'pg')]).toString().trim();
    sidecar.sql(`\\i ${join(root, 'examples/todo/schema.sql')}`);
    sidecar.sql("INSERT INTO lists (name, owner_email) VALUES ('home', 'ann@example.com')");
    sidecar.port = await freePort();
    sidecar.config = join(sidecar.dir, 'pushsync.yaml');
    writeFileSync(sidecar.config, `database:
  url: "${sidecar.db}"
  poll_interval: 200ms
http:
  listen: 127.0.0.1:${sidecar.port}
  api_token: ${token}
websocket:
  enabled: true
  ping_interval: 1s
delivery:
  coalesce_window: 0ms
${deliveryExtra}
tables:
  public.todo_items:
    watch: [title, done, owner_email]
    tags: ["_email_{owner_email}"]
    payload:
      data: {list: "{list_id}"}
`);
    await sidecar.run();
    return sidecar;
  }

  get url() { return `ws://127.0.0.1:${this.port}/v1/ws`; }

  // Starts the binary (again, after stop()) and waits until it serves.
  async run() {
    this.log = '';
    this.process = spawn(binary, ['run', '--config', this.config], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.process.stderr.on('data', (chunk) => { this.log += chunk; });
    for (let i = 0; i < 300 && !this.log.includes('running:'); i++) await sleep(20);
    if (!this.log.includes('running:')) throw new Error(`pushsync did not start:\n${this.log}`);
  }

  async stop() {
    if (!this.process || this.process.exitCode !== null) return;
    const exited = new Promise((done) => this.process.once('exit', done));
    this.process.kill('SIGTERM');
    await exited;
  }

  async destroy() {
    await this.stop();
    execFileSync(join(root, 'scripts/pg-tmp.sh'), ['stop', join(this.dir, 'pg')]);
    rmSync(this.dir, { recursive: true, force: true });
  }

  // The database as a postgresql:// URL (for node-postgres).
  get databaseUrl() {
    const fields = Object.fromEntries(this.db.split(' ').map((kv) => kv.split('=')));
    return `postgresql://${fields.user}@/${fields.dbname}?host=${fields.host}&port=${fields.port}`;
  }

  sql(statement) {
    return execFileSync('psql', ['-qAt', '-v', 'ON_ERROR_STOP=1', this.db, '-c', statement]).toString().trim();
  }

  // What the app's backend does: register a ws device, get its secret.
  async register(installationId, email) {
    const answer = await fetch(`http://127.0.0.1:${this.port}/v1/installations/${installationId}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ platform: 'ws', tags: [`_email_${email}`] }),
    });
    if (!answer.ok) throw new Error(`register: ${answer.status} ${await answer.text()}`);
    return (await answer.json()).channelSecret;
  }
}

export const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

export async function eventually(condition, limitMs = 15000) {
  const deadline = Date.now() + limitMs;
  while (!(await condition())) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}
