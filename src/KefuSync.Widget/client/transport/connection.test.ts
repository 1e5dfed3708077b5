import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeSocket, MemStorage } from '../test/fakes';
import { Connection, hostKey, tokenKey } from './connection';
import { ErrorCode } from '../protocol/error-codes';
import { must } from '../test/must';
import { fallbackLinks } from './fallback-links';

const welcome = (extra: object = {}): object => ({
  t: 'welcome', v: 1, server: '1.0.0', conn: 'c1', me: { id: 'v1', name: 'V', role: 'visitor' }, hb: 1000, ttl: 3000, ...extra,
});

function make(opts: Partial<ConstructorParameters<typeof Connection>[0]> = {}, storage = new MemStorage()) {
  // what links.ts passes to fetch: a URL and a POST with a JSON body
  const fetchMock = vi.fn<(url: string, init: { body: string }) => Promise<unknown>>();
  const es: { url: string; close: () => void; onmessage?: (e: { data: string }) => void }[] = [];
  class FakeES {
    onmessage: ((e: { data: string }) => void) | null = null;
    onerror: (() => void) | null = null;
    readyState = 1;
    constructor(readonly url: string) {
      es.push(this as never);
    }
    close(): void {
      this.readyState = 2;
    }
  }
  const c = new Connection({
    endpoint: '/shop/kefu',
    version: '1.0.0',
    storage,
    random: () => 0.5,
    env: {
      base: 'https://example.test/page',
      WebSocket: FakeSocket as never,
      fetch: fetchMock as never,
      EventSource: FakeES as never,
      fallback: () => Promise.resolve(fallbackLinks),
      stallMs: 1e9, // these tests are not about stalled streams (fallback-links.test.ts is)
    },
    ...opts,
  });
  return { c, storage, fetchMock, es };
}

beforeEach(() => {
  FakeSocket.reset();
  vi.useFakeTimers();
});
afterEach(() => vi.useRealTimers());

describe('Connection', () => {
  it('opens wss://host{endpoint}/ws and sends hello first with the stored token', async () => {
    const storage = new MemStorage();
    storage.setItem(tokenKey('/shop/kefu'), 'stored');
    const { c } = make({}, storage);
    c.start();
    await vi.advanceTimersByTimeAsync(0);
    const ws = FakeSocket.last();
    expect(ws.url).toBe('wss://example.test/shop/kefu/ws');
    expect(ws.frames()[0]).toEqual({ t: 'hello', v: 1, client: '1.0.0', token: 'stored' });
  });

  it('prefers the page token and never overwrites the storage with a minted one then', async () => {
    const { c, storage } = make({ token: 'page' });
    c.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(FakeSocket.last().frames()[0]).toMatchObject({ token: 'page' });
    FakeSocket.last().receive(welcome({ token: 'minted' }));
    expect(storage.getItem(tokenKey('/shop/kefu'))).toBeNull();
  });

  it('says hello as the browser\'s sign-in, with the anonymous token to merge (protocol §2.5)', async () => {
    const storage = new MemStorage();
    storage.setItem(tokenKey('/shop/kefu'), 'anon');
    storage.setItem(hostKey('/shop/kefu'), 'carol');
    const { c } = make({}, storage);
    c.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(FakeSocket.last().frames()[0]).toEqual({ t: 'hello', v: 1, client: '1.0.0', token: 'carol', anon: 'anon' });
    // kept: the server answers a merged anonymous token alone with a fresh visitor, so signing out never revives it
    FakeSocket.last().receive(welcome({ me: { id: 'h_carol', name: 'Carol', role: 'visitor' }, merged: 'k' }));
    expect(storage.getItem(tokenKey('/shop/kefu'))).toBe('anon');
  });

  it('renew: says hello again when another tab signed the browser in or out, and only then', async () => {
    const storage = new MemStorage();
    storage.setItem(tokenKey('/shop/kefu'), 'anon');
    const { c } = make({}, storage);
    c.start();
    await vi.advanceTimersByTimeAsync(0);
    FakeSocket.last().receive(welcome({ hb: 60000 }));
    c.renew();
    await vi.advanceTimersByTimeAsync(5000);
    expect(FakeSocket.all.length).toBe(1);
    storage.setItem(hostKey('/shop/kefu'), 'carol'); // a tab opened signed in
    c.renew();
    await vi.advanceTimersByTimeAsync(5000);
    expect(FakeSocket.all.length).toBe(2);
    expect(FakeSocket.last().frames()[0]).toMatchObject({ token: 'carol', anon: 'anon' });
    FakeSocket.last().receive(welcome({ hb: 60000 }));
    storage.setItem(hostKey('/shop/kefu'), 'carol-signed-again'); // another page of the same sign-in: no new hello
    c.renew();
    await vi.advanceTimersByTimeAsync(5000);
    expect(FakeSocket.all.length).toBe(2);
    storage.removeItem(hostKey('/shop/kefu')); // and one signed out
    c.renew();
    await vi.advanceTimersByTimeAsync(5000);
    expect(FakeSocket.all.length).toBe(3);
    expect(FakeSocket.last().frames()[0]).toEqual({ t: 'hello', v: 1, client: '1.0.0', token: 'anon' });
  });

  it('renew: a token minted for this link is not a change of identity', async () => {
    const { c } = make();
    c.start();
    await vi.advanceTimersByTimeAsync(0);
    FakeSocket.last().receive(welcome({ token: 'minted', hb: 60000 }));
    c.renew();
    await vi.advanceTimersByTimeAsync(5000);
    expect(FakeSocket.all.length).toBe(1);
  });

  it('stores a token from welcome and becomes open', async () => {
    const { c, storage } = make();
    const states: string[] = [];
    c.on('state', (s) => states.push(s));
    c.start();
    await vi.advanceTimersByTimeAsync(0);
    FakeSocket.last().receive(welcome({ token: 'minted' }));
    expect(storage.getItem(tokenKey('/shop/kefu'))).toBe('minted');
    expect(states).toEqual(['connecting', 'open']);
    expect(c.send({ t: 'bye', c: 'x' })).toBe(true);
  });

  it('does not send frames before welcome', async () => {
    const { c } = make();
    c.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(c.send({ t: 'bye', c: 'x' })).toBe(false);
    expect(FakeSocket.last().sent).toHaveLength(1);
  });

  it('pings every hb and drops a link silent for 2 × hb, then reconnects', async () => {
    const { c } = make();
    c.start();
    await vi.advanceTimersByTimeAsync(0);
    const ws = FakeSocket.last();
    ws.receive(welcome());
    await vi.advanceTimersByTimeAsync(1000);
    expect(ws.frames().at(-1)).toEqual({ t: 'ping' });
    ws.receive({ t: 'pong' });
    await vi.advanceTimersByTimeAsync(3100);
    expect(c.state).not.toBe('open');
    await vi.advanceTimersByTimeAsync(1000);
    expect(FakeSocket.all.length).toBe(2);
  });

  it('4401: forgets the stored token and reconnects anonymously', async () => {
    const storage = new MemStorage();
    storage.setItem(tokenKey('/shop/kefu'), 'bad');
    storage.setItem(hostKey('/shop/kefu'), 'expired'); // a sign-in past its lifetime: not said again and again
    const { c } = make({}, storage);
    c.start();
    await vi.advanceTimersByTimeAsync(0);
    FakeSocket.last().serverClose(4401);
    expect(storage.getItem(tokenKey('/shop/kefu'))).toBeNull();
    expect(storage.getItem(hostKey('/shop/kefu'))).toBeNull();
    await vi.advanceTimersByTimeAsync(1000);
    expect(FakeSocket.all.length).toBe(2);
    expect(FakeSocket.last().frames()[0]).toEqual({ t: 'hello', v: 1, client: '1.0.0' });
  });

  it('4403: stops for good', async () => {
    const { c } = make();
    c.start();
    await vi.advanceTimersByTimeAsync(0);
    FakeSocket.last().receive(welcome());
    FakeSocket.last().serverClose(4403);
    await vi.advanceTimersByTimeAsync(60000);
    expect(c.state).toBe('stopped');
    expect(FakeSocket.all.length).toBe(1);
  });

  it('4503: reconnects quickly', async () => {
    const { c } = make();
    c.start();
    await vi.advanceTimersByTimeAsync(0);
    FakeSocket.last().receive(welcome());
    FakeSocket.last().serverClose(4503);
    await vi.advanceTimersByTimeAsync(400);
    expect(FakeSocket.all.length).toBe(2);
  });

  it('falls back to POST connect + EventSource after two WebSocket failures before welcome', async () => {
    FakeSocket.autoOpen = false;
    const { c, fetchMock, es } = make();
    fetchMock.mockResolvedValue({ ok: true, status: 200, json: () => Promise.resolve({ session: 'S1', frames: [welcome()] }) });
    c.start();
    FakeSocket.last().serverClose(1006);
    await vi.advanceTimersByTimeAsync(16000);
    FakeSocket.last().serverClose(1006);
    await vi.advanceTimersByTimeAsync(1500);
    expect(c.mode).toBe('sse');
    expect(fetchMock).toHaveBeenCalled();
    const [url, init] = must(fetchMock.mock.calls[0], 'a fetch');
    expect(url).toBe('https://example.test/shop/kefu/connect');
    expect(JSON.parse(init.body)).toMatchObject({ t: 'hello', v: 1 });
    expect(es[0]?.url).toBe('https://example.test/shop/kefu/sse?session=S1');
    expect(c.state).toBe('open');
    // client → server frames go to POST send?session=S as an array
    fetchMock.mockResolvedValue({ ok: true, status: 202 });
    c.send({ t: 'bye', c: 'x' });
    await vi.advanceTimersByTimeAsync(0);
    const sendCall = must(fetchMock.mock.calls.filter((x) => x[0].includes('/send')).at(-1), 'a send');
    expect(sendCall[0]).toBe('https://example.test/shop/kefu/send?session=S1');
    expect(JSON.parse(sendCall[1].body)).toEqual([{ t: 'bye', c: 'x' }]);
  });

  it('on the fallback, probes WebSocket and switches back when it opens', async () => {
    const { c, fetchMock } = make({ transport: 'auto', probeMs: 30000 });
    fetchMock.mockResolvedValue({ ok: true, status: 200, json: () => Promise.resolve({ session: 'S1', frames: [welcome({ hb: 600000 })] }) });
    (c as unknown as { mode: string }).mode = 'sse';
    c.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(c.mode).toBe('sse');
    expect(c.state).toBe('open');
    const before = FakeSocket.all.length;
    await vi.advanceTimersByTimeAsync(30001);
    expect(FakeSocket.all.length).toBeGreaterThan(before); // the probe, then the real socket
    await vi.advanceTimersByTimeAsync(1000);
    expect(c.mode).toBe('ws');
    expect(FakeSocket.last().frames()[0]).toMatchObject({ t: 'hello' });
  });

  it('data-kefu-transport="sse" forces the fallback from the start', async () => {
    const { c, fetchMock } = make({ transport: 'sse' });
    fetchMock.mockResolvedValue({ ok: true, status: 200, json: () => Promise.resolve({ session: 'S', frames: [welcome()] }) });
    c.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(FakeSocket.all.length).toBe(0);
    expect(c.state).toBe('open');
  });

  it('fallback: an auth_failed error frame acts as close 4401', async () => {
    const storage = new MemStorage();
    storage.setItem(tokenKey('/shop/kefu'), 'bad');
    const { c, fetchMock } = make({ transport: 'sse' }, storage);
    fetchMock.mockResolvedValue({ ok: true, status: 200, json: () => Promise.resolve({ session: 'S', frames: [{ t: 'error', code: ErrorCode.AuthFailed, msg: 'x', retry: false }] }) });
    c.start();
    await vi.advanceTimersByTimeAsync(13000); // hello timeout closes the link
    expect(storage.getItem(tokenKey('/shop/kefu'))).toBeNull();
  });

  it('offline: drops the open link at once (no waiting for the heartbeat), and online reconnects at once', async () => {
    const { c } = make();
    const states: string[] = [];
    c.on('state', (st) => states.push(st));
    c.start();
    await vi.advanceTimersByTimeAsync(0);
    FakeSocket.last().receive(welcome());
    expect(c.state).toBe('open');
    vi.stubGlobal('navigator', { onLine: false });
    c.offline();
    expect(c.state).toBe('closed');
    expect(FakeSocket.last().readyState).toBe(3);
    // attempts while offline fail, but say nothing about WebSockets here: it stays on ws
    for (let i = 0; i < 3; i++) {
      await vi.advanceTimersByTimeAsync(60000);
      FakeSocket.last().serverClose(1006);
    }
    expect(c.mode).toBe('ws');
    vi.stubGlobal('navigator', { onLine: true });
    const before = FakeSocket.all.length;
    c.kick();
    expect(FakeSocket.all.length).toBe(before + 1);
    expect(c.state).toBe('connecting');
    vi.unstubAllGlobals();
  });
});
