// Folds the rounds into medians and spreads (min–max) per scenario, server and metric, the
// ratios Duplex ÷ bare and Duplex ÷ Socket.IO, and renders the markdown tables.
const median = (values) => {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};

/** What each scenario's table shows: [metric key, heading, decimals]. */
const COLUMNS = {
  fixed: [
    ['cpuUsPerDelivery', 'server CPU µs/delivery', 2],
    ['p50Ms', 'p50 ms', 1],
    ['p99Ms', 'p99 ms', 1],
    ['deliveriesPerS', 'deliveries/s', 0],
    ['lost', 'lost', 0],
    ['duplicated', 'duplicated', 0],
    ['outOfOrder', 'out of order', 0],
    ['unacked', 'unacked', 0],
    ['serverCpuPct', 'server CPU %', 0],
    ['generatorCpuPct', 'generator CPU %', 0],
    ['otherCpuPct', 'other CPU %', 0],
  ],
  max1: [
    ['maxDeliveriesPerS', 'max deliveries/s (p99 ≤ 50 ms, 0 lost, all acked)', 0],
    ['notSaturated', 'top rate still clean', 0],
    ['serverCpuPctAtMax', 'server CPU % at max', 0],
    ['generatorCpuPctAtMax', 'generator CPU % at max', 0],
  ],
  rooms: [
    ['cpuUsPerDelivery', 'server CPU µs/delivery', 2],
    ['p50Ms', 'p50 ms', 1],
    ['p99Ms', 'p99 ms', 1],
    ['lost', 'lost', 0],
    ['serverCpuPct', 'server CPU %', 0],
    ['generatorCpuPct', 'generator CPU %', 0],
    ['otherCpuPct', 'other CPU %', 0],
  ],
  restart: [
    ['sigtermToReadyS', 'SIGTERM → ready s', 2],
    ['sigtermToAllJoinedS', 'SIGTERM → all joined again s', 2],
    ['rejoinP50Ms', 'rejoin p50 ms', 0],
    ['rejoinP99Ms', 'rejoin p99 ms', 0],
    ['rejoinFailed', 'rejoin failed', 0],
    ['sameUserAfter', 'same user after', 0],
    ['ackedBeforeRestart', 'acked before', 0],
    ['membersMissingAcked', 'members missing an acked message', 0],
  ],
  start: [
    ['readyS', 'spawn → /ready s', 2],
    ['rssAtReadyMiB', 'RSS at ready MiB', 0],
    ['rssSettledMiB', 'RSS after GC MiB', 0],
  ],
};
COLUMNS.max4 = COLUMNS.max1;

/** Columns of scenarios whose metric names depend on the options (idle, join). */
function columnsFor(scenario, opts) {
  if (COLUMNS[scenario]) return COLUMNS[scenario];
  if (scenario === 'idle') {
    const [small, large] = opts.idleCounts;
    return [
      ['rssEmptyMiB', 'RSS, no connection MiB', 0],
      [`kibPerMember${small}`, `KiB per idle member at ${small}`, 1],
      [`kibPerMember${large}`, `KiB per idle member at ${large}`, 1],
    ];
  }
  if (scenario === 'join') {
    return opts.joinCounts.flatMap((n) => [
      [`totalS${n}`, `${n} joins total s`, 2],
      [`p50Ms${n}`, `p50 ms (${n})`, 0],
      [`p99Ms${n}`, `p99 ms (${n})`, 0],
    ]);
  }
  return [];
}

/** rounds: [{scenario, server, round, metrics}] → {scenario: {server: {key: {median, min, max, values}}}} */
export function summarize(rounds) {
  const summary = {};
  for (const { scenario, server, metrics } of rounds) {
    if (!metrics) continue;
    const byServer = (summary[scenario] ??= {});
    const slot = (byServer[server] ??= {});
    for (const [key, value] of Object.entries(metrics)) {
      if (typeof value !== 'number') continue;
      (slot[key] ??= { values: [] }).values.push(value);
    }
  }
  for (const byServer of Object.values(summary)) {
    for (const slot of Object.values(byServer)) {
      for (const stat of Object.values(slot)) {
        const finite = stat.values.filter(Number.isFinite);
        stat.median = median(finite);
        stat.min = finite.length ? Math.min(...finite) : NaN;
        stat.max = finite.length ? Math.max(...finite) : NaN;
      }
    }
  }
  for (const byServer of Object.values(summary)) {
    const duplex = byServer.duplex;
    if (!duplex) continue;
    byServer.ratios = {};
    for (const [key, stat] of Object.entries(duplex)) {
      byServer.ratios[key] = {
        overBare: stat.median / byServer.bare?.[key]?.median,
        overSocketIo: stat.median / byServer.socketio?.[key]?.median,
      };
    }
  }
  return summary;
}

const fmt = (value, digits) => (Number.isFinite(value) ? value.toFixed(digits) : '–');

const ratioCell = (ratio) => (Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : '–');

function cell(stat, digits, rounds) {
  if (!stat) return '–';
  if (rounds <= 1 || stat.values.length <= 1) return fmt(stat.median, digits);
  return `${fmt(stat.median, digits)} (${fmt(stat.min, digits)}–${fmt(stat.max, digits)})`;
}

export function markdown(summary, opts, servers, labels) {
  const lines = [];
  for (const scenario of opts.scenarios) {
    const byServer = summary[scenario];
    if (!byServer) continue;
    const columns = columnsFor(scenario, opts);
    lines.push(`### ${scenario}`, '');
    lines.push(`| server | ${columns.map(([, heading]) => heading).join(' | ')} |`);
    lines.push(`| --- | ${columns.map(() => '---:').join(' | ')} |`);
    for (const server of servers) {
      if (!byServer[server]) continue;
      const cells = columns.map(([key, , digits]) =>
        cell(byServer[server][key], digits, opts.repeat),
      );
      lines.push(`| ${labels[server]} | ${cells.join(' | ')} |`);
    }
    const ratios = byServer.ratios;
    if (ratios && (byServer.bare || byServer.socketio)) {
      for (const [against, field] of [
        ['bare', 'overBare'],
        ['socketio', 'overSocketIo'],
      ]) {
        if (!byServer[against]) continue;
        const cells = columns.map(([key]) => ratioCell(ratios[key]?.[field]));
        lines.push(`| Duplex ÷ ${labels[against]} | ${cells.join(' | ')} |`);
      }
    }
    lines.push('');
  }
  return lines.join('\n');
}

export function profileMarkdown(profile) {
  const lines = [
    `Profile of the Duplex api (${profile.file}): ${fmt(profile.busyMs, 0)} ms busy of ${fmt(profile.totalMs, 0)} ms sampled`,
    '',
    '| self ms | % of busy | module / file |',
    '| ---: | ---: | --- |',
  ];
  for (const c of profile.categories.filter((c) => c.key !== '(idle)').slice(0, 15)) {
    lines.push(`| ${fmt(c.ms, 0)} | ${fmt(c.pctBusy, 1)} | ${c.key} |`);
  }
  lines.push('', '| self ms | % of busy | function |', '| ---: | ---: | --- |');
  for (const f of profile.functions.filter((f) => !f.key.startsWith('(idle)')).slice(0, 25)) {
    lines.push(`| ${fmt(f.ms, 0)} | ${fmt(f.pctBusy, 1)} | \`${f.key}\` |`);
  }
  return lines.join('\n');
}
