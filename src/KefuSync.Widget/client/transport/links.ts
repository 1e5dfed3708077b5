// The two physical links that carry frames: WebSocket, and the fallback (POST connect + EventSource + POST send).
// A link knows nothing of the protocol beyond "the hello goes first"; Connection does the rest.
import type { HelloFrame } from '../protocol/client-frames';
import { CloseCode } from '../protocol/close-codes';
import { isObj } from '../protocol/validation';

/**
 * RFC 6455's "closed abnormally" (no close frame): reserved, never sent by a server, so not in protocol §6.1. A link
 * reports it when the socket dropped or an HTTP request of the fallback failed, and Connection reconnects with backoff.
 */
const ABNORMAL_CLOSE = 1006;
/** EventSource.CLOSED, spelled out: a test double need not define the constant. */
const EVENT_SOURCE_CLOSED = 2;

export interface LinkHandlers {
  /** one frame's text */
  frame(text: string): void;
  /** the link is gone; `code` is the WebSocket close code (or ABNORMAL_CLOSE when unknown), `opened` whether it ever opened */
  closed(code: number, opened: boolean): void;
}

export interface Link {
  readonly kind: 'ws' | 'sse';
  send(frames: object[]): void;
  close(): void;
}

/** Absolute URL of `{endpoint}/{path}` resolved against the page, with ws(s): for sockets. */
export function endpointUrl(endpoint: string, path: string, base: string, socket = false): string {
  const u = new URL(endpoint.replace(/\/+$/, '') + '/' + path, base);
  if (socket) u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  return u.href;
}

export interface LinkEnv {
  base: string;
  WebSocket?: typeof WebSocket;
  EventSource?: typeof EventSource;
  fetch?: typeof fetch;
}

export function openWebSocket(endpoint: string, hello: HelloFrame, env: LinkEnv, h: LinkHandlers): Link {
  const WS = env.WebSocket ?? WebSocket;
  let opened = false;
  let done = false;
  const ws = new WS(endpointUrl(endpoint, 'ws', env.base, true));
  const finish = (code: number): void => {
    if (done) return;
    done = true;
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
    h.closed(code, opened);
  };
  ws.onopen = () => {
    opened = true;
    ws.send(JSON.stringify(hello));
  };
  ws.onmessage = (e) => {
    if (!done && typeof e.data === 'string') h.frame(e.data);
  };
  ws.onclose = (e) => finish(e.code || ABNORMAL_CLOSE);
  ws.onerror = () => {
    // `close` follows; nothing to add.
  };
  return {
    kind: 'ws',
    send(frames) {
      if (done || ws.readyState !== 1) return;
      for (const f of frames) ws.send(JSON.stringify(f));
    },
    close() {
      try {
        ws.close(CloseCode.Normal);
      } catch {
        // already closing
      }
      finish(CloseCode.Normal);
    },
  };
}

/**
 * Fallback: POST {endpoint}/connect with the hello, then EventSource {endpoint}/sse?session=S for server frames and
 * POST {endpoint}/send?session=S (a JSON array) for client frames. Sends are batched while one POST is in flight, so
 * order is kept.
 */
export function openFallback(endpoint: string, hello: HelloFrame, env: LinkEnv, h: LinkHandlers): Link {
  const doFetch = env.fetch ?? fetch.bind(globalThis);
  const ES = env.EventSource ?? EventSource;
  let done = false;
  let opened = false;
  let session: string | null = null;
  let es: EventSource | null = null;
  let queue: object[] = [];
  let posting = false;
  const finish = (code: number): void => {
    if (done) return;
    done = true;
    es?.close();
    h.closed(code, opened);
  };
  // Read through a function after each await: `finish` may have run meanwhile, which narrowing cannot see.
  const isDone = (): boolean => done;
  const flush = async (): Promise<void> => {
    if (posting || done || !session || queue.length === 0) return;
    posting = true;
    const batch = queue;
    queue = [];
    try {
      const r = await doFetch(endpointUrl(endpoint, 'send?session=' + encodeURIComponent(session), env.base), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(batch),
        credentials: 'same-origin',
      });
      if (!r.ok) finish(r.status === 404 || r.status === 410 ? CloseCode.Timeout : ABNORMAL_CLOSE);
    } catch {
      finish(ABNORMAL_CLOSE);
    }
    posting = false;
    void flush();
  };
  void (async () => {
    try {
      const r = await doFetch(endpointUrl(endpoint, 'connect', env.base), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(hello),
        credentials: 'same-origin',
      });
      if (isDone()) return;
      if (!r.ok) {
        finish(r.status === 401 ? CloseCode.AuthFailed : r.status === 403 ? CloseCode.Forbidden : ABNORMAL_CLOSE);
        return;
      }
      const body: unknown = await r.json();
      if (isDone()) return;
      if (!isObj(body) || typeof body.session !== 'string' || !Array.isArray(body.frames)) {
        finish(ABNORMAL_CLOSE);
        return;
      }
      const frames: unknown[] = body.frames;
      session = body.session;
      opened = true;
      const source = new ES(endpointUrl(endpoint, 'sse?session=' + encodeURIComponent(session), env.base), { withCredentials: false });
      es = source;
      source.onmessage = (e: MessageEvent<unknown>) => {
        if (!done && typeof e.data === 'string') h.frame(e.data);
      };
      source.onerror = () => {
        // CONNECTING: the browser retries by itself (the session outlives a dropped stream for a while).
        // CLOSED: the server refused the stream (session gone); start over.
        if (source.readyState === EVENT_SOURCE_CLOSED) finish(CloseCode.Timeout);
      };
      for (const f of frames) if (!isDone()) h.frame(JSON.stringify(f));
      void flush();
    } catch {
      finish(ABNORMAL_CLOSE);
    }
  })();
  return {
    kind: 'sse',
    send(frames) {
      if (done) return;
      queue.push(...frames);
      void flush();
    },
    close() {
      finish(CloseCode.Normal);
    },
  };
}
