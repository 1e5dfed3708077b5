// @vitest-environment happy-dom
// A conversation a bot holds (docs/bots.md, kefu-bot.js): the handover line's words, and "Talk to a person", which
// sends one `handover` op and disappears once people have the conversation.
import { describe, expect, it } from 'vitest';
import { en } from '../../i18n';
import { botEn, botZhCN } from '../../i18n/bot';
import { MessageChannel } from '../../sync/message-channel';
import { op, stubClient } from '../../test/client-stub';
import { flush } from '../../test/fakes';
import { must } from '../../test/must';
import { botHolds, createBot } from './bot';
import { renderMessage } from './render';

function shown(ch: MessageChannel, lang: 'en' | 'zh-CN' = 'en') {
  const panel = document.createElement('section');
  const list = document.createElement('ol');
  panel.append(list);
  const fill = createBot(lang, () => ch);
  const draw = (): void => {
    const items = ch.items('v1');
    list.replaceChildren(...items.map((m) => renderMessage(m, en, 'en')));
    fill(list, items);
  };
  const button = (): HTMLButtonElement | null => panel.querySelector('[data-testid="kefu-human"]');
  return { panel, list, draw, button };
}

describe('a bot holding the conversation', () => {
  it('shows "Talk to a person" after a bot message; a click sends one handover op and hides it', async () => {
    const { client, sent } = stubClient();
    const ch = new MessageChannel(client, 'conv:c1');
    ch.op(op(1, { k: 'msg', text: 'hi', name: 'Ada', role: 'visitor' }, 'v-1', 'v1'));
    ch.op(op(2, { k: 'msg', text: 'Hello! How can I help?', name: 'Helper', role: 'bot' }, '~assistant:1:0', 'bot:assistant'));
    const { draw, button } = shown(ch);
    draw();
    expect(must(button()).hidden).toBe(false);
    expect(must(button()).textContent).toBe(botEn.human);
    sent.length = 0;
    must(button()).click();
    must(button()).click();
    await flush();
    expect(sent.filter((f) => f.t === 'submit').map((f) => (f as { op: unknown }).op)).toEqual([{ k: 'handover' }]);
    draw();
    expect(must(button()).hidden).toBe(true);
  });

  it('draws a handover as a line with the words, never as the visitor\'s own bubble, and then hides the button', () => {
    const { client } = stubClient();
    const ch = new MessageChannel(client, 'conv:c1');
    ch.op(op(1, { k: 'msg', text: 'Hello!', name: 'Helper', role: 'bot' }, '~assistant:1:0', 'bot:assistant'));
    ch.op(op(2, { k: 'handover', name: 'Ada', role: 'visitor', reason: '<img src=x onerror=alert(1)>' }, 'v-2', 'v1'));
    const { list, draw, button } = shown(ch, 'zh-CN');
    draw();
    const line = must(list.querySelector<HTMLElement>('li[data-role="sys"]'));
    expect(line.className).not.toContain('own');
    expect(must(line.querySelector('.bubble')).textContent).toBe(botZhCN.handedOver);
    expect(line.querySelector('img')).toBeNull(); // the reason is not shown to the visitor, and never as HTML
    expect(must(button()).hidden).toBe(true);
  });

  it('a bot holds it while its message is the last from the other side; an agent or a handover ends that', () => {
    const m = (role: string) => ({ rev: 1, id: 'x', by: 'b', ts: 0, name: '', role, text: 't', own: false });
    expect(botHolds([m('visitor'), m('bot'), m('visitor')])).toBe(true);
    expect(botHolds([m('bot'), m('agent'), m('visitor')])).toBe(false);
    expect(botHolds([m('bot'), m('sys')])).toBe(false);
    expect(botHolds([m('visitor')])).toBe(false);
  });
});
