// KefuClient: one logical protocol client per tab, sharing one server connection per browser. It composes the parts
// that each do one job, and owns only the connection state and the leader's Connection:
//
// - Every tab has its own logical client id `tabId` (protocol `c`), fresh on every page load: a reload is a new
//   logical client. (Keeping it in sessionStorage would survive a reload, but "duplicate tab" copies sessionStorage,
//   which would give two live tabs the same `c`; the outbox makes a reload safe anyway: the old id's unconfirmed
//   records become orphans that the leader adopts and resends.)
// - The tabs elect a leader (LeaderElector); only the leader opens a Connection. TabRelay carries the other tabs'
//   frames to it and the server's frames back; TabRoster knows which tabs are alive and looking.
// - FrameDispatcher routes every server frame (to Subscriptions' handlers, or to RequestTracker for replies).
// - After every `welcome` (also a new leader's), each tab subscribes again to its channels from its last applied
//   revision (Subscriptions), sends its presence again (PresenceHeartbeat), and the leader resends every unconfirmed
//   submit of the browser in writing order (OutboxDrain).
//
// UI-agnostic: the widget and the agent console both build on this class and the channel classes
// (MessageChannel, TextChannel).
import type { ListFilter, TabFrame } from '../protocol/client-frames';
import { MAX_HISTORY_OPS, MAX_LIST_ITEMS } from '../protocol/constants';
import type { Availability, ErrorFrame, ListFrame, OpRecord, ServerFrame, WelcomeFrame } from '../protocol/server-frames';
import { Connection, type ConnState, type TransportMode } from '../transport/connection';
import type { LinkEnv } from '../transport/links';
import { Emitter, randomId } from '../util/emitter';
import { localStorageOrNull, webLocks } from '../util/env';
import type { ChannelHandler } from './channel-handler';
import { FrameDispatcher } from './frame-dispatcher';
import { LeaderElector } from './leader';
import { Outbox, MemoryOutboxStore, toUpload, type FileEntry, type OutboxRecord, type OutboxStore, type TextRecord } from './outbox';
import { OutboxDrain, type DrainContext } from './outbox-drain';
import { PresenceHeartbeat } from './presence-heartbeat';
import type { RequestTracker } from './request-tracker';
import { Subscriptions } from './subscriptions';
import { TabBus, type BusPort } from './tab-bus';
import { TabRelay } from './tab-relay';
import { TabRoster, type TabInfo } from './tab-roster';


export interface KefuClientOptions {
  /** the `data-endpoint` path, e.g. `/kefu` or `/shop/kefu` */
  endpoint: string;
  /** client version (hello.client) */
  version: string;
  /** a signed visitor token from the page (undefined: none, as when the attribute is empty) */
  token?: string | undefined;
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
  /**
   * What `history` and `list` (fetchHistory, list) go through: the console passes RequestTracker. The widget pages no
   * history and lists nothing, so its bundle carries none (size.test.ts).
   */
  requests?: new (nextQ: () => string, send: (f: TabFrame) => boolean, timeoutMs?: number) => RequestTracker;
  /** how long a `history` or `list` request waits for its reply */
  requestTimeoutMs?: number;
}

export interface KefuClientEvents {
  /** connection state as seen by this tab; welcome when open */
  state(state: ConnState, welcome: WelcomeFrame | null): void;
  welcome(w: WelcomeFrame): void;
  /** the availability changed since welcome (an agent edited the business hours) */
  avail(a: Availability): void;
  leader(isLeader: boolean): void;
  /** another tab's visibility/open state changed (leader uses it for notifications) */
  tabs(): void;
  /** an error frame not tied to a channel of this tab */
  error(f: ErrorFrame): void;
  /** the server runs a different version */
  mismatch(server: string): void;
}

export class KefuClient extends Emitter<KefuClientEvents> {
  readonly tabId: string;
  readonly outbox: Outbox;
  state: ConnState = 'closed';
  welcome: WelcomeFrame | null = null;
  private readonly roster: TabRoster;
  private readonly relay: TabRelay;
  private readonly subs: Subscriptions;
  private readonly presence: PresenceHeartbeat;
  private readonly requests: RequestTracker | undefined;
  private readonly dispatcher: FrameDispatcher;
  private readonly drainer: OutboxDrain;
  private bus: TabBus | null = null;
  private elector: LeaderElector | null = null;
  private conn: Connection | null = null;
  /** the `conn` of the welcome last acted on: the leader's own state event and its relay both announce it */
  private lastConn = '';
  private counter = 0;
  /** releases the lock `kefu-tab:{tabId}`, held while started: it tells other pages this tab's records are not orphans */
  private unlock: (() => void) | undefined;
  /** Uploads a file record when this tab leads (the widget's lazily loaded kefu-upload.js); see OutboxDrain. */
  uploader: DrainContext['upload'] | undefined;

  constructor(readonly o: KefuClientOptions) {
    super();
    this.tabId = o.tabId ?? randomId(12);
    this.outbox = new Outbox(o.outboxStore ?? new MemoryOutboxStore(), this.tabId);
    // The parts call back through `this.send` (never a captured copy), so a test may replace it on the instance.
    const send = (f: TabFrame): boolean => this.send(f);
    const post = (body: Parameters<TabBus['post']>[0]): void => this.bus?.post(body);
    this.roster = new TabRoster(this.tabId, {
      post,
      changed: () => this.emit('tabs'),
      joined: () => {
        if (this.isLeader) this.announce();
      },
      vanished: (id) => {
        // a tab that vanished without `gone` (crash, frozen): drop its logical client on the server
        if (this.isLeader) this.conn?.send({ t: 'bye', c: id });
      },
    });
    this.relay = new TabRelay({
      post,
      isLeader: () => this.isLeader,
      sendNow: (f) => this.sendNow(f),
      dispatch: (f) => this.dispatch(f),
      leaderState: (from, s, w) => {
        this.roster.seen(from);
        if (s !== 'open') this.setState(s, null);
        else if (w) this.onWelcome(w);
      },
      outboxChanged: () => {
        for (const h of this.subs.all()) void h.outboxChanged?.();
      },
      drain: () => this.drain(),
    });
    this.subs = new Subscriptions(this.tabId, send);
    this.presence = new PresenceHeartbeat((ch, s) => this.send({ t: 'presence', c: this.tabId, ch, s }));
    this.requests = o.requests && new o.requests(() => this.nextId(), send, o.requestTimeoutMs);
    this.dispatcher = new FrameDispatcher({
      tabId: this.tabId,
      handler: (ch) => this.subs.get(ch),
      requests: this.requests,
      unclaimed: (f) => this.emit('error', f),
    });
    this.drainer = new OutboxDrain(
      {
        outbox: this.outbox,
        isLive: (c) => this.roster.isLive(c),
        isGone: (c) => this.roster.isGone(c),
        adopted: () => this.outboxChanged(),
        // none (a client without kefu-upload.js) throws here, and the drain stops before the file
        upload: (r, current) => (this.uploader as DrainContext['upload'])(r, current),
      },
      o.orphanGraceMs,
    );
  }

  get isLeader(): boolean {
    return this.elector?.leader ?? false;
  }

  /** Other tabs that announced themselves (tab id → visibility). */
  get tabs(): ReadonlyMap<string, TabInfo> {
    return this.roster.tabs;
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
    this.bus = new TabBus(`${kind}:${this.o.endpoint}`, this.tabId, this.o.busPort);
    this.bus.on((m) => {
      this.roster.receive(m);
      this.relay.receive(m);
    });
    this.elector = new LeaderElector({
      name: `${kind}-leader:${this.o.endpoint}`,
      tabId: this.tabId,
      locks: this.o.locks,
      storage: this.o.storage,
      onChange: (l) => this.onLeader(l),
    });
    this.elector.start();
    this.roster.start();
    void this.locks()
      ?.request(`kefu-tab:${this.tabId}`, {}, () => new Promise<void>((r) => (this.unlock = r)))
      .catch(() => {});
  }

  private locks(): LockManager | null {
    return this.o.locks === undefined ? webLocks() : this.o.locks;
  }

  /** Whether the tab `c` of this browser is alive (holds its lock); without Web Locks, none is known to be. */
  async isAlive(c: string): Promise<boolean> {
    try {
      return !!(await this.locks()?.query())?.held?.some((l) => l.name === `kefu-tab:${c}`);
    } catch {
      return false;
    }
  }

  /** Leaves: `bye` for this logical client, tells the other tabs, releases leadership. */
  stop(): void {
    if (!this.bus) return;
    this.send({ t: 'bye', c: this.tabId });
    this.bus.post({ k: 'gone' });
    this.roster.stop();
    this.unlock?.();
    this.presence.pause();
    this.drainer.stop();
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
    this.subs.add(h);
    if (this.state === 'open') this.subs.subscribe(h);
    return () => {
      if (!this.subs.remove(h)) return;
      this.presence.forget(h.ch);
      this.send({ t: 'unsub', c: this.tabId, ch: h.ch });
    };
  }

  /** Sends `sub` again from the handler's revision (a gap); at most once per second per channel unless forced. */
  resubscribe(ch: string, force = false): void {
    this.subs.resubscribe(ch, force, Date.now());
  }

  /** Sends a frame through the connection (directly when leader, else via the leader). False when offline. */
  send(f: TabFrame): boolean {
    if (this.isLeader) return this.sendNow(f);
    if (this.state !== 'open' || !this.bus) return false;
    this.relay.up(f);
    return true;
  }

  /**
   * Leader: onto the socket, except that a submit made while the outbox is being resent waits until it is, so it
   * never overtakes an older message.
   */
  private sendNow(f: TabFrame): boolean {
    const conn = this.conn;
    if (!conn) return false;
    const gate = this.drainer.gate;
    if (f.t === 'submit' && gate) {
      if (conn.state !== 'open') return false;
      void gate.then((ok) => ok && this.conn === conn && conn.send(f));
      return true;
    }
    return conn.send(f);
  }

  /**
   * Submits an op on a message channel through the outbox: recorded first, then sent; removed on ack or own op.
   * Returns the record (its `id` identifies the op). With `up` (a chosen file, op `{k: 'msg'}`), the leader's drain
   * uploads it first and holds every later submit until the file's op is sent (docs/protocol.md §9.6).
   */
  async submit(ch: string, op: unknown, rev: number, id = this.nextId(), extra?: TextRecord[], up?: FileEntry): Promise<OutboxRecord> {
    const r = await this.outbox.add(ch, id, op, rev, extra, up);
    this.relay.outboxChanged();
    this.sendRecord(r);
    return r;
  }

  /** Sends an outbox record (again); a file not uploaded yet goes to the leader's drain instead. */
  sendRecord(r: OutboxRecord): void {
    if (toUpload(r)) this.drain();
    else this.send({ t: 'submit', c: this.tabId, ch: r.ch, id: r.id, rev: r.rev, op: r.op });
  }

  /**
   * Leader: resends the outbox in order now (on its open connection). Another tab asks the leader over the bus; the
   * leader starts the drain when the message arrives, before any submit that tab sent after it, so none overtakes.
   */
  drain(): void {
    const conn = this.conn;
    if (!this.isLeader) this.bus?.post({ k: 'dr' });
    else if (conn?.state === 'open') this.drainer.start((f) => conn.send(f), () => this.isLeader && this.conn === conn && conn.state === 'open');
  }

  /** After a retryable error: resend the record later, with a growing delay. False when it was retried enough. */
  retryLater(id: string): boolean {
    const d = this.outbox.nextRetryDelay(id);
    if (d >= 0) setTimeout(() => void this.resendIfStillMine(id), d);
    return d >= 0;
  }

  /** Unless it was confirmed, failed for good or adopted by another tab meanwhile. */
  private async resendIfStillMine(id: string): Promise<void> {
    const r = (await this.outbox.all()).find((x) => x.id === id);
    if (r && r.err === undefined && r.c === this.tabId) this.sendRecord(r);
  }

  /** Tells the other tabs that the outbox changed (they re-read their pending lists). */
  outboxChanged(): void {
    this.relay.outboxChanged();
  }

  /** Sets this tab's presence on a channel and repeats it every ttl/3; null removes it. */
  setPresence(ch: string, s: unknown): void {
    this.presence.set(ch, s);
  }

  /** Up to n ops older than rev (paging back). */
  async fetchHistory(ch: string, rev: number, n: number): Promise<OpRecord[]> {
    const f = await this.tracker().request('history', (q) => ({ t: 'history', ch, rev, n: Math.min(MAX_HISTORY_OPS, n), q }));
    return f.ops.map((o) => ({ ...o, ch: f.ch }));
  }

  /** Agents: the inbox summaries (`list`), with the `inbox` revision they reflect. */
  list(f: ListFilter = 'all', n = MAX_LIST_ITEMS): Promise<ListFrame> {
    return this.tracker().request('list', (q) => ({ t: 'list', f, n: Math.min(MAX_LIST_ITEMS, n), q }));
  }

  private tracker(): RequestTracker {
    if (!this.requests) throw new Error('no options.requests');
    return this.requests;
  }

  // ---- tabs ----

  /** This tab's visibility and whether its chat window is open (drives notifications and read markers). */
  setAttention(vis: boolean, open: boolean): void {
    this.roster.setAttention(vis, open);
  }

  /** Whether any tab of this browser (this one included) is visible with its chat open. */
  attentive(): boolean {
    return this.roster.attentive();
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
      storage: this.o.storage === undefined ? localStorageOrNull() : this.o.storage,
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
      this.relay.down(text);
      this.dispatch(f);
    });
    conn.on('mismatch', (v) => this.emit('mismatch', v));
    this.bus?.post({ k: 'who' });
    conn.start();
    if (typeof addEventListener === 'function') {
      // the browser knows before any heartbeat: offline closes the link at once, online reconnects at once
      const on = (e: string, f: () => void): void => {
        addEventListener(e, f);
        conn.on('state', (s) => s === 'stopped' && removeEventListener(e, f));
      };
      on('online', () => conn.kick());
      on('offline', () => conn.offline());
    }
  }

  /** Leader: tell all tabs the connection state (a new tab learns it this way). */
  private announce(): void {
    const c = this.conn;
    if (!c || !this.bus) return;
    this.relay.announce(c.state, c.welcomeText);
    // a tab joined (a sign-in or sign-out is a page load), or the state changed: say hello again if the identity did
    c.renew();
  }

  // ---- frames ----

  private onWelcome(w: WelcomeFrame): void {
    if (w.conn === this.lastConn) return;
    this.lastConn = w.conn;
    this.welcome = w;
    this.setState('open', w);
    this.emit('welcome', w);
    this.subs.subscribeAll();
    this.presence.resume(w.ttl);
    if (this.isLeader) this.drain();
  }

  /** Routes one validated server frame to the channel or request it concerns. */
  dispatch(f: ServerFrame): void {
    if (f.t === 'avail') this.emit('avail', f.avail);
    else this.dispatcher.dispatch(f);
  }

  private setState(s: ConnState, w: WelcomeFrame | null): void {
    if (s !== 'open') {
      this.lastConn = '';
      this.presence.pause();
      // a reply will never come on this connection: the caller asks again after the next welcome
      this.requests?.cancelAll();
    }
    if (s === this.state && s !== 'open') return;
    this.state = s;
    // Who is online was known through this connection only: without it, nobody is known to be (a fresh list comes with
    // every `sub`), so no view shows an agent or a visitor "online" while it cannot know.
    if (s !== 'open') for (const h of this.subs.all()) h.presence({ t: 'presence', ch: h.ch, list: [] });
    this.emit('state', s, w);
  }
}
