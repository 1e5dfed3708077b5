// The console's sync pieces against the shared client: the inbox (list, then follow), paging a conversation back
// with edits that target not-yet-loaded messages, and presence heartbeats that keep an idle agent present.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PagedMessageChannel } from '../sync/paged-message-channel';
import { KefuClient } from '../sync/kefu-client';
import { stubClient } from '../test/client-stub';
import { BusHub, FakeLocks, FakeSocket, flush } from '../test/fakes';
import { validateServerFrame } from '../protocol/server-frames';
import { validateTabFrame } from '../protocol/client-frames';
import { InboxChannel } from './inbox-channel';
import { must } from '../test/must';

const summary = (key: string, o: Record<string, unknown> = {}) => ({ key, status: 'open', lastRevision: 1, activity: 1, created: 1, unreadRevisions: [], agentRead: 0, visitorRead: 0, ...o });
const inboxOp = (rev: number, s: object) => ({ t: 'op' as const, ch: 'inbox', rev, id: `c:x:${rev}`, by: 'server', ts: rev, op: s });

describe('inbox channel', () => {
  it('a sub refused with future_base (the store was reset) lists again and follows from the new revision', async () => {
    const { client, sent } = stubClient();
    const inbox = new InboxChannel(client);
    const answerLists = async (rev: number, keys: string[]) => {
      for (const f of ['all', 'closed']) {
        await flush();
        const l = (sent.filter((x) => x.t === 'list') as Array<{ q: string; f: string }>).filter((x) => x.f === f).at(-1);
        expect(l).toBeDefined();
        client.dispatch({ t: 'list', q: l?.q ?? '', rev, items: f === 'all' ? keys.map((k) => summary(k)) : [] });
      }
      await flush();
    };
    await answerLists(40, ['old']);
    expect(sent.filter((f) => f.t === 'sub').at(-1)).toEqual({ t: 'sub', c: 'tabA', ch: 'inbox', rev: 40 });
    sent.length = 0;

    client.dispatch({ t: 'error', code: 'future_base', msg: 'ahead', retry: false, c: 'tabA', ch: 'inbox' });
    expect(sent[0]).toEqual({ t: 'unsub', c: 'tabA', ch: 'inbox' });
    await answerLists(0, []);
    expect(inbox.model.size).toBe(0);
    expect(sent.filter((f) => f.t === 'sub').at(-1)).toEqual({ t: 'sub', c: 'tabA', ch: 'inbox', rev: 0 });
    client.dispatch(inboxOp(1, summary('new')));
    expect(inbox.model.size).toBe(1);
  });

  it('lists open and closed, subscribes from the older revision, then folds live summaries', async () => {
    const { client, sent } = stubClient();
    const inbox = new InboxChannel(client);
    await flush();
    const lists = sent.filter((f) => f.t === 'list') as Array<{ q: string; f: string }>;
    expect(lists.map((l) => l.f)).toEqual(['all']);
    client.dispatch({ t: 'list', q: must(lists[0]).q, rev: 7, items: [summary('a'), { junk: true }] });
    await flush();
    const closed = must((sent.filter((f) => f.t === 'list') as Array<{ q: string; f: string }>)[1], 'a second list');
    expect(closed.f).toBe('closed');
    client.dispatch({ t: 'list', q: closed.q, rev: 8, items: [summary('z', { status: 'closed' })] });
    await flush();
    expect(inbox.model.size).toBe(2);
    expect(sent.filter((f) => f.t === 'sub')).toEqual([{ t: 'sub', c: 'tabA', ch: 'inbox', rev: 7 }]);

    const changes: string[] = [];
    inbox.on('change', (c) => changes.push(`${c.summary.key}:${c.isNew}`));
    client.dispatch(inboxOp(8, summary('z', { status: 'closed' })));
    client.dispatch(inboxOp(9, summary('b', { lastRole: 'visitor', unreadRevisions: [1] })));
    client.dispatch(inboxOp(9, summary('b'))); // a replay: ignored
    expect(changes).toEqual(['z:false', 'b:true']);
    expect(inbox.model.unreadTotal()).toBe(1);

    // a gap asks for the missing ops again
    client.dispatch(inboxOp(12, summary('c')));
    expect(sent.filter((f) => f.t === 'sub').at(-1)).toEqual({ t: 'sub', c: 'tabA', ch: 'inbox', rev: 9 });
    expect(inbox.model.get('c')).toBeUndefined();

    // a trimmed inbox (snapshot marker past us) lists again
    client.dispatch({ t: 'snapshot', ch: 'inbox', rev: 50 });
    await flush();
    expect((sent.filter((f) => f.t === 'list') as unknown[]).length).toBe(3);
  });

  it('validates the list frames both ways', () => {
    expect(validateServerFrame({ t: 'list', q: 'q1', rev: 3, items: [] })).not.toBeNull();
    expect(validateServerFrame({ t: 'list', rev: -1, items: [] })).toBeNull();
    expect(validateServerFrame({ t: 'list', rev: 1, items: {} })).toBeNull();
    expect(validateTabFrame({ t: 'list', f: 'mine', n: 50, q: 'x' }, 'tab')).toEqual({ t: 'list', f: 'mine', n: 50, q: 'x' });
    expect(validateTabFrame({ t: 'list', f: 'everything' }, 'tab')).toBeNull();
    expect(validateTabFrame({ t: 'sub', c: 'tab', ch: 'conv:a', rev: 0, n: 50 }, 'tab')).toEqual({ t: 'sub', c: 'tab', ch: 'conv:a', rev: 0, n: 50 });
    expect(validateTabFrame({ t: 'sub', c: 'tab', ch: 'conv:a', rev: 0, n: -1 }, 'tab')).toBeNull();
  });
});

describe('conversation paging', () => {
  const m = (rev: number, o: object, by = 'v1') => ({ t: 'op' as const, ch: 'conv:c1', rev, id: `i-${rev}`, by, ts: rev, op: o });

  it('subscribes to the tail, pages back with history, and applies later edits to older messages', async () => {
    const { client, sent } = stubClient();
    const ch = new PagedMessageChannel(client, 'conv:c1', undefined, 2);
    expect(sent.at(-1)).toEqual({ t: 'sub', c: 'tabA', ch: 'conv:c1', rev: 0, n: 2 });
    client.dispatch({ t: 'snapshot', ch: 'conv:c1', rev: 4 });
    client.dispatch(m(5, { k: 'edit', target: 2, text: 'fixed', role: 'agent', name: 'A' }, 'agent:a'));
    client.dispatch(m(6, { k: 'msg', text: 'six', role: 'visitor' }));
    client.dispatch({ t: 'subbed', ch: 'conv:c1', rev: 6 });
    expect(ch.log.messages.map((x) => x.text)).toEqual(['six']);
    expect(ch.hasOlder).toBe(true);

    const older = ch.loadOlder(50);
    const h = sent.at(-1) as { t: string; rev: number; q: string };
    expect(h).toMatchObject({ t: 'history', ch: 'conv:c1', rev: 5 });
    client.dispatch({
      t: 'history', ch: 'conv:c1', q: h.q, ops: [
        { ch: 'conv:c1', rev: 1, id: 'i-1', by: 'v1', ts: 1, op: { k: 'msg', text: 'one', role: 'visitor' } },
        { ch: 'conv:c1', rev: 2, id: 'i-2', by: 'agent:a', ts: 2, op: { k: 'msg', text: 'tpyo', role: 'agent' } },
        { ch: 'conv:c1', rev: 3, id: 'i-3', by: 'v1', ts: 3, op: { k: 'read', upTo: 2, role: 'visitor' } },
        { ch: 'conv:c1', rev: 4, id: 'i-4', by: 'agent:a', ts: 4, op: { k: 'recall', target: 1, role: 'agent' } },
      ],
    });
    expect(await older).toBe(2);
    expect(ch.log.messages.map((x) => [x.rev, x.text, !!x.edited])).toEqual([[1, 'one', false], [2, 'fixed', true], [6, 'six', false]]);
    expect(ch.log.readUpTo({ role: 'visitor' })).toBe(2);
    expect(ch.hasOlder).toBe(false);
  });
});

describe('presence heartbeat', () => {
  beforeEach(() => FakeSocket.reset());
  afterEach(() => {
    vi.useRealTimers();
    FakeSocket.reset();
  });

  it('keeps an idle agent present: the same state is re-sent every ttl/3 for 3 minutes without input', async () => {
    const client = new KefuClient({
      endpoint: '/kefu', version: '1', tabId: 'agentTab', agent: true, busPort: new BusHub().port, locks: new FakeLocks() as never, storage: null,
      linkEnv: { base: 'http://shop.test/', WebSocket: FakeSocket as never },
    });
    client.start();
    await flush();
    const ws = FakeSocket.last();
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    ws.receive({ t: 'welcome', v: 1, server: '1', conn: 'k1', me: { id: 'agent:b', name: 'B', role: 'agent' }, hb: 3600000, ttl: 30000 });
    await flush();
    client.setPresence('conv:c1', { viewing: true, replying: false });
    const count = () => ws.frames().filter((f) => f.t === 'presence' && f.ch === 'conv:c1').length;
    const before = count();
    vi.advanceTimersByTime(3 * 60 * 1000);
    // one heartbeat every 10 s: the server (TTL 30 s) never expires the entry
    expect(count() - before).toBeGreaterThanOrEqual(18);
    const last = ws.frames().filter((f) => f.t === 'presence').at(-1);
    expect(last).toEqual({ t: 'presence', c: 'agentTab', ch: 'conv:c1', s: { viewing: true, replying: false } });
    client.stop();
  });
});
