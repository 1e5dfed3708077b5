import { describe, expect, it } from 'vitest';
import { flush } from '../test/fakes';
import { op, stubClient } from '../test/client-stub';
import { MessageChannel } from './message-channel';
import { MAX_AUTO_RETRIES } from './outbox';

const msg = (text: string, role = 'agent') => ({ k: 'msg', text, name: role === 'agent' ? 'Alice' : 'V', role });

describe('MessageChannel (channel state)', () => {
  it('subscribes from its last applied revision', () => {
    const { client, sent } = stubClient();
    new MessageChannel(client, 'conv:c1');
    expect(sent).toEqual([{ t: 'sub', c: 'tabA', ch: 'conv:c1', rev: 0 }]);
  });

  it('applies consecutive revisions in order', () => {
    const { client } = stubClient();
    const ch = new MessageChannel(client, 'conv:c1');
    ch.op(op(1, msg('a')));
    ch.op(op(2, msg('b')));
    expect(ch.rev).toBe(2);
    expect(ch.log.messages.map((m) => m.text)).toEqual(['a', 'b']);
  });

  it('ignores replays at or below its revision (dedupe)', () => {
    const { client } = stubClient();
    const ch = new MessageChannel(client, 'conv:c1');
    ch.op(op(1, msg('a')));
    ch.op(op(2, msg('b')));
    ch.op(op(1, msg('a')));
    ch.op(op(2, msg('b')));
    expect(ch.log.messages).toHaveLength(2);
  });

  it('on a gap, does not apply and sends sub again with its revision', () => {
    const { client, sent } = stubClient();
    const ch = new MessageChannel(client, 'conv:c1');
    ch.op(op(1, msg('a')));
    sent.length = 0;
    ch.op(op(3, msg('c')));
    expect(ch.rev).toBe(1);
    expect(ch.log.messages).toHaveLength(1);
    expect(sent).toEqual([{ t: 'sub', c: 'tabA', ch: 'conv:c1', rev: 1 }]);
    // the replay fills the gap
    ch.op(op(2, msg('b')));
    ch.op(op(3, msg('c')));
    expect(ch.log.messages.map((m) => m.text)).toEqual(['a', 'b', 'c']);
  });

  it('a sub refused with future_base (the store was reset) drops the cached messages and subscribes from 0', async () => {
    const { client, sent } = stubClient();
    const ch = new MessageChannel(client, 'conv:c1');
    ch.op(op(1, msg('a')));
    ch.op(op(2, msg('b')));
    sent.length = 0;
    client.dispatch({ t: 'error', code: 'future_base', msg: 'ahead', retry: false, c: 'tabA', ch: 'conv:c1' });
    expect(ch.rev).toBe(0);
    expect(ch.log.messages).toHaveLength(0);
    expect(sent).toEqual([{ t: 'sub', c: 'tabA', ch: 'conv:c1', rev: 0 }]);
    // the new store's ops apply from revision 1 again
    ch.op(op(1, msg('after the reset')));
    expect(ch.log.messages.map((m) => m.text)).toEqual(['after the reset']);
    // an error about a submit is not a reason to reset
    client.dispatch({ t: 'error', code: 'invalid_op', msg: 'no', retry: false, c: 'tabA', ch: 'conv:c1', id: 'tabA-9' });
    await flush();
    expect(ch.rev).toBe(1);
  });

  it('send: outbox first, then submit; own op settles it; status sending → sent → read', async () => {
    const { client, sent } = stubClient();
    const ch = new MessageChannel(client, 'conv:c1');
    ch.op(op(1, msg('hello')));
    sent.length = 0;
    const r = await ch.send('hi <b>there</b>');
    expect((await client.outbox.all()).map((x) => x.id)).toEqual([r.id]);
    expect(sent).toEqual([{ t: 'submit', c: 'tabA', ch: 'conv:c1', id: r.id, rev: 1, op: { k: 'msg', text: 'hi <b>there</b>' } }]);
    expect(ch.items('v1').at(-1)).toMatchObject({ own: true, status: 'sending', text: 'hi <b>there</b>' });

    ch.op(op(2, msg('hi <b>there</b>', 'visitor'), r.id, 'v1'));
    await flush();
    expect(await client.outbox.all()).toEqual([]);
    expect(ch.items('v1').filter((m) => m.own)).toEqual([expect.objectContaining({ rev: 2, status: 'sent' })]);

    ch.op(op(3, { k: 'read', upTo: 2, name: 'Alice', role: 'agent' }));
    expect(ch.items('v1').find((m) => m.own)?.status).toBe('read');
  });

  it('an ack before the op shows "sent" and settles the outbox', async () => {
    const { client } = stubClient();
    const ch = new MessageChannel(client, 'conv:c1');
    const r = await ch.send('x');
    ch.ack({ t: 'ack', c: 'tabA', ch: 'conv:c1', id: r.id, rev: 1 });
    await flush();
    expect(await client.outbox.all()).toEqual([]);
    expect(ch.items('v1')).toEqual([expect.objectContaining({ status: 'sent', rev: 0 })]);
    ch.op(op(1, msg('x', 'visitor'), r.id, 'v1'));
    expect(ch.items('v1')).toEqual([expect.objectContaining({ status: 'sent', rev: 1 })]);
  });

  it('a non-retryable error marks it failed; retry resends the same id', async () => {
    const { client, sent } = stubClient();
    const ch = new MessageChannel(client, 'conv:c1');
    const r = await ch.send('x');
    ch.error({ t: 'error', code: 'invalid_op', msg: 'no', retry: false, c: 'tabA', ch: 'conv:c1', id: r.id });
    await flush();
    expect(ch.items('v1')[0]).toMatchObject({ status: 'failed', err: 'invalid_op' });
    sent.length = 0;
    await ch.retry(r.id);
    expect(sent[0]).toMatchObject({ t: 'submit', id: r.id });
    expect(ch.items('v1')[0]?.status).toBe('sending');
  });

  it('a retryable error is resent by itself a few times, then shown failed as retryable; Retry starts over', async () => {
    const { client, sent } = stubClient();
    const ch = new MessageChannel(client, 'conv:c1');
    const r = await ch.send('x');
    const busy = { t: 'error' as const, code: 'store_unavailable', msg: 'down', retry: true, c: 'tabA', ch: 'conv:c1', id: r.id };
    for (let i = 0; i < MAX_AUTO_RETRIES; i++) ch.error(busy);
    await flush();
    expect(ch.items('v1')[0]?.status).toBe('sending');
    ch.error(busy);
    await flush();
    expect(ch.items('v1')[0]).toMatchObject({ status: 'failed', err: 'store_unavailable', re: true });
    sent.length = 0;
    await ch.retry(r.id);
    expect(sent[0]).toMatchObject({ t: 'submit', id: r.id });
    expect(ch.items('v1')[0]).toMatchObject({ status: 'sending' });
    expect(ch.items('v1')[0]).not.toHaveProperty('re');
    // and it gets its automatic resends again
    expect(client.retryLater(r.id)).toBe(true);
  });

  it('discard drops a failed message for good', async () => {
    const { client } = stubClient();
    const ch = new MessageChannel(client, 'conv:c1');
    const r = await ch.send('x');
    ch.error({ t: 'error', code: 'invalid_op', msg: 'no', retry: false, c: 'tabA', ch: 'conv:c1', id: r.id });
    await flush();
    await ch.discard(r.id);
    expect(ch.items('v1')).toEqual([]);
    expect(await client.outbox.all()).toEqual([]);
  });

  it('edit and recall change the target message only when by its author', () => {
    const { client } = stubClient();
    const ch = new MessageChannel(client, 'conv:c1');
    ch.op(op(1, msg('v1')));
    ch.op(op(2, { k: 'edit', target: 1, text: 'v2' }));
    ch.op(op(3, { k: 'recall', target: 1 }, 'z', 'someone-else'));
    expect(ch.log.messages[0]).toMatchObject({ text: 'v2', edited: true });
    ch.op(op(4, { k: 'recall', target: 1 }));
    expect(ch.log.messages[0]).toMatchObject({ recalled: true, text: '' });
  });

  it('restores from the cache and subscribes from the cached revision', async () => {
    const a = stubClient();
    let saved: unknown = null;
    const cache = { load: () => saved, save: (v: unknown) => (saved = v) };
    const ch = new MessageChannel(a.client, 'conv:c1', cache);
    ch.op(op(1, msg('a')));
    ch.op(op(2, msg('b')));
    await new Promise((r) => setTimeout(r, 250));
    const b = stubClient('tabB');
    const ch2 = new MessageChannel(b.client, 'conv:c1', cache);
    expect(ch2.log.messages.map((m) => m.text)).toEqual(['a', 'b']);
    expect(b.sent[0]).toEqual({ t: 'sub', c: 'tabB', ch: 'conv:c1', rev: 2 });
  });

  it('a malformed cache is ignored', () => {
    const { client, sent } = stubClient();
    const ch = new MessageChannel(client, 'conv:c1', { load: () => ({ rev: 5, msgs: [{ rev: 9 }], reads: {} }), save: () => {} });
    expect(ch.rev).toBe(0);
    expect(sent[0]).toMatchObject({ rev: 0 });
  });

  it('subbed with a head below the cached revision resets and subscribes from 0', () => {
    const { client, sent } = stubClient();
    const ch = new MessageChannel(client, 'conv:c1');
    ch.op(op(1, msg('a')));
    sent.length = 0;
    ch.subbed({ t: 'subbed', ch: 'conv:c1', rev: 0 });
    expect(ch.log.messages).toEqual([]);
    expect(sent).toEqual([{ t: 'sub', c: 'tabA', ch: 'conv:c1', rev: 0 }]);
  });
});
