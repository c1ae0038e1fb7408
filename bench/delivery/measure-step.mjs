// One measured step: senders send at a fixed rate, the receiver workers count; the server's CPU
// (all its threads, from /proc), the generator's and the rest of the machine's are read around
// it. Deliveries are counted for acknowledged messages only; an acked message a receiver never
// got within the drain is lost.
import { performance } from 'node:perf_hooks';
import { sleep, waitUntil } from '../lib/net.mjs';
import { machineBusySeconds, processCpuSeconds } from '../lib/proc.mjs';
import { quantile } from './latency-histogram.mjs';
import { sendAtRate } from './senders.mjs';

export async function measureStep(server, pool, senders, step) {
  const { id, rate, durationS, textBytes, receiversPerRoom, drainS, settleS = 1 } = step;
  const messages = Math.max(1, Math.round(rate * durationS));
  await pool.measure(id, messages);
  const server0 = processCpuSeconds(server.pid);
  const generator0 = processCpuSeconds(process.pid);
  const machine0 = machineBusySeconds();
  const periods0 = server.cpuQuota?.periods();
  const t0 = performance.now();
  const tally = await sendAtRate(senders, { step: id, rate, durationS, textBytes });
  const drainEnd = performance.now() + drainS * 1000;
  await waitUntil(() => tally.acked + tally.errors >= tally.sent, drainS * 1000, 10);
  const expected = () => tally.acked * receiversPerRoom;
  await waitUntil(
    async () => (await pool.delivered()) >= expected() || performance.now() > drainEnd,
    Math.max(0, drainEnd - performance.now()) + 100,
    50,
  );
  const wallS = (performance.now() - t0) / 1000;
  const serverCpuS = processCpuSeconds(server.pid) - server0;
  const generatorCpuS = processCpuSeconds(process.pid) - generator0;
  const machineCpuS = machineBusySeconds() - machine0;
  const periods1 = server.cpuQuota?.periods();
  const counts = await pool.collect();
  const lost = Math.max(0, expected() - counts.delivered);
  const result = {
    rate,
    offeredDeliveriesPerS: rate * receiversPerRoom,
    sent: tally.sent,
    acked: tally.acked,
    unacked: tally.sent - tally.acked,
    errors: tally.errors,
    errorCodes: { ...tally.errorCodes },
    expected: expected(),
    delivered: counts.delivered,
    lost,
    duplicated: counts.duplicates,
    outOfOrder: counts.outOfOrder,
    p50Ms: quantile(counts.histogram, 0.5),
    p99Ms: quantile(counts.histogram, 0.99),
    maxMs: counts.histogram.maxMs,
    deliveriesPerS: counts.delivered / Math.max(durationS, wallS - drainS),
    serverCpuS,
    cpuUsPerDelivery: counts.delivered > 0 ? (serverCpuS * 1e6) / counts.delivered : NaN,
    serverCpuPct: (100 * serverCpuS) / wallS,
    generatorCpuPct: (100 * generatorCpuS) / wallS,
    // Everything else on the machine meanwhile, in % of one core.
    otherCpuPct: (100 * Math.max(0, machineCpuS - serverCpuS - generatorCpuS)) / wallS,
    // With a CPU quota: the share of the server's scheduling periods in which it used all of it.
    throttledPct: periods1
      ? (100 * (periods1.throttled - periods0.throttled)) / Math.max(1, periods1.run - periods0.run)
      : NaN,
    maxSendLagMs: tally.maxLagMs,
    openReceivers: counts.open,
    stepS: wallS,
  };
  result.clean = result.p99Ms <= 50 && lost === 0 && result.unacked === 0 && result.errors === 0;
  // A server behind on this step finishes it (bounded) before the next one starts; what it
  // still delivers counts as "late" there, not as delivered.
  await waitUntil(() => tally.acked + tally.errors >= tally.sent, settleS * 20_000, 50);
  await sleep(settleS * 1000);
  // An overloaded server may still be writing out what it queued (the bare reference has no
  // back-pressure and can queue tens of seconds of frames): the next step starts on a quiet one.
  result.idleWaitS = await waitForIdle(server.pid);
  return { result, ackedSeqs: tally.ackedSeqs };
}

/** Waits (≤ 30 s) until process `pid` uses under 5 % of a core over 250 ms; returns the seconds. */
async function waitForIdle(pid) {
  const t0 = performance.now();
  let cpu = processCpuSeconds(pid);
  while (performance.now() - t0 < 30_000) {
    await sleep(250);
    const now = processCpuSeconds(pid);
    if (!(now - cpu > 0.25 * 0.05)) break; // NaN (gone) ends it too
    cpu = now;
  }
  return (performance.now() - t0) / 1000;
}
