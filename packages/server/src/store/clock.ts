let last = 0;

/**
 * Epoch milliseconds that never repeat or go back within this process. Rows are listed
 * by creation time, so two rows written in the same millisecond must still get distinct,
 * ordered timestamps; under a burst this runs at most a few milliseconds ahead of the wall clock.
 */
export function monotonicNow(): number {
  const now = Date.now();
  last = now > last ? now : last + 1;
  return last;
}
