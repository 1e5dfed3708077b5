// Strings of the console's Hours panel (business hours edited in the console), en and zh-CN.
import type { Lang } from '../../i18n';

export interface HoursStrings {
  tab: string;
  title: string;
  fromConfig: string;
  editedBy: (name: string) => string;
  readOnly: string;
  enabled: string;
  zone: string;
  weekly: string;
  closedPlaceholder: string;
  rangesHint: string;
  exceptions: string;
  exceptionDate: string;
  exceptionHours: string;
  exceptionName: string;
  addException: string;
  removeException: string;
  outside: string;
  outsideForm: string;
  outsideHide: string;
  outsideChat: string;
  save: string;
  reset: string;
  saving: string;
  saved: string;
  offline: string;
  refused: (why: string) => string;
}

const EN: HoursStrings = {
  tab: 'Hours',
  title: 'Business hours',
  fromConfig: "The site's configured hours apply.",
  editedBy: (n) => `Edited in the console by ${n}. This replaces the configured hours on every server.`,
  readOnly: 'Editing the hours in the console is turned off for this site.',
  enabled: 'Use business hours (outside them, visitors see when you are back)',
  zone: 'Time zone',
  weekly: 'Weekly hours',
  closedPlaceholder: 'Closed',
  rangesHint: 'Ranges like 09:00-12:00,13:00-18:00; empty means closed.',
  exceptions: 'Dates (holidays, special days)',
  exceptionDate: 'Date',
  exceptionHours: 'Hours (empty: closed)',
  exceptionName: 'Name',
  addException: 'Add a date',
  removeException: 'Remove',
  outside: 'Outside business hours',
  outsideForm: 'Show when you are back and the offline form',
  outsideHide: 'Hide the chat button (unless the visitor already chatted)',
  outsideChat: 'Keep chat open, with a note when you are back',
  save: 'Save',
  reset: 'Back to the configured hours',
  saving: 'Saving…',
  saved: 'Saved. Visitors see the new hours now.',
  offline: 'Not saved: the console is not connected.',
  refused: (why) => `Not saved: ${why}`,
};

const ZH: HoursStrings = {
  tab: '营业时间',
  title: '营业时间',
  fromConfig: '当前使用网站配置的营业时间。',
  editedBy: (n) => `由 ${n} 在控制台修改，已替换所有服务器上的配置时间。`,
  readOnly: '本网站已关闭在控制台修改营业时间。',
  enabled: '启用营业时间（非营业时间访客会看到恢复服务的时间）',
  zone: '时区',
  weekly: '每周时间',
  closedPlaceholder: '休息',
  rangesHint: '格式如 09:00-12:00,13:00-18:00；留空表示休息。',
  exceptions: '特殊日期（节假日等）',
  exceptionDate: '日期',
  exceptionHours: '时间（留空：休息）',
  exceptionName: '名称',
  addException: '添加日期',
  removeException: '删除',
  outside: '非营业时间',
  outsideForm: '显示恢复服务时间和留言表单',
  outsideHide: '隐藏聊天按钮（已聊过的访客除外）',
  outsideChat: '保持聊天，并提示恢复服务时间',
  save: '保存',
  reset: '恢复为配置的营业时间',
  saving: '正在保存…',
  saved: '已保存，访客立即看到新的营业时间。',
  offline: '未保存：控制台未连接。',
  refused: (why) => `未保存：${why}`,
};

export const hoursStrings = (lang: Lang): HoursStrings => (lang === 'zh-CN' ? ZH : EN);
