// Tab leader election: exactly one tab per browser and endpoint holds the connection.
// Web Locks: the leader holds `kefu-leader:{endpoint}` until its page goes away; the browser then grants it to a
// waiting tab at once. Without Web Locks, a localStorage lease renewed every second and taken over 3 s after its
// holder stopped renewing.

export interface LeaderOptions {
  name: string;
  tabId: string;
  onChange(leader: boolean): void;
  locks?: LockManager | null;
  storage?: Storage | null;
}

export class LeaderElector {
  leader = false;
  private release: (() => void) | null = null;
  private abort: AbortController | null = null;
  private timer: ReturnType<typeof setInterval> | undefined;
  private stopped = false;

  constructor(private readonly o: LeaderOptions) {}

  start(): void {
    const locks = this.o.locks === undefined ? (globalThis.navigator?.locks ?? null) : this.o.locks;
    if (locks) {
      this.abort = new AbortController();
      locks
        .request(this.o.name, { mode: 'exclusive', signal: this.abort.signal }, () => {
          if (this.stopped) return;
          this.set(true);
          return new Promise<void>((resolve) => (this.release = resolve));
        })
        .catch(() => {
          // aborted (stop) or locks unavailable in this context
        });
    } else {
      const tick = (): void => this.leaseTick();
      tick();
      this.timer = setInterval(tick, 1000);
    }
  }

  stop(): void {
    this.stopped = true;
    this.abort?.abort();
    this.release?.();
    this.release = null;
    clearInterval(this.timer);
    const st = this.storage();
    if (st && this.leader) {
      try {
        const lease = JSON.parse(st.getItem(this.o.name) ?? 'null') as { id?: string } | null;
        if (lease?.id === this.o.tabId) st.removeItem(this.o.name);
      } catch {
        // ignore
      }
    }
    this.set(false);
  }

  private storage(): Storage | null {
    try {
      return this.o.storage === undefined ? globalThis.localStorage : this.o.storage;
    } catch {
      return null;
    }
  }

  private leaseTick(): void {
    const st = this.storage();
    if (!st) return this.set(true); // no storage at all: every tab is on its own
    const now = Date.now();
    let lease: { id?: unknown; exp?: unknown } | null = null;
    try {
      lease = JSON.parse(st.getItem(this.o.name) ?? 'null');
    } catch {
      lease = null;
    }
    const free = !lease || typeof lease.exp !== 'number' || lease.exp < now || lease.id === this.o.tabId;
    if (free) {
      try {
        st.setItem(this.o.name, JSON.stringify({ id: this.o.tabId, exp: now + 3000 }));
        lease = JSON.parse(st.getItem(this.o.name) ?? 'null');
      } catch {
        lease = null;
      }
    }
    this.set(!!lease && lease.id === this.o.tabId);
  }

  private set(v: boolean): void {
    if (v === this.leader) return;
    this.leader = v;
    this.o.onChange(v);
  }
}
