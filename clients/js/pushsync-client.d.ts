/** One changed record: pull it from the app's own API (`op` "delete": it is gone). */
export interface Change {
  table: string;
  op: 'insert' | 'update' | 'delete';
  /** The row id as a string; composite keys are joined with "," (see the README). */
  id: string;
  /** The installation that made the change, or "". */
  orig: string;
  /** The table's payload.data fields, or a direct push's own fields. */
  data: Record<string, unknown>;
}

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface PushsyncClientOptions {
  /** ws(s)://host/v1/ws */
  url: string;
  installationId: string;
  /** From the app's backend, which registered the device (PUT /v1/installations/{id}). */
  channelSecret: string;
  /** Pushes for one record within this window become one callback. Default 50; 0 hands each over as it comes. */
  coalesceMs?: number;
  /** First reconnect delay before jitter. Default 500. */
  minDelayMs?: number;
  /** Largest reconnect delay. Default 30000. */
  maxDelayMs?: number;
  /** How many delivered seqs are remembered to drop resent frames. Default 1024. */
  rememberSeqs?: number;
  /** A WebSocket implementation; default globalThis.WebSocket (Node < 22: the `ws` package). */
  WebSocket?: unknown;
}

export class PushsyncClient {
  constructor(options: PushsyncClientOptions);
  /** Returns a function that unsubscribes. */
  onChange(listener: (change: Change) => void): () => void;
  onState(listener: (state: ConnectionState) => void): () => void;
  readonly state: ConnectionState;
  connect(): void;
  /** Closes for good; pushes being folded are delivered first. */
  close(): void;
}
