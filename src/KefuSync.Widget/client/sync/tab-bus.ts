// The tab bus: how the tabs of one browser talk to each other (and to the leader, which owns the socket).
// BroadcastChannel('kefu:{endpoint}'), or localStorage `storage` events where BroadcastChannel is missing.
//
// Every message is { kv: 1, from: tabId, k: kind, ... }. Anything can post on a same-origin channel (another script
// on the page, a tab running an older or newer widget, a bug), so every message is validated here before anyone
// uses it: a malformed or forged message is dropped, it never throws into the receiver.
import { validateTabFrame, type TabFrame } from '../protocol/client-frames';
import { MAX_SERVER_FRAME_CHARS } from '../protocol/constants';
import { isClientId, isObj } from '../protocol/validation';
import type { ConnState } from '../transport/connection';

/** Tab protocol version; a tab running another version is ignored rather than misread. */
export const KV = 1;

export type BusBody =
  /** tab → leader: send this frame on the socket */
  | { k: 'up'; f: TabFrame }
  /** leader → tabs: a server frame, as the text the server sent (each tab validates it again) */
  | { k: 'down'; d: string }
  /** leader → tabs: connection state; `w` is the welcome frame's text when open */
  | { k: 'state'; s: ConnState; w?: string }
  /** tab → all: I am alive; vis: page visible; open: chat window open */
  | { k: 'hi'; vis: boolean; open: boolean }
  /** tab → all: I am closing */
  | { k: 'gone' }
  /** new leader → tabs: announce yourselves (reply with `hi`), and resend your state */
  | { k: 'who' }
  /** tab → all: the outbox changed, re-read pending messages */
  | { k: 'ob' }
  /** tab → leader: resend the outbox in order now (a file was put into it) */
  | { k: 'dr' };

export type BusMessage = BusBody & { kv: typeof KV; from: string };

const STATES: readonly string[] = ['connecting', 'open', 'closed', 'stopped'];

/** Validates a message from another tab; returns a clean copy or null. */
export function validateBusMessage(m: unknown): BusMessage | null {
  if (!isObj(m) || m.kv !== KV || !isClientId(m.from) || typeof m.k !== 'string') return null;
  const from = m.from;
  switch (m.k) {
    case 'up': {
      const f = validateTabFrame(m.f, from);
      return f ? { kv: KV, from, k: 'up', f } : null;
    }
    case 'down':
      return typeof m.d === 'string' && m.d.length <= MAX_SERVER_FRAME_CHARS ? { kv: KV, from, k: 'down', d: m.d } : null;
    case 'state':
      if (typeof m.s !== 'string' || !STATES.includes(m.s)) return null;
      if (m.w !== undefined && (typeof m.w !== 'string' || m.w.length > 65536)) return null;
      return { kv: KV, from, k: 'state', s: m.s as ConnState, ...(m.w === undefined ? {} : { w: m.w }) };
    case 'hi':
      return typeof m.vis === 'boolean' && typeof m.open === 'boolean' ? { kv: KV, from, k: 'hi', vis: m.vis, open: m.open } : null;
    case 'gone':
    case 'who':
    case 'ob':
    case 'dr':
      return { kv: KV, from, k: m.k };
    default:
      return null;
  }
}

export interface BusPort {
  post(m: BusMessage): void;
  close(): void;
}

export class TabBus {
  private readonly port: BusPort;
  private readonly handlers = new Set<(m: BusMessage) => void>();

  constructor(readonly name: string, readonly tabId: string, port?: (deliver: (raw: unknown) => void) => BusPort) {
    const deliver = (raw: unknown): void => {
      const m = validateBusMessage(raw);
      if (!m || m.from === tabId) return;
      for (const h of [...this.handlers]) h(m);
    };
    this.port = port ? port(deliver) : defaultPort(name, deliver);
  }

  post(body: BusBody): void {
    try {
      this.port.post({ ...body, kv: KV, from: this.tabId });
    } catch {
      // the channel is closed (page unloading) or the message cannot be cloned: nothing to do
    }
  }

  on(h: (m: BusMessage) => void): () => void {
    this.handlers.add(h);
    return () => this.handlers.delete(h);
  }

  close(): void {
    this.handlers.clear();
    this.port.close();
  }
}

function defaultPort(name: string, deliver: (raw: unknown) => void): BusPort {
  if (typeof BroadcastChannel === 'function') {
    const bc = new BroadcastChannel(name);
    bc.onmessage = (e) => deliver(e.data);
    return { post: (m) => bc.postMessage(m), close: () => bc.close() };
  }
  // localStorage fallback: write then remove a key; other tabs see the `storage` event with the new value.
  const key = name + ':bus';
  const onStorage = (e: StorageEvent): void => {
    if (e.key !== key || !e.newValue) return;
    try {
      deliver(JSON.parse(e.newValue));
    } catch {
      // not JSON: ignore
    }
  };
  addEventListener('storage', onStorage);
  return {
    post(m) {
      localStorage.setItem(key, JSON.stringify({ ...m, n: Math.random() }));
      localStorage.removeItem(key);
    },
    close: () => removeEventListener('storage', onStorage),
  };
}
