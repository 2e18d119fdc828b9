import type { Neo4jClusterParameterNames } from '../../lib/cluster/cluster-parameters';

/** The stack parameter names, as the cluster construct exposes them (one contract, type-only import). */
export type ClusterParameterNames = Neo4jClusterParameterNames;

/** One node group of the target (lib/toolkit/upgrade-target.ts UpgradeNodeGroup). */
export interface TargetGroup {
  readonly role: string;
  readonly autoScalingGroupName?: string;
  readonly serviceName?: string;
}

/** What every procedure's tasks know about any target: its stack, its parameters by role, its groups. */
export interface TargetContext {
  readonly stackName: string;
  /** Role -> CloudFormation parameter name. */
  readonly parameterNames: Readonly<Record<string, string>>;
  readonly groups: readonly TargetGroup[];
  readonly ecsClusterName: string;
}

/**
 * What every upgrade task knows about the cluster it works on. The state machine builds it from the
 * construct's props and passes it in each task's input as `cluster`.
 */
export interface ClusterContext {
  /** CloudFormation stack that owns the cluster's parameters. */
  readonly stackName: string;
  readonly parameterNames: ClusterParameterNames;
  /** The main and slave-only groups (roles `main`, `slave`) as generic node groups. */
  readonly groups: readonly TargetGroup[];
  /** Data volumes carry Name=<dataVolumeName> and Environment=<environmentName>. */
  readonly dataVolumeName: string;
  readonly environmentName: string;
  /**
   * The `neo4j-upgrades:cluster` tag that makes a volume or snapshot this cluster's. Absent: the cluster
   * predates identities, and only volumes without that tag are its own.
   */
  readonly clusterIdentity?: string;
  /** Volumes without an identity tag are the cluster's too (it is adopting them). */
  readonly adoptUntaggedVolumes?: boolean;
  readonly mainAutoScalingGroupName: string;
  readonly slaveAutoScalingGroupName: string;
  readonly ecsClusterName: string;
  readonly mainServiceName: string;
  readonly slaveServiceName: string;
  /** '3.5' | '4.4' | '5' | '2025' */
  readonly versionFamily: string;
  /** Secrets Manager secret with {"username","password"} for Bolt. */
  readonly credentialsSecretArn: string;
  /** bolt:// or neo4j:// URI the health gates connect to. */
  readonly boltUri: string;
}

/** Tag keys the library writes on volumes and snapshots it creates or touches. */
export const TAG_KEYS = {
  name: 'Name',
  environment: 'Environment',
  /** The cluster's identity (lib/cluster/cluster-identity.ts CLUSTER_IDENTITY_TAG; not imported: no CDK in a handler). */
  cluster: 'neo4j-upgrades:cluster',
  execution: 'neo4j-upgrade:execution',
  purpose: 'neo4j-upgrade:purpose',
  sourceVolume: 'neo4j-upgrade:source-volume',
  previousName: 'neo4j-upgrade:previous-name',
  cloneOf: 'neo4j-upgrade:clone-of',
  /** Execution that renamed a volume out of (or within) the claim pool; `execution` stays "created by". */
  renamedBy: 'neo4j-upgrade:renamed-by',
  /** On snapshots: where the source volume lived and what it was tagged, so a restore can recreate it. */
  sourceAvailabilityZone: 'neo4j-upgrade:source-az',
  sourceName: 'neo4j-upgrade:source-name',
  sourceEnvironment: 'neo4j-upgrade:source-environment',
  sourceVolumeType: 'neo4j-upgrade:source-volume-type',
  /** On snapshots: the rest of how the source volume was provisioned, so copies of it perform and cost alike. */
  sourceIops: 'neo4j-upgrade:source-iops',
  sourceThroughput: 'neo4j-upgrade:source-throughput',
  sourceSize: 'neo4j-upgrade:source-size-gib',
  /** The source volume's KMS key (EC2 reports it on the snapshot too; this keeps it where an API omits it). */
  sourceKmsKey: 'neo4j-upgrade:source-kms-key',
  /** On cross-region snapshot copies: the snapshot and region copied from. */
  sourceSnapshot: 'neo4j-upgrade:source-snapshot',
  sourceRegion: 'neo4j-upgrade:source-region',
  /** On clone volumes: position within its (region, AZ) target, for idempotent re-runs. */
  cloneIndex: 'neo4j-upgrade:clone-index',
  /** On volumes created by a restore: the pre-upgrade snapshot they were created from. */
  restoredFrom: 'neo4j-upgrade:restored-from',
} as const;
