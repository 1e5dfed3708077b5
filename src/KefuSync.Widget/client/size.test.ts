// Keeps the visitor bundle small (like SignalR's OutputSize.test.ts): it is loaded on every page of the host site.
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const LIMIT = 20 * 1024;

describe('bundle size', () => {
  it('kefu-widget.js is at most 20 KB gzipped', async () => {
    const r = await build({
      entryPoints: ['client/widget/index.ts'],
      bundle: true,
      minify: true,
      format: 'iife',
      target: ['es2020'],
      legalComments: 'none',
      write: false,
    });
    const gz = gzipSync(r.outputFiles[0].contents, { level: 9 }).length;
    console.log(`kefu-widget.js: ${r.outputFiles[0].contents.length} B minified, ${gz} B gzipped (limit ${LIMIT})`);
    expect(gz).toBeGreaterThan(1000); // the build really produced the widget
    expect(gz).toBeLessThanOrEqual(LIMIT);
  });
});
