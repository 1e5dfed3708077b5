// Bundles the front end into dist/, which KefuSync.Widget.csproj embeds in the assembly.
// Run by the MSBuild target KefuBuildClient; `npm run build` does the same by hand.
import { build } from 'esbuild';
import { existsSync, mkdirSync } from 'node:fs';

mkdirSync('dist', { recursive: true });

const entries = [
  ['client/widget/index.ts', 'dist/kefu-widget.js'],
  ['client/console/index.ts', 'dist/kefu-console.js'],
].filter(([src]) => existsSync(src));

await Promise.all(entries.map(([src, out]) => build({
  entryPoints: [src],
  outfile: out,
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020'],
  legalComments: 'none',
  loader: { '.css': 'text' },
  logLevel: 'warning',
})));
