// The run's plot, hand-written SVG: server CPU per delivered event and p99 latency against the
// event rate, one line per transport, both axes logarithmic (the transports differ by orders of
// magnitude).
import { TRANSPORT_LABELS } from './report.mjs';

// Okabe–Ito colours (distinguishable with the common colour-vision deficiencies), plus a marker
// and a dash pattern each, so the lines can be told apart without colour too.
const STYLE = {
  poll: { color: '#E69F00', marker: 'circle', dash: '6 3' },
  long_poll: { color: '#D55E00', marker: 'square', dash: '2 3' },
  sse: { color: '#009E73', marker: 'triangle', dash: '10 3 2 3' },
  websocket: { color: '#0072B2', marker: 'diamond', dash: '' },
};

const WIDTH = 960;
const HEIGHT = 440;
const PANEL = { width: 400, height: 280, top: 80 };
const PANEL_LEFTS = [70, 550];

const escape = (text) =>
  String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const round = (n) => Math.round(n * 10) / 10;

/** Decades around [min, max] and the 1-2-5 ticks inside them. */
function logAxis(values) {
  const positive = values.filter((v) => v > 0);
  if (positive.length === 0) return { domain: [1, 10], ticks: [1, 2, 5, 10] };
  const lo = Math.floor(Math.log10(Math.min(...positive)));
  const hi = Math.ceil(Math.log10(Math.max(...positive)));
  const domain = [10 ** lo, 10 ** Math.max(hi, lo + 1)];
  const ticks = [];
  for (let e = lo; e <= Math.max(hi, lo + 1); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= domain[0] && v <= domain[1]) ticks.push(v);
    }
  }
  return { domain, ticks };
}

function tickLabel(v) {
  if (v >= 1000) return `${v / 1000}k`;
  return v >= 1 ? String(v) : String(Number(v.toPrecision(1)));
}

function marker(kind, x, y, color) {
  const r = 4.5;
  switch (kind) {
    case 'square':
      return `<rect x="${round(x - r)}" y="${round(y - r)}" width="${2 * r}" height="${2 * r}" fill="${color}"/>`;
    case 'triangle':
      return `<path d="M${round(x)} ${round(y - r - 1)}L${round(x + r + 1)} ${round(y + r)}L${round(x - r - 1)} ${round(y + r)}Z" fill="${color}"/>`;
    case 'diamond':
      return `<path d="M${round(x)} ${round(y - r - 1)}L${round(x + r + 1)} ${round(y)}L${round(x)} ${round(y + r + 1)}L${round(x - r - 1)} ${round(y)}Z" fill="${color}"/>`;
    default:
      return `<circle cx="${round(x)}" cy="${round(y)}" r="${r}" fill="${color}"/>`;
  }
}

function panel({ left, title, series, xAxis, yLabel }) {
  const yAxis = logAxis(series.flatMap((s) => s.points.map((p) => p.y)));
  const { width, height, top } = PANEL;
  const log = Math.log10;
  const xOf = (v) =>
    left +
    ((log(v) - log(xAxis.domain[0])) / (log(xAxis.domain[1]) - log(xAxis.domain[0]))) * width;
  const yOf = (v) =>
    top +
    height -
    ((log(Math.max(v, yAxis.domain[0])) - log(yAxis.domain[0])) /
      (log(yAxis.domain[1]) - log(yAxis.domain[0]))) *
      height;
  const out = [`<text x="${left}" y="${top - 16}" class="title">${escape(title)}</text>`];
  for (const v of yAxis.ticks) {
    const y = round(yOf(v));
    out.push(`<line x1="${left}" x2="${left + width}" y1="${y}" y2="${y}" class="grid"/>`);
    out.push(
      `<text x="${left - 8}" y="${y + 4}" class="tick" text-anchor="end">${tickLabel(v)}</text>`,
    );
  }
  for (const v of xAxis.ticks) {
    const x = round(xOf(v));
    out.push(`<line x1="${x}" x2="${x}" y1="${top}" y2="${top + height}" class="grid"/>`);
    out.push(
      `<text x="${x}" y="${top + height + 18}" class="tick" text-anchor="middle">${tickLabel(v)}</text>`,
    );
  }
  out.push(`<rect x="${left}" y="${top}" width="${width}" height="${height}" class="frame"/>`);
  out.push(
    `<text x="${left + width / 2}" y="${top + height + 40}" class="label" text-anchor="middle">events per second (log scale)</text>`,
  );
  out.push(
    `<text transform="translate(${left - 48} ${top + height / 2}) rotate(-90)" class="label" text-anchor="middle">${escape(yLabel)}</text>`,
  );
  for (const s of series) {
    const style = STYLE[s.transport];
    const points = s.points.map((p) => [xOf(p.x), yOf(p.y)]);
    const d = points.map(([x, y], i) => `${i ? 'L' : 'M'}${round(x)} ${round(y)}`).join('');
    out.push(
      `<path d="${d}" fill="none" stroke="${style.color}" stroke-width="2.5"${style.dash ? ` stroke-dasharray="${style.dash}"` : ''}/>`,
    );
    for (const [x, y] of points) out.push(marker(style.marker, x, y, style.color));
  }
  return out.join('\n');
}

function legend(transports) {
  const out = [];
  let x = 70;
  for (const transport of transports) {
    const style = STYLE[transport];
    out.push(
      `<line x1="${x}" x2="${x + 34}" y1="${HEIGHT - 22}" y2="${HEIGHT - 22}" stroke="${style.color}" stroke-width="2.5"${style.dash ? ` stroke-dasharray="${style.dash}"` : ''}/>`,
    );
    out.push(marker(style.marker, x + 17, HEIGHT - 22, style.color));
    out.push(
      `<text x="${x + 42}" y="${HEIGHT - 18}" class="tick">${escape(TRANSPORT_LABELS[transport])}</text>`,
    );
    x += 160;
  }
  return out.join('\n');
}

/** The SVG document for a run (the JSON written by run.mjs). */
export function plotSvg(run) {
  const { steps, meta } = run;
  const transports = [...new Set(steps.map((s) => s.transport))];
  const rates = [...new Set(steps.map((s) => s.rate))].sort((a, b) => a - b);
  // The x axis spans the rates measured, a little padded, with a tick at each.
  const pad = rates.length > 1 ? (rates[rates.length - 1] / rates[0]) ** 0.06 : 2;
  const xAxis = { domain: [rates[0] / pad, rates[rates.length - 1] * pad], ticks: rates };
  const seriesOf = (value) =>
    transports.map((transport) => ({
      transport,
      points: steps
        .filter((s) => s.transport === transport && value(s) !== null && Number.isFinite(value(s)))
        .map((s) => ({ x: s.rate, y: value(s) }))
        .sort((a, b) => a.x - b.x),
    }));
  const { options, machine } = meta;
  const others = steps.map((s) => s.server.otherCpuPct);
  const subtitle =
    `${options.clients.toLocaleString('en-US')} clients per transport and rate, one api instance; ` +
    `short-poll interval ${options.pollInterval} ms; ${machine.cpuCount} cores, Node ${machine.node}; ${meta.startedAt.slice(0, 16).replace('T', ' ')} UTC`;
  // The machine may be shared: how much else ran is part of what the plot shows.
  const sharing =
    `Other work on the machine during the measured windows: ${Math.round(Math.min(...others))}–` +
    `${Math.round(Math.max(...others))} % of a core (api and load generator on one core each)`;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-labelledby="plot-title">
<title id="plot-title">Ticker transports: server CPU per event and p99 latency against the event rate</title>
<style>
text { font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; fill: #222; }
.title { font-size: 15px; font-weight: 600; }
.subtitle { font-size: 12px; fill: #555; }
.tick { font-size: 12px; }
.label { font-size: 12px; fill: #444; }
.grid { stroke: #e3e3e3; stroke-width: 1; }
.frame { fill: none; stroke: #999; stroke-width: 1; }
</style>
<rect width="${WIDTH}" height="${HEIGHT}" fill="#fff"/>
<text x="70" y="20" class="subtitle">${escape(subtitle)}</text>
<text x="70" y="37" class="subtitle">${escape(sharing)}</text>
${panel({ left: PANEL_LEFTS[0], title: 'Server CPU per delivered event', yLabel: 'µs per event (log scale)', series: seriesOf((s) => s.server.cpuMicrosPerEvent), xAxis })}
${panel({ left: PANEL_LEFTS[1], title: 'p99 latency (receive time − event due time)', yLabel: 'ms (log scale)', series: seriesOf((s) => s.latencyMs.p99), xAxis })}
${legend(transports)}
</svg>
`;
}
