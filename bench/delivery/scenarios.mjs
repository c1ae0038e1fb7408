// The delivery benchmark's scenarios. Each takes a context {kind, opts, repoRoot, runDir, pin,
// round, log}, starts its own server(s) fresh, and returns flat metrics (numbers, for the
// report's medians) plus `detail` (per-step rows and anything else for the JSON).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { HOST } from '../lib/api-child.mjs';
import { sleep, waitUntil } from '../lib/net.mjs';
import { rssKiB } from '../lib/proc.mjs';
import { summarizeProfile } from '../fanout/summarize-profile.mjs';
import { measureStep } from './measure-step.mjs';
import { ReceiverPool } from './receiver-pool.mjs';
import { closeSenders, openSenders, sendAtRate } from './senders.mjs';
import { settledRssKiB, startServer, stopServer } from './servers.mjs';

const ROOM = 'bench';
const JOIN_CONCURRENCY = 200;

function membersOf(count, rooms = [ROOM], prefix = 'r') {
  return Array.from({ length: count }, (_, i) => ({
    name: `${prefix}${i}`,
    room: rooms[i % rooms.length],
  }));
}

function percentileOf(values, p) {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

/** Starts server `kind` with a fresh pool of receiver workers; always stops both. */
async function withServer(ctx, tag, body, { profilePath } = {}) {
  const server = await startServer(ctx.kind, {
    repoRoot: ctx.repoRoot,
    runDir: ctx.runDir,
    pin: ctx.pin,
    tag: `${tag}-r${ctx.round}`,
    profilePath,
    cpuFraction: ctx.opts.serverCpu,
  });
  const pool = new ReceiverPool(ctx.opts.workers, HOST);
  try {
    return await body(server, pool);
  } finally {
    await pool.close();
    await sleep(200);
    await stopServer(server);
  }
}

async function openReceivers(ctx, server, pool, members) {
  const opened = await pool.open(server.port, server.wire.name, members, JOIN_CONCURRENCY);
  if (opened.failed > 0) {
    throw new Error(
      `${opened.failed} of ${members.length} members could not join: ${opened.firstError}`,
    );
  }
  return opened;
}

function stepLine(ctx, label, s) {
  const f = (v, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : '–');
  ctx.log(
    `   ${label}: ${s.rate} msg/s → ${f(s.deliveriesPerS, 0)} deliv/s, p50 ${f(s.p50Ms)} p99 ${f(s.p99Ms)} ms, ` +
      `lost ${s.lost} dup ${s.duplicated} disorder ${s.outOfOrder} unacked ${s.unacked} err ${s.errors}, ` +
      `${f(s.cpuUsPerDelivery, 2)} µs/deliv (server ${f(s.serverCpuPct, 0)}%, generator ${f(s.generatorCpuPct, 0)}%, other ${f(s.otherCpuPct, 0)}%)` +
      `${Number.isFinite(s.throttledPct) ? `, throttled in ${f(s.throttledPct, 0)}% of periods` : ''}` +
      `${s.idleWaitS > 1 ? `, ${f(s.idleWaitS)} s until idle` : ''}`,
  );
}

/** 1,000 members in one room, a fixed rate from 4 senders: CPU per delivery and latency. */
async function fixed(ctx) {
  const { opts } = ctx;
  const profilePath =
    opts.profile && ctx.kind === 'duplex'
      ? path.join(ctx.runDir, `duplex-fixed-r${ctx.round}.cpuprofile`)
      : undefined;
  return withServer(
    ctx,
    'fixed',
    async (server, pool) => {
      await openReceivers(ctx, server, pool, membersOf(opts.clients));
      const senders = await openSenders(
        HOST,
        server.port,
        server.wire,
        Array(opts.senders).fill(ROOM),
      );
      try {
        const step = {
          rate: opts.fixedRate,
          textBytes: opts.textBytes,
          receiversPerRoom: opts.clients,
          drainS: opts.drainS,
          settleS: opts.settleS,
        };
        await measureStep(server, pool, senders, { ...step, id: 1, durationS: opts.warmupS });
        if (profilePath) server.child.kill('SIGUSR2'); // profiler on
        const { result } = await measureStep(server, pool, senders, {
          ...step,
          id: 2,
          durationS: opts.fixedS,
        });
        stepLine(ctx, 'fixed', result);
        const profile = profilePath ? await stopProfile(ctx, server, profilePath) : null;
        return { ...result, detail: { profile } };
      } finally {
        closeSenders(senders);
      }
    },
    { profilePath },
  );
}

/** Turns the api's profiler off and summarises the profile it writes; null if none came. */
async function stopProfile(ctx, server, profilePath) {
  server.child.kill('SIGUSR2'); // profiler off: the profile is written
  if (!(await waitUntil(() => existsSync(profilePath), 15_000, 100))) return null;
  await sleep(500);
  const profile = summarizeProfile(JSON.parse(readFileSync(profilePath, 'utf8')), 30);
  profile.file = path.relative(ctx.repoRoot, profilePath);
  return profile;
}

/** The highest rate whose step is clean: rising steps (×2) until one is not, then a bisection. */
function maxWith(senderCount) {
  return async (ctx) => {
    const { opts } = ctx;
    return withServer(ctx, `max${senderCount}`, async (server, pool) => {
      await openReceivers(ctx, server, pool, membersOf(opts.clients));
      const senders = await openSenders(
        HOST,
        server.port,
        server.wire,
        Array(senderCount).fill(ROOM),
      );
      const steps = [];
      let id = 10;
      const step = async (rate, durationS) => {
        const { result } = await measureStep(server, pool, senders, {
          id: id++,
          rate,
          durationS,
          textBytes: opts.textBytes,
          receiversPerRoom: opts.clients,
          drainS: opts.drainS,
          settleS: opts.settleS,
        });
        return result;
      };
      // A rate fails when two steps at it in a row are not clean: a single stall (a GC, the
      // machine) at a rate the server takes at a tenth of its core must not end the search.
      const run = async (rate) => {
        for (let attempt = 1; attempt <= 2; attempt += 1) {
          const result = await step(rate, opts.maxStepS);
          stepLine(ctx, `max${senderCount}${attempt > 1 ? ' (again)' : ''}`, result);
          steps.push(result);
          if (result.clean) return true;
        }
        return false;
      };
      try {
        await step(opts.maxStartRate, opts.warmupS); // warm-up, not judged (as in `fixed`)
        let good = 0;
        let bad = 0;
        for (let rate = opts.maxStartRate; rate <= opts.maxTopRate; rate *= 2) {
          if (await run(rate)) good = rate;
          else {
            bad = rate;
            break;
          }
        }
        for (let i = 0; bad > 0 && i < opts.bisections && bad - good > 1; i += 1) {
          const mid = Math.round((good + bad) / 2);
          if (await run(mid)) good = mid;
          else bad = mid;
        }
        // Who was working how hard at the top: a generator near 100 % means it, not the
        // server, may have set the limit.
        const top = steps.findLast((s) => s.rate === good && s.clean);
        return {
          maxRate: good,
          maxDeliveriesPerS: good * opts.clients,
          notSaturated: bad === 0 ? 1 : 0,
          serverCpuPctAtMax: top?.serverCpuPct ?? NaN,
          generatorCpuPctAtMax: top?.generatorCpuPct ?? NaN,
          detail: { steps },
        };
      } finally {
        closeSenders(senders);
      }
    });
  };
}

/** RSS with no connection, and per idle joined member at the first and at the second count. */
async function idle(ctx) {
  const [small, large] = ctx.opts.idleCounts;
  return withServer(ctx, 'idle', async (server, pool) => {
    const rssEmptyKiB = await settledRssKiB(server, ctx.opts.gcPasses);
    await openReceivers(ctx, server, pool, membersOf(small));
    await sleep(1000); // join traffic (presence, history reads) settles
    const rssSmallKiB = await settledRssKiB(server, ctx.opts.gcPasses);
    await openReceivers(
      ctx,
      server,
      pool,
      membersOf(large - small).map((m, i) => ({ ...m, name: `q${i}` })),
    );
    await sleep(1000);
    const rssLargeKiB = await settledRssKiB(server, ctx.opts.gcPasses);
    const result = {
      rssEmptyMiB: rssEmptyKiB / 1024,
      [`kibPerMember${small}`]: (rssSmallKiB - rssEmptyKiB) / small,
      [`kibPerMember${large}`]: (rssLargeKiB - rssEmptyKiB) / large,
    };
    ctx.log(
      `   idle: ${JSON.stringify(result, (k, v) => (typeof v === 'number' ? Math.round(v * 10) / 10 : v))}`,
    );
    return result;
  });
}

/**
 * connect + handshake + join of N members into one room, 200 in flight, for each N. With
 * `--profile`, the Duplex api's CPU profile of the largest N is summarised.
 */
async function join(ctx) {
  const result = {};
  const largest = Math.max(...ctx.opts.joinCounts);
  for (const count of ctx.opts.joinCounts) {
    const profilePath =
      ctx.opts.profile && ctx.kind === 'duplex' && count === largest
        ? path.join(ctx.runDir, `duplex-join${count}-r${ctx.round}.cpuprofile`)
        : undefined;
    await withServer(
      ctx,
      `join${count}`,
      async (server, pool) => {
        if (profilePath) server.child.kill('SIGUSR2'); // profiler on
        const t0 = performance.now();
        const opened = await openReceivers(ctx, server, pool, membersOf(count));
        result[`totalS${count}`] = (performance.now() - t0) / 1000;
        result[`p50Ms${count}`] = percentileOf(opened.joinMs, 0.5);
        result[`p99Ms${count}`] = percentileOf(opened.joinMs, 0.99);
        if (profilePath) result.detail = { profile: await stopProfile(ctx, server, profilePath) };
      },
      { profilePath },
    );
  }
  ctx.log(
    `   join: ${JSON.stringify(result, (k, v) => (typeof v === 'number' ? Math.round(v * 100) / 100 : v))}`,
  );
  return result;
}

/** Several rooms, one sender each, the same rate per room: CPU per delivery. */
async function rooms(ctx) {
  const { opts } = ctx;
  const names = Array.from({ length: opts.rooms }, (_, i) => `room-${i}`);
  return withServer(ctx, 'rooms', async (server, pool) => {
    await openReceivers(ctx, server, pool, membersOf(opts.rooms * opts.roomMembers, names));
    const senders = await openSenders(HOST, server.port, server.wire, names);
    try {
      const step = {
        rate: opts.roomRate * opts.rooms,
        textBytes: opts.textBytes,
        receiversPerRoom: opts.roomMembers,
        drainS: opts.drainS,
        settleS: opts.settleS,
      };
      await measureStep(server, pool, senders, { ...step, id: 1, durationS: opts.warmupS });
      const { result } = await measureStep(server, pool, senders, {
        ...step,
        id: 2,
        durationS: opts.fixedS,
      });
      stepLine(ctx, 'rooms', result);
      return result;
    } finally {
      closeSenders(senders);
    }
  });
}

/**
 * Duplex only: N members, some acked messages, SIGTERM, a new api on the same data folder and
 * port, every member back (hello with identity and resume token, room.join with since), and a
 * check that each saw every acked message, live or in its join's history.
 */
async function restart(ctx) {
  const { opts } = ctx;
  let server = await startServer('duplex', {
    repoRoot: ctx.repoRoot,
    runDir: ctx.runDir,
    pin: ctx.pin,
    tag: `restart-r${ctx.round}`,
  });
  const pool = new ReceiverPool(opts.workers, HOST);
  try {
    await openReceivers(ctx, server, pool, membersOf(opts.restartMembers));
    await pool.measure(1, opts.restartMessages, { keepSeqs: true });
    const senders = await openSenders(HOST, server.port, server.wire, [ROOM]);
    const tally = await sendAtRate(senders, {
      step: 1,
      rate: 20,
      durationS: opts.restartMessages / 20,
      textBytes: opts.textBytes,
    });
    await waitUntil(() => tally.acked + tally.errors >= tally.sent, 10_000, 10);
    closeSenders(senders);
    await sleep(500);
    const t0 = performance.now();
    const { port, dataDir } = server;
    await stopServer(server, { keepDataDir: true });
    const downS = (performance.now() - t0) / 1000;
    server = await startServer('duplex', {
      repoRoot: ctx.repoRoot,
      runDir: ctx.runDir,
      pin: ctx.pin,
      tag: `restart-r${ctx.round}`,
      port,
      dataDir,
    });
    const readyS = (performance.now() - t0) / 1000;
    const rejoined = await pool.rejoin(server.port, JOIN_CONCURRENCY);
    const allBackS = (performance.now() - t0) / 1000;
    const coverage = await pool.coverage(tally.ackedSeqs);
    const result = {
      members: opts.restartMembers,
      ackedBeforeRestart: tally.acked,
      stopS: downS,
      sigtermToReadyS: readyS,
      sigtermToAllJoinedS: allBackS,
      rejoinP50Ms: percentileOf(rejoined.joinMs, 0.5),
      rejoinP99Ms: percentileOf(rejoined.joinMs, 0.99),
      rejoinFailed: rejoined.failed,
      sameUserAfter: rejoined.sameUser,
      membersMissingAcked: coverage.members - coverage.complete,
      ackedMessagesMissing: coverage.missing,
      rssAfterMiB: rssKiB(server.pid) / 1024,
      detail: { firstError: rejoined.firstError },
    };
    ctx.log(`   restart: ${JSON.stringify(result)}`);
    return result;
  } finally {
    await pool.close();
    await stopServer(server);
  }
}

/** Spawn to /ready on an empty data folder, and the RSS then. */
async function start(ctx) {
  return withServer(ctx, 'start', async (server) => {
    const rssAtReadyMiB = rssKiB(server.pid) / 1024;
    const result = {
      readyS: server.readyAfterMs / 1000,
      rssAtReadyMiB,
      rssSettledMiB: (await settledRssKiB(server, ctx.opts.gcPasses)) / 1024,
    };
    ctx.log(`   start: ready ${result.readyS.toFixed(2)} s, RSS ${rssAtReadyMiB.toFixed(0)} MiB`);
    return result;
  });
}

/** name -> {run, servers it applies to} */
export const SCENARIOS = {
  fixed: { run: fixed },
  max1: { run: maxWith(1) },
  max4: { run: maxWith(4) },
  idle: { run: idle },
  join: { run: join },
  rooms: { run: rooms },
  restart: { run: restart, only: ['duplex'] },
  start: { run: start },
};
