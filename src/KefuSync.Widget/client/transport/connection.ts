// One logical server connection: chooses a link (WebSocket, else an event stream, else long polling), sends `hello`,
// waits for `welcome`, keeps it alive with `ping`, and reconnects with backoff according to the close codes of
// protocol §6.1. On a fallback it probes upward now and then (protocol §1.2).
// Only the leader tab owns a Connection; the sync layer above resubscribes after every `welcome`.
import type { ClientFrame, HelloFrame } from '../protocol/client-frames';
import { CloseCode } from '../protocol/close-codes';
import { PROTOCOL_VERSION } from '../protocol/constants';
import { ErrorCode } from '../protocol/error-codes';
import { parseServerFrame, type ServerFrame, type WelcomeFrame } from '../protocol/server-frames';
import { backoffDelay } from './backoff';
import { lazyLink, openWebSocket, STALLED, type Link, type LinkEnv, type LinkHandlers, type LinkKind } from './links';
import { Emitter } from '../util/emitter';
import { isOffline, pageHref } from '../util/env';

export type ConnState = 'connecting' | 'open' | 'closed' | 'stopped';
export type TransportMode = 'auto' | 'ws' | 'sse' | 'poll';

/** Optional members also accept undefined: KefuClient forwards its own options as they are. */
export interface ConnectionOptions {
  endpoint: string;
  /** client version, sent as hello.client */
  version: string;
  /** a signed visitor token supplied by the page (preferred over the stored one) */
  token?: string | undefined;
  agent?: boolean | undefined;
  transport?: TransportMode | undefined;
  /** where the minted visitor token is kept; null: nowhere */
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null;
  env?: Partial<LinkEnv> | undefined;
  random?: () => number;
  /** how often to probe WebSocket while on a fallback (ms); every 10th probe from long polling tries the event stream */
  probeMs?: number;
  /** how long to wait for `welcome` (ms) */
  helloTimeoutMs?: number;
}

export interface ConnectionEvents {
  state(state: ConnState, welcome: WelcomeFrame | null): void;
  /** a validated server frame and its original text (relayed to other tabs as is) */
  frame(frame: ServerFrame, text: string): void;
  /** the server runs another version than this script (welcome.server) */
  mismatch(server: string): void;
}

export const tokenKey = (endpoint: string): string => `kefu:token:${endpoint}`;
/**
 * The signed-in visitor's token, written by every widget page: the page with a `data-kefu-token` signs the browser in,
 * one without signs it out. The leader says hello as it, whichever tab it is, and again when another tab changes it.
 */
export const hostKey = (endpoint: string): string => `kefu:host:${endpoint}`;

export class Connection extends Emitter<ConnectionEvents> {
  state: ConnState = 'closed';
  welcome: WelcomeFrame | null = null;
  /** the welcome frame's text, relayed as is to the other tabs */
  welcomeText = '';
  /** the link currently in use */
  mode: LinkKind;
  private link: Link | null = null;
  private attempt = 0;
  private wsFailures = 0;
  private probes = 0;
  private timers: Partial<Record<'retry' | 'hb' | 'hello' | 'probe', ReturnType<typeof setTimeout> | undefined>> = {};
  private lastSeen = 0;
  private pageToken: string | undefined;
  /** who the last hello was: its token, or `#` for the browser's sign-in */
  private sent: string | undefined;
  /** a close code implied by an error frame (the SSE fallback has no close codes) */
  private impliedClose = 0;
  private readonly env: LinkEnv;

  constructor(private readonly o: ConnectionOptions) {
    super();
    this.pageToken = o.token || undefined;
    this.mode = o.transport === 'sse' || o.transport === 'poll' ? o.transport : 'ws';
    this.env = { base: pageHref() ?? 'http://localhost/', ...o.env };
  }

  start(): void {
    if (this.state === 'stopped' || this.link || this.timers.retry) return;
    this.open();
  }

  /** Closes for good (leadership lost, page gone). */
  stop(): void {
    this.setState('stopped');
    this.clearTimers();
    const l = this.link;
    this.link = null;
    l?.close();
  }

  /** Sends frames once `welcome` arrived; returns false when not connected (the caller resends after the next welcome). */
  send(...frames: ClientFrame[]): boolean {
    if (this.state !== 'open' || !this.link) return false;
    this.link.send(frames);
    return true;
  }

  /** Reconnect now (e.g. the browser went back online). */
  kick(): void {
    if (this.state === 'closed' && !this.link) {
      clearTimeout(this.timers.retry);
      this.timers.retry = undefined;
      this.open();
    }
  }

  /**
   * The browser says it has no network (`offline`): the link is dead now, whatever the socket thinks (it may hold
   * frames for minutes), so close it at once and show it; `online` kicks the reconnect.
   */
  offline(): void {
    if (this.link) this.drop(this.link, CloseCode.Timeout);
  }

  private stored(key: (e: string) => string): string | undefined {
    try {
      return this.o.storage?.getItem(key(this.o.endpoint)) ?? undefined;
    } catch {
      return undefined;
    }
  }

  private hello(): HelloFrame {
    const h: HelloFrame = { t: 'hello', v: PROTOCOL_VERSION, client: this.o.version };
    if (this.o.agent) h.agent = true;
    else {
      // A full-page chat's own token (an email link), else the browser's sign-in, which every widget page writes (a
      // page of this tab may be older than the last sign-in or sign-out), else the anonymous visitor.
      const anon = this.stored(tokenKey);
      const slot = this.stored(hostKey);
      const token = this.pageToken ?? slot ?? anon;
      // Who this hello is, for renew(): every page signs the same sign-in afresh (another token each time), so the
      // sign-in counts as one identity, whatever its token.
      this.sent = token === slot ? '#' : token;
      if (token) h.token = token;
      // signing in with an anonymous chat: the server merges it into the signed-in one (protocol §2.5; undefined is not
      // sent). Kept after: the server answers a merged anonymous token alone with a fresh identity, so signing out never
      // revives it.
      if (token !== anon) h.anon = anon;
    }
    return h;
  }

  /** A tab opened (a sign-in or sign-out is a page load): if the browser's identity changed, say hello again as it. */
  renew(): void {
    const sent = this.sent;
    this.hello();
    if (this.sent !== sent) this.offline();
  }

  private open(): void {
    this.timers.retry = undefined;
    this.setState('connecting');
    this.impliedClose = 0;
    const mode = this.mode;
    const handlers: LinkHandlers = {
      frame: (text) => {
        if (this.link === link) this.onText(text);
      },
      closed: (code) => {
        if (this.link === link) this.onClosed(code, mode);
      },
    };
    const args = [this.o.endpoint, this.hello(), this.env, handlers] as const;
    const link: Link = mode === 'ws' ? openWebSocket(...args) : lazyLink(mode, this.env.fallback?.(), ...args);
    this.link = link;
    this.timers.hello = setTimeout(() => {
      if (this.link === link && !this.welcome) this.drop(link, CloseCode.Timeout);
    }, this.o.helloTimeoutMs ?? 12000);
  }

  private drop(link: Link, code: number): void {
    this.link = null;
    link.close();
    this.onClosed(code, link.kind);
  }

  private onText(text: string): void {
    this.lastSeen = Date.now();
    const f = parseServerFrame(text);
    if (!f) return;
    if (f.t === 'welcome') {
      this.welcome = f;
      this.welcomeText = text;
      this.attempt = 0;
      if (this.mode === 'ws') this.wsFailures = 0;
      clearTimeout(this.timers.hello);
      if (f.token && !this.o.agent && !this.pageToken) {
        try {
          this.o.storage?.setItem(tokenKey(this.o.endpoint), f.token);
          this.sent = f.token; // the identity of this link: not a change for renew()
        } catch {
          // storage full or blocked: the identity lasts for this page only
        }
      }
      if (f.server && f.server !== this.o.version) this.emit('mismatch', f.server);
      this.startHeartbeat(Math.max(1000, f.hb || 20000));
      if (this.mode !== 'ws' && (this.o.transport ?? 'auto') === 'auto') this.scheduleProbe();
      this.setState('open');
    } else if (f.t === 'error' && !f.ch && !f.id) {
      // Connection-level errors announce a close; over the fallback this is the only way to learn its code.
      // Only the closes that change what happens next: stop (4400, 4403) or forget the token (4401). `forbidden`
      // closes only when it answers `hello.agent`, that is before any welcome (§6).
      if (f.code === ErrorCode.AuthFailed) this.impliedClose = CloseCode.AuthFailed;
      else if (f.code === ErrorCode.Forbidden && !this.welcome) this.impliedClose = CloseCode.Forbidden;
      else if (f.code === ErrorCode.NotReady || f.code === ErrorCode.UnsupportedVersion) this.impliedClose = CloseCode.ProtocolError;
    }
    if (f.t === 'pong') return;
    this.emit('frame', f, text);
  }

  private startHeartbeat(hb: number): void {
    clearInterval(this.timers.hb);
    this.lastSeen = Date.now();
    this.timers.hb = setInterval(() => {
      const link = this.link;
      if (!link) return;
      // No frame (not even a pong) for two heartbeats: the link is dead even if the socket does not know it yet.
      if (Date.now() - this.lastSeen > 2 * hb) this.drop(link, CloseCode.Timeout);
      else link.send([{ t: 'ping' }]);
    }, hb);
  }

  private onClosed(code: number, mode: LinkKind): void {
    const welcomed = this.welcome !== null;
    this.link = null;
    this.welcome = null;
    clearInterval(this.timers.hb);
    clearTimeout(this.timers.hello);
    clearTimeout(this.timers.probe);
    if (this.state === 'stopped') return;
    if (this.impliedClose) code = this.impliedClose;
    if (code === CloseCode.Forbidden || code === CloseCode.ProtocolError) {
      // 4403: never retry; 4400: this script speaks something the server does not, a reload is needed.
      this.setState('stopped');
      return;
    }
    if (code === CloseCode.AuthFailed) {
      // The token is forged or expired: forget it and come back as a fresh anonymous visitor.
      this.pageToken = undefined;
      try {
        this.o.storage?.removeItem(tokenKey(this.o.endpoint));
        this.o.storage?.removeItem(hostKey(this.o.endpoint));
      } catch {
        // ignore
      }
    }
    // offline, every attempt fails: that says nothing about WebSockets on this network
    if (!welcomed && mode === 'ws' && !isOffline()) {
      // Two WebSocket failures in a row before any welcome (proxy without upgrade, upgrade refused): fall back.
      if (++this.wsFailures >= 2 && this.o.transport !== 'ws') this.mode = 'sse';
    }
    // An event stream that delivered nothing (a proxy buffers or refuses it): long polling works through such proxies.
    if (code === STALLED && mode === 'sse' && this.o.transport !== 'sse') this.mode = 'poll';
    this.setState('closed');
    const quick = code === CloseCode.AuthFailed || code === CloseCode.SlowConsumer || (welcomed && code === CloseCode.GoingAway && this.attempt === 0);
    const delay = quick ? 50 + backoffDelay(0, this.o.random) : Math.max(250, backoffDelay(this.attempt, this.o.random));
    this.attempt++;
    this.timers.retry = setTimeout(() => this.open(), delay);
  }

  /** On a fallback, try a WebSocket now and then; when one opens, switch over (protocol §1.2). */
  private scheduleProbe(): void {
    clearTimeout(this.timers.probe);
    this.timers.probe = setTimeout(() => {
      if (this.mode === 'ws' || this.state !== 'open') return;
      if (this.mode === 'poll' && ++this.probes % 10 === 0) {
        // Rarely, from long polling, the event stream again: a proxy may have changed. If it stalls, back to polling.
        this.switchTo('sse');
        return;
      }
      // the fallback links are loaded already (this client is on one): they carry the probe
      void this.env.fallback?.().then((f) =>
        f.probe(this.o.endpoint, this.env, (opened) => {
          if (!opened) {
            if (this.mode !== 'ws') this.scheduleProbe();
          } else if (this.mode !== 'ws' && this.link) {
            this.wsFailures = 0;
            this.switchTo('ws');
          }
        }),
      );
    }, this.o.probeMs ?? 30000);
  }

  private switchTo(mode: LinkKind): void {
    const link = this.link;
    if (!link) return;
    this.mode = mode;
    this.attempt = 0;
    this.link = null;
    link.close();
    this.onClosed(CloseCode.GoingAway, link.kind);
  }

  private setState(s: ConnState): void {
    if (this.state === 'stopped' && s !== 'stopped') return;
    this.state = s;
    this.emit('state', s, s === 'open' ? this.welcome : null);
  }

  private clearTimers(): void {
    // timeouts and intervals share one list of timers (HTML): either clear call ends any of them
    for (const t of Object.values(this.timers)) clearTimeout(t);
    this.timers.retry = undefined;
  }
}
