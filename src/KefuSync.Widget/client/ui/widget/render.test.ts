// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { en, zhCN } from '../../i18n';
import type { MessageItem } from '../../sync/message-channel';
import { el } from './dom';
import { dayLabel } from './dates';
import { renderMessage } from './render';
import { must } from '../../test/must';

const item = (text: string, extra: Partial<MessageItem> = {}): MessageItem => ({
  rev: 3, id: 'a-1', by: 'agent', ts: Date.now(), name: 'Alice <b>', role: 'agent', text, own: false, ...extra,
});

describe('renderMessage never renders HTML', () => {
  it('shows <img onerror> and <script> as inert text', () => {
    const evil = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
    const li = renderMessage(item(evil), en, 'en');
    document.body.append(li);
    expect(li.querySelector('img')).toBeNull();
    expect(li.querySelector('script')).toBeNull();
    expect(must(li.querySelector('[data-testid="kefu-message-text"]')).textContent).toBe(evil);
    expect(must(li.querySelector('.name')).textContent).toBe('Alice <b>');
    expect(li.querySelector('b')).toBeNull();
    expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
  });

  it('el() puts attribute values and children as text, never markup', () => {
    const e = el('div', { title: '"><img src=x>' }, '<i>x</i>');
    expect(e.children).toHaveLength(0);
    expect(e.textContent).toBe('<i>x</i>');
    expect(e.getAttribute('title')).toBe('"><img src=x>');
  });

  it('marks own messages with their status; a failed one says "Not sent" at once (why comes with kefu-failed.js)', () => {
    const li = renderMessage(item('hi', { own: true, status: 'failed', rev: 0, err: 'invalid_op' }), en, 'en');
    expect(li.getAttribute('data-status')).toBe('failed');
    expect(li.className).toContain('own');
    expect(must(li.querySelector('[data-testid="kefu-message-status"]')).textContent).toBe(en.failed);
    // what a message waiting for the connection says (shown by the stylesheet while disconnected)
    const sending = renderMessage(item('hi', { own: true, status: 'sending', rev: 0 }), zhCN, 'zh-CN');
    expect(must(sending.querySelector('[data-testid="kefu-message-status"]')).getAttribute('data-w')).toBe(zhCN.waiting);
  });

  it('updates an existing item in place', () => {
    const li = renderMessage(item('one', { own: true, status: 'sending' }), en, 'en');
    const again = renderMessage(item('one', { own: true, status: 'read' }), en, 'en', li);
    expect(again).toBe(li);
    expect(li.getAttribute('data-status')).toBe('read');
  });

  it('shows a recalled message as the recalled notice', () => {
    const li = renderMessage(item('', { recalled: true }), en, 'en');
    expect(must(li.querySelector('[data-testid="kefu-message-text"]')).textContent).toBe(en.recalled);
  });
});

describe('dayLabel', () => {
  // local noon: the same day in any time zone the tests run in
  const at = (y: number, m: number, d: number): number => new Date(y, m - 1, d, 12).getTime();
  const now = at(2026, 12, 3);

  it('says "Today" for today, the weekday and date for other days, and the year only when it is another one', () => {
    expect(dayLabel(at(2026, 12, 3), 'en', en.today, now)).toBe('Today');
    expect(dayLabel(at(2026, 12, 3) - 11 * 3600_000, 'zh-CN', zhCN.today, now)).toBe('今天'); // 01:00 the same day
    expect(dayLabel(at(2026, 12, 2), 'en', en.today, now)).toBe('Wednesday, December 2');
    expect(dayLabel(at(2026, 11, 30), 'zh-CN', zhCN.today, now)).toBe('11月30日星期一');
    expect(dayLabel(at(2025, 12, 31), 'en', en.today, now)).toBe('Wednesday, December 31, 2025');
  });

  it('is the visitor\'s local day: 23:59 and 00:01 are two days', () => {
    const late = new Date(2026, 11, 1, 23, 59).getTime();
    const early = new Date(2026, 11, 2, 0, 1).getTime();
    expect(dayLabel(late, 'en', en.today, now)).not.toBe(dayLabel(early, 'en', en.today, now));
  });
});
