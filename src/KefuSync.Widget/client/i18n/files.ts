// Strings of file messages (protocol §9), zh-CN and en. Only the lazily loaded kefu-files.js and the console use
// them, so the widget's main bundle does not carry them.
import type { Lang } from './index';

export const filesEn = {
  download: 'Download',
  open: (name: string): string => `Open ${name}`,
  unavailable: 'File unavailable',
  units: ['B', 'KB', 'MB', 'GB'],
};

export type FilesStrings = typeof filesEn;

export const filesZhCN: FilesStrings = {
  download: '下载',
  open: (name: string): string => `打开 ${name}`,
  unavailable: '文件不可用',
  units: ['B', 'KB', 'MB', 'GB'],
};

export const filesStrings = (lang: Lang): FilesStrings => (lang === 'zh-CN' ? filesZhCN : filesEn);
