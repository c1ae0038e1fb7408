// Loaded into both server children (`node --expose-gc --import bench/fanout/bench-preload.mjs`).
// It changes nothing the servers do; it only gives the runner two measurement hooks:
//
// - SIGHUP: a full garbage collection, so the "RSS before / after connecting N members" reading
//   is not dominated by start-up garbage that happens to be collected in between (the api's
//   PGlite start-up leaves hundreds of MiB to collect).
// - SIGUSR2 (only with BENCH_CPU_PROFILE set, i.e. `run.mjs --profile`): toggles the V8 CPU
//   profiler; the second signal writes the profile to $BENCH_CPU_PROFILE. Why not plain
//   `node --cpu-prof`: it writes the profile only on a normal exit, and the api's shutdown hook
//   (Nest's enableShutdownHooks) re-raises SIGTERM after closing, so the process dies by the
//   signal and the profile is lost; it would also include the 4-15 s PGlite start-up. The runner
//   turns the profiler on when the measured steps start and off when they end.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

process.on('SIGHUP', () => {
  if (typeof globalThis.gc === 'function') globalThis.gc();
});

const target = process.env.BENCH_CPU_PROFILE;
if (target) {
  const session = new Session();
  session.connect();
  let running = false;
  process.on('SIGUSR2', () => {
    if (!running) {
      running = true;
      session.post('Profiler.enable', () =>
        session.post('Profiler.setSamplingInterval', { interval: 500 }, () =>
          session.post('Profiler.start', () => {}),
        ),
      );
      return;
    }
    running = false;
    session.post('Profiler.stop', (error, result) => {
      if (error) {
        console.error('bench-preload:', error);
        return;
      }
      writeFileSync(target, JSON.stringify(result.profile));
      console.error(`bench-preload: wrote ${target}`);
    });
  });
}
