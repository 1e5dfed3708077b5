import { describe, expect, it } from 'vitest';
import { en, pickLang, strings, zhCN } from '.';

describe('pickLang', () => {
  it('uses an explicit attribute', () => {
    expect(pickLang('zh-CN', 'en', ['en-US'])).toBe('zh-CN');
    expect(pickLang('en', 'zh-CN', ['zh-CN'])).toBe('en');
  });
  it('auto: the page language first', () => {
    expect(pickLang('auto', 'zh-Hans', ['en-US'])).toBe('zh-CN');
    expect(pickLang('auto', 'de', ['zh-CN'])).toBe('en');
    expect(pickLang(null, 'zh', [])).toBe('zh-CN');
  });
  it('auto without <html lang>: the browser language', () => {
    expect(pickLang('auto', '', ['zh-TW', 'en'])).toBe('zh-CN');
    expect(pickLang('auto', undefined, ['fr-FR'])).toBe('en');
    expect(pickLang('auto', '', [])).toBe('en');
  });
  it('every string exists in both languages', () => {
    expect(Object.keys(zhCN).sort()).toEqual(Object.keys(en).sort());
    expect(strings('zh-CN').send).toBe('发送');
    expect(strings('en').unread(2)).toBe('2 unread messages');
  });
});
