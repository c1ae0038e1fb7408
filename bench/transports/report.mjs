// The run's markdown table and its one-line summaries.

export const TRANSPORT_LABELS = {
  poll: 'short poll',
  long_poll: 'long poll',
  sse: 'SSE',
  websocket: 'WebSocket',
};

function fmt(value, digits = 0) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

const COLUMNS = [
  ['transport', 'l', (s) => TRANSPORT_LABELS[s.transport]],
  ['events/s', 'r', (s) => fmt(s.rate)],
  ['delivered', 'r', (s) => fmt(s.delivered)],
  ['missing', 'r', (s) => fmt(s.missing + s.duplicates)],
  ['api CPU %', 'r', (s) => fmt(s.server.apiCpuPct)],
  ['CPU µs/event', 'r', (s) => fmt(s.server.cpuMicrosPerEvent, 1)],
  ['bytes/event', 'r', (s) => fmt(s.server.bytesPerEvent)],
  ['requests/s', 'r', (s) => fmt(s.server.requestsPerSecond)],
  ['empty/event', 'r', (s) => fmt(s.server.emptyResponsesPerEvent, 2)],
  ['p50 ms', 'r', (s) => fmt(s.latencyMs.p50)],
  ['p99 ms', 'r', (s) => fmt(s.latencyMs.p99)],
  ['generator CPU %', 'r', (s) => fmt(s.server.generatorCpuPct)],
  ['other CPU %', 'r', (s) => fmt(s.server.otherCpuPct)],
];

export function markdownTable(steps) {
  const rows = steps.map((step) => COLUMNS.map(([, , cell]) => cell(step)));
  const widths = COLUMNS.map(([title], i) =>
    Math.max(title.length, ...rows.map((row) => row[i].length)),
  );
  const line = (cells) =>
    `| ${cells.map((cell, i) => (COLUMNS[i][1] === 'l' ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (COLUMNS[i][1] === 'l' ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`;
  return [line(COLUMNS.map(([title]) => title)), rule, ...rows.map(line)].join('\n');
}

export function machineLine(run) {
  const { machine, loadavgStart, loadavgEnd, pinning, idle, options } = run.meta;
  return [
    `${machine.cpuCount} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}, commit ${machine.gitHead}.`,
    `Load average before ${loadavgStart.join(' ')}, after ${loadavgEnd.join(' ')}.`,
    pinning
      ? `api pinned to core ${pinning.api}, generator (${options.workers} worker threads) to core ${pinning.generator}.`
      : 'Not pinned.',
    `Idle api: ${fmt(idle.apiCpuPct, 1)} % of a core (everything else meanwhile: ${fmt(idle.otherCpuPct)} %).`,
    `${options.clients} clients per step, ${options.duration} s measured after ${options.warmup} s warm-up; ` +
      `short-poll interval ${options.pollInterval} ms, long-poll wait ${options.longPollWait} ms, payload ${options.size} B.`,
  ].join(' ');
}
