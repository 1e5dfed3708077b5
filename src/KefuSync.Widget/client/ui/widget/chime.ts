// The two-tone beep itself (Web Audio, no asset), in kefu-sound.js: loaded on the first beep (sound.ts), so the
// bundle every visitor loads carries only the unlock.
export function chime(ac: AudioContext): void {
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
