// @vitest-environment happy-dom
// A proactive message on a phone (kefu-peek.js): a card above the launcher instead of the whole-screen chat.
import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../sync/message-log';
import { must } from '../../test/must';
import { showPeek } from './peek-card';
import type { PeekHost } from './peek-slot';

const msg = (text: string, name = 'Alice'): ChatMessage => ({ rev: 2, id: 'a-1', by: 'agent', ts: Date.now(), name, role: 'agent', text });

function host(lang: 'en' | 'zh-CN' = 'en') {
  const root = document.createElement('div');
  document.body.append(root);
  const calls: string[] = [];
  const w: PeekHost = {
    cfg: { endpoint: '/kefu', lang, position: 'right', mode: 'widget' },
    root,
    open: () => {
      calls.push('open');
      dispatchEvent(new CustomEvent('kefu:open')); // as the widget does, however it opens
    },
    keepClosed: () => calls.push('keepClosed'),
  };
  const q = (id: string): HTMLElement | null => root.querySelector(`[data-testid="${id}"]`);
  return { w, root, calls, q };
}

describe('the peek card', () => {
  it('shows who wrote and what, as text; a newer message replaces it; tapping opens the chat and removes the card', () => {
    const { w, root, calls, q } = host();
    showPeek(w, msg('<img src=x onerror=alert(1)> Can I help?'));
    expect(must(q('kefu-peek-text')).textContent).toBe('<img src=x onerror=alert(1)> Can I help?');
    expect(root.querySelector('img')).toBeNull();
    expect(must(q('kefu-peek-open')).getAttribute('aria-label')).toBe('Reply to Alice: <img src=x onerror=alert(1)> Can I help?');

    showPeek(w, msg('Anything else?'));
    expect(root.querySelectorAll('[data-testid="kefu-peek"]')).toHaveLength(1);
    expect(must(q('kefu-peek-text')).textContent).toBe('Anything else?');

    must(q('kefu-peek-open')).click();
    expect(calls).toEqual(['open']);
    expect(q('kefu-peek')).toBeNull();
  });

  it('× dismisses it for the session (keepClosed), without opening the chat', () => {
    const { w, calls, q } = host('zh-CN');
    showPeek(w, msg('您好', ''));
    expect(must(q('kefu-peek')).textContent).toContain('客服'); // no name: "Support"
    expect(must(q('kefu-peek-dismiss')).getAttribute('aria-label')).toBe('关闭');
    must(q('kefu-peek-dismiss')).click();
    expect(calls).toEqual(['keepClosed']);
    expect(q('kefu-peek')).toBeNull();
  });

  it('goes when the chat is opened another way (the launcher)', () => {
    const { w, q } = host();
    showPeek(w, msg('Hi'));
    dispatchEvent(new CustomEvent('kefu:open'));
    expect(q('kefu-peek')).toBeNull();
  });
});
