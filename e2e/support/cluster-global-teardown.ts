/**
 * Global teardown of the cluster e2e suite: stops nginx, the web server, every api instance
 * (the ones specs restarted included), PostgreSQL and Redis (their folders removed) and coturn.
 */
import { stopCluster } from './cluster-global-setup.js';

export default async function clusterGlobalTeardown(): Promise<void> {
  await stopCluster();
}
