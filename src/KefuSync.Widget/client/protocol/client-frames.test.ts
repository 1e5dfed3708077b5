// What the leader accepts from another tab before it relays the frame onto the one shared socket.
import { describe, expect, it } from 'vitest';
import { validateTabFrame } from './client-frames';

describe('validateTabFrame', () => {
  it('accepts a tab speaking for itself and keeps only known members', () => {
    expect(validateTabFrame({ t: 'sub', c: 'tabA', ch: 'conv:x', rev: 3, evil: 1 }, 'tabA')).toEqual({ t: 'sub', c: 'tabA', ch: 'conv:x', rev: 3 });
    expect(validateTabFrame({ t: 'submit', c: 'tabA', ch: 'conv:x', id: 'tabA-1', rev: 0, op: { k: 'msg', text: 'hi' } }, 'tabA')).not.toBeNull();
  });

  it('refuses a tab speaking for another, and connection-level frames', () => {
    expect(validateTabFrame({ t: 'unsub', c: 'tabB', ch: 'conv:x' }, 'tabA')).toBeNull();
    expect(validateTabFrame({ t: 'bye', c: 'tabB' }, 'tabA')).toBeNull();
    expect(validateTabFrame({ t: 'hello', v: 1, client: 'x' }, 'tabA')).toBeNull();
    expect(validateTabFrame({ t: 'ping' }, 'tabA')).toBeNull();
  });

  it('refuses oversized submits and presence', () => {
    expect(validateTabFrame({ t: 'submit', c: 'a', ch: 'conv:x', id: 'a-1', rev: 0, op: { k: 'msg', text: 'x'.repeat(70000) } }, 'a')).toBeNull();
    expect(validateTabFrame({ t: 'presence', c: 'a', ch: 'site', s: { p: 'x'.repeat(2000) } }, 'a')).toBeNull();
    expect(validateTabFrame({ t: 'history', ch: 'conv:x', rev: 10, n: 500, q: 'q1' }, 'a')).toBeNull();
  });

  it('applies the server\'s id rules (Protocol/Identifiers.cs): op ids and request ids are 1-64 of 0x21-0x7E', () => {
    const submit = (id: string) => validateTabFrame({ t: 'submit', c: 'a', ch: 'conv:x', id, rev: 0, op: {} }, 'a');
    expect(submit('a-1')).not.toBeNull();
    expect(submit('x'.repeat(64))).not.toBeNull();
    expect(submit('')).toBeNull();
    expect(submit('x'.repeat(65))).toBeNull();
    expect(submit('a 1')).toBeNull();
    expect(submit('a\u00e91')).toBeNull();
    const history = (q: string) => validateTabFrame({ t: 'history', ch: 'conv:x', rev: 10, n: 5, q }, 'a');
    expect(history('q1')).not.toBeNull();
    expect(history('')).toBeNull();
    expect(history('q 1')).toBeNull();
  });
});
