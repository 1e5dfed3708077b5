// Strings of a proactive message's card on a phone (kefu-peek.js, ui/widget/peek-card.ts). Only that lazily loaded
// script uses them, so the widget's main bundle does not carry them.
import type { Lang } from './index';

export const peekEn = {
  /** the card's label: it opens the chat */
  reply: (name: string): string => `Reply to ${name}`,
  dismiss: 'Dismiss',
  agent: 'Support',
};

export type PeekStrings = typeof peekEn;

export const peekZh: PeekStrings = {
  reply: (name) => `回复${name}`,
  dismiss: '关闭',
  agent: '客服',
};

export const peekStrings = (lang: Lang): PeekStrings => (lang === 'zh-CN' ? peekZh : peekEn);
