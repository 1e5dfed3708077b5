// A short two-tone beep with Web Audio (no asset). Browsers only let audio start after a user gesture on the page,
// so the context is created on the first pointer/key event and reused.
import { loadModule } from './lazy-module';

let ctx: AudioContext | null = null;

export function unlockAudio(): void {
  const unlock = (): void => {
    try {
      // unprefixed in every browser the build targets (Safari 14.1+)
      ctx ??= new AudioContext();
      void ctx.resume();
    } catch {
      // no audio
    }
  };
  addEventListener('pointerdown', unlock, { once: true, capture: true });
  addEventListener('keydown', unlock, { once: true, capture: true });
}

/** The event kefu-sound.js fires with its chime once it ran. */
export const SOUND_MODULE_EVENT = 'kefu-sound.js';
let chime: Promise<(ac: AudioContext) => void> | undefined;

/**
 * Beeps if audio was unlocked: with `play` (the console bundles the chime), or the widget's first beep loads it
 * (kefu-sound.js) with the widget's nonce.
 */
// Both keys required (not `src?`): a weak type let the widget's config (whose URL is `script`) through once.
export function beep(script: { src: string | undefined; nonce: string | undefined }, play?: (ac: AudioContext) => void): void {
  const ac = ctx;
  if (!ac || ac.state !== 'running') return;
  if (play) {
    play(ac);
    return;
  }
  (chime ??= loadModule<(ac: AudioContext) => void>(SOUND_MODULE_EVENT, script)).then(
    (play) => play(ac),
    () => (chime = undefined), // offline or blocked: no sound this time, try again next time
  );
}
