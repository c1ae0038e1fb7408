// Summarises a V8 .cpuprofile: self time by function and by package/category.
// Usage: node bench/fanout/summarize-profile.mjs <file.cpuprofile> [--top 30] [--json]
import { readFileSync } from 'node:fs';

export function summarizeProfile(profile, top = 30) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map();
  // Weight by sample count, not by timeDeltas: on a machine shared with other work the process is
  // descheduled now and then, and the wall time of that gap would be charged to whatever frame
  // the next sample lands in (typically the writev syscall). The sampler ticks only while the
  // thread runs, so counts approximate CPU time. "ms" = samples x the mean sampling interval.
  const { samples = [] } = profile;
  const intervalUs =
    samples.length > 0 ? (profile.endTime - profile.startTime) / samples.length : 0;
  const nominalUs = Math.min(intervalUs, 500) || 500;
  for (const id of samples) selfUs.set(id, (selfUs.get(id) ?? 0) + nominalUs);
  let total = 0;
  const byFunction = new Map();
  const byCategory = new Map();
  for (const [id, us] of selfUs) {
    const node = nodes.get(id);
    if (!node) continue;
    total += us;
    const frame = node.callFrame;
    const name = frame.functionName || '(anonymous)';
    const where = shortUrl(frame.url);
    const key = `${name}  ${where}${where ? `:${frame.lineNumber + 1}` : ''}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    const category = categorize(name, frame.url);
    byCategory.set(category, (byCategory.get(category) ?? 0) + us);
  }
  const idle = byCategory.get('(idle)') ?? 0;
  const busy = total - idle;
  const rank = (map) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .map(([key, us]) => ({
        key,
        ms: us / 1000,
        pctBusy: key === '(idle)' ? null : (100 * us) / busy,
      }));
  return {
    totalMs: total / 1000,
    busyMs: busy / 1000,
    idleMs: idle / 1000,
    functions: rank(byFunction)
      .filter((row) => row.key !== '(idle)  ')
      .slice(0, top),
    categories: rank(byCategory),
  };
}

function shortUrl(url) {
  if (!url) return '';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0)
    return url.slice(nm + 'node_modules/'.length).replace(/^\.pnpm\/[^/]+\/node_modules\//, '');
  const api = url.indexOf('apps/api/');
  if (api >= 0) return url.slice(api);
  return url.replace(/^file:\/\//, '');
}

function categorize(name, url) {
  if (!url) {
    if (name.startsWith('(')) return name; // (garbage collector), (program), (idle)
    return '(native/builtin)';
  }
  if (url.startsWith('node:')) return 'node core';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  // The api runs as a bundle: Nest, Express, ws and the rest are inside it.
  if (url.includes('apps/api/dist/')) return 'apps/api bundle (framework included)';
  if (url.includes('apps/api/build/')) return 'apps/api';
  if (url.includes('packages/protocol')) return '@duplex/protocol';
  return url;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: summarize-profile.mjs <file.cpuprofile> [--top N] [--json]');
    process.exit(2);
  }
  const topIndex = process.argv.indexOf('--top');
  const top = topIndex > 0 ? Number(process.argv[topIndex + 1]) : 30;
  const summary = summarizeProfile(JSON.parse(readFileSync(file, 'utf8')), top);
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(summary, null, 2));
  } else {
    console.log(
      `profile: ${summary.totalMs.toFixed(0)} ms sampled, ${summary.busyMs.toFixed(0)} ms busy, ${summary.idleMs.toFixed(0)} ms idle\n`,
    );
    console.log('| self ms | % of busy | category |\n| ---: | ---: | --- |');
    for (const row of summary.categories.filter((r) => r.key !== '(idle)')) {
      console.log(`| ${row.ms.toFixed(0)} | ${row.pctBusy.toFixed(1)} | ${row.key} |`);
    }
    console.log('\n| self ms | % of busy | function |\n| ---: | ---: | --- |');
    for (const row of summary.functions.filter((r) => !r.key.startsWith('(idle)'))) {
      console.log(`| ${row.ms.toFixed(0)} | ${row.pctBusy.toFixed(1)} | \`${row.key}\` |`);
    }
  }
}
