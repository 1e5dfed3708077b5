import { describe, expect, it } from 'vitest';
import { genTag, parseSummary } from '../../console/inbox';
import { parseVisitor } from './app';
import { consoleStrings } from './strings';
import { visitorLabel } from './visitor-name';

const en = consoleStrings('en');
const zh = consoleStrings('zh-CN');

describe('generated visitor names', () => {
  it('shows a generated name in the console language, from its tag', () => {
    const s = parseSummary({ key: 'k', visitorName: 'Visitor 4ce1', visitorGen: '4ce1' });
    expect(visitorLabel(s?.visitorName, s?.visitorGen, zh)).toBe('访客 4ce1');
    expect(visitorLabel(s?.visitorName, s?.visitorGen, en)).toBe('Visitor 4ce1');
  });

  it('keeps a name a host chose as it is, even one that looks generated', () => {
    for (const name of ['Visitor Bob', 'Visitor 4ce1']) {
      const s = parseSummary({ key: 'k', visitorName: name });
      expect(s?.visitorGen).toBeUndefined();
      expect(visitorLabel(s?.visitorName, s?.visitorGen, zh)).toBe(name);
    }
  });

  it('takes the presence entry flag, and ignores a malformed tag', () => {
    const v = parseVisitor({ id: 'a_x', name: 'Visitor 4ce1', role: 'visitor', c: 'c1', s: {}, gen: '4ce1' });
    expect(visitorLabel(v.name, v.gen, zh)).toBe('访客 4ce1');
    for (const bad of ['<b>', '4CE1', 'abcde', 12, null]) expect(genTag(bad)).toBeUndefined();
    const forged = parseVisitor({ id: 'a_x', name: 'Eve', role: 'visitor', c: 'c1', s: {}, gen: '<img>' });
    expect(visitorLabel(forged.name, forged.gen, zh)).toBe('Eve');
    expect(visitorLabel(undefined, undefined, zh)).toBe('访客');
  });
});
