// The flags of the transports bench, with their defaults and bounds.
import { TICKER_LIMITS, TICKER_TRANSPORTS } from '@duplex/protocol';

export const USAGE = `Four ticker transports at scale: short polling, long polling, SSE, WebSocket.

  pnpm --filter @duplex/bench transports [-- flags]   (or: node bench/transports/run.mjs [flags])

  --clients N          clients following the stream in each step (default 1000)
  --rates a,b,...      events per second of the stream, one step per transport each (default 1,5,20,50)
  --transports list    ${TICKER_TRANSPORTS.join(',')} (default all, in that order)
  --duration S         measured seconds per step (default 12)
  --warmup S           unmeasured seconds per step, after the clients are open (default 3)
  --poll-interval MS   short polling: pause between an answer and the next poll (default 1000)
  --long-poll-wait MS  long polling: \`wait\` (default ${TICKER_LIMITS.defaultWaitMs}, the protocol's)
  --size B             payload bytes per event (default ${TICKER_LIMITS.defaultSize}, the protocol's)
  --workers W          generator worker threads (default 2)
  --batch B            streams opened at once per worker (default 50)
  --no-pin             do not pin the api and the generator to separate cores with taskset
  --plot FILE          where the SVG goes (default docs/benchmarks/transports.svg)
  --report FILE        print the table and draw the plot of an earlier run's JSON; run nothing
  --quick              smoke run: 100 clients, rates 1,5, 3 s, 1 s warm-up

Exit code: 0 when every event reached every client exactly once; 1 when one was missing or
doubled (or a client failed); 2 when the run could not be done; 3 when the watchdog stopped it.`;

/** A flag that is unknown, lacks its value or is out of bounds. */
export class OptionError extends Error {}

const BOUNDS = {
  clients: 10_000,
  duration: 120,
  warmup: 60,
  rates: 10,
  workers: 8,
  pollInterval: 60_000,
};

export function parseOptions(argv) {
  const opts = {
    clients: 1000,
    rates: [1, 5, 20, 50],
    transports: [...TICKER_TRANSPORTS],
    duration: 12,
    warmup: 3,
    pollInterval: 1000,
    longPollWait: TICKER_LIMITS.defaultWaitMs,
    size: TICKER_LIMITS.defaultSize,
    workers: 2,
    batch: 50,
    pin: true,
    plot: 'docs/benchmarks/transports.svg',
    report: null,
    quick: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new OptionError(`${flag} needs a value`);
      return v;
    };
    const integer = (min, max) => {
      const n = Number(value());
      if (!Number.isInteger(n) || n < min || n > max)
        throw new OptionError(`${flag}: an integer from ${min} to ${max}`);
      return n;
    };
    switch (flag) {
      case '--':
        break;
      case '--clients':
        opts.clients = integer(1, BOUNDS.clients);
        break;
      case '--rates':
        opts.rates = value().split(',').map(Number);
        break;
      case '--transports':
        opts.transports = value()
          .split(',')
          .map((t) => t.trim());
        break;
      case '--duration':
        opts.duration = integer(1, BOUNDS.duration);
        break;
      case '--warmup':
        opts.warmup = integer(0, BOUNDS.warmup);
        break;
      case '--poll-interval':
        opts.pollInterval = integer(1, BOUNDS.pollInterval);
        break;
      case '--long-poll-wait':
        opts.longPollWait = integer(TICKER_LIMITS.minWaitMs, TICKER_LIMITS.maxWaitMs);
        break;
      case '--size':
        opts.size = integer(TICKER_LIMITS.minSize, TICKER_LIMITS.maxSize);
        break;
      case '--workers':
        opts.workers = integer(1, BOUNDS.workers);
        break;
      case '--batch':
        opts.batch = integer(1, 1000);
        break;
      case '--no-pin':
        opts.pin = false;
        break;
      case '--plot':
        opts.plot = value();
        break;
      case '--report':
        opts.report = value();
        break;
      case '--quick':
        opts.quick = true;
        break;
      case '--help':
      case '-h':
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        throw new OptionError(`unknown flag ${flag}`);
    }
  }
  if (opts.quick) Object.assign(opts, { clients: 100, rates: [1, 5], duration: 3, warmup: 1 });
  const badRate = opts.rates.find(
    (r) => !Number.isInteger(r) || r < TICKER_LIMITS.minRate || r > TICKER_LIMITS.maxRate,
  );
  if (badRate !== undefined || opts.rates.length === 0 || opts.rates.length > BOUNDS.rates) {
    throw new OptionError(
      `--rates: 1 to ${BOUNDS.rates} integers from ${TICKER_LIMITS.minRate} to ${TICKER_LIMITS.maxRate}`,
    );
  }
  const badTransport = opts.transports.find((t) => !TICKER_TRANSPORTS.includes(t));
  if (badTransport !== undefined) throw new OptionError(`unknown transport ${badTransport}`);
  opts.workers = Math.min(opts.workers, opts.clients);
  return opts;
}
