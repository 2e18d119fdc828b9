import { isoSeconds } from './maintenance';
import { EmulatedCluster, EmulatedServer } from './cluster';

/** The supervision declares a server FAILED after missing heartbeats for about 15 seconds. */
export const FAILED_AFTER_MS = 15_000;

function status(cluster: EmulatedCluster, server: EmulatedServer): 'GOOD' | 'BAD' | 'FAILED' {
  if (server.status === 'running') return 'GOOD';
  return cluster.clock.now() - server.lastSeenMs < FAILED_AFTER_MS ? 'BAD' : 'FAILED';
}

/**
 * `GET /_admin/cluster/health` on a coordinator
 * (https://docs.arango.ai/arangodb/3.12/develop/http-api/cluster/#get-the-cluster-health): every server's
 * Status (GOOD running; BAD missed a heartbeat; FAILED after ~15 s), Role, Version, Engine, Endpoint.
 * Role values are those of a real 3.4 answer ("Agent", "DBServer", "Coordinator", shown on the 3.4 page
 * "Draining Kubernetes nodes"); the API page lists them upper-case, so clients should compare ignoring case.
 */
export function clusterHealth(cluster: EmulatedCluster, endpointOf: (id: string) => string): unknown {
  const leaderId = cluster.leaderId();
  const now = cluster.clock.now();
  const health = Object.fromEntries(cluster.servers.map((server) => {
    const common = {
      Role: server.role, Version: server.version, Engine: 'rocksdb', Endpoint: endpointOf(server.id),
      Status: status(cluster, server), CanBeDeleted: false,
    };
    const lastSeen = isoSeconds(server.status === 'running' ? now : server.lastSeenMs);
    const entry = server.role === 'Agent'
      ? { ...common, Leader: leaderId, Leading: leaderId === server.id, LastAckedTime: server.status === 'running' ? 0 : (now - server.lastSeenMs) / 1000 }
      : { ...common, ShortName: server.shortName, SyncStatus: server.status === 'running' ? 'SERVING' : 'SHUTDOWN', LastAckedTime: lastSeen, Timestamp: lastSeen, Host: '127.0.0.1' };
    return [server.id, entry];
  }));
  return { Health: health, ClusterId: cluster.clusterId, error: false, code: 200 };
}
