// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { en } from '../../i18n';
import type { MessageItem } from '../../sync/message-channel';
import { renderMessage } from '../widget/render';
import { findLinks, linkify } from './linkify';
import { must } from '../../test/must';

const hrefs = (t: string): string[] => findLinks(t).map((l) => l.href);
const texts = (t: string): string[] => findLinks(t).map((l) => t.slice(l.start, l.end));

describe('findLinks', () => {
  it('finds http, https and www. (as https)', () => {
    expect(hrefs('see http://a.example/x and https://b.example/y?q=1#z or www.c.example')).toEqual([
      'http://a.example/x', 'https://b.example/y?q=1#z', 'https://www.c.example/',
    ]);
  });

  it('leaves trailing punctuation out, keeps balanced brackets in', () => {
    expect(texts('Go to https://a.example/x.')).toEqual(['https://a.example/x']);
    expect(texts('(see https://a.example/x), ok?')).toEqual(['https://a.example/x']);
    expect(texts('https://en.wikipedia.org/wiki/Foo_(bar)!')).toEqual(['https://en.wikipedia.org/wiki/Foo_(bar)']);
    expect(texts('"https://a.example/q?x=1"; www.b.example!?')).toEqual(['https://a.example/q?x=1', 'www.b.example']);
    expect(texts('见https://a.cn/x。谢谢，www.b.cn！')).toEqual(['https://a.cn/x', 'www.b.cn']);
  });

  it('never makes a link of javascript:, data: or other schemes (hostile)', () => {
    for (const t of [
      'javascript:alert(1)', 'JaVaScRiPt:alert(document.cookie)//https://a.example', 'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox(1)', 'mailto:a@b.example', 'file:///etc/passwd', 'xhttps://a.example', 'a@www.b.example',
      'http://', 'https://localhost', 'www.', 'java\nscript:https://a.example',
    ]) {
      for (const l of findLinks(t)) expect(l.href, t).toMatch(/^https?:\/\/[^/]+\./);
    }
    expect(findLinks('javascript:alert(1)')).toEqual([]);
    expect(findLinks('data:text/html;base64,PHNjcmlwdD4=')).toEqual([]);
    expect(findLinks('xhttps://a.example')).toEqual([]);
    expect(findLinks('https://localhost')).toEqual([]);
  });
});

describe('linkify', () => {
  const item = (text: string): MessageItem => ({ rev: 3, id: 'a-1', by: 'agent', ts: Date.now(), name: 'A', role: 'agent', text, own: false });

  it('turns links into <a target=_blank rel=…> with the text around them as text, never markup', () => {
    const evil = 'hi <img src=x onerror=alert(1)> https://a.example/<b>x</b>. javascript:alert(1) www.b.example';
    const li = renderMessage(item(evil), en, 'en');
    const bubble = must(li.querySelector('[data-testid="kefu-message-text"]'));
    linkify(bubble);
    const links = [...bubble.querySelectorAll('a')];
    expect(links.map((a) => a.getAttribute('href'))).toEqual(['https://a.example/', 'https://www.b.example/']);
    for (const a of links) {
      expect(a.getAttribute('target')).toBe('_blank');
      expect(a.getAttribute('rel')).toBe('noopener noreferrer nofollow ugc');
    }
    expect(links.map((a) => a.textContent)).toEqual(['https://a.example/', 'www.b.example']);
    expect(bubble.querySelector('img, b')).toBeNull();
    expect(bubble.textContent).toBe(evil); // nothing lost
  });

  it('leaves a text without links alone', () => {
    const li = renderMessage(item('no links here: javascript:void(0)'), en, 'en');
    const bubble = must(li.querySelector('[data-testid="kefu-message-text"]'));
    linkify(bubble);
    expect(bubble.querySelector('a')).toBeNull();
    expect(bubble.textContent).toBe('no links here: javascript:void(0)');
  });
});
