/** Compliance percentages for the scan and check summaries. */

/** `part` of `whole` as a percentage with one decimal, rounded down (never shows 100 early); nothing at all is fully compliant. */
export function percent(part: number, whole: number): number {
  if (whole === 0) return 100;
  return Math.floor((part / whole) * 1000) / 10;
}
