import { Stack } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { Neo4jUpgradesValidationError } from '../errors';

/** What one cluster claims in the app: the volume pool it boots on, its identity and its stack parameters. */
export interface ClusterClaims {
  readonly environmentName: string;
  readonly dataVolumeName: string;
  readonly clusterIdentity: string;
  readonly parameterPrefix: string;
  readonly parameterNames: readonly string[];
}

const CLAIMS = Symbol.for('cdk-neo4j-ecs-upgrades.ClusterClaims');

type Claimed = IConstruct & { [CLAIMS]?: ClusterClaims };

/** Records what `cluster` claims, for the clusters constructed after it. */
export function recordClaims(cluster: Construct, claims: ClusterClaims): void {
  (cluster as Claimed)[CLAIMS] = claims;
}

/**
 * Refuses, at synth and before anything is created, a cluster that would share what one app can see
 * with a cluster already in it: the data volume pool (same environment and volume name), the identity,
 * or a stack parameter name (two prefixes that spell one name, e.g. none and none, `Graph` + `SlaveMode`
 * and `GraphSlave` + `Mode`). Clusters in other apps are kept apart by the identity alone.
 */
export function refuseCollisions(cluster: Construct, claims: ClusterClaims): void {
  const others = cluster.node.root.node.findAll()
    .filter((c): c is Claimed => c !== cluster && (c as Claimed)[CLAIMS] !== undefined);
  for (const other of others) {
    const theirs = (other as Claimed)[CLAIMS] as ClusterClaims;
    if (theirs.environmentName === claims.environmentName && theirs.dataVolumeName === claims.dataVolumeName) {
      throw new Neo4jUpgradesValidationError('environmentName and dataVolume.name', `'${claims.environmentName}' and '${claims.dataVolumeName}'`,
        `the cluster ${other.node.path} already claims data volumes tagged Environment=${claims.environmentName}, Name=${claims.dataVolumeName}: give this cluster another dataVolume.name (or environmentName)`);
    }
    if (theirs.clusterIdentity === claims.clusterIdentity) {
      throw new Neo4jUpgradesValidationError('clusterIdentity', `'${claims.clusterIdentity}'`,
        `the cluster ${other.node.path} already has this identity: each cluster needs its own`);
    }
    if (Stack.of(other) !== Stack.of(cluster)) continue;
    const shared = claims.parameterNames.filter((name) => theirs.parameterNames.includes(name));
    if (shared.length > 0) {
      throw new Neo4jUpgradesValidationError('parameterPrefix', `'${claims.parameterPrefix}'`,
        `with the prefix '${theirs.parameterPrefix}' of the cluster ${other.node.path} in the same stack, both clusters would own the stack parameter(s) ${shared.join(', ')}: give each cluster a prefix that no other prefix plus a parameter name spells`);
    }
  }
}
