// Strings of the visitor widget, zh-CN and en. English is the fallback for every other language. The widget's main
// bundle carries English only: a zh-CN page loads `zhCN` as kefu-zh.js (widget/zh.ts) before the widget is drawn, so
// the bundle every visitor loads does not carry both languages (size.test.ts).
export type Lang = 'zh-CN' | 'en';

export const en = {
  title: 'Chat with us',
  open: 'Open chat',
  close: 'Close chat',
  placeholder: 'Type a message…',
  send: 'Send',
  attach: 'Attach a file',
  online: 'Online',
  offline: 'Away',
  offlineHint: "We're away right now. Leave a message and we'll reply as soon as we can.",
  connecting: 'Connecting…',
  stopped: 'Chat is unavailable.',
  sending: 'Sending',
  sent: 'Sent',
  read: 'Read',
  failed: 'Not sent',
  waiting: 'waiting for the connection',
  noNet: 'No connection',
  tooLong: (n: number, max: number): string => `Too long: ${n} / ${max}`,
  typing: 'Agent is typing…',
  recalled: 'Message recalled',
  edited: 'edited',
  unread: (n: number): string => (n === 1 ? '1 unread message' : `${n} unread messages`),
  messages: 'Messages',
  empty: 'Ask us anything, we usually reply in a few minutes.',
  newMsgs: 'New messages ↓',
  today: 'Today',
  mute: 'Mute sounds',
};

export type Strings = typeof en;

export const zhCN: Strings = {
  title: '在线客服',
  open: '打开在线客服',
  close: '关闭聊天窗口',
  placeholder: '输入消息…',
  send: '发送',
  attach: '发送文件',
  online: '在线',
  offline: '离开',
  offlineHint: '客服暂时不在线，请留言，我们会尽快回复。',
  connecting: '正在连接…',
  stopped: '客服暂不可用。',
  sending: '发送中',
  sent: '已发送',
  read: '已读',
  failed: '发送失败',
  waiting: '等待网络连接',
  noNet: '无网络连接',
  tooLong: (n: number, max: number): string => `内容过长：${n} / ${max}`,
  typing: '客服正在输入…',
  recalled: '消息已撤回',
  edited: '已编辑',
  unread: (n: number): string => `${n} 条未读消息`,
  messages: '消息',
  empty: '有什么可以帮您？我们通常几分钟内回复。',
  newMsgs: '有新消息 ↓',
  today: '今天',
  mute: '静音',
};

/**
 * The language: an explicit `zh-CN`/`en` wins; `auto` (or anything else) uses the page's `<html lang>`, then the
 * browser's languages. Any Chinese (zh, zh-TW, zh-Hans…) maps to zh-CN, everything else to en.
 */
export function pickLang(attr: string | null | undefined, htmlLang: string | null | undefined, browser: readonly string[]): Lang {
  const norm = (v: string | null | undefined): Lang | null => {
    const s = (v ?? '').trim().toLowerCase();
    if (!s) return null;
    return s === 'zh' || s.startsWith('zh-') || s.startsWith('zh_') ? 'zh-CN' : 'en';
  };
  if (attr && attr.toLowerCase() !== 'auto') return norm(attr) ?? 'en';
  return norm(htmlLang) ?? norm(browser[0]) ?? 'en';
}

export const strings = (lang: Lang): Strings => (lang === 'zh-CN' ? zhCN : en);

/** The event kefu-zh.js fires with `zhCN`. */
export const ZH_MODULE_EVENT = 'kefu-zh.js';
