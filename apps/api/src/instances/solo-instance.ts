import { randomUUID } from 'node:crypto';
import type { InstanceLease } from './instance-lease.js';

/** The only instance: no other can die, and nothing shared can be lost. */
export class SoloInstance implements InstanceLease {
  readonly instanceId = randomUUID();
  onDeadInstance(): void {}
  onLeaseLost(): void {}
}
