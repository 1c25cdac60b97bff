// pushsync's WebSocket channel for browsers and Node >= 22 (Node 20: pass
// `WebSocket` from the `ws` package, or run with --experimental-websocket).
// No dependencies. It never holds pushsync's API token: the app's backend
// registers the device and hands it its installation id and channel secret.
//
//   const sync = new PushsyncClient({url, installationId, channelSecret});
//   sync.onChange(({table, op, id, orig, data}) => refetch(table, id));
//   sync.connect();
//
// What it does for the app: acknowledges every frame; reconnects with
// exponential backoff and full jitter; on reconnect the server resends what
// was not acknowledged, and frames already handed over (by seq) are not
// handed over again; drops pushes the device itself caused (orig); folds a
// burst of pushes for one record into one callback (the newest).

const PROTOCOL = 'pushsync.v1';
const FIELDS = new Set(['seq', 'message', 'table', 'op', 'id', 'orig']);

export class PushsyncClient {
  #options;
  #socket = null;
  #state = 'idle';
  #attempt = 0;
  #retryTimer = null;
  #changeListeners = new Set();
  #stateListeners = new Set();
  #seen = new Set();        // seqs handed over, the newest `rememberSeqs`
  #pending = new Map();     // "table\0id" -> {change, timer}: a burst being folded

  /**
   * @param {object} options
   * @param {string} options.url            ws(s)://host/v1/ws
   * @param {string} options.installationId
   * @param {string} options.channelSecret  from the app's backend (PUT /v1/installations answer)
   * @param {number} [options.coalesceMs=50]  pushes for one record within this window: one callback (0: every push at once)
   * @param {number} [options.minDelayMs=500] first reconnect delay (before jitter)
   * @param {number} [options.maxDelayMs=30000]
   * @param {typeof WebSocket} [options.WebSocket] an implementation (Node < 22: the `ws` package)
   */
  constructor(options) {
    for (const key of ['url', 'installationId', 'channelSecret'])
      if (typeof options?.[key] !== 'string' || !options[key]) throw new TypeError(`PushsyncClient: ${key} is required`);
    const WebSocketImpl = options.WebSocket ?? globalThis.WebSocket;
    if (!WebSocketImpl)
      throw new TypeError('PushsyncClient: no WebSocket here; pass options.WebSocket (e.g. the ws package on Node < 22)');
    this.#options = { coalesceMs: 50, minDelayMs: 500, maxDelayMs: 30000, rememberSeqs: 1024, ...options,
      WebSocket: WebSocketImpl };
  }

  /** @returns {() => void} unsubscribe */
  onChange(listener) { return this.#subscribe(this.#changeListeners, listener); }
  /** 'connecting' | 'open' | 'reconnecting' | 'closed'; @returns {() => void} unsubscribe */
  onState(listener) { return this.#subscribe(this.#stateListeners, listener); }
  get state() { return this.#state; }

  connect() {
    if (this.#state === 'connecting' || this.#state === 'open') return;
    this.#open();
  }

  /** Closes for good (no reconnect); pushes being folded are handed over first. */
  close() {
    clearTimeout(this.#retryTimer);
    for (const key of [...this.#pending.keys()]) this.#flush(key);
    const socket = this.#socket;
    this.#socket = null;
    socket?.close(1000);
    this.#setState('closed');
  }

  #subscribe(set, listener) {
    set.add(listener);
    return () => set.delete(listener);
  }

  #setState(state) {
    if (state === this.#state) return;
    this.#state = state;
    for (const listener of this.#stateListeners) listener(state);
  }

  #open() {
    const { url, installationId, channelSecret, WebSocket } = this.#options;
    const target = `${url}${url.includes('?') ? '&' : '?'}installationId=${encodeURIComponent(installationId)}`;
    this.#setState(this.#attempt === 0 ? 'connecting' : 'reconnecting');
    const socket = new WebSocket(target, [PROTOCOL, channelSecret]);
    this.#socket = socket;
    socket.onopen = () => {
      this.#attempt = 0;
      this.#setState('open');
    };
    socket.onmessage = (event) => this.#receive(socket, event.data);
    socket.onclose = () => {
      if (this.#socket !== socket) return;  // closed by close(), or replaced
      this.#socket = null;
      this.#retry();
    };
    socket.onerror = () => {};  // onclose follows
  }

  // Exponential backoff with full jitter: a crowd of devices does not come
  // back in step after a restart.
  #retry() {
    const { minDelayMs, maxDelayMs } = this.#options;
    const ceiling = Math.min(maxDelayMs, minDelayMs * 2 ** this.#attempt++);
    this.#setState('reconnecting');
    this.#retryTimer = setTimeout(() => this.#open(), Math.random() * ceiling);
  }

  #receive(socket, text) {
    let frame;
    try {
      frame = JSON.parse(typeof text === 'string' ? text : new TextDecoder().decode(text));
    } catch {
      return;
    }
    if (!Number.isInteger(frame?.seq)) return;
    socket.send(JSON.stringify({ ack: frame.seq }));
    if (this.#seen.has(frame.seq)) return;  // resent after a lost ack
    this.#remember(frame.seq);
    if (frame.orig && frame.orig === this.#options.installationId) return;
    this.#fold(toChange(frame));
  }

  #remember(seq) {
    this.#seen.add(seq);
    if (this.#seen.size > this.#options.rememberSeqs) this.#seen.delete(this.#seen.values().next().value);
  }

  #fold(change) {
    if (this.#options.coalesceMs <= 0) return this.#handOver(change);  // folding off
    const key = `${change.table}\0${change.id}`;
    const waiting = this.#pending.get(key);
    if (waiting) {
      waiting.change = change;  // the newest state wins; the device pulls it once
      return;
    }
    const timer = setTimeout(() => this.#flush(key), this.#options.coalesceMs);
    this.#pending.set(key, { change, timer });
  }

  #flush(key) {
    const waiting = this.#pending.get(key);
    if (!waiting) return;
    clearTimeout(waiting.timer);
    this.#pending.delete(key);
    this.#handOver(waiting.change);
  }

  #handOver(change) {
    for (const listener of this.#changeListeners) {
      try {
        listener(change);
      } catch (e) {
        queueMicrotask(() => { throw e; });  // the app's error, reported, not swallowed
      }
    }
  }
}

// A frame's SPEC fields; the table's payload.data fields (and a direct
// push's own) go to `data`.
function toChange(frame) {
  const data = {};
  for (const [key, value] of Object.entries(frame)) if (!FIELDS.has(key)) data[key] = value;
  return { table: frame.table, op: frame.op, id: frame.id, orig: frame.orig ?? '', data };
}
