import { describe, expect, it } from 'vitest';
import { awayEn, awayZhCN } from '../../i18n/away';
import { backAtText } from './back-at';

// Friday 2026-03-06 20:00 in Shanghai = 12:00Z; back Monday 09:00 Shanghai = 2026-03-09T01:00Z.
const now = Date.parse('2026-03-06T12:00:00Z');
const back = Date.parse('2026-03-09T01:00:00Z');

describe('backAtText', () => {
  it('says the weekday and time in the visitor zone', () => {
    expect(backAtText(back, now, 'en', awayEn, 'Asia/Shanghai')).toBe('Back Monday 09:00.');
    // the same instant seen from Berlin (UTC+1 in March): Monday 02:00
    expect(backAtText(back, now, 'en', awayEn, 'Europe/Berlin')).toBe('Back Monday 02:00.');
    // and from New York, which sprang forward on 8 March (UTC-4): Sunday 21:00
    expect(backAtText(back, now, 'en', awayEn, 'America/New_York')).toBe('Back Sunday 21:00.');
  });

  it('speaks Chinese', () => {
    expect(backAtText(back, now, 'zh-CN', awayZhCN, 'Asia/Shanghai')).toBe('星期一 09:00 回来。');
  });

  it('says today and tomorrow by the calendar of the zone, not by 24 hours', () => {
    const lunch = Date.parse('2026-03-04T04:30:00Z'); // 12:30 Shanghai
    expect(backAtText(Date.parse('2026-03-04T05:00:00Z'), lunch, 'en', awayEn, 'Asia/Shanghai')).toBe('Back today at 13:00.');
    const late = Date.parse('2026-03-04T15:30:00Z'); // 23:30 Shanghai
    expect(backAtText(Date.parse('2026-03-05T01:00:00Z'), late, 'en', awayEn, 'Asia/Shanghai')).toBe('Back tomorrow at 09:00.');
    expect(backAtText(Date.parse('2026-03-05T01:00:00Z'), late, 'zh-CN', awayZhCN, 'Asia/Shanghai')).toBe('明天 09:00 回来。');
  });

  it('counts days across a DST change', () => {
    // New York springs forward on Sunday 2026-03-08. Saturday 12:00 EST = 17:00Z; Monday 09:00 EDT = 13:00Z.
    expect(backAtText(Date.parse('2026-03-09T13:00:00Z'), Date.parse('2026-03-07T17:00:00Z'), 'en', awayEn, 'America/New_York')).toBe('Back Monday 09:00.');
  });

  it('names the date beyond a week', () => {
    const text = backAtText(Date.parse('2026-03-20T01:00:00Z'), now, 'en', awayEn, 'Asia/Shanghai');
    expect(text).toBe('Back Fri, Mar 20 09:00.');
  });
});
