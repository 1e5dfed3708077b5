// Strings of a failed message (issue 15, bug 4): why it failed, from the server's error code (docs/protocol.md §6),
// and what the visitor can do. Only the lazily loaded kefu-failed.js uses them, so the widget's main bundle does not
// carry them.
import type { Lang } from './index';

export const failedEn = {
  retry: 'Retry',
  edit: 'Edit',
  discard: 'Discard',
  why: {
    invalid_op: 'too long or not valid text',
    forbidden: 'not allowed in this chat',
    too_large: 'too large',
    limit_exceeded: 'too many chats open here',
    rate_limited: 'too many messages at once',
    store_unavailable: 'the service is busy',
    conflict: 'the service is busy',
  } as Record<string, string | undefined>,
  /** any other code */
  refused: 'refused by the server',
};

export type FailedStrings = typeof failedEn;

export const failedZhCN: FailedStrings = {
  retry: '重试',
  edit: '修改',
  discard: '删除',
  why: {
    invalid_op: '内容过长或包含无效字符',
    forbidden: '此会话不允许发送',
    too_large: '消息过大',
    limit_exceeded: '此处打开的会话过多',
    rate_limited: '发送过于频繁',
    store_unavailable: '服务繁忙',
    conflict: '服务繁忙',
  },
  refused: '被服务器拒绝',
};

export const failedStrings = (lang: Lang): FailedStrings => (lang === 'zh-CN' ? failedZhCN : failedEn);

/** Why a message failed, in words. */
export const why = (s: FailedStrings, code: string | undefined): string => s.why[code ?? ''] ?? s.refused;
