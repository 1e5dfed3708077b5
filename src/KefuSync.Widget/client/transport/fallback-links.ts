// The fallback links (protocol §1.2), for networks where WebSocket fails: POST {endpoint}/connect with the hello, then
// server frames from an event stream (`sse`) or from long polls (`poll`), and client frames by POST {endpoint}/send.
// Loaded lazily by the widget (kefu-fallback.js, see widget/fallback.ts): most visitors never need it.
// Every server frame carries a sequence number; a stream or poll names the last one seen, so the server (any node)
// continues exactly after it: nothing twice, nothing skipped.
import type { HelloFrame } from '../protocol/client-frames';
import { CloseCode } from '../protocol/close-codes';
import { isObj } from '../protocol/validation';
import { ABNORMAL_CLOSE, endpointUrl, STALLED, type FallbackLinks, type Link, type LinkEnv, type LinkHandlers } from './links';

/** EventSource.CLOSED, spelled out: a test double need not define the constant. */
const EVENT_SOURCE_CLOSED = 2;
/** An event stream that delivers nothing (not even the pong to its first ping) for this long counts as failed. */
const STALL_MS = 8000;

/** What a server-to-client half gets from the shared connect + send half. */
interface Half {
  url(path: 'sse' | 'poll'): string;
  frame(text: string): void;
  finish(code: number): void;
  isDone(): boolean;
  send(frames: object[]): void;
  fetch: typeof fetch;
}

/** A 404 or 410 means the session is over (connect again); anything else is a dropped link. */
const gone = (status: number): number => (status === 404 || status === 410 ? CloseCode.Timeout : ABNORMAL_CLOSE);

/**
 * POST connect, then `down` for server frames, and POST send?session=S (a JSON array) for client frames. Sends are
 * batched while one POST is in flight, so order is kept, whichever node each request reaches.
 */
function openHttp(kind: 'sse' | 'poll', down: (half: Half, env: LinkEnv) => () => void) {
  return (endpoint: string, hello: HelloFrame, env: LinkEnv, h: LinkHandlers): Link => {
    const doFetch = env.fetch ?? fetch.bind(globalThis);
    let done = false;
    let opened = false;
    let session: string | null = null;
    let stop: (() => void) | undefined;
    let queue: object[] = [];
    let posting = false;
    const finish = (code: number): void => {
      if (done) return;
      done = true;
      stop?.();
      h.closed(code, opened);
    };
    // Read through a function after each await: `finish` may have run meanwhile, which narrowing cannot see.
    const isDone = (): boolean => done;
    const url = (path: string): string => endpointUrl(endpoint, path + '?session=' + encodeURIComponent(session ?? ''), env.base);
    const flush = async (): Promise<void> => {
      if (posting || done || !session || queue.length === 0) return;
      posting = true;
      const batch = queue;
      queue = [];
      try {
        const r = await doFetch(url('send'), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(batch),
          credentials: 'same-origin',
        });
        if (!r.ok) finish(gone(r.status));
      } catch {
        finish(ABNORMAL_CLOSE);
      }
      posting = false;
      void flush();
    };
    const send = (frames: object[]): void => {
      if (done) return;
      queue.push(...frames);
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
        stop = down({ url, frame: (t) => !isDone() && h.frame(t), finish, isDone, send, fetch: doFetch }, env);
        for (const f of frames) if (!isDone()) h.frame(JSON.stringify(f));
        void flush();
      } catch {
        finish(ABNORMAL_CLOSE);
      }
    })();
    return { kind, send, close: () => finish(CloseCode.Normal) };
  };
}

/**
 * Server frames from an EventSource. The browser reconnects a dropped stream by itself and sends Last-Event-ID, so the
 * server continues after the last frame it saw. A stream that delivers nothing within its bound, not even the pong to
 * the ping sent when it opens (a proxy that buffers or refuses event streams), fails with STALLED.
 */
export const openFallback = openHttp('sse', (half, env) => {
  const ES = env.EventSource ?? EventSource;
  const source = new ES(half.url('sse'), { withCredentials: false });
  let got = false;
  const stall = setTimeout(() => half.finish(STALLED), env.stallMs ?? STALL_MS);
  source.onmessage = (e: MessageEvent<unknown>) => {
    got = true;
    clearTimeout(stall);
    if (typeof e.data === 'string') half.frame(e.data);
  };
  source.onerror = () => {
    // CONNECTING: the browser retries by itself (the session outlives a dropped stream for a while).
    // CLOSED: the server refused the stream (session gone), or it never worked here: start over.
    if (source.readyState === EVENT_SOURCE_CLOSED) half.finish(got ? CloseCode.Timeout : STALLED);
  };
  half.send([{ t: 'ping' }]);
  return () => {
    clearTimeout(stall);
    source.close();
  };
});

/** Server frames from long polls: GET poll?session=S&after=N, one after the other, N the last frame's number. */
export const openPoll = openHttp('poll', (half) => {
  let after = 0;
  const abort = typeof AbortController === 'function' ? new AbortController() : undefined;
  void (async () => {
    while (!half.isDone()) {
      try {
        const r = await half.fetch(half.url('poll') + '&after=' + String(after), { credentials: 'same-origin', cache: 'no-store', signal: abort?.signal ?? null });
        if (half.isDone()) return;
        if (!r.ok) {
          half.finish(gone(r.status));
          return;
        }
        const b: unknown = await r.json();
        if (half.isDone()) return;
        if (!isObj(b) || typeof b.seq !== 'number' || !Array.isArray(b.frames)) {
          half.finish(ABNORMAL_CLOSE);
          return;
        }
        const frames: unknown[] = b.frames;
        // frames[i] is number seq - length + 1 + i; skip any this client has (the server never sends them, but be sure)
        const first = b.seq - frames.length + 1;
        frames.forEach((f, i) => {
          if (first + i > after) half.frame(JSON.stringify(f));
        });
        after = Math.max(after, b.seq);
        if (b.end === true) {
          half.finish(CloseCode.Timeout);
          return;
        }
      } catch {
        half.finish(ABNORMAL_CLOSE);
        return;
      }
    }
  })();
  return () => abort?.abort();
});

/**
 * From a fallback, tries a WebSocket for up to 5 s (protocol §1.2: probing upward): `done(true)` once one opened (it is
 * closed at once), `done(false)` if none did. Here, not in Connection, because only a client on a fallback probes: the
 * widget's main bundle does not carry it.
 */
export function probeWebSocket(endpoint: string, env: LinkEnv, done: (opened: boolean) => void): void {
  let ws: WebSocket;
  try {
    ws = new (env.WebSocket ?? WebSocket)(endpointUrl(endpoint, 'ws', env.base, true));
  } catch {
    done(false); // no WebSocket constructor that works here now
    return;
  }
  let opened = false;
  const t = setTimeout(() => ws.close(), 5000);
  ws.onopen = () => {
    opened = true;
    clearTimeout(t);
    ws.close(CloseCode.Normal);
    done(true);
  };
  ws.onclose = () => {
    clearTimeout(t);
    if (!opened) done(false);
  };
}

export const fallbackLinks: FallbackLinks = { sse: openFallback, poll: openPoll, probe: probeWebSocket };
