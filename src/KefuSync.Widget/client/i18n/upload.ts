// Strings of sending files (issue 14), zh-CN and en. Only the lazily loaded kefu-upload.js uses them, so the widget's
// main bundle does not carry them (it has the attach button's label only).
import type { Lang } from './index';

export const uploadEn = {
  drop: 'Drop files to send them',
  remove: (name: string): string => `Remove ${name}`,
  retry: 'Retry',
  discard: 'Discard',
  upTo: (limit: string): string => `up to ${limit}`,
  why: {
    too_large: 'File too large',
    quota_exceeded: 'This chat holds too many files',
    type_not_allowed: "This type of file can't be sent",
    image_too_large: 'Image too large',
    invalid_image: "The image can't be read",
    rate_limited: 'Too many files at once',
    store_unavailable: 'The service is busy',
    forbidden: 'Files are not allowed here',
  } as Record<string, string | undefined>,
  refused: 'Refused by the server',
  megapixels: (n: number): string => `${n} megapixels`,
  units: ['B', 'KB', 'MB', 'GB'],
};

export type UploadStrings = typeof uploadEn;

export const uploadZhCN: UploadStrings = {
  drop: '松开即可发送文件',
  remove: (name: string): string => `移除 ${name}`,
  retry: '重试',
  discard: '删除',
  upTo: (limit: string): string => `最大 ${limit}`,
  why: {
    too_large: '文件过大',
    quota_exceeded: '此会话的文件已达上限',
    type_not_allowed: '不支持发送此类文件',
    image_too_large: '图片尺寸过大',
    invalid_image: '无法读取此图片',
    rate_limited: '发送文件过于频繁',
    store_unavailable: '服务繁忙',
    forbidden: '此处不允许发送文件',
  },
  refused: '被服务器拒绝',
  megapixels: (n: number): string => `${n} 百万像素`,
  units: ['B', 'KB', 'MB', 'GB'],
};

export const uploadStrings = (lang: Lang): UploadStrings => (lang === 'zh-CN' ? uploadZhCN : uploadEn);
