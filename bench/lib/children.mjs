// Child processes of a bench run and the watchdog that ends them: whatever happens (overrun,
// Ctrl-C, a crash), no server is left running behind the bench.
const children = new Set();

/** Tracks `child` until it exits. */
export function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export function killAll(signal = 'SIGKILL') {
  for (const child of children) child.kill(signal);
}

/**
 * Ends the run (exit code 3) and every tracked child if it is still going after `budgetMs`, and
 * on SIGINT/SIGTERM (exit code 130). Returns a function that disarms the timer.
 */
export function armWatchdog(budgetMs, log = (line) => console.error(line)) {
  const timer = setTimeout(() => {
    log(`watchdog: the run overran its budget of ${Math.round(budgetMs / 1000)} s; stopping`);
    killAll();
    process.exit(3);
  }, budgetMs);
  timer.unref();
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      killAll();
      process.exit(130);
    });
  }
  return () => clearTimeout(timer);
}
