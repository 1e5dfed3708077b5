// @vitest-environment happy-dom
// The closed conversation's card (kefu-closed.js): shown from the log in every tab, rated through the outbox, the
// refusal with its reason, gone on a reopen.
import { describe, expect, it } from 'vitest';
import { closedEn, closedZhCN } from '../../i18n/closed';
import { MessageChannel } from '../../sync/message-channel';
import { MessageLog } from '../../sync/message-log';
import { op, stubClient } from '../../test/client-stub';
import { flush } from '../../test/fakes';
import { must } from '../../test/must';
import { closedCard } from './closed-card';
import type { ClosedHost } from './closed-slot';
import { closedState } from './closed-state';

const visitorMsg = (rev: number, text: string) => op(rev, { k: 'msg', text, name: 'Visitor', role: 'visitor' }, `v-${rev}`, 'v1');
const close = (rev: number) => op(rev, { k: 'status', status: 'closed', name: 'Alice', role: 'agent' });

function widget(rating: unknown = 'stars', lang: 'en' | 'zh-CN' = 'en', transcript = false) {
  const { client, sent } = stubClient();
  client.welcome = { t: 'welcome', v: 1, server: '1', conn: 'k', me: { id: 'v1', name: 'Visitor', role: 'visitor' }, hb: 1, ttl: 1, ...(rating ? { rating } : {}), ...(transcript ? { transcript } : {}) };
  const msgs = new MessageChannel(client, 'conv:c1');
  const list = document.createElement('ol');
  document.body.append(list);
  const host: ClosedHost = { cfg: { endpoint: '/kefu', lang, position: 'right', mode: 'widget' }, client, msgs, list };
  const q = (id: string) => list.querySelector<HTMLElement>(`[data-testid="${id}"]`);
  const fill = (): void => closedCard(host);
  /** picks a score as a click or an arrow key does: the radio is checked, then `change` */
  const choose = (n: number): void => {
    const r = must(q(`kefu-rate-${n}`)) as HTMLInputElement;
    r.checked = true;
    r.dispatchEvent(new Event('change'));
  };
  return { client, sent, msgs, list, host, q, fill, choose };
}

describe('closedState', () => {
  it('is null until a close, and again after a visitor message reopened it', () => {
    const log = new MessageLog();
    log.apply(visitorMsg(1, 'hi'));
    expect(closedState(log, [])).toBeNull();
    log.apply(close(2));
    expect(closedState(log, [])).toEqual({ close: 2, rated: undefined });
    log.apply(op(3, { k: 'read', upTo: 2, role: 'visitor' }, 'r', 'v1'));
    expect(closedState(log, [])?.close).toBe(2); // a read marker does not reopen
    log.apply(visitorMsg(4, 'one more thing'));
    expect(closedState(log, [])).toBeNull();
  });

  it('an agent reopening (status open) ends the card; a later close is a new card, unrated', () => {
    const log = new MessageLog();
    log.apply(close(1));
    log.apply(op(2, { k: 'rate', score: 4, role: 'visitor' }, 'rt', 'v1'));
    expect(closedState(log, [])?.rated).toBe(4);
    log.apply(op(3, { k: 'status', status: 'open', role: 'agent' }));
    expect(closedState(log, [])).toBeNull();
    log.apply(close(4));
    expect(closedState(log, [])).toEqual({ close: 4, rated: undefined });
  });

  it('survives the cache: a restored log still knows the close and the rating', () => {
    const log = new MessageLog();
    log.apply(close(1));
    log.apply(op(2, { k: 'rate', score: 5, role: 'visitor' }, 'rt', 'v1'));
    const again = new MessageLog();
    expect(again.restore(JSON.parse(JSON.stringify(log.toSnapshot())))).toBe(true);
    expect(closedState(again, [])).toEqual({ close: 1, rated: 5 });
  });

  it('ignores what does not check: a forged score, a status that is not an object', () => {
    const log = new MessageLog();
    log.apply(close(1));
    log.apply(op(2, { k: 'rate', score: 9, role: 'visitor' }, 'rt', 'v1'));
    expect(closedState(log, [])?.rated).toBeUndefined();
    const bad = new MessageLog();
    bad.restore({ rev: 3, msgs: [], reads: {}, ops: { status: { rev: 1, op: 'closed' } } });
    expect(closedState(bad, [])).toBeNull();
  });
});

describe('the closed card', () => {
  it('stars: choose, comment, Send: the rate op goes through the outbox and the card says "Sending…", then the log says rated', async () => {
    const { msgs, sent, q, fill, list, choose } = widget('stars');
    msgs.op(visitorMsg(1, 'hi'));
    fill();
    expect(q('kefu-closed-card')).toBeNull();
    msgs.op(close(2));
    fill();
    const card = must(q('kefu-closed-card'));
    expect(card.getAttribute('data-state')).toBe('unrated');
    expect(must(q('kefu-closed-title')).textContent).toBe('Conversation closed');
    expect((must(q('kefu-rate-send')) as HTMLButtonElement).disabled).toBe(true); // nothing chosen yet
    expect(list.querySelectorAll('input[type="radio"]')).toHaveLength(5);
    expect(must(q('kefu-rate-4')).getAttribute('aria-label')).toBe('4 stars');
    choose(4);
    expect(list.querySelectorAll('.score.on')).toHaveLength(4);
    (must(q('kefu-rate-comment')) as HTMLTextAreaElement).value = '  Quick and kind  ';
    fill(); // a redraw of the same state keeps the choice and the comment
    expect((must(q('kefu-rate-comment')) as HTMLTextAreaElement).value).toBe('  Quick and kind  ');
    (must(q('kefu-rate-form')) as HTMLFormElement).requestSubmit();
    await flush();
    fill();
    const submit = sent.find((f) => f.t === 'submit');
    expect(submit && 'op' in submit ? submit.op : null).toEqual({ k: 'rate', score: 4, comment: 'Quick and kind' });
    expect(must(q('kefu-closed-card')).getAttribute('data-state')).toBe('sending');
    const id = submit && 'id' in submit ? submit.id : '';
    msgs.op(op(3, { k: 'rate', score: 4, comment: 'Quick and kind', role: 'visitor' }, id, 'v1'));
    fill();
    expect(must(q('kefu-rated')).textContent).toBe('★★★★☆ Thanks — you rated 4/5');
    expect(list.querySelector('form')).toBeNull();
  });

  it('another tab: no local state, only the log; a rate op from elsewhere shows rated', () => {
    const { msgs, q, fill } = widget('stars');
    msgs.op(close(1));
    fill();
    msgs.op(op(2, { k: 'rate', score: 2, role: 'visitor' }, 'other-tab-op', 'v1'));
    fill();
    expect(must(q('kefu-closed-card')).getAttribute('data-state')).toBe('rated');
    expect(must(q('kefu-rated')).getAttribute('data-score')).toBe('2');
  });

  it('thumbs: two choices with labels, and the rated text names the thumb', () => {
    const { msgs, q, fill, list } = widget('thumbs');
    msgs.op(close(1));
    fill();
    expect([...list.querySelectorAll('input[type="radio"]')].map((i) => i.getAttribute('aria-label'))).toEqual(['Thumbs up', 'Thumbs down']);
    msgs.op(op(2, { k: 'rate', score: 1, role: 'visitor' }, 'r', 'v1'));
    fill();
    expect(must(q('kefu-rated')).textContent).toBe('Thanks — you gave a thumbs down');
  });

  it('ratings off (no welcome.rating): only that it is closed, no form', () => {
    const { msgs, q, fill, list } = widget(null);
    msgs.op(close(1));
    fill();
    expect(must(q('kefu-closed-card')).getAttribute('data-state')).toBe('off');
    expect(list.querySelector('form')).toBeNull();
  });

  it('a refusal shows why; when the log has a rating (another device was first) it says "already rated"; OK drops it', async () => {
    const { msgs, sent, q, fill, choose } = widget('stars');
    msgs.op(close(1));
    fill();
    choose(5);
    (must(q('kefu-rate-form')) as HTMLFormElement).requestSubmit();
    await flush();
    const submit = sent.find((f) => f.t === 'submit');
    const id = submit && 'id' in submit ? submit.id : '';
    msgs.op(op(2, { k: 'rate', score: 3, role: 'visitor' }, 'from-the-phone', 'v1'));
    msgs.error({ t: 'error', code: 'invalid_op', msg: 'This conversation was rated already since it was closed.', retry: false, c: 'tabA', ch: 'conv:c1', id });
    await flush();
    fill();
    expect(must(q('kefu-rate-refused')).getAttribute('data-code')).toBe('already');
    expect(must(q('kefu-rate-refused')).textContent).toContain('This conversation was already rated.');
    expect(must(q('kefu-rated')).getAttribute('data-score')).toBe('3'); // the first one stands
    (must(q('kefu-rate-ok')) as HTMLButtonElement).click();
    await flush();
    fill();
    expect(q('kefu-rate-refused')).toBeNull();
  });

  it('reopened by a visitor message: the card is gone; it stays the last item while messages arrive', () => {
    const { msgs, list, q, fill } = widget('stars');
    msgs.op(close(1));
    fill();
    list.append(document.createElement('li')); // a message the widget drew after it
    fill();
    expect(list.lastElementChild).toBe(q('kefu-closed-card'));
    msgs.op(visitorMsg(2, 'one more question'));
    fill();
    expect(q('kefu-closed-card')).toBeNull();
  });

  it('zh-CN: every string has its translation', () => {
    expect(Object.keys(closedZhCN).sort()).toEqual(Object.keys(closedEn).sort());
    expect(Object.keys(closedZhCN.refused).sort()).toEqual(Object.keys(closedEn.refused).sort());
    expect(Object.keys(closedZhCN.mailRefused).sort()).toEqual(Object.keys(closedEn.mailRefused).sort());
    const { msgs, q, fill } = widget('stars', 'zh-CN');
    msgs.op(close(1));
    fill();
    expect(must(q('kefu-closed-title')).textContent).toBe('会话已结束');
  });

  it('transcript: offered only when welcome.transcript; prefilled with the contact email; a bad address is refused here', async () => {
    const off = widget('stars');
    off.msgs.op(close(1));
    off.fill();
    expect(off.q('kefu-transcript')).toBeNull();

    const { msgs, sent, q, fill } = widget('stars', 'en', true);
    msgs.op(op(1, { k: 'contact', email: 'ada@example.com', lang: 'en', role: 'visitor' }, 'c', 'v1'));
    msgs.op(close(2));
    fill();
    const input = must(q('kefu-transcript-email')) as HTMLInputElement;
    expect(input.value).toBe('ada@example.com');
    input.value = 'ada@example.com\r\nBcc: eve@example.com';
    (must(q('kefu-transcript-form')) as HTMLFormElement).requestSubmit();
    await flush();
    expect(must(q('kefu-transcript-error')).hidden).toBe(false);
    expect(sent.filter((f) => f.t === 'submit')).toHaveLength(0);
    input.value = 'ada@example.org';
    (must(q('kefu-transcript-form')) as HTMLFormElement).requestSubmit();
    await flush();
    fill();
    const submit = sent.find((f) => f.t === 'submit');
    expect(submit && 'op' in submit ? submit.op : null).toEqual({ k: 'transcript', email: 'ada@example.org', lang: 'en' });
    expect(q('kefu-transcript-sending')).not.toBeNull();
    const id = submit && 'id' in submit ? submit.id : '';
    msgs.op(op(3, { k: 'transcript', email: 'ada@example.org', lang: 'en', role: 'visitor' }, id, 'v1'));
    fill();
    expect(must(q('kefu-transcript-sent')).textContent).toBe("We'll email the transcript to ada@example.org.");
    expect(q('kefu-closed-card')?.getAttribute('data-state')).toBe('unrated'); // the rating is still offered
  });

  it('transcript refused (reopened meanwhile, or too often): the reason, and OK drops it', async () => {
    const { msgs, sent, q, fill } = widget('stars', 'zh-CN', true);
    msgs.op(close(1));
    fill();
    (must(q('kefu-transcript-email')) as HTMLInputElement).value = 'ada@example.com';
    (must(q('kefu-transcript-form')) as HTMLFormElement).requestSubmit();
    await flush();
    const submit = sent.find((f) => f.t === 'submit');
    const id = submit && 'id' in submit ? submit.id : '';
    msgs.error({ t: 'error', code: 'invalid_op', msg: 'At most 3 transcripts are sent per close.', retry: false, c: 'tabA', ch: 'conv:c1', id });
    await flush();
    fill();
    expect(must(q('kefu-transcript-refused')).textContent).toContain(closedZhCN.mailRefused.invalid_op);
    (must(q('kefu-transcript-ok')) as HTMLButtonElement).click();
    await flush();
    fill();
    expect(q('kefu-transcript-refused')).toBeNull();
    expect(q('kefu-transcript-email')).not.toBeNull();
  });
});
