// Request/reply correlation by `q` (protocol §2): `history` and `list` are answered by a frame of the same type with
// the same `q`, or by an `error` carrying it. Every pending request ends exactly once: with its reply, its error, a
// local `offline` when the connection goes (the reply will never come on it; the caller asks again after the next
// welcome), or a local `timeout`, so a reply lost on the way can neither hang a caller nor leave an entry behind.
import type { TabFrame } from '../protocol/client-frames';
import type { ErrorFrame, HistoryFrame, ListFrame } from '../protocol/server-frames';
import { LocalErrorCode, localError } from './local-errors';

/** Long enough for a store that is slow but answering (the server itself gives up with store_unavailable sooner). */
export const REQUEST_TIMEOUT_MS = 30000;

interface Replies {
  history: HistoryFrame;
  list: ListFrame;
}
type Kind = keyof Replies;

interface Pending {
  kind: Kind;
  resolve(f: Replies[Kind]): void;
  reject(e: ErrorFrame): void;
  timer: ReturnType<typeof setTimeout>;
}

export class RequestTracker {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly nextQ: () => string,
    private readonly send: (f: TabFrame) => boolean,
    private readonly timeoutMs = REQUEST_TIMEOUT_MS,
  ) {}

  /** Sends the frame `build(q)` and resolves with the reply of type `kind` that echoes its `q`. */
  request<K extends Kind>(kind: K, build: (q: string) => TabFrame): Promise<Replies[K]> {
    const q = this.nextQ();
    return new Promise<Replies[K]>((resolve, reject) => {
      const timer = setTimeout(() => this.end(q)?.reject(localError(LocalErrorCode.Timeout, 'no reply')), this.timeoutMs);
      // The map holds every kind; `reply` only resolves an entry with a frame of the kind it was made for.
      this.pending.set(q, { kind, resolve: resolve as (f: Replies[Kind]) => void, reject, timer });
      if (!this.send(build(q))) this.end(q)?.reject(localError(LocalErrorCode.Offline, 'not connected'));
    });
  }

  /** A `history` or `list` frame: resolves the request it answers. False when it answers none of ours. */
  reply(f: HistoryFrame | ListFrame): boolean {
    if (f.q === undefined || this.pending.get(f.q)?.kind !== f.t) return false;
    this.end(f.q)?.resolve(f);
    return true;
  }

  /** An `error` frame: rejects the request it names. False when it names none of ours. */
  fail(f: ErrorFrame): boolean {
    const p = f.q === undefined ? undefined : this.end(f.q);
    p?.reject(f);
    return p !== undefined;
  }

  /** The connection is gone: no reply will come on it. */
  cancelAll(): void {
    const all = [...this.pending.keys()].map((q) => this.end(q));
    const offline = localError(LocalErrorCode.Offline, 'not connected');
    for (const p of all) p?.reject(offline);
  }

  private end(q: string): Pending | undefined {
    const p = this.pending.get(q);
    if (!p) return undefined;
    this.pending.delete(q);
    clearTimeout(p.timer);
    return p;
  }
}
