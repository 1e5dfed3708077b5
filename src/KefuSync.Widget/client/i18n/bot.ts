// Strings of a conversation a bot holds (docs/bots.md): the "Talk to a person" button and the handover line. Only the
// lazily loaded kefu-bot.js uses them, so the widget's main bundle does not carry them.
import type { Lang } from './index';

export const botEn = {
  /** the button shown while a bot holds the conversation */
  human: 'Talk to a person',
  /** the line a handover op shows in the conversation */
  handedOver: 'Connected you to a person',
};

export type BotStrings = typeof botEn;

export const botZhCN: BotStrings = {
  human: '转人工客服',
  handedOver: '已为您转接人工客服',
};

export const botStrings = (lang: Lang): BotStrings => (lang === 'zh-CN' ? botZhCN : botEn);
