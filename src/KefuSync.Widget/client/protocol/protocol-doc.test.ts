// docs/protocol.md is the contract independent clients are written against. The client's tables of error codes (§6)
// and close codes (§6.1) must equal the spec's, entry for entry and in the same order, and no other client file may
// spell an error code itself: a code renamed in the spec then fails here instead of silently never matching.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CloseCode } from './close-codes';
import { ErrorCode } from './error-codes';

const spec = readFileSync(fileURLToPath(new URL('../../../../docs/protocol.md', import.meta.url)), 'utf8');

/** The rows (cells trimmed, backticks removed) of the first table after the heading line that starts with `heading`. */
function firstTableAfter(heading: string): string[][] {
  const lines = spec.split('\n');
  const start = lines.findIndex((l) => l.startsWith(heading));
  if (start < 0) throw new Error(`docs/protocol.md has no heading "${heading}"`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('#')) break; // the next section: the table must be in this one
    if (!line.startsWith('|')) {
      if (rows.length > 0) break; // the table ended
      continue;
    }
    rows.push(line.split('|').slice(1, -1).map((c) => c.trim().replace(/`/g, '')));
  }
  // rows[0] is the header, rows[1] the |---| separator
  if (rows.length < 3 || !rows[1]?.every((c) => /^:?-+:?$/.test(c))) throw new Error(`no table under "${heading}"`);
  return rows.slice(2);
}

describe('protocol tables equal docs/protocol.md', () => {
  it('error codes: §6', () => {
    const documented = firstTableAfter('## 6. Errors').map((r) => r[0]);
    expect(documented.length).toBeGreaterThan(10); // the parse found the real table
    expect(Object.values(ErrorCode)).toEqual(documented);
  });

  it('close codes: §6.1', () => {
    const documented = firstTableAfter('### 6.1 Close codes').map((r) => Number(r[0]));
    expect(documented.length).toBeGreaterThan(5);
    // a numeric enum maps names to numbers and numbers back to names: the numbers are the codes
    expect(Object.values(CloseCode).filter((v) => typeof v === 'number')).toEqual(documented);
  });

  it('no client file outside protocol/ spells an error code inline', () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const codes = new Set<string>(Object.values(ErrorCode));
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) {
          // ot/ has its own codes (OtErrorCode, pinned by tests/vectors/ot.json): its 'too_large' is an op's length
          if (p !== join(root, 'ot')) walk(p);
          continue;
        }
        if (!e.name.endsWith('.ts') || e.name.endsWith('.test.ts') || p === join(root, 'protocol', 'error-codes.ts')) continue;
        for (const m of readFileSync(p, 'utf8').matchAll(/(['"])([a-z_]+)\1/g)) {
          if (m[2] !== undefined && codes.has(m[2])) offenders.push(`${p}: ${m[0]}`);
        }
      }
    };
    walk(root);
    expect(offenders).toEqual([]);
  });
});
