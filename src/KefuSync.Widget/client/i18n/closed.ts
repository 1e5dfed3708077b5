// Strings of the closed conversation's card (kefu-closed.js, ui/widget/closed-card.ts): the rating, its refusal and
// the transcript request. Only that lazily loaded script uses them, so the widget's main bundle does not carry them.
import type { Lang } from './index';

export const closedEn = {
  title: 'Conversation closed',
  again: 'Write a message if you need anything else.',
  ask: 'How did we do?',
  star: (n: number): string => (n === 1 ? '1 star' : `${n} stars`),
  up: 'Thumbs up',
  down: 'Thumbs down',
  comment: 'Comment (optional)',
  send: 'Send',
  sending: 'Sending…',
  rated: (score: number, thumbs: boolean): string => (thumbs ? `Thanks — you gave a thumbs ${score === 5 ? 'up' : 'down'}` : `Thanks — you rated ${score}/5`),
  refused: {
    already: 'This conversation was already rated.',
    invalid_op: 'This conversation can no longer be rated.',
    forbidden: 'Only the visitor of this conversation can rate it.',
  } as Record<string, string | undefined>,
  /** any other code */
  notSent: 'Your rating was not accepted.',
  ok: 'OK',
  mailAsk: 'Email me the transcript',
  mailSend: 'Send',
  mailSending: 'Sending the request…',
  mailed: (to: string): string => `We'll email the transcript to ${to}.`,
  mailInvalid: 'Enter one email address, like name@example.com.',
  mailRefused: {
    invalid_op: 'The transcript cannot be sent now (the conversation was reopened, or asked for too often).',
    forbidden: 'Only the visitor of this conversation can ask for its transcript.',
  } as Record<string, string | undefined>,
  mailNotSent: 'The transcript request was not accepted.',
};

export type ClosedStrings = typeof closedEn;

export const closedZhCN: ClosedStrings = {
  title: '会话已结束',
  again: '如需其他帮助，请直接发送消息。',
  ask: '您对本次服务满意吗？',
  star: (n: number): string => `${n} 星`,
  up: '满意',
  down: '不满意',
  comment: '评价留言（可选）',
  send: '提交',
  sending: '提交中…',
  rated: (score: number, thumbs: boolean): string => (thumbs ? `感谢评价：${score === 5 ? '满意' : '不满意'}` : `感谢评价：${score}/5`),
  refused: {
    already: '此会话已评价过。',
    invalid_op: '此会话已无法评价。',
    forbidden: '只有本会话的访客可以评价。',
  },
  notSent: '评价未被接受。',
  ok: '知道了',
  mailAsk: '通过邮件发送对话记录',
  mailSend: '发送',
  mailSending: '正在提交请求…',
  mailed: (to: string): string => `对话记录将发送至 ${to}。`,
  mailInvalid: '请输入一个有效的邮箱地址，例如 name@example.com。',
  mailRefused: {
    invalid_op: '现在无法发送对话记录（会话已重新打开，或请求次数过多）。',
    forbidden: '只有本会话的访客可以索取对话记录。',
  },
  mailNotSent: '对话记录请求未被接受。',
};

export const closedStrings = (lang: Lang): ClosedStrings => (lang === 'zh-CN' ? closedZhCN : closedEn);
