import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';

/** One group of nodes of an upgrade target: an Auto Scaling group and/or an ECS service, with its role. */
export interface UpgradeNodeGroup {
  /** What the group is in the procedure, e.g. `main`, `slave`, `engines-1`, `agents`. Unique per target. */
  readonly role: string;
  /**
   * The Auto Scaling group whose instances run the group.
   * @default - the group has no Auto Scaling group of its own
   */
  readonly autoScalingGroupName?: string;
  /**
   * The ECS service that runs the group's tasks, in the target's ECS cluster.
   * @default - the group has no ECS service of its own
   */
  readonly ecsServiceName?: string;
}

/** Tagged data volumes that nodes claim at boot and an upgrade snapshots, renames and restores. */
export interface DataVolumePool {
  /** The `Name` tag of claimable volumes. */
  readonly name: string;
  /** The `Environment` tag of the volumes. */
  readonly environmentName: string;
  /**
   * The `neo4j-upgrades:cluster` tag that makes a volume or snapshot this target's, whatever its `Name` and
   * `Environment` tags. Volumes and snapshots the procedure creates carry it.
   * @default - none: only volumes without that tag are the target's (a cluster that predates identities)
   */
  readonly clusterIdentity?: string;
  /**
   * Volumes without an identity tag are the target's too (it is adopting them).
   * @default false
   */
  readonly adoptUntagged?: boolean;
  /**
   * The customer-managed key that encrypts them.
   * @default - AWS managed key or none
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * What any upgrade procedure works on: node groups steered by the parameters of one CloudFormation stack.
 * `Neo4jCluster` and `Neo4jUpgradeTarget.fromAttributes` are such targets; a Camunda engine fleet or an
 * ArangoDB cluster (one group per role) are too.
 */
export interface IUpgradeTarget {
  /** The stack whose parameters the procedure changes. */
  readonly stackName: string;
  /** Stack parameter per role the procedure sets (role -> CloudFormation parameter name). */
  readonly stackParameters: { [role: string]: string };
  /** The node groups, in no particular order; procedures pick them by role. */
  readonly nodeGroups: UpgradeNodeGroup[];
  /** The ECS cluster the groups' services run in. */
  readonly ecsClusterName: string;
  /** The VPC of the nodes: handlers that talk to them run in it. */
  readonly vpc: ec2.IVpc;
  /** Roles CloudFormation passes when a parameter change replaces instances or task definitions. */
  readonly passedRoleArns: string[];
  /** A name that identifies the target among others in the account (default lock name, messages). */
  readonly targetName: string;
  /**
   * Credentials the health gates and data checks read.
   * @default - none
   */
  readonly credentials?: secretsmanager.ISecret;
  /**
   * The tagged data volumes of the nodes.
   * @default - the nodes keep no data volumes of their own
   */
  readonly dataVolumes?: DataVolumePool;

  /** Allows the procedure's handlers that talk to the nodes (health gates, data checks) in. */
  allowClientsFrom(peer: ec2.IConnectable): void;
}
