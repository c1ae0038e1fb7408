/** Statistics and markdown for the call set-up benchmark. */

export interface SeriesSummary {
  n: number;
  failed: number;
  median: number;
  min: number;
  worst: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function summarize(values: readonly number[], failed = 0): SeriesSummary {
  return {
    n: values.length,
    failed,
    median: median(values),
    min: values.length ? Math.min(...values) : Number.NaN,
    worst: values.length ? Math.max(...values) : Number.NaN,
  };
}

export function ms(value: number, digits = 0): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '–';
}

export function ratio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : '–';
}

export function table(
  header: readonly string[],
  align: readonly ('l' | 'r')[],
  rows: readonly (readonly string[])[],
): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [
    line(header),
    line(align.map((a) => (a === 'r' ? '---:' : '---'))),
    ...rows.map(line),
  ].join('\n');
}
