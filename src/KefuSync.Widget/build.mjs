// Bundles the front end into dist/, which KefuSync.Widget.csproj embeds in the assembly.
// Run by the MSBuild target KefuBuildClient; `npm run build` does the same by hand.
import { build } from 'esbuild';
import { existsSync, mkdirSync } from 'node:fs';
import { mangleProps } from './private-names.mjs';

mkdirSync('dist', { recursive: true });

const entries = [
  ['client/widget/index.ts', 'dist/kefu-widget.js'],
  // The offline form, loaded by the widget only when no agent is available (ui/widget/away-slot.ts).
  ['client/widget/away.ts', 'dist/kefu-away.js'],
  // The zh-CN strings, loaded by the widget's entry on a zh-CN page (i18n/index.ts); English is in the main bundle.
  ['client/widget/zh.ts', 'dist/kefu-zh.js'],
  // Sizes, thumbnails and links of file messages, loaded by the widget once a file is shown (ui/widget/files-slot.ts).
  ['client/widget/files.ts', 'dist/kefu-files.js'],
  // Sending files (tray, checks, upload and progress), loaded once a visitor attaches one or the outbox holds one (ui/widget/upload-slot.ts).
  ['client/widget/upload.ts', 'dist/kefu-upload.js'],
  // The event-stream and long-poll links, loaded by the widget only when WebSocket fails (transport/connection.ts).
  ['client/widget/fallback.ts', 'dist/kefu-fallback.js'],
  // Why a message failed and its Retry/Edit/Discard, loaded by the widget once a message fails (ui/widget/failed-slot.ts).
  ['client/widget/failed.ts', 'dist/kefu-failed.js'],
  // The closed conversation's card (rating, comment), loaded by the widget once a closed conversation is shown (ui/widget/closed-slot.ts).
  ['client/widget/closed.ts', 'dist/kefu-closed.js'],
  // The handover line and the "Talk to a person" button, loaded once a conversation shows a bot (ui/widget/bot-slot.ts).
  ['client/widget/bot.ts', 'dist/kefu-bot.js'],
  // The new-message beep, loaded by the widget on its first beep (ui/widget/sound.ts).
  ['client/widget/sound.ts', 'dist/kefu-sound.js'],
  // Links in messages (http, https, www.), loaded once a message looks like it holds one (ui/widget/links-slot.ts).
  ['client/widget/links.ts', 'dist/kefu-links.js'],
  // A proactive message's card on a phone, loaded with the first one (ui/widget/peek-slot.ts).
  ['client/widget/peek.ts', 'dist/kefu-peek.js'],
  ['client/console/index.ts', 'dist/kefu-console.js'],
  // Styles are files, loaded with <link> inside the shadow root: a strict CSP needs no 'unsafe-inline'.
  ['client/ui/widget/widget.css', 'dist/kefu-widget.css'],
  ['client/ui/console/console.css', 'dist/kefu-console.css'],
].filter(([src]) => existsSync(src));

// Private member names are shortened (private-names.mjs). One mangle cache runs through every script, built one after
// the other, so a name is shortened the same way in the widget and in each chunk it loads.
const mangle = mangleProps();
let mangleCache = {};
for (const [src, out] of entries) {
  const css = src.endsWith('.css');
  const r = await build({
    entryPoints: [src],
    outfile: out,
    bundle: true,
    minify: true,
    format: css ? undefined : 'iife',
    target: ['chrome100', 'firefox100', 'safari15'],
    legalComments: 'none',
    loader: { '.css': css ? 'css' : 'text' },
    logLevel: 'warning',
    ...(css || !mangle ? {} : { mangleProps: mangle, mangleCache }),
  });
  if (r.mangleCache) mangleCache = r.mangleCache;
}
