import { EmulatedCluster, EmulatedServer } from './cluster';

/**
 * `GET /_api/agency/config` on an agent, as documented for 3.3 ("HTTP Interface for Agency feature",
 * https://docs.huihoo.com/arangodb/3.3/HTTP/Agency) with the field names of 3.4's RestAgencyHandler
 * (`commitIndex` instead of 3.3's `lastCommitted`; `lastAcked` entries are objects with `lastAckedTime`
 * in seconds and `lastAckedIndex`). Only the leader reports `lastAcked`: an agent is in sync when its
 * `lastAckedIndex` equals `commitIndex`.
 */
export function agencyConfig(cluster: EmulatedCluster, self: EmulatedServer, endpointOf: (id: string) => string): unknown {
  const agents = cluster.ofRole('Agent');
  const leaderId = cluster.leaderId();
  const now = cluster.clock.now();
  const lastAcked = Object.fromEntries(agents.map((agent) => [agent.id, {
    lastAckedTime: agent.id === self.id || cluster.inSync(agent) ? 0 : Math.round(now - agent.lastSeenMs) / 1000,
    lastAckedIndex: cluster.inSync(agent) ? cluster.commitIndex : agent.ackedIndex,
  }]));
  const config = {
    term: cluster.term,
    leaderId,
    commitIndex: cluster.commitIndex,
    ...(leaderId === self.id ? { lastAcked } : {}),
    configuration: {
      pool: Object.fromEntries(agents.map((a) => [a.id, endpointOf(a.id)])),
      active: agents.map((a) => a.id),
      id: self.id,
      'agency size': agents.length,
      'pool size': agents.length,
      endpoint: endpointOf(self.id),
      'min ping': 1,
      'max ping': 5,
      supervision: true,
    },
    engine: 'rocksdb',
    version: self.version,
  };
  // This read counts towards a restarted agent's catching up (after it is answered).
  cluster.noteSyncRead('Agent');
  return config;
}
