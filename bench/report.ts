/** Shared figures for the benchmarks: medians and aligned output. */

/** The median of some timings. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Milliseconds, rounded. */
export function fmtMs(ms: number): string {
  return `${ms.toFixed(0)} ms`;
}

/** Every sample, for judging the spread. */
export function samples(values: readonly number[]): string {
  return `[${values.map((v) => v.toFixed(0)).join(', ')}]`;
}

/** Label, right-aligned value, note. */
export function printTable(rows: ReadonlyArray<readonly [string, string, string]>): void {
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  for (const [label, value, note] of rows) {
    process.stdout.write(`  ${label.padEnd(w0)}  ${value.padStart(w1)}  ${note}`.trimEnd() + '\n');
  }
}
