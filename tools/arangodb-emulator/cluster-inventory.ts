import { EmulatedCluster } from './cluster';

/**
 * `GET /_api/replication/clusterInventory` on a coordinator, reduced to what tells whether shards are in
 * sync: per collection `isReady` and `allInSync`, the check ArangoDB's 3.4 page "Draining Kubernetes nodes"
 * (https://www.arangodb.com/docs/3.4/deployment-kubernetes-drain.html) prescribes before taking a DB server
 * down. One collection, one shard per DB server, each shard on two DB servers (one if there is one).
 */
export function clusterInventory(cluster: EmulatedCluster): unknown {
  const dbServers = cluster.ofRole('DBServer');
  const shards = Object.fromEntries(dbServers.map((_, i) => {
    const replicas = dbServers.length > 1 ? [dbServers[i], dbServers[(i + 1) % dbServers.length]] : [dbServers[i]];
    return [`s${1000 + i}`, replicas];
  }));
  const replicaSets = Object.values(shards);
  const inventory = {
    collections: [{
      parameters: {
        name: 'emulated', numberOfShards: dbServers.length, replicationFactor: Math.min(2, dbServers.length),
        shards: Object.fromEntries(Object.entries(shards).map(([shard, replicas]) => [shard, replicas.map((s) => s.id)])),
      },
      indexes: [],
      isReady: replicaSets.every((replicas) => replicas.some((s) => s.status === 'running')),
      allInSync: replicaSets.every((replicas) => replicas.every((s) => cluster.inSync(s))),
    }],
    views: [],
    state: 'unused',
  };
  // This read counts towards a restarted DB server's catching up (after it is answered).
  cluster.noteSyncRead('DBServer');
  return inventory;
}
