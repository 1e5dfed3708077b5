import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
const r = await build({ entryPoints: ['client/widget/index.ts'], bundle: true, minify: true, format: 'iife', target: ['es2020'], legalComments: 'none', write: false });
console.log(gzipSync(r.outputFiles[0].contents, { level: 9 }).length);
