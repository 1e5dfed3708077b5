// Tab leader election: exactly one tab per browser and endpoint holds the connection.
// Web Locks: the leader holds `kefu-leader:{endpoint}` until its page goes away; the browser then grants it to a
// waiting tab at once. Without Web Locks, a localStorage lease renewed every second and taken over 3 s after its
// holder stopped renewing.
import { isObj } from '../protocol/validation';
import { localStorageOrNull, webLocks } from '../util/env';

export interface LeaderOptions {
  name: string;
  tabId: string;
  onChange(leader: boolean): void;
  // `| undefined`: callers forward their own optional settings; absent and undefined both mean the default
  locks?: LockManager | null | undefined;
  storage?: Storage | null | undefined;
}

export class LeaderElector {
  leader = false;
  private release: (() => void) | null = null;
  private abort: AbortController | null = null;
  private timer: ReturnType<typeof setInterval> | undefined;
  private stopped = false;

  constructor(private readonly o: LeaderOptions) {}

  start(): void {
    const locks = this.o.locks === undefined ? webLocks() : this.o.locks;
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
        if (readLease(st, this.o.name)?.id === this.o.tabId) st.removeItem(this.o.name);
      } catch {
        // storage went away: the lease expires by itself within 3 s
      }
    }
    this.set(false);
  }

  private storage(): Storage | null {
    return this.o.storage === undefined ? localStorageOrNull() : this.o.storage;
  }

  private leaseTick(): void {
    const st = this.storage();
    if (!st) {
      this.set(true); // no storage at all: every tab is on its own
      return;
    }
    const now = Date.now();
    let lease = readLease(st, this.o.name);
    const free = !lease || typeof lease.exp !== 'number' || lease.exp < now || lease.id === this.o.tabId;
    if (free) {
      try {
        st.setItem(this.o.name, JSON.stringify({ id: this.o.tabId, exp: now + 3000 }));
        // read back: when two tabs write at once, the one whose write landed last holds the lease
        lease = readLease(st, this.o.name);
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

/** The lease in storage, or null when there is none or it is not an object (another script's value, or corrupt). */
function readLease(st: Storage, name: string): { id?: unknown; exp?: unknown } | null {
  try {
    const v: unknown = JSON.parse(st.getItem(name) ?? 'null');
    return isObj(v) ? v : null;
  } catch {
    return null;
  }
}
