import { describe, expect, it } from 'vitest';
import { stubClient } from '../test/client-stub';
import { TextChannel } from './text-channel';
import { diffOp } from './text-diff';

const top = (rev: number, o: unknown, id = `o-${rev}`) => ({ t: 'op' as const, ch: 'vdraft:c1', rev, id, by: 'u', ts: 1, op: o });

describe('TextChannel', () => {
  it('keeps local typing until the snapshot, then submits it on top', () => {
    const { client, sent } = stubClient();
    const t = new TextChannel(client, 'vdraft:c1');
    t.edit('hi');
    expect(sent.filter((f) => f.t === 'submit')).toEqual([]);
    t.snapshot({ t: 'snapshot', ch: 'vdraft:c1', rev: 3, doc: '' });
    expect(t.doc).toBe('hi');
    expect(sent.at(-1)).toEqual({ t: 'submit', c: 'tabA', ch: 'vdraft:c1', id: 'tabA-1', rev: 3, op: ['hi'] });
  });

  it('a late duplicate snapshot never resends the op in flight under a new id (no doubled text)', () => {
    const { client, sent } = stubClient();
    const t = new TextChannel(client, 'vdraft:c1');
    t.edit('Hello');
    t.snapshot({ t: 'snapshot', ch: 'vdraft:c1', rev: 0, doc: '' });
    // the answer to a second `sub`, taken before the op above was committed
    t.snapshot({ t: 'snapshot', ch: 'vdraft:c1', rev: 0, doc: '' });
    const subs = sent.filter((f) => f.t === 'submit');
    expect(subs).toHaveLength(1);
    t.op(top(1, ['Hello'], (subs[0] as { id: string }).id));
    expect(t.doc).toBe('Hello');
    expect(t.synced).toBe(true);
  });

  it('one op in flight; its own op confirms it and the buffer goes next', () => {
    const { client, sent } = stubClient();
    const t = new TextChannel(client, 'vdraft:c1');
    t.snapshot({ t: 'snapshot', ch: 'vdraft:c1', rev: 0, doc: '' });
    t.edit('a');
    t.edit('ab');
    expect(sent.filter((f) => f.t === 'submit')).toHaveLength(1);
    t.op(top(1, ['a'], 'tabA-1'));
    const subs = sent.filter((f) => f.t === 'submit');
    expect(subs).toHaveLength(2);
    expect(subs[1]).toMatchObject({ id: 'tabA-2', rev: 1, op: [1, 'b'] });
    // the ack for tabA-1 arriving after its op is ignored
    t.ack({ t: 'ack', c: 'tabA', ch: 'vdraft:c1', id: 'tabA-1', rev: 1 });
    expect(t.rev).toBe(1);
    t.ack({ t: 'ack', c: 'tabA', ch: 'vdraft:c1', id: 'tabA-2', rev: 2 });
    expect(t.rev).toBe(2);
    expect(t.synced).toBe(true);
  });

  it('transforms remote ops past the pending one (committed op first at ties)', () => {
    const { client } = stubClient();
    const t = new TextChannel(client, 'vdraft:c1');
    const changes: string[] = [];
    t.on('change', (d) => changes.push(d));
    t.snapshot({ t: 'snapshot', ch: 'vdraft:c1', rev: 4, doc: 'Hi' });
    t.edit('Hi!');
    t.op(top(5, [2, ' there']));
    expect(t.doc).toBe('Hi there!');
    expect(changes.at(-1)).toBe('Hi there!');
  });

  it('a gap resubscribes instead of applying', () => {
    const { client, sent } = stubClient();
    const t = new TextChannel(client, 'vdraft:c1');
    t.snapshot({ t: 'snapshot', ch: 'vdraft:c1', rev: 1, doc: 'x' });
    sent.length = 0;
    t.op(top(3, [1, 'y']));
    expect(t.doc).toBe('x');
    expect(sent).toEqual([{ t: 'sub', c: 'tabA', ch: 'vdraft:c1', rev: 1 }]);
  });

  it('edits made while offline go as one op after the reconnect: a draft typed and sent offline never shows again', () => {
    // Another tab of the visitor would apply every committed op in turn: had the offline insert been sent alone, with
    // its deletion next, that tab's box would hold the sent text for a moment (and a send then would carry it along).
    const { client, sent } = stubClient();
    let online = true;
    client.send = (f) => online && sent.push(f) > 0;
    const t = new TextChannel(client, 'vdraft:c1');
    t.snapshot({ t: 'snapshot', ch: 'vdraft:c1', rev: 0, doc: '' });
    sent.length = 0; // the sub
    online = false;
    t.edit('sent while offline');
    t.edit(''); // the send cleared the box
    t.edit('still in the box');
    expect(sent).toEqual([]);
    online = true;
    t.subbed();
    expect(sent).toEqual([{ t: 'submit', c: 'tabA', ch: 'vdraft:c1', id: 'tabA-2', rev: 0, op: ['still in the box'] }]); // tabA-1 changed nothing in the end
    t.ack({ t: 'ack', c: 'tabA', ch: 'vdraft:c1', id: 'tabA-2', rev: 1 });
    expect(t.synced).toBe(true);
  });

  it('an op that may have reached the server is resent as it was, and the edits behind it follow', () => {
    const { client, sent } = stubClient();
    let online = true;
    client.send = (f) => online && sent.push(f) > 0;
    const t = new TextChannel(client, 'vdraft:c1');
    t.snapshot({ t: 'snapshot', ch: 'vdraft:c1', rev: 0, doc: '' });
    t.edit('a'); // handed to the socket: the server may have it
    online = false;
    t.edit('');
    sent.length = 0;
    online = true;
    t.subbed();
    expect(sent).toEqual([{ t: 'submit', c: 'tabA', ch: 'vdraft:c1', id: 'tabA-1', rev: 0, op: ['a'] }]);
    t.ack({ t: 'ack', c: 'tabA', ch: 'vdraft:c1', id: 'tabA-1', rev: 1 });
    expect(sent.at(-1)).toEqual({ t: 'submit', c: 'tabA', ch: 'vdraft:c1', id: 'tabA-2', rev: 1, op: [-1] });
  });

  it('edits that cancel out offline send nothing at all', () => {
    const { client, sent } = stubClient();
    let online = false;
    client.send = (f) => online && sent.push(f) > 0;
    const t = new TextChannel(client, 'vdraft:c1');
    t.snapshot({ t: 'snapshot', ch: 'vdraft:c1', rev: 2, doc: 'x' });
    t.edit('xy');
    t.edit('x');
    online = true;
    t.subbed();
    expect(sent).toEqual([]);
    expect(t.synced).toBe(true);
  });

  it('resends the outstanding op with the same id after subbed (reconnect)', () => {
    const { client, sent } = stubClient();
    const t = new TextChannel(client, 'vdraft:c1');
    t.snapshot({ t: 'snapshot', ch: 'vdraft:c1', rev: 0, doc: '' });
    t.edit('a');
    sent.length = 0;
    t.subbed();
    expect(sent).toEqual([{ t: 'submit', c: 'tabA', ch: 'vdraft:c1', id: 'tabA-1', rev: 0, op: ['a'] }]);
  });

  it('a sub refused with future_base (the store was reset) drops the document and subscribes from 0', () => {
    const { client, sent } = stubClient();
    const t = new TextChannel(client, 'vdraft:c1');
    t.snapshot({ t: 'snapshot', ch: 'vdraft:c1', rev: 4, doc: 'old' });
    sent.length = 0;
    client.dispatch({ t: 'error', code: 'future_base', msg: 'ahead', retry: false, c: 'tabA', ch: 'vdraft:c1' });
    expect(t.rev).toBe(0);
    expect(sent).toEqual([{ t: 'sub', c: 'tabA', ch: 'vdraft:c1', rev: 0 }]);
    t.snapshot({ t: 'snapshot', ch: 'vdraft:c1', rev: 0, doc: '' });
    expect(t.doc).toBe('');
  });

  it('a channel opened again in the same tab continues its ids, never reusing one (the console reopens a conversation)', () => {
    const { client, sent } = stubClient();
    const ids = () => sent.flatMap((f) => (f.t === 'submit' ? [f.id] : []));
    const first = new TextChannel(client, 'draft:c1');
    first.snapshot({ t: 'snapshot', ch: 'draft:c1', rev: 0, doc: '' });
    first.edit('a');
    first.ack({ t: 'ack', c: 'tabA', ch: 'draft:c1', id: 'tabA-1', rev: 1 });
    first.edit('ab'); // in flight when the agent switches away
    first.close();
    const again = new TextChannel(client, 'draft:c1');
    again.snapshot({ t: 'snapshot', ch: 'draft:c1', rev: 2, doc: 'ab' });
    again.edit('abc');
    // the ids are unique per channel for the life of the tab: a reused id is a duplicate and the edit would be lost
    expect(ids()).toEqual(['tabA-1', 'tabA-2', 'tabA-3']);
    // another channel of the same tab has its own sequence
    const other = new TextChannel(client, 'note:c1');
    other.snapshot({ t: 'snapshot', ch: 'note:c1', rev: 0, doc: '' });
    other.edit('n');
    expect(ids().at(-1)).toBe('tabA-1');
  });

  it('an op that does not fit asks for a snapshot, keeping the typed text', () => {
    const { client, sent } = stubClient();
    const t = new TextChannel(client, 'vdraft:c1');
    t.snapshot({ t: 'snapshot', ch: 'vdraft:c1', rev: 0, doc: '' });
    sent.length = 0;
    t.op(top(1, [5, 'x']));
    expect(sent).toEqual([{ t: 'sub', c: 'tabA', ch: 'vdraft:c1', rev: 0 }]);
  });
});

describe('diffOp', () => {
  it('replaces only the middle', () => {
    expect(diffOp('hello world', 'hello brave world').toJSON()).toEqual([6, 'brave ', 5]);
    expect(diffOp('abc', '').toJSON()).toEqual([-3]);
    expect(diffOp('', 'x').toJSON()).toEqual(['x']);
  });
  it('never splits a surrogate pair', () => {
    const a = 'x\u{1F600}';
    const b = 'x\u{1F601}';
    const o = diffOp(a, b);
    expect(o.apply(a)).toBe(b);
    expect(o.toJSON()).toEqual([1, '\u{1F601}', -2]);
  });
});
