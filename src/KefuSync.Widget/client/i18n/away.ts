// Strings of the out-of-hours note and the offline form (issue 15: business hours, offline capture), zh-CN and en.
// Kept apart from the widget's main strings so the availability UI stays one focused module.
import type { Lang } from './index';

export const awayEn = {
  closed: "We're closed right now.",
  noAgents: "Nobody's here right now.",
  backToday: (t: string): string => `Back today at ${t}.`,
  backTomorrow: (t: string): string => `Back tomorrow at ${t}.`,
  backOn: (day: string, t: string): string => `Back ${day} ${t}.`,
  backLater: 'Leave a message and we will answer when we are back.',
  askOptional: 'Leave your email and we will send the answer there.',
  askRequired: 'Leave your email first, so our answer reaches you.',
  emailLabel: 'Your email',
  emailPlaceholder: 'you@example.com',
  save: 'Save',
  skip: 'Not now',
  invalid: 'Please enter a valid email address.',
  saved: (email: string): string => `We'll email you at ${email} if you have left when we answer.`,
  change: 'Change',
};

export type AwayStrings = typeof awayEn;

export const awayZhCN: AwayStrings = {
  closed: '现在是非工作时间。',
  noAgents: '客服暂时不在。',
  backToday: (t: string): string => `今天 ${t} 回来。`,
  backTomorrow: (t: string): string => `明天 ${t} 回来。`,
  backOn: (day: string, t: string): string => `${day} ${t} 回来。`,
  backLater: '请留言，我们回来后会答复您。',
  askOptional: '留下邮箱，我们会把答复发到您的邮箱。',
  askRequired: '请先留下邮箱，以便我们的答复能送达您。',
  emailLabel: '您的邮箱',
  emailPlaceholder: 'you@example.com',
  save: '保存',
  skip: '暂不',
  invalid: '请输入有效的邮箱地址。',
  saved: (email: string): string => `如果我们答复时您已离开，会发邮件到 ${email}。`,
  change: '修改',
};

export const awayStrings = (lang: Lang): AwayStrings => (lang === 'zh-CN' ? awayZhCN : awayEn);
