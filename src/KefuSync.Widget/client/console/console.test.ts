import { describe, expect, it } from 'vitest';
import { TextOperation } from '../ot/text-operation';
import { diffOp } from '../sync/text-diff';
import { AgentStatusTracker } from './agent-status';
import { addToIndex, cannedMatches, cannedTrigger, expandCanned, parseCannedIndex, removeFromIndex } from './canned';
import { cursorsFromPresence, transformCursors } from './cursors';
import { InboxModel, badgeTitle, matches, parseSummary, type Summary } from './inbox';
import { must } from '../test/must';

const sum = (key: string, o: Partial<Summary> = {}): Summary => ({
  key, status: 'open', lastRevision: 1, activity: 1000, created: 1000, unreadRevisions: [], agentRead: 0, visitorRead: 0, ...o,
});

describe('inbox', () => {
  it('parses a wire summary and drops junk', () => {
    const s = parseSummary({ key: 'k1', status: 'closed', assignee: 'agent:a', fields: { plan: 'pro', n: 3 }, unreadRevisions: [2, 'x', 3], activity: 5, created: 1, lastRevision: 3, agentRead: 1, visitorRead: 0, extra: '<b>' });
    expect(s).toMatchObject({ key: 'k1', status: 'closed', assignee: 'agent:a', fields: { plan: 'pro' }, unreadRevisions: [2, 3] });
    expect(s).not.toHaveProperty('extra');
    expect(parseSummary({ status: 'open' })).toBeNull();
    expect(parseSummary('x')).toBeNull();
    expect(must(parseSummary({ key: 'k', status: 'weird' })).status).toBe('open');
  });

  it('parses the rating of a close (score 1-5 and comment) and drops a score the server cannot have stored', () => {
    expect(parseSummary({ key: 'k', status: 'closed', rating: 4, ratingComment: 'Quick' })).toMatchObject({ rating: 4, ratingComment: 'Quick' });
    for (const rating of [0, 6, 4.5, '5', null]) {
      const s = must(parseSummary({ key: 'k', status: 'closed', rating, ratingComment: 'x' }));
      expect(s).not.toHaveProperty('rating');
      expect(s).not.toHaveProperty('ratingComment');
    }
  });

  it('folds: a later summary of the same key replaces the earlier one', () => {
    const m = new InboxModel();
    expect(m.apply(sum('a', { lastRole: 'visitor', lastRevision: 1, unreadRevisions: [1] })).isNew).toBe(true);
    const c = m.apply(sum('a', { lastRole: 'visitor', lastRevision: 2, unreadRevisions: [1, 2], activity: 2000 }));
    expect(c.isNew).toBe(false);
    expect(c.visitorMessage).toBe(true);
    expect(m.size).toBe(1);
    expect(must(m.get('a')).lastRevision).toBe(2);
    // an agent reply is not a visitor message
    expect(m.apply(sum('a', { lastRole: 'agent', lastRevision: 3, activity: 3000 })).visitorMessage).toBe(false);
    // a read (no new message) is not a visitor message either
    expect(m.apply(sum('a', { lastRole: 'agent', lastRevision: 3, activity: 3000, agentRead: 3 })).visitorMessage).toBe(false);
  });

  it('drops a conversation merged into its visitor\'s signed-in one, without a notification (protocol §2.5)', () => {
    const m = new InboxModel();
    m.apply(sum('anon', { lastRole: 'visitor', unreadRevisions: [1] }));
    m.apply(sum('signed', { activity: 2000 }));
    const merged = must(parseSummary({ key: 'anon', status: 'open', lastRole: 'visitor', lastRevision: 2, unreadRevisions: [1, 2], merged: true }));
    expect(merged.merged).toBe(true);
    expect(m.apply(merged)).toMatchObject({ isNew: false, visitorMessage: false });
    expect(m.view('all', 'agent:me').map((s) => s.key)).toEqual(['signed']);
    expect(m.unreadTotal()).toBe(0);
    expect(parseSummary({ key: 'k', merged: 'yes' })).not.toHaveProperty('merged');
  });

  it('filters like the server and sorts by last activity', () => {
    const m = new InboxModel();
    m.apply(sum('old', { activity: 1 }));
    m.apply(sum('mine', { assignee: 'agent:me', activity: 5 }));
    m.apply(sum('theirs', { assignee: 'agent:bob', activity: 3 }));
    m.apply(sum('done', { status: 'closed', assignee: 'agent:me', activity: 9 }));
    m.apply(sum('pending', { status: 'pending', activity: 4 }));
    expect(m.view('all', 'agent:me').map((s) => s.key)).toEqual(['mine', 'pending', 'theirs', 'old']);
    expect(m.view('mine', 'agent:me').map((s) => s.key)).toEqual(['mine']);
    expect(m.view('unassigned', 'agent:me').map((s) => s.key)).toEqual(['pending', 'old']);
    expect(m.view('closed', 'agent:me').map((s) => s.key)).toEqual(['done']);
    expect(m.counts('agent:me')).toEqual({ all: 4, mine: 1, unassigned: 2, closed: 1 });
    expect(matches(sum('x', { assignee: 'agent:me', status: 'closed' }), 'mine', 'agent:me')).toBe(false);
  });

  it('counts unread over open conversations and badges the title', () => {
    const m = new InboxModel();
    m.apply(sum('a', { unreadRevisions: [1, 2] }));
    m.apply(sum('b', { unreadRevisions: [4] }));
    m.apply(sum('c', { unreadRevisions: [7], status: 'closed' }));
    expect(m.unreadTotal()).toBe(3);
    m.apply(sum('a', { unreadRevisions: [] }));
    expect(m.unreadTotal()).toBe(1);
    expect(badgeTitle('Console', 3)).toBe('(3) Console');
    expect(badgeTitle('(3) Console', 0)).toBe('Console');
    expect(badgeTitle('(3) Console', 120)).toBe('(99+) Console');
  });
});

describe('remote cursors', () => {
  const list = [
    { id: 'agent:a', name: 'A', role: 'agent', c: 'me', s: { cursor: [1, 1] } },
    { id: 'agent:b', name: 'B', role: 'agent', c: 'tb', s: { cursor: [5, 2] } },
    { id: 'agent:c', name: 'C', role: 'agent', c: 'tc', s: { cursor: ['x', 1] } },
    { id: 'agent:d', name: 'D', role: 'agent', c: 'td', s: { cursor: [50, 60] } },
  ];

  it('reads other clients cursors, normalised and clamped', () => {
    const cs = cursorsFromPresence(list, 'me', 10);
    expect(cs).toEqual([
      { c: 'tb', id: 'agent:b', name: 'B', start: 2, end: 5 },
      { c: 'td', id: 'agent:d', name: 'D', start: 10, end: 10 },
    ]);
  });

  it('moves through inserts and deletes before, at and inside them', () => {
    const doc = 'Hello world';
    const cs = [
      { c: 'x', id: 'x', name: 'X', start: 6, end: 6 },
      { c: 'y', id: 'y', name: 'Y', start: 0, end: 5 },
      { c: 'z', id: 'z', name: 'Z', start: 11, end: 11 },
    ];
    // insert "big " at 6 (at X's caret): X stays before it, Z moves
    const ins = diffOp(doc, 'Hello big world');
    expect(transformCursors(cs, ins).map((k) => [k.start, k.end])).toEqual([[6, 6], [0, 5], [15, 15]]);
    // delete "Hello " : Y's selection collapses to the deleted range's start
    const del = diffOp(doc, 'world');
    expect(transformCursors(cs, del).map((k) => [k.start, k.end])).toEqual([[0, 0], [0, 0], [5, 5]]);
    // the author of an insert moves past it; others at the same place stay before it
    const mine = transformCursors(cs, ins, 'x-17');
    expect(mine[0]).toMatchObject({ start: 10, end: 10 });
    expect(transformCursors(cs, ins, 'w-1')[0]).toMatchObject({ start: 6, end: 6 });
    // an insert inside a selection grows it
    const inside = new TextOperation().retain(2).insert('XX').retain(9);
    expect(transformCursors(cs, inside)[1]).toMatchObject({ start: 0, end: 7 });
  });
});

describe('canned replies', () => {
  it('parses the index: one name a line, valid, deduplicated', () => {
    expect(parseCannedIndex('returns\n  hours \nbad name\n\nReturns\n_index\nship.eu')).toEqual(['returns', 'hours', 'ship.eu']);
    expect(addToIndex('a', 'b')).toBe('a\nb');
    expect(addToIndex('', 'b')).toBe('b');
    expect(addToIndex('a\nb', 'B')).toBe('a\nb');
    expect(addToIndex('a', 'no way')).toBe('a');
    expect(removeFromIndex('a\nb\nc', 'b')).toBe('a\nc');
  });

  it('finds a /name trigger right before the caret', () => {
    expect(cannedTrigger('/ret', 4)).toEqual({ start: 0, query: 'ret' });
    expect(cannedTrigger('hi /ret', 7)).toEqual({ start: 3, query: 'ret' });
    expect(cannedTrigger('a/ret', 5)).toBeNull(); // a URL path, not a trigger
    expect(cannedTrigger('/ret x', 6)).toBeNull();
    expect(cannedMatches(['returns', 'ret', 'hours'], 'ret')).toEqual(['ret', 'returns']);
  });

  it('expands /name (or a unique prefix) into the reply and puts the caret after it', () => {
    const texts: Record<string, string> = { returns: 'You can return items within 30 days.', hours: '9-18' };
    const names = ['returns', 'hours', 'holiday'];
    const look = (n: string): string | undefined => texts[n];
    expect(expandCanned('Hi! /returns', 12, names, look)).toEqual({ text: 'Hi! You can return items within 30 days.', caret: 40, name: 'returns' });
    expect(expandCanned('/ret and more', 4, names, look)).toEqual({ text: 'You can return items within 30 days. and more', caret: 36, name: 'returns' });
    expect(expandCanned('/ho', 3, names, look)).toBeNull(); // ambiguous: hours, holiday
    expect(expandCanned('/holiday', 8, names, look)).toBeNull(); // not loaded / empty
    expect(expandCanned('/nope', 5, names, look)).toBeNull();
    expect(expandCanned('/', 1, names, look)).toBeNull();
    // a reply that is only a file: its lookup is '' (not undefined), and the trigger is replaced by nothing
    expect(expandCanned('Hi /holiday', 11, names, (n) => (n === 'holiday' ? '' : texts[n]))).toEqual({ text: 'Hi ', caret: 3, name: 'holiday' });
  });
});

describe('agent status', () => {
  it('goes away after inactivity and comes back on input; a manual choice sticks', () => {
    let now = 0;
    const t = new AgentStatusTracker(() => now, 1000);
    expect(t.status).toBe('online');
    now = 999;
    expect(t.tick()).toBe(false);
    now = 1000;
    expect(t.tick()).toBe(true);
    expect(t.status).toBe('away');
    expect(t.input()).toBe(true);
    expect(t.status).toBe('online');
    t.choose('offline');
    now = 10000;
    expect(t.tick()).toBe(false);
    expect(t.status).toBe('offline');
    expect(t.input()).toBe(false);
  });
});
