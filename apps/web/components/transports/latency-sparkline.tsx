const WIDTH = 160;
const HEIGHT = 36;

/** The latencies of the most recent events as a line (oldest left), scaled to their range. */
export function LatencySparkline({ values }: { values: readonly number[] }) {
  if (values.length < 2) {
    return (
      <p className="hint">
        The chart starts once two events have been timed (the first, already due at the start, is
        not).
      </p>
    );
  }
  const low = Math.min(0, ...values);
  const high = Math.max(...values, low + 1);
  const step = WIDTH / (values.length - 1);
  const points = values
    .map((value, i) => {
      const x = i * step;
      const y = HEIGHT - 2 - ((value - low) / (high - low)) * (HEIGHT - 4);
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
  const label = `Latency of the last ${values.length} events, from ${Math.round(Math.min(...values))} to ${Math.round(Math.max(...values))} ms`;
  return (
    <svg
      className="transport-sparkline"
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={label}
      data-testid="transport-sparkline"
      data-points={values.length}
    >
      <polyline
        points={points}
        fill="none"
        stroke="currentColor"
        strokeWidth="1.5"
        vectorEffect="non-scaling-stroke"
      />
    </svg>
  );
}
