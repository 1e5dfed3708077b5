// @vitest-environment happy-dom
// The other agents' marks on the shared reply (issue 15, bug 5): "Bob is editing the reply" only while there is a
// reply being edited.
import { describe, expect, it } from 'vitest';
import type { PresenceEntry } from '../../protocol/server-frames';
import { TextChannel } from '../../sync/text-channel';
import { stubClient } from '../../test/client-stub';
import { ReplyBox } from './reply-box';
import { en } from './strings';

const CH = 'draft:k1';
const bob = (cursor: [number, number]): PresenceEntry => ({ id: 'agent:bob', name: 'Bob', role: 'agent', c: 'bobtab', s: { cursor } });
const op = (rev: number, o: unknown) => ({ t: 'op' as const, ch: CH, rev, id: `bobtab-${rev}`, by: 'agent:bob', ts: 1, op: o });

describe('ReplyBox co-editing marks', () => {
  it('the chip goes once Bob sent and the draft is empty, though his presence stays', () => {
    const { client } = stubClient('me');
    const t = new TextChannel(client, CH);
    const box = new ReplyBox(client, t, en, () => {});
    document.body.append(box.element);
    t.snapshot({ t: 'snapshot', ch: CH, rev: 0, doc: '' });
    t.op(op(1, ['Hello there']));
    t.presence({ t: 'presence', ch: CH, list: [bob([11, 11])] });
    expect(box.element.querySelectorAll('[data-testid=draft-cursor]')).toHaveLength(1);
    // Bob sends: his client clears the draft; his box keeps the focus, so his presence (a caret at 0) stays
    t.op(op(2, [-11]));
    t.presence({ t: 'presence', ch: CH, list: [bob([0, 0])] });
    expect(t.doc).toBe('');
    expect(box.element.querySelectorAll('[data-testid=draft-cursor]')).toHaveLength(0);
    expect(box.element.querySelectorAll('.rcur')).toHaveLength(0);
    // he types again: he is editing again
    t.op(op(3, ['Hi']));
    t.presence({ t: 'presence', ch: CH, list: [bob([2, 2])] });
    expect(box.element.querySelectorAll('[data-testid=draft-cursor]')).toHaveLength(1);
    box.destroy();
  });
});
