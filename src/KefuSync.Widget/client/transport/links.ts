// The physical links that carry frames: WebSocket here, and the fallbacks (POST connect + EventSource or long polls +
// POST send) in fallback-links.ts, which the widget loads lazily (kefu-fallback.js) because few visitors need them.
// A link knows nothing of the protocol beyond "the hello goes first"; Connection does the rest.
import type { HelloFrame } from '../protocol/client-frames';
import { CloseCode } from '../protocol/close-codes';

/**
 * RFC 6455's "closed abnormally" (no close frame): reserved, never sent by a server, so not in protocol §6.1. A link
 * reports it when the socket dropped or an HTTP request of the fallback failed, and Connection reconnects with backoff.
 */
export const ABNORMAL_CLOSE = 1006;
/**
 * Not a close code any server sends: the event stream delivered nothing within its bound (a proxy that buffers or
 * refuses event streams). Connection then falls back to long polling.
 */
export const STALLED = 1;
/** The window event kefu-fallback.js fires with its {@link FallbackLinks}. */
export const FALLBACK_MODULE_EVENT = 'kefu-fallback.js';

export interface LinkHandlers {
  /** one frame's text */
  frame(text: string): void;
  /** the link is gone; `code` is the WebSocket close code (or ABNORMAL_CLOSE when unknown), `opened` whether it ever opened */
  closed(code: number, opened: boolean): void;
}

export type LinkKind = 'ws' | 'sse' | 'poll';

export interface Link {
  readonly kind: LinkKind;
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
  /** loads the fallback links (the widget: kefu-fallback.js; the console: bundled) */
  fallback?: () => Promise<FallbackLinks>;
  /** how long an event stream may stay silent after it opened before it counts as failed (ms) */
  stallMs?: number;
}

export type Opener = (endpoint: string, hello: HelloFrame, env: LinkEnv, h: LinkHandlers) => Link;

export interface FallbackLinks {
  sse: Opener;
  poll: Opener;
  /** one WebSocket attempt from a fallback: done(true) if it opened */
  probe: (endpoint: string, env: LinkEnv, done: (opened: boolean) => void) => void;
}

/**
 * A fallback link whose code is still loading: frames wait until it is there. A load that fails closes the link as
 * dropped, and Connection retries with backoff.
 */
export function lazyLink(kind: 'sse' | 'poll', load: Promise<FallbackLinks> | undefined, ...args: Parameters<Opener>): Link {
  let link: Link | undefined;
  let closed = false;
  let queue: object[] = [];
  const [, , , h] = args;
  (load ?? Promise.reject(Error())).then(
    (m) => {
      if (closed) return;
      link = m[kind](...args);
      if (queue.length) link.send(queue);
      queue = [];
    },
    () => {
      if (closed) return;
      closed = true;
      h.closed(ABNORMAL_CLOSE, false);
    },
  );
  return {
    kind,
    send(frames) {
      if (link) link.send(frames);
      else queue.push(...frames);
    },
    close() {
      closed = true;
      link?.close();
    },
  };
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

