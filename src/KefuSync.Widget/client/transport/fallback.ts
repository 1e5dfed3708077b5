// The fallback link (protocol §1): POST connect, EventSource for server frames, POST send for client frames. Not in
// the widget's main bundle: it loads kefu-sse.js (widget/sse.ts) when WebSockets fail, through lazyLink (links.ts);
// the console imports it directly.
import type { HelloFrame } from '../protocol/client-frames';
import { CloseCode } from '../protocol/close-codes';
import { isObj } from '../protocol/validation';
import { ABNORMAL_CLOSE, endpointUrl, type Link, type LinkEnv, type LinkHandlers } from './links';

/** EventSource.CLOSED, spelled out: a test double need not define the constant. */
const EVENT_SOURCE_CLOSED = 2;

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
  let probeTimer: ReturnType<typeof setTimeout> | undefined;
  const finish = (code: number): void => {
    if (done) return;
    done = true;
    clearTimeout(probeTimer);
    es?.close();
    h.closed(code, opened);
  };
  // Now and then a WebSocket is tried; when one opens, the connection goes back to WebSockets (protocol §1).
  const probe = (): void => {
    if (!env.probeMs) return;
    probeTimer = setTimeout(() => {
      if (isDone()) return;
      let ws: WebSocket;
      try {
        ws = new (env.WebSocket ?? WebSocket)(endpointUrl(endpoint, 'ws', env.base, true));
      } catch {
        probe(); // no WebSocket constructor that works here now; try again later
        return;
      }
      const t = setTimeout(() => ws.close(), 5000);
      ws.onopen = () => {
        clearTimeout(t);
        ws.close(CloseCode.Normal);
        if (isDone()) return;
        h.upgrade?.();
        finish(CloseCode.GoingAway);
      };
      ws.onclose = () => {
        clearTimeout(t);
        if (!isDone()) probe();
      };
    }, env.probeMs);
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
      probe();
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
