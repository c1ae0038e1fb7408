/** Another instance stopped renewing its lease: this instance won the right to clean up after it. */
export type DeadInstanceListener = (instanceId: string) => Promise<void>;
/**
 * This instance's own lease was gone when it renewed it (Redis restarted empty, or the others
 * declared it dead after a stall): what it holds in Redis must be written again.
 */
export type LeaseLostListener = () => Promise<void>;

/**
 * This api instance among the others: its id, a lease it renews while it runs, and the clean-up
 * of instances whose lease expired (their sessions end, their users leave).
 */
export interface InstanceLease {
  readonly instanceId: string;
  onDeadInstance(listener: DeadInstanceListener): void;
  onLeaseLost(listener: LeaseLostListener): void;
}

export const INSTANCE_LEASE = Symbol('INSTANCE_LEASE');
