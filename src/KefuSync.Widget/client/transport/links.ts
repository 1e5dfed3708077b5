// The two physical links that carry frames: WebSocket, and the fallback (POST connect + EventSource + POST send).
// A link knows nothing of the protocol beyond "the hello goes first"; Connection does the rest. The fallback itself is
// in fallback.ts: the widget loads it only when it needs it (kefu-sse.js, lazyLink below).
import type { HelloFrame } from '../protocol/client-frames';
import { CloseCode } from '../protocol/close-codes';

/**
 * RFC 6455's "closed abnormally" (no close frame): reserved, never sent by a server, so not in protocol §6.1. A link
 * reports it when the socket dropped or an HTTP request of the fallback failed, and Connection reconnects with backoff.
 */
export const ABNORMAL_CLOSE = 1006;

export interface LinkHandlers {
  /** one frame's text */
  frame(text: string): void;
  /** the link is gone; `code` is the WebSocket close code (or ABNORMAL_CLOSE when unknown), `opened` whether it ever opened */
  closed(code: number, opened: boolean): void;
  /** the fallback's probe saw a WebSocket open: reconnect over WebSockets (the link closes with 1001 next) */
  upgrade?(): void;
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
  /** the fallback tries a WebSocket this often (ms); 0: never */
  probeMs?: number;
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

/** The event kefu-sse.js fires with the fallback's opener. */
export const SSE_MODULE_EVENT = 'kefu:sse-module';

/** Opens a link: openWebSocket, or the fallback (fallback.ts). */
export type Opener = (endpoint: string, hello: HelloFrame, env: LinkEnv, h: LinkHandlers) => Link;

/**
 * The fallback, opened once `load` hands over its opener (a lazily loaded script): frames sent meanwhile wait, in order.
 * If it cannot be loaded (offline, blocked), the link closes abnormally and Connection tries again with backoff.
 */
export function lazyLink(load: () => Promise<Opener>): Opener {
  return (endpoint, hello, env, h) => {
    let link: Link | null = null;
    let closed = false;
    const waiting: object[][] = [];
    load().then(
      (open) => {
        if (closed) return;
        link = open(endpoint, hello, env, h);
        for (const f of waiting) link.send(f);
      },
      () => closed || h.closed(ABNORMAL_CLOSE, false),
    );
    return {
      kind: 'sse',
      send: (frames) => (link ? link.send(frames) : waiting.push(frames)),
      close() {
        closed = true;
        link?.close();
      },
    };
  };
}
