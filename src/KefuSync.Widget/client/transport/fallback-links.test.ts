// The fallback order (WebSocket → event stream → long polling), the long-poll link's cursor, and probing upward,
// against scripted browser doubles: a WebSocket, an EventSource and fetch routed by URL like a server would.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeSocket, MemStorage } from '../test/fakes';
import { Connection } from './connection';
import { fallbackLinks } from './fallback-links';
import type { FallbackLinks } from './links';

const welcome = (extra: object = {}): object => ({
  t: 'welcome', v: 1, server: '1.0.0', conn: 'c1', me: { id: 'v1', name: 'V', role: 'visitor' }, hb: 600000, ttl: 3000, ...extra,
});

interface Poll {
  url: string;
  answer(body: object, status?: number): void;
}

function server() {
  const log: string[] = [];
  const sent: unknown[][] = [];
  const polls: Poll[] = [];
  let sessions = 0;
  const sources: FakeES[] = [];
  class FakeES {
    onmessage: ((e: { data: string }) => void) | null = null;
    onerror: (() => void) | null = null;
    readyState = 1;
    constructor(readonly url: string) {
      log.push('sse');
      sources.push(this);
    }
    close(): void {
      this.readyState = 2;
    }
    push(f: object): void {
      this.onmessage?.({ data: JSON.stringify(f) });
    }
  }
  const response = (body: unknown, status = 200) => ({ ok: status < 300, status, json: () => Promise.resolve(body) });
  const fetchFake = (url: string, init?: { method?: string; body?: string }): Promise<unknown> => {
    const path = new URL(url).pathname.replace('/shop/kefu/', '');
    log.push(path);
    if (path === 'connect') return Promise.resolve(response({ session: `S${++sessions}`, frames: [welcome()] }));
    if (path === 'send') {
      sent.push(JSON.parse(init?.body ?? '[]') as unknown[]);
      return Promise.resolve(response(null, 202));
    }
    return new Promise((resolve) => polls.push({ url, answer: (b, s = 200) => resolve(response(b, s)) }));
  };
  return { log, sent, polls, sources, FakeES, fetchFake };
}

function make(transport: 'auto' | 'sse' | 'poll' = 'auto', fallback: () => Promise<FallbackLinks> = () => Promise.resolve(fallbackLinks)) {
  const s = server();
  const c = new Connection({
    endpoint: '/shop/kefu',
    version: '1.0.0',
    storage: new MemStorage(),
    random: () => 0.5,
    transport,
    probeMs: 30000,
    env: { base: 'https://example.test/page', WebSocket: FakeSocket as never, fetch: s.fetchFake as never, EventSource: s.FakeES as never, fallback, stallMs: 5000 },
  });
  const frames: string[] = [];
  c.on('frame', (f) => frames.push(f.t === 'pong' ? 'pong' : f.t + ':' + String((f as { rev?: number }).rev ?? '')));
  return { c, frames, ...s };
}

beforeEach(() => {
  FakeSocket.reset();
  vi.useFakeTimers();
});
afterEach(() => vi.useRealTimers());

describe('fallback order', () => {
  it('goes WebSocket → event stream → long polling: an event stream that delivers nothing counts as failed', async () => {
    FakeSocket.autoOpen = false;
    const { c, log, sent } = make();
    c.start();
    FakeSocket.last().serverClose(1006);
    await vi.advanceTimersByTimeAsync(16000);
    FakeSocket.last().serverClose(1006);
    await vi.advanceTimersByTimeAsync(1500);
    expect(c.mode).toBe('sse');
    expect(c.state).toBe('open');
    expect(sent[0]).toEqual([{ t: 'ping' }]); // its pong must come back on the stream
    // A buffering proxy: the stream is open but nothing arrives.
    await vi.advanceTimersByTimeAsync(5000);
    expect(c.mode).toBe('poll');
    await vi.advanceTimersByTimeAsync(1000);
    expect(c.state).toBe('open');
    expect(log).toEqual(['connect', 'sse', 'send', 'connect', 'poll']);
  });

  it('keeps an event stream that delivers', async () => {
    const { c, sources } = make('sse');
    c.start();
    await vi.advanceTimersByTimeAsync(0);
    must(sources[0]).push({ t: 'pong' });
    await vi.advanceTimersByTimeAsync(60000);
    expect(c.mode).toBe('sse');
    expect(c.state).toBe('open');
    expect(sources).toHaveLength(1);
  });

  it('an event stream refused before it delivered anything also falls back to long polling', async () => {
    const { c, sources, log } = make('auto');
    (c as unknown as { mode: string }).mode = 'sse';
    c.start();
    await vi.advanceTimersByTimeAsync(0);
    const es = must(sources[0]);
    es.readyState = 2;
    es.onerror?.();
    await vi.advanceTimersByTimeAsync(1000);
    expect(c.mode).toBe('poll');
    expect(log.at(-1)).toBe('poll');
  });

  it('from long polling, probes WebSocket and switches back when it opens', async () => {
    const { c, polls } = make('auto');
    (c as unknown as { mode: string }).mode = 'poll';
    c.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(c.state).toBe('open');
    expect(polls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(30001); // the probe opens
    await vi.advanceTimersByTimeAsync(1000);
    expect(c.mode).toBe('ws');
    expect(FakeSocket.last().frames()[0]).toMatchObject({ t: 'hello' });
  });

  it('a fallback whose code fails to load is retried with backoff', async () => {
    let loads = 0;
    const { c } = make('poll', () => (++loads === 1 ? Promise.reject(new Error('offline')) : Promise.resolve(fallbackLinks)));
    c.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(c.state).toBe('closed');
    await vi.advanceTimersByTimeAsync(2000);
    expect(loads).toBe(2);
    expect(c.state).toBe('open');
  });
});

describe('long polling', () => {
  it('asks for the frames after the last one seen, delivers them in order, and never twice', async () => {
    const { c, polls, frames } = make('poll');
    c.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(must(polls[0]).url).toBe('https://example.test/shop/kefu/poll?session=S1&after=0');
    must(polls[0]).answer({ seq: 2, frames: [{ t: 'subbed', ch: 'conv:a', rev: 0 }, { t: 'subbed', ch: 'conv:a', rev: 1 }] });
    await vi.advanceTimersByTimeAsync(0);
    expect(must(polls[1]).url).toContain('after=2');
    must(polls[1]).answer({ seq: 2, frames: [] }); // the bound passed with nothing
    await vi.advanceTimersByTimeAsync(0);
    expect(must(polls[2]).url).toContain('after=2');
    // A server that repeats frame 2 (it never should): frame 2 is not delivered again.
    must(polls[2]).answer({ seq: 3, frames: [{ t: 'subbed', ch: 'conv:a', rev: 1 }, { t: 'subbed', ch: 'conv:b', rev: 5 }] });
    await vi.advanceTimersByTimeAsync(0);
    expect(frames).toEqual(['welcome:', 'subbed:0', 'subbed:1', 'subbed:5']);
    expect(must(polls[3]).url).toContain('after=3');
    expect(c.state).toBe('open');
  });

  it('sends client frames by POST send, and a session that ended (end, 404, 410) connects again', async () => {
    const { c, polls, sent, log } = make('poll');
    c.start();
    await vi.advanceTimersByTimeAsync(0);
    c.send({ t: 'bye', c: 'x' });
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toContainEqual([{ t: 'bye', c: 'x' }]);
    must(polls[0]).answer({ seq: 1, frames: [{ t: 'pong' }], end: true });
    await vi.advanceTimersByTimeAsync(1000);
    expect(log.filter((x) => x === 'connect')).toHaveLength(2);
    expect(must(polls.at(-1)).url).toContain('session=S2&after=0');
    must(polls.at(-1)).answer({}, 410);
    await vi.advanceTimersByTimeAsync(2000);
    expect(log.filter((x) => x === 'connect')).toHaveLength(3);
  });
});

function must<T>(v: T | undefined): T {
  if (v === undefined) throw new Error('missing');
  return v;
}
