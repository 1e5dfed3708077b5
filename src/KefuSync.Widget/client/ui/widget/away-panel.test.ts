// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { AwayPanel, isEmail } from './away-panel';
import { awayRules, type AwayState } from './away-rules';
import { must } from '../../test/must';
import type { Availability } from '../../protocol/availability';

function panel(): { p: AwayPanel; saved: string[] } {
  const saved: string[] = [];
  const p = new AwayPanel('en', '/kefu', {
    saveEmail: (e) => {
      saved.push(e);
      return Promise.resolve();
    },
  });
  document.body.append(p.element);
  return { p, saved };
}

const q = (p: AwayPanel, id: string): HTMLElement => must(p.element.querySelector<HTMLElement>(`[data-testid="${id}"]`));
const monday = Date.now() + 3 * 86400000;
const nobody: AwayState = { agentsOnline: false, hasMessages: false, open: true };

describe('isEmail mirrors the server rule', () => {
  it.each(['ada@example.com', 'a.b+c@mail.example.cn'])('accepts %s', (v) => {
    expect(isEmail(v)).toBe(true);
  });
  it.each(['', 'ada', 'ada@', '@example.com', 'ada@example', 'a b@example.com', 'ada@example.com, eve@example.com', 'Ada <ada@example.com>', 'ada@@example.com', 'ada@example..com', ' ada@example.com', 'ada@example.com\r\nBcc: eve@example.com', `${'a'.repeat(65)}@example.com`])('refuses %j', (v) => {
    expect(isEmail(v)).toBe(false);
  });
});

describe('awayRules', () => {
  const a = (x: Partial<Availability>): Availability => ({ open: true, out: 'form', ask: 'optional', ...x });

  it('in hours with an agent online: nothing to show, nothing locked', () => {
    expect(awayRules(a({}), { agentsOnline: true, hasMessages: false, open: false }, null)).toMatchObject({ panel: false, launcher: true, lock: false });
  });

  it('required: locks sending while nobody is there, until an email is on record', () => {
    expect(awayRules(a({ ask: 'required' }), nobody, null).lock).toBe(true);
    expect(awayRules(a({ ask: 'required' }), nobody, 'ada@example.com').lock).toBe(false);
    expect(awayRules(a({ ask: 'required' }), { ...nobody, agentsOnline: true }, null).lock).toBe(false);
  });

  it('hide: no launcher outside hours unless the visitor already has a conversation', () => {
    const closed = a({ open: false, back: monday, out: 'hide' });
    expect(awayRules(closed, { ...nobody, open: false }, null).launcher).toBe(false);
    expect(awayRules(closed, { ...nobody, open: false, hasMessages: true }, null).launcher).toBe(true);
  });

  it('chat: outside hours the chat stays open even when the email would be required', () => {
    const r = awayRules(a({ open: false, back: monday, out: 'chat', ask: 'required' }), nobody, null);
    expect(r).toMatchObject({ outside: true, panel: true, lock: false, required: false });
  });

  it('off and in hours with nobody online: the generic hint is enough', () => {
    expect(awayRules(a({ ask: 'off' }), nobody, null).panel).toBe(false);
    expect(awayRules(null, nobody, null)).toMatchObject({ outside: false, panel: false, lock: false, launcher: true });
  });
});

describe('AwayPanel', () => {
  beforeEach(() => {
    sessionStorage.clear();
  });

  it('outside hours says when agents are back and asks for an email; a bad address is refused, a good one saved', async () => {
    const { p, saved } = panel();
    p.setAvailability({ open: false, back: monday, next: monday, out: 'form', ask: 'optional' });
    p.update(nobody);
    expect(q(p, 'kefu-back-at').textContent).toMatch(/^We're closed right now\. Back \w+ \d\d:\d\d\.$/);
    const input = q(p, 'kefu-email') as HTMLInputElement;
    const form = q(p, 'kefu-offline-form') as HTMLFormElement;
    input.value = 'ada@example';
    form.requestSubmit();
    await Promise.resolve();
    expect(q(p, 'kefu-email-error').hidden).toBe(false);
    expect(saved).toEqual([]);
    input.value = 'ada@example.com';
    form.requestSubmit();
    await Promise.resolve();
    await Promise.resolve();
    expect(saved).toEqual(['ada@example.com']);
    expect(form.hidden).toBe(true);
    expect(q(p, 'kefu-email-saved').textContent).toContain('ada@example.com');
  });

  it('required offers no skip; optional can be skipped for the session', () => {
    const { p } = panel();
    p.setAvailability({ open: true, out: 'form', ask: 'required' });
    p.update(nobody);
    expect(q(p, 'kefu-email-skip').hidden).toBe(true);
    p.setAvailability({ open: true, out: 'form', ask: 'optional' });
    q(p, 'kefu-email-skip').click();
    expect(q(p, 'kefu-offline-form').hidden).toBe(true);
  });

  it('off: a visitor the host signed in with an email is never asked, but still told when agents are back', () => {
    const { p } = panel();
    p.setAvailability({ open: false, back: monday, out: 'form', ask: 'off' });
    p.update(nobody);
    expect(q(p, 'kefu-offline-form').hidden).toBe(true);
    expect(q(p, 'kefu-back-at').hidden).toBe(false);
  });
});
