// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { sitePresence } from './widget';

describe('site presence (page trail)', () => {
  beforeEach(() => sessionStorage.clear());

  it('keeps the last pages of the visit, newest first, the visit referrer and the start time', () => {
    history.replaceState(null, '', '/shop/home');
    document.title = 'Home';
    const first = sitePresence('/kefu');
    expect(first.trail).toEqual([]);
    expect(first.page.url).toMatch(/\/shop\/home$/);

    history.replaceState(null, '', '/shop/shoes');
    document.title = 'Shoes';
    const second = sitePresence('/kefu');
    expect(second.page.title).toBe('Shoes');
    expect(second.trail.map((p) => p.title)).toEqual(['Home']);
    expect(second.since).toBe(first.since);

    for (let i = 0; i < 8; i++) {
      history.replaceState(null, '', `/shop/p${i}`);
      document.title = `P${i}`;
      sitePresence('/kefu');
    }
    const last = sitePresence('/kefu');
    expect(last.trail.map((p) => p.title)).toEqual(['P6', 'P5', 'P4', 'P3', 'P2']);
  });

  it('stays within the 1 KiB presence limit with long URLs and titles', () => {
    for (let i = 0; i < 7; i++) {
      history.replaceState(null, '', `/shop/${'x'.repeat(300)}${i}`);
      document.title = `${'T'.repeat(300)}${i}`;
      sitePresence('/kefu');
    }
    expect(JSON.stringify(sitePresence('/kefu')).length).toBeLessThanOrEqual(1024);
  });
});
