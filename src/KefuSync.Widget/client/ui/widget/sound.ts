// A short two-tone beep with Web Audio (no asset). Browsers only let audio start after a user gesture on the page,
// so the context is created on the first pointer/key event and reused.
let ctx: AudioContext | null = null;

export function unlockAudio(): void {
  const unlock = (): void => {
    try {
      // Safari before 14.1 has only the prefixed constructor
      const w = window as { AudioContext?: typeof AudioContext; webkitAudioContext?: typeof AudioContext };
      const AC = w.AudioContext ?? w.webkitAudioContext;
      if (!ctx && AC) ctx = new AC();
      void ctx?.resume();
    } catch {
      // no audio
    }
  };
  addEventListener('pointerdown', unlock, { once: true, capture: true });
  addEventListener('keydown', unlock, { once: true, capture: true });
}

export function beep(): void {
  const ac = ctx;
  if (!ac || ac.state !== 'running') return;
  const t = ac.currentTime;
  const g = ac.createGain();
  g.connect(ac.destination);
  g.gain.setValueAtTime(0.0001, t);
  g.gain.exponentialRampToValueAtTime(0.15, t + 0.02);
  g.gain.exponentialRampToValueAtTime(0.0001, t + 0.3);
  [880, 1175].forEach((f, i) => {
    const o = ac.createOscillator();
    o.frequency.value = f;
    o.connect(g);
    o.start(t + i * 0.12);
    o.stop(t + 0.12 + i * 0.12);
  });
}
