/**
 * The per-server rehearsals' app (rolling-app.ts, offline-app.ts): a Neo4j 5 cluster of three servers in
 * the per-server layout (each main member its own ECS service and `Server<N>Image` parameter, no slave-only
 * node) at `version`, and the procedure `upgrade` adds. The gates reach the rehearsal's servers through
 * context `neo4jBoltUri` (the world answers for the cluster, tools/rehearsal/rolling/cluster-answers.ts).
 * Context `neo4jFromVersion` overrides `version`; `neo4jDiscoveryVersion: 'V2'` builds the cluster on discovery v2
 * (the rolling rehearsal's roll to a calendar version, rolling/cli.ts --to); `neo4jVersionFamily: '4.4'` builds it as
 * a Neo4j 4.4 causal cluster of three cores (`Neo4jVersionFamily.V4_4_CAUSAL`: replacing/cli.ts --family 4.4).
 */
import { App, Stack } from 'aws-cdk-lib';
import { DiscoveryVersion, Neo4jCluster, Neo4jClusterProps, Neo4jVersionFamily, ServerLayout } from '../../../lib';

export interface PerServerAppProps {
  readonly stackName: string;
  readonly description: string;
  /** Environment name; the data volumes are `neo4j-<environment>-data`. */
  readonly environmentName: string;
  readonly version: string;
  readonly upgrade: (stack: Stack, cluster: Neo4jCluster, boltUri: string) => void;
  /** More cluster props (e.g. the replacing rehearsal's spare slot). */
  readonly cluster?: Partial<Neo4jClusterProps>;
}

export function perServerApp(props: PerServerAppProps): void {
  const app = new App();
  const stack = new Stack(app, props.stackName, { env: { account: '123456789012', region: 'us-east-1' }, description: props.description });
  const cluster = new Neo4jCluster(stack, 'Neo4j', {
    dockerImage: `neo4j:${app.node.tryGetContext('neo4jFromVersion') ?? props.version}-enterprise`,
    versionFamily: app.node.tryGetContext('neo4jVersionFamily') === '4.4' ? Neo4jVersionFamily.V4_4_CAUSAL : Neo4jVersionFamily.V5,
    environmentName: props.environmentName,
    capacity: { min: 3, max: 3, desired: 3 },
    slaveCapacity: { min: 0, max: 1, desired: 0 },
    serverLayout: ServerLayout.SERVICE_PER_SERVER,
    dataVolume: { name: `neo4j-${props.environmentName}-data`, sizeGiB: 50 },
    ...(app.node.tryGetContext('neo4jDiscoveryVersion') === 'V2' && { discoveryVersion: DiscoveryVersion.V2 }),
    ...props.cluster,
  });
  props.upgrade(stack, cluster, app.node.tryGetContext('neo4jBoltUri') ?? `bolt://neo4j.${props.environmentName}.internal:7687`);
  app.synth();
}
