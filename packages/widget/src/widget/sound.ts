let context: AudioContext | undefined;

/**
 * A soft two-note chime made with the Web Audio API (no audio file). Silent, never throwing, where
 * there is no Web Audio or the browser blocks it (no user gesture on the page yet).
 */
export function chime(): void {
  try {
    const c = (context = context || new AudioContext()); // throws where there is none: caught below
    c.resume().catch(() => {});
    const t = c.currentTime;
    const tone = c.createOscillator();
    const gain = c.createGain();
    tone.frequency.setValueAtTime(660, t);
    tone.frequency.setValueAtTime(880, t + 0.1);
    gain.gain.setValueAtTime(0.15, t);
    gain.gain.exponentialRampToValueAtTime(0.001, t + 0.4);
    tone.connect(gain).connect(c.destination);
    tone.start(t);
    tone.stop(t + 0.4);
  } catch {
    // audio blocked or unavailable: the message still shows
  }
}
