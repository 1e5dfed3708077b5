// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { fitBox, humanSize } from './file-chip';
import { parseLink } from './file-links';

describe('file chips', () => {
  it('formats sizes for people', () => {
    const u = ['B', 'KB', 'MB', 'GB'];
    expect(humanSize(0, u)).toBe('0 B');
    expect(humanSize(1023, u)).toBe('1023 B');
    expect(humanSize(1536, u)).toBe('1.5 KB');
    expect(humanSize(48213, u)).toBe('47 KB');
    expect(humanSize(20 * 1024 * 1024, u)).toBe('20 MB');
    expect(humanSize(Number.MAX_SAFE_INTEGER, u)).toMatch(/ GB$/);
  });

  it('fits an image in the thumbnail box, keeping its ratio', () => {
    expect(fitBox(1280, 720)).toEqual([200, 113]);
    expect(fitBox(50, 40)).toEqual([50, 40]);
    expect(fitBox(1, 1e6)).toEqual([1, 200]);
    expect(fitBox(undefined, 10)).toBeUndefined();
  });

  it('keeps only http(s) links from the server, made absolute', () => {
    expect(parseLink({ url: '/kefu/files/c/a?t=x', thumb: '/kefu/files/c/a/thumb?t=y', exp: 5 }, '/kefu')).toEqual({
      url: new URL('/kefu/files/c/a?t=x', location.href).href, thumb: new URL('/kefu/files/c/a/thumb?t=y', location.href).href, exp: 5,
    });
    expect(parseLink({ url: 'javascript:alert(1)', exp: 5 }, '/kefu')).toBeUndefined();
    expect(parseLink({ url: '/ok', thumb: 'data:text/html,<script>', exp: 5 }, '/kefu')).toBeUndefined();
    expect(parseLink({ url: '/ok', exp: '5' }, '/kefu')).toBeUndefined();
    expect(parseLink({ url: 42, exp: 5 }, '/kefu')).toBeUndefined();
    expect(parseLink(null, '/kefu')).toBeUndefined();
  });
});
