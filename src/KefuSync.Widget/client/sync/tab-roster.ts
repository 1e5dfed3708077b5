// Which other tabs of this browser are alive, and whether any of them shows the open chat. Every tab says `hi` every
// few seconds (with its visibility and whether its chat window is open); a tab that stops saying it has crashed or
// been frozen. The leader uses the roster for two things: which outbox records are orphans (their writer is gone), and
// whether anyone is looking (notifications and read markers are only honest if the leader knows).
import type { BusBody, BusMessage } from './tab-bus';

export interface TabInfo {
  vis: boolean;
  open: boolean;
  seen: number;
}

/** How often a tab says `hi`. */
export const HI_EVERY_MS = 5000;
/** A tab not heard of for this long is gone: three missed `hi`s, so one slow timer of a background tab is not enough. */
export const TAB_EXPIRES_MS = 16000;

export interface RosterEvents {
  post(body: BusBody): void;
  /** the roster or a tab's attention changed */
  changed(): void;
  /** a tab this roster had not seen before said hi (the leader tells it the connection state) */
  joined(): void;
  /** a tab vanished without saying `gone` (the leader drops its logical client on the server) */
  vanished(tabId: string): void;
}

export class TabRoster {
  /** other tabs that announced themselves (tab id → attention) */
  readonly tabs = new Map<string, TabInfo>();
  /** tabs that said `gone`: their outbox records are orphans at once, without waiting for them to expire */
  private readonly gone = new Set<string>();
  private self = { vis: false, open: false };
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly tabId: string,
    private readonly on: RosterEvents,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    this.hi();
    this.timer = setInterval(() => {
      this.hi();
      this.prune();
    }, HI_EVERY_MS);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** This tab's visibility and whether its chat window is open. */
  setAttention(vis: boolean, open: boolean): void {
    if (vis === this.self.vis && open === this.self.open) return;
    this.self = { vis, open };
    this.hi();
    this.on.changed();
  }

  /** Whether any tab of this browser (this one included) is visible with its chat open. */
  attentive(): boolean {
    if (this.self.vis && this.self.open) return true;
    for (const t of this.tabs.values()) if (t.vis && t.open) return true;
    return false;
  }

  /** Whether the logical client `c` is this tab or a tab still alive (its outbox records are not orphans). */
  isLive(c: string): boolean {
    return c === this.tabId || (this.tabs.has(c) && !this.gone.has(c));
  }

  /** Whether `c` said `gone` (no need to wait for it to say hi). */
  isGone(c: string): boolean {
    return this.gone.has(c);
  }

  /** A tab that relays the connection state is alive, even before its first `hi` reached us. */
  seen(from: string): void {
    if (!this.tabs.has(from)) this.tabs.set(from, { vis: false, open: false, seen: this.now() });
  }

  /** The roster part of the tab bus: `hi`, `gone`, `who`. */
  receive(m: BusMessage): void {
    switch (m.k) {
      case 'hi': {
        const known = this.tabs.has(m.from);
        this.tabs.set(m.from, { vis: m.vis, open: m.open, seen: this.now() });
        if (!known) this.on.joined();
        this.on.changed();
        break;
      }
      case 'gone':
        this.tabs.delete(m.from);
        this.gone.add(m.from);
        this.on.changed();
        break;
      case 'who':
        // a new leader asks who is there: answer at once rather than at the next `hi`
        this.tabs.set(m.from, { vis: false, open: false, seen: this.now() });
        this.hi();
        break;
      default:
        break;
    }
  }

  private hi(): void {
    this.on.post({ k: 'hi', vis: this.self.vis, open: this.self.open });
  }

  private prune(): void {
    const now = this.now();
    for (const [id, t] of this.tabs) {
      if (now - t.seen > TAB_EXPIRES_MS) {
        this.tabs.delete(id);
        this.on.vanished(id);
        this.on.changed();
      }
    }
  }
}
