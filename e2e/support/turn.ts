/**
 * A real coturn on loopback for relay-only calls, started with a fresh shared secret. The api is
 * given the same secret (TURN_SECRET) and hands browsers TURN REST credentials for it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { findFreePort, LOOPBACK } from './servers.js';

export const TURNSERVER_BINARY = '/usr/bin/turnserver';

export interface TurnServer {
  /** TURN URLs for the api's TURN_URLS (UDP and TCP). */
  urls: string[];
  secret: string;
  port: number;
  pid: number;
  /** Last lines coturn wrote, for error messages. */
  outputTail(): string;
  stop(): Promise<void>;
}

/** Why the relay spec cannot run: coturn is missing, or did not start (see global setup). */
export function turnServerMissingMessage(): string {
  return (
    `${TURNSERVER_BINARY} not found: install Debian's coturn package ` +
    '(as root: apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y coturn; ' +
    'e2e/run.sh does this by itself when run as root)'
  );
}

const runningTurnServers = new Set<ChildProcess>();
// Never leave coturn behind if the runner dies without teardown.
process.once('exit', () => {
  for (const child of runningTurnServers) child.kill('SIGKILL');
});

export function turnServerAvailable(): boolean {
  return existsSync(TURNSERVER_BINARY);
}

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: LOOPBACK, port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startTurnServer(): Promise<TurnServer> {
  if (!turnServerAvailable()) {
    throw new Error(turnServerMissingMessage());
  }
  const port = await findFreePort();
  const secret = randomBytes(16).toString('hex');
  const relayBase = 49152 + Math.floor(Math.random() * 150) * 100;
  // Loopback only, relaying to loopback peers (coturn refuses those with 403 without --allow-loopback-peers).
  const child: ChildProcess = spawn(
    TURNSERVER_BINARY,
    [
      '-n',
      `--listening-ip=${LOOPBACK}`,
      `--relay-ip=${LOOPBACK}`,
      `--listening-port=${port}`,
      `--min-port=${relayBase}`,
      `--max-port=${relayBase + 99}`,
      '--use-auth-secret',
      `--static-auth-secret=${secret}`,
      '--realm=duplex',
      '--no-tls',
      '--no-dtls',
      '--no-cli',
      '--fingerprint',
      '--allow-loopback-peers',
      '--denied-peer-ip=0.0.0.0-255.255.255.255',
      `--allowed-peer-ip=${LOOPBACK}`,
      '--log-file=stdout',
      '--simple-log',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  runningTurnServers.add(child);
  child.once('exit', () => runningTurnServers.delete(child));
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(...chunk.toString('utf8').split('\n'));
    output.splice(0, Math.max(0, output.length - 40));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let spawnFailed = false;
  child.once('error', (error) => {
    spawnFailed = true;
    output.push(`spawn error: ${error.message}`);
  });
  const hasExited = () => spawnFailed || child.exitCode !== null || child.signalCode !== null;

  const deadline = Date.now() + 15_000;
  while (!(await portAccepts(port))) {
    if (hasExited() || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`coturn did not start on ${LOOPBACK}:${port}:\n${output.join('\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    urls: [`turn:${LOOPBACK}:${port}?transport=udp`, `turn:${LOOPBACK}:${port}?transport=tcp`],
    secret,
    port,
    pid: child.pid ?? -1,
    outputTail: () => output.join('\n'),
    stop: () =>
      new Promise<void>((resolve) => {
        if (hasExited()) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}
