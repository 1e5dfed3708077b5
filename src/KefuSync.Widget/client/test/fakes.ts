// Test doubles shared by the unit tests: a scriptable WebSocket, a storage, a lock manager and a tab-bus hub.
import type { BusPort } from '../sync/tab-bus';

export class FakeSocket {
  static all: FakeSocket[] = [];
  static autoOpen = true;
  readyState = 0;
  sent: string[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  onclose: ((e: { code: number }) => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
    if (FakeSocket.autoOpen) queueMicrotask(() => this.open());
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.();
  }
  send(s: string): void {
    this.sent.push(s);
  }
  frames(): Record<string, unknown>[] {
    return this.sent.map((s) => JSON.parse(s) as Record<string, unknown>);
  }
  receive(f: object): void {
    this.onmessage?.({ data: JSON.stringify(f) });
  }
  close(code = 1000): void {
    this.serverClose(code);
  }
  serverClose(code: number): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code });
  }
  static last(): FakeSocket {
    const ws = FakeSocket.all.at(-1);
    if (!ws) throw new Error('no socket was opened');
    return ws;
  }
  static reset(): void {
    FakeSocket.all = [];
    FakeSocket.autoOpen = true;
  }
}

export class MemStorage {
  map = new Map<string, string>();
  get length(): number {
    return this.map.size;
  }
  getItem(k: string): string | null {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string): void {
    this.map.set(k, v);
  }
  removeItem(k: string): void {
    this.map.delete(k);
  }
  clear(): void {
    this.map.clear();
  }
  key(i: number): string | null {
    return [...this.map.keys()][i] ?? null;
  }
}

/** Web Locks with one exclusive lock per name: granted in request order, released when the callback's promise settles. */
export class FakeLocks {
  private held = new Map<string, boolean>();
  private queue = new Map<string, Array<{ cb: () => unknown }>>();
  request(name: string, opts: { signal?: AbortSignal }, cb: () => unknown): Promise<unknown> {
    const q = this.queue.get(name) ?? [];
    this.queue.set(name, q);
    return new Promise((resolve, reject) => {
      const entry = {
        cb: async () => {
          try {
            resolve(await cb());
          } finally {
            this.held.set(name, false);
            this.next(name);
          }
        },
      };
      opts.signal?.addEventListener('abort', () => {
        const i = q.indexOf(entry);
        if (i >= 0) {
          q.splice(i, 1);
          reject(new Error('AbortError'));
        }
      });
      q.push(entry);
      this.next(name);
    });
  }
  /** What LockManager.query() reports of the locks held now. */
  query(): Promise<{ held: Array<{ name: string }> }> {
    return Promise.resolve({ held: [...this.held].filter(([, h]) => h).map(([name]) => ({ name })) });
  }
  private next(name: string): void {
    if (this.held.get(name)) return;
    const e = this.queue.get(name)?.shift();
    if (!e) return;
    this.held.set(name, true);
    queueMicrotask(() => void e.cb());
  }
}

/** BroadcastChannel semantics in memory: a message goes to every other port, asynchronously, as a structured clone. */
export class BusHub {
  ports = new Set<(raw: unknown) => void>();
  port = (deliver: (raw: unknown) => void): BusPort => {
    this.ports.add(deliver);
    return {
      post: (m) => {
        const copy = structuredClone(m);
        for (const p of this.ports) if (p !== deliver) queueMicrotask(() => p(copy));
      },
      close: () => this.ports.delete(deliver),
    };
  };
  /** a message from outside any TabBus (a forged or buggy sender) */
  inject(raw: unknown): void {
    for (const p of this.ports) queueMicrotask(() => p(raw));
  }
}

export const flush = async (n = 5): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise<void>((r) => setTimeout(r, 0));
};
