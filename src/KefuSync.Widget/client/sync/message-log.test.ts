import { describe, expect, it } from 'vitest';
import type { OpRecord } from '../protocol/server-frames';
import { MessageLog } from './message-log';
import { PagedMessageLog } from './paged-message-log';

const att = { id: 'Jq3xY0abcdefghijklmn_-', name: 'screenshot.png', size: 48213, type: 'image/png', w: 1280, h: 720, sha256: 'a'.repeat(64), thumb: true };
const rec = (rev: number, op: unknown, by = 'agent:alice'): OpRecord => ({ rev, id: `o${rev}`, by, ts: 1000 + rev, op } as OpRecord);
const msgOp = (extra: Record<string, unknown>) => ({ k: 'msg', name: 'Alice', role: 'agent', ...extra });

describe('MessageLog: messages with a file (protocol §4.2, §9.3)', () => {
  it('keeps a file sent without text, with its metadata', () => {
    const log = new MessageLog();
    const m = log.apply(rec(1, msgOp({ att })));
    expect(m).not.toBeNull();
    expect(log.messages).toHaveLength(1);
    expect(log.messages[0]?.text).toBe('');
    expect(log.messages[0]?.att).toEqual(att);
  });

  it('keeps the caption of a file, and reads a plain text message as before', () => {
    const log = new MessageLog();
    log.apply(rec(1, msgOp({ att, text: 'here it is' })));
    log.apply(rec(2, msgOp({ text: 'hello' })));
    expect(log.messages.map((m) => [m.text, m.att?.name])).toEqual([['here it is', 'screenshot.png'], ['hello', undefined]]);
    expect(log.messages[1]?.att).toBeUndefined();
  });

  it('keeps only the known members of att', () => {
    const log = new MessageLog();
    log.apply(rec(1, msgOp({ att: { ...att, url: 'javascript:alert(1)', __proto__x: 1 } })));
    expect(Object.keys(log.messages[0]?.att ?? {}).sort()).toEqual(['h', 'id', 'name', 'sha256', 'size', 'thumb', 'type', 'w']);
  });

  it('keeps a name with markup as the same plain string (rendering puts it in a text node)', () => {
    const log = new MessageLog();
    const name = '<img src=x onerror=alert(1)>.png';
    log.apply(rec(1, msgOp({ att: { ...att, name } })));
    expect(log.messages[0]?.att?.name).toBe(name);
  });

  const hostile: [string, unknown][] = [
    ['not an object', 'file.png'],
    ['an array', [att]],
    ['null', null],
    ['id missing', { ...att, id: undefined }],
    ['id with a slash', { ...att, id: '../../etc' }],
    ['id too long', { ...att, id: 'a'.repeat(65) }],
    ['name empty', { ...att, name: '' }],
    ['name a number', { ...att, name: 42 }],
    ['name huge', { ...att, name: 'a'.repeat(1001) }],
    ['size negative', { ...att, size: -1 }],
    ['size a string', { ...att, size: '48213' }],
    ['size not an integer', { ...att, size: 1.5 }],
    ['size beyond a safe integer', { ...att, size: 2 ** 60 }],
    ['size Infinity', { ...att, size: Infinity }],
    ['type with markup', { ...att, type: 'image/png"><script>' }],
    ['type without a slash', { ...att, type: 'png' }],
    ['w negative', { ...att, w: -1 }],
    ['h not an integer', { ...att, h: 2.5 }],
    ['w a string', { ...att, w: '1280' }],
    ['sha256 not hex', { ...att, sha256: 'z'.repeat(64) }],
    ['thumb a string', { ...att, thumb: 'true' }],
  ];
  for (const [what, bad] of hostile) {
    it(`ignores an att that is ${what}: a message without text is dropped, one with text is plain text`, () => {
      const log = new MessageLog();
      expect(log.apply(rec(1, msgOp({ att: bad })))).toBeNull();
      log.apply(rec(2, msgOp({ att: bad, text: 'caption' })));
      expect(log.messages).toHaveLength(1);
      expect(log.messages[0]?.text).toBe('caption');
      expect(log.messages[0]?.att).toBeUndefined();
    });
  }

  it('refuses a text that is not a string even with a valid att', () => {
    const log = new MessageLog();
    expect(log.apply(rec(1, msgOp({ att, text: 5 })))).toBeNull();
    expect(log.messages).toHaveLength(0);
  });

  it('forgets the file when the message is recalled', () => {
    const log = new MessageLog();
    log.apply(rec(1, msgOp({ att })));
    log.apply(rec(2, { k: 'recall', target: 1 }));
    expect(log.messages[0]?.recalled).toBe(true);
    expect(log.messages[0]?.att).toBeUndefined();
  });

  it('pages in files from history, and applies a recall seen before the page', () => {
    const log = new PagedMessageLog();
    log.skipTo(2);
    log.apply(rec(3, { k: 'recall', target: 2 }));
    log.apply(rec(4, msgOp({ att: { ...att, id: 'live' } })));
    expect(log.prepend([rec(1, msgOp({ att: { ...att, id: 'old' } })), rec(2, msgOp({ att: { ...att, id: 'gone' } }))])).toBe(2);
    expect(log.messages.map((m) => [m.rev, m.att?.id, m.recalled === true])).toEqual([[1, 'old', false], [2, undefined, true], [4, 'live', false]]);
  });

  it('round-trips a file through the cache snapshot, and drops a tampered att from a cache', () => {
    const log = new MessageLog();
    log.apply(rec(1, msgOp({ att, text: '' })));
    const snap = JSON.parse(JSON.stringify(log.toSnapshot())) as { msgs: Record<string, unknown>[] };
    const back = new MessageLog();
    expect(back.restore(snap)).toBe(true);
    expect(back.messages[0]?.att).toEqual(att);
    const m0 = snap.msgs[0];
    if (m0) m0.att = { ...att, size: 'big' };
    const tampered = new MessageLog();
    expect(tampered.restore(snap)).toBe(true);
    expect(tampered.messages[0]?.att).toBeUndefined();
  });
});
