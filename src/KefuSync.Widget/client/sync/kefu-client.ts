// KefuClient: one logical protocol client per tab, sharing one server connection per browser.
//
// - Every tab has its own logical client id `tabId` (protocol `c`), fresh on every page load: a reload is a new
//   logical client. (Keeping it in sessionStorage would survive a reload, but "duplicate tab" copies sessionStorage,
//   which would give two live tabs the same `c`; the outbox makes a reload safe anyway: the old id's unconfirmed
//   records become orphans that the leader adopts and resends.)
// - The tabs elect a leader (LeaderElector); only the leader opens a Connection. Other tabs send their frames to it
//   over the TabBus, it relays server frames to all tabs, and every tab filters: `ack`/`error` by `c`, the rest by
//   the channels it attached.
// - After every `welcome` (also a new leader's), each tab subscribes again to its channels from its last applied
//   revision and resends its own unconfirmed submits with the same ids; the leader also resends the outbox records
//   of tabs that are gone.
//
// UI-agnostic: the widget and the agent console both build on this class and the channel classes
// (MessageChannel, TextChannel).
import { Connection, type ConnState, type TransportMode } from '../transport/connection';
import { parseServerFrame, type AckFrame, type ErrorFrame, type ListFrame, type OpFrame, type OpRecord, type PresenceFrame, type ServerFrame, type SnapshotFrame, type SubbedFrame, type WelcomeFrame } from '../protocol/server-frames';
import { validateTabFrame, type ListRequestFrame, type TabFrame } from '../protocol/client-frames';
import type { LinkEnv } from '../transport/links';
import { Emitter, randomId } from '../util/emitter';
import { LeaderElector } from './leader';
import { Outbox, MemoryOutboxStore, type OutboxRecord, type OutboxStore } from './outbox';
import { TabBus, type BusMessage, type BusPort } from './tab-bus';

/** What a channel's state object implements to receive its frames. */
export interface ChannelHandler {
  readonly ch: string;
  /** the last applied revision: what `sub` sends */
  readonly rev: number;
  op(f: OpFrame): void;
  snapshot(f: SnapshotFrame): void;
  subbed(f: SubbedFrame): void;
  /** an ack for this tab */
  ack(f: AckFrame): void;
  /** an error about a frame of this tab on this channel */
  error(f: ErrorFrame): void;
  presence(f: PresenceFrame): void;
  /** a `sub` was just sent (after a welcome, or a gap) */
  resubscribed(): void;
  /** message channels: with rev 0, subscribe to only the last `tail` ops (older ones are paged with history) */
  readonly tail?: number;
}

export interface KefuClientOptions {
  /** the `data-endpoint` path, e.g. `/kefu` or `/shop/kefu` */
  endpoint: string;
  /** client version (hello.client) */
  version: string;
  /** a signed visitor token from the page */
  token?: string;
  /** act as an agent (console) */
  agent?: boolean;
  transport?: TransportMode;
  /** the outbox storage (default: memory; the widget passes IndexedDB) */
  outboxStore?: OutboxStore;
  /** test seams */
  tabId?: string;
  locks?: LockManager | null;
  storage?: Storage | null;
  busPort?: (deliver: (raw: unknown) => void) => BusPort;
  linkEnv?: Partial<LinkEnv>;
  /** how long a new leader waits for tabs to announce themselves before adopting orphaned outbox records */
  orphanGraceMs?: number;
}

export interface TabInfo {
  vis: boolean;
  open: boolean;
  seen: number;
}

export interface KefuClientEvents {
  /** connection state as seen by this tab; welcome when open */
  state(state: ConnState, welcome: WelcomeFrame | null): void;
  welcome(w: WelcomeFrame): void;
  leader(isLeader: boolean): void;
  /** another tab's visibility/open state changed (leader uses it for notifications) */
  tabs(): void;
  /** an error frame not tied to a channel of this tab */
  error(f: ErrorFrame): void;
  /** the server runs a different version */
  mismatch(server: string): void;
}

const HI_EVERY_MS = 5000;
const TAB_EXPIRES_MS = 16000;

export class KefuClient extends Emitter<KefuClientEvents> {
  readonly tabId: string;
  readonly outbox: Outbox;
  state: ConnState = 'closed';
  welcome: WelcomeFrame | null = null;
  /** other tabs that announced themselves (tab id → visibility) */
  readonly tabs = new Map<string, TabInfo>();
  private readonly handlers = new Map<string, ChannelHandler>();
  private readonly presences = new Map<string, unknown>();
  private readonly history = new Map<string, { resolve(ops: OpRecord[]): void; reject(e: ErrorFrame): void }>();
  private readonly lists = new Map<string, { resolve(f: ListFrame): void; reject(e: ErrorFrame): void }>();
  private readonly resubAt = new Map<string, number>();
  private bus: TabBus | null = null;
  private elector: LeaderElector | null = null;
  private conn: Connection | null = null;
  private lastConn = '';
  private self: { vis: boolean; open: boolean } = { vis: false, open: false };
  private counter = 0;
  private timers: ReturnType<typeof setInterval>[] = [];
  private presenceTimer: ReturnType<typeof setInterval> | undefined;
  private orphanTimer: ReturnType<typeof setTimeout> | undefined;
  /** tabs that said `gone` (their outbox records are orphans at once) */
  private readonly goneTabs = new Set<string>();
  /** leader: pending while the outbox is resent after a welcome; submits made meanwhile wait behind it */
  private draining: Promise<void> | null = null;

  constructor(readonly o: KefuClientOptions) {
    super();
    this.tabId = o.tabId ?? randomId(12);
    this.outbox = new Outbox(o.outboxStore ?? new MemoryOutboxStore(), this.tabId);
  }

  get isLeader(): boolean {
    return this.elector?.leader ?? false;
  }

  /** A fresh client op id: `{tabId}-{n}`. */
  nextId(): string {
    return `${this.tabId}-${++this.counter}`;
  }

  start(): void {
    if (this.bus) return;
    // Agents get their own bus and leader lock: a console tab must never relay a visitor widget's frames (or the
    // other way round) on the same origin.
    const kind = this.o.agent ? 'kefu-agent' : 'kefu';
    const name = `${kind}:${this.o.endpoint}`;
    this.bus = new TabBus(name, this.tabId, this.o.busPort);
    this.bus.on((m) => this.onBus(m));
    this.elector = new LeaderElector({
      name: `${kind}-leader:${this.o.endpoint}`,
      tabId: this.tabId,
      locks: this.o.locks,
      storage: this.o.storage,
      onChange: (l) => this.onLeader(l),
    });
    this.elector.start();
    this.hi();
    this.timers.push(
      setInterval(() => {
        this.hi();
        this.pruneTabs();
      }, HI_EVERY_MS),
    );
  }

  /** Leaves: `bye` for this logical client, tells the other tabs, releases leadership. */
  stop(): void {
    if (!this.bus) return;
    this.send({ t: 'bye', c: this.tabId });
    this.bus.post({ k: 'gone' });
    this.timers.forEach((t) => clearInterval(t));
    this.timers = [];
    clearInterval(this.presenceTimer);
    clearTimeout(this.orphanTimer);
    this.conn?.stop();
    this.conn = null;
    this.elector?.stop();
    this.elector = null;
    this.bus.close();
    this.bus = null;
    this.lastConn = '';
    this.setState('closed', null);
  }

  // ---- channels ----

  /** Starts receiving a channel; subscribes now when connected and after every reconnect. Returns detach. */
  attach(h: ChannelHandler): () => void {
    this.handlers.set(h.ch, h);
    if (this.state === 'open') this.subscribe(h);
    return () => {
      if (this.handlers.get(h.ch) !== h) return;
      this.handlers.delete(h.ch);
      this.presences.delete(h.ch);
      this.send({ t: 'unsub', c: this.tabId, ch: h.ch });
    };
  }

  /** Sends `sub` again from the handler's revision (a gap); at most once per second per channel. */
  resubscribe(ch: string, force = false): void {
    const h = this.handlers.get(ch);
    const now = Date.now();
    if (!h || (!force && now - (this.resubAt.get(ch) ?? 0) < 1000)) return;
    this.resubAt.set(ch, now);
    this.subscribe(h);
  }

  private subscribe(h: ChannelHandler): void {
    h.resubscribed();
    const rev = h.rev;
    this.send(rev === 0 && h.tail ? { t: 'sub', c: this.tabId, ch: h.ch, rev, n: h.tail } : { t: 'sub', c: this.tabId, ch: h.ch, rev });
  }

  /** Sends a frame through the connection (directly when leader, else via the leader). False when offline. */
  send(f: TabFrame): boolean {
    if (this.isLeader) return this.sendNow(f);
    if (this.state !== 'open' || !this.bus) return false;
    this.bus.post({ k: 'up', f });
    return true;
  }

  /**
   * Leader: onto the socket, except that a submit made while the outbox is being resent waits until it is, so it
   * never overtakes an older message.
   */
  private sendNow(f: TabFrame): boolean {
    const conn = this.conn;
    if (!conn) return false;
    const gate = this.draining;
    if (f.t === 'submit' && gate) {
      if (conn.state !== 'open') return false;
      void gate.then(() => this.conn === conn && conn.send(f));
      return true;
    }
    return conn.send(f);
  }

  /**
   * Submits an op on a message channel through the outbox: recorded first, then sent; removed on ack or own op.
   * Returns the record (its `id` identifies the op).
   */
  async submit(ch: string, op: unknown, rev: number, id = this.nextId()): Promise<OutboxRecord> {
    const r = await this.outbox.add(ch, id, op, rev);
    this.bus?.post({ k: 'ob' });
    this.sendRecord(r);
    return r;
  }

  /** Sends an outbox record (again). */
  sendRecord(r: OutboxRecord): void {
    this.send({ t: 'submit', c: this.tabId, ch: r.ch, id: r.id, rev: r.rev, op: r.op });
  }

  /** After a retryable error: resend the record later, with a growing delay. */
  retryLater(id: string): void {
    setTimeout(async () => {
      const r = (await this.outbox.all()).find((x) => x.id === id);
      if (r && r.err === undefined && r.c === this.tabId) this.sendRecord(r);
    }, this.outbox.nextRetryDelay(id));
  }

  /** Tells the other tabs that the outbox changed (they re-read their pending lists). */
  outboxChanged(): void {
    this.bus?.post({ k: 'ob' });
  }

  /** Sets this tab's presence on a channel and repeats it every ttl/3; null removes it. */
  setPresence(ch: string, s: unknown): void {
    if (s === null) this.presences.delete(ch);
    else this.presences.set(ch, s);
    this.send({ t: 'presence', c: this.tabId, ch, s });
  }

  /** Up to n ops older than rev (paging back). */
  fetchHistory(ch: string, rev: number, n: number): Promise<OpRecord[]> {
    const q = this.nextId();
    return new Promise((resolve, reject) => {
      this.history.set(q, { resolve, reject });
      if (!this.send({ t: 'history', ch, rev, n: Math.min(200, n), q })) {
        this.history.delete(q);
        reject({ t: 'error', code: 'offline', msg: 'not connected', retry: true } satisfies ErrorFrame);
      }
    });
  }

  /** Agents: the inbox summaries (`list`), with the `inbox` revision they reflect. */
  list(f: NonNullable<ListRequestFrame['f']> = 'all', n = 500): Promise<ListFrame> {
    const q = this.nextId();
    return new Promise((resolve, reject) => {
      this.lists.set(q, { resolve, reject });
      if (!this.send({ t: 'list', f, n: Math.min(500, n), q })) {
        this.lists.delete(q);
        reject({ t: 'error', code: 'offline', msg: 'not connected', retry: true } satisfies ErrorFrame);
      }
    });
  }

  // ---- tabs ----

  /** This tab's visibility and whether its chat window is open (drives notifications and read markers). */
  setAttention(vis: boolean, open: boolean): void {
    if (vis === this.self.vis && open === this.self.open) return;
    this.self = { vis, open };
    this.hi();
    this.emit('tabs');
  }

  /** Whether any tab of this browser (this one included) is visible with its chat open. */
  attentive(): boolean {
    if (this.self.vis && this.self.open) return true;
    for (const t of this.tabs.values()) if (t.vis && t.open) return true;
    return false;
  }

  private hi(): void {
    this.bus?.post({ k: 'hi', vis: this.self.vis, open: this.self.open });
  }

  private pruneTabs(): void {
    const now = Date.now();
    for (const [id, t] of this.tabs) {
      if (now - t.seen > TAB_EXPIRES_MS) {
        this.tabs.delete(id);
        // a tab that vanished without `gone` (crash, frozen): drop its logical client on the server
        if (this.isLeader) this.conn?.send({ t: 'bye', c: id });
        this.emit('tabs');
      }
    }
  }

  private onBus(m: BusMessage): void {
    switch (m.k) {
      case 'hi': {
        const known = this.tabs.has(m.from);
        this.tabs.set(m.from, { vis: m.vis, open: m.open, seen: Date.now() });
        if (!known && this.isLeader) this.announce();
        this.emit('tabs');
        break;
      }
      case 'gone':
        this.tabs.delete(m.from);
        this.goneTabs.add(m.from);
        this.emit('tabs');
        break;
      case 'who':
        this.tabs.set(m.from, { vis: false, open: false, seen: Date.now() });
        this.hi();
        break;
      case 'up':
        if (this.isLeader) {
          // validated again here: the leader is the last line before the socket
          const f = validateTabFrame(m.f, m.from);
          if (f) this.sendNow(f);
        }
        break;
      case 'down':
        if (!this.isLeader) {
          const f = parseServerFrame(m.d);
          if (f) this.dispatch(f);
        }
        break;
      case 'state':
        if (!this.isLeader) {
          this.tabs.set(m.from, this.tabs.get(m.from) ?? { vis: false, open: false, seen: Date.now() });
          const w = m.s === 'open' && m.w ? parseServerFrame(m.w) : null;
          if (m.s === 'open' && w?.t === 'welcome') this.onWelcome(w);
          else if (m.s !== 'open') this.setState(m.s === 'stopped' ? 'stopped' : m.s, null);
        }
        break;
      case 'ob':
        for (const h of this.handlers.values()) (h as { outboxChanged?(): void }).outboxChanged?.();
        break;
    }
  }

  // ---- leader ----

  private onLeader(leader: boolean): void {
    this.emit('leader', leader);
    if (!leader) {
      this.conn?.stop();
      this.conn = null;
      return;
    }
    this.lastConn = '';
    this.setState('connecting', null);
    const conn = new Connection({
      endpoint: this.o.endpoint,
      version: this.o.version,
      token: this.o.token,
      agent: this.o.agent,
      transport: this.o.transport,
      storage: this.o.storage === undefined ? safeLocalStorage() : this.o.storage,
      env: this.o.linkEnv,
    });
    this.conn = conn;
    conn.on('state', (s, w) => {
      if (this.conn !== conn) return;
      this.announce();
      if (s === 'open' && w) this.onWelcome(w);
      else this.setState(s, null);
    });
    conn.on('frame', (f, text) => {
      if (this.conn !== conn || f.t === 'welcome') return;
      this.bus?.post({ k: 'down', d: text });
      this.dispatch(f);
    });
    conn.on('mismatch', (v) => this.emit('mismatch', v));
    this.bus?.post({ k: 'who' });
    conn.start();
    if (typeof addEventListener === 'function') {
      const online = (): void => conn.kick();
      addEventListener('online', online);
      conn.on('state', (s) => s === 'stopped' && removeEventListener('online', online));
    }
  }

  /** Leader: tell all tabs the connection state (a new tab learns it this way). */
  private announce(): void {
    const c = this.conn;
    if (!c || !this.bus) return;
    this.bus.post(c.state === 'open' ? { k: 'state', s: 'open', w: c.welcomeText } : { k: 'state', s: c.state });
  }

  // ---- frames ----

  private onWelcome(w: WelcomeFrame): void {
    if (w.conn === this.lastConn) return;
    this.lastConn = w.conn;
    this.welcome = w;
    this.setState('open', w);
    this.emit('welcome', w);
    for (const h of this.handlers.values()) this.subscribe(h);
    for (const [ch, s] of this.presences) this.send({ t: 'presence', c: this.tabId, ch, s });
    clearInterval(this.presenceTimer);
    this.presenceTimer = setInterval(() => {
      for (const [ch, s] of this.presences) this.send({ t: 'presence', c: this.tabId, ch, s });
    }, Math.max(1000, Math.floor((w.ttl || 30000) / 3)));
    if (this.isLeader) {
      const done = this.drain().finally(() => {
        if (this.draining === done) this.draining = null;
      });
      this.draining = done;
    }
  }

  /**
   * Leader, after a welcome: resends every unconfirmed submit of this browser in the order it was written, whichever
   * tab wrote it (were each tab to resend its own, tabs would interleave by timing, and a message written before
   * another could be committed after it). A live tab's record goes with its own `c`, so its ack reaches it; a gone
   * tab's record is adopted. When records of tabs not heard of yet are waiting (a fresh leader), it first waits the
   * grace period for them to say hi. Submits made meanwhile wait behind the drain (`sendNow`). Resending a record
   * that is in flight is safe: the server answers a duplicate `id` with the original revision.
   */
  private async drain(): Promise<void> {
    const conn = this.conn;
    const pending = async (): Promise<OutboxRecord[]> => (await this.outbox.all()).filter((r) => r.err === undefined);
    const live = (c: string): boolean => c === this.tabId || (this.tabs.has(c) && !this.goneTabs.has(c));
    const current = (): boolean => this.isLeader && this.conn === conn && conn?.state === 'open';
    let recs = await pending();
    if (!current()) return; // the next welcome drains again
    if (recs.some((r) => !live(r.c) && !this.goneTabs.has(r.c))) {
      await new Promise((resolve) => {
        this.orphanTimer = setTimeout(resolve, this.o.orphanGraceMs ?? 1500);
      });
      recs = await pending();
      if (!current()) return;
    }
    let adopted = false;
    for (const rec of recs) {
      let r = rec;
      if (!live(r.c)) {
        r = await this.outbox.adopt(r);
        adopted = true;
        if (!current()) return;
      }
      conn!.send({ t: 'submit', c: r.c, ch: r.ch, id: r.id, rev: r.rev, op: r.op });
    }
    if (adopted) this.outboxChanged();
  }

  /** Routes one validated server frame to the channel it concerns. */
  dispatch(f: ServerFrame): void {
    switch (f.t) {
      case 'op':
        this.handlers.get(f.ch)?.op(f);
        break;
      case 'snapshot':
        this.handlers.get(f.ch)?.snapshot(f);
        break;
      case 'subbed':
        this.handlers.get(f.ch)?.subbed(f);
        break;
      case 'presence':
        this.handlers.get(f.ch)?.presence(f);
        break;
      case 'ack':
        if (f.c === this.tabId) this.handlers.get(f.ch)?.ack(f);
        break;
      case 'history': {
        const p = f.q ? this.history.get(f.q) : undefined;
        if (p) {
          this.history.delete(f.q!);
          p.resolve(f.ops.map((o) => ({ ...o, ch: f.ch })));
        }
        break;
      }
      case 'list': {
        const p = f.q ? this.lists.get(f.q) : undefined;
        if (p) {
          this.lists.delete(f.q!);
          p.resolve(f);
        }
        break;
      }
      case 'error': {
        if (f.c && f.c !== this.tabId) break;
        const p = f.q ? (this.history.get(f.q) ?? this.lists.get(f.q)) : undefined;
        if (p) {
          this.history.delete(f.q!);
          this.lists.delete(f.q!);
          p.reject(f);
          break;
        }
        const h = f.ch ? this.handlers.get(f.ch) : undefined;
        if (h) h.error(f);
        else this.emit('error', f);
        break;
      }
      default:
        break;
    }
  }

  private setState(s: ConnState, w: WelcomeFrame | null): void {
    if (s !== 'open') {
      this.lastConn = '';
      clearInterval(this.presenceTimer);
      // a reply will never come on this connection: the caller asks again after the next welcome
      const offline: ErrorFrame = { t: 'error', code: 'offline', msg: 'not connected', retry: true };
      for (const p of [...this.history.values(), ...this.lists.values()]) p.reject(offline);
      this.history.clear();
      this.lists.clear();
    }
    if (s === this.state && s !== 'open') return;
    this.state = s;
    this.emit('state', s, w);
  }
}

function safeLocalStorage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}
