import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { Neo4jUpgradesValidationError } from '../errors';
import { DataVolumePool, UpgradeNodeGroup } from '../toolkit/upgrade-target';
import { AuxiliaryHook } from './auxiliary-hook';
import { ClusterServer } from './cluster-server';
import { IRoleOrderedTarget } from './role-ordered-target';

/** An ArangoDB cluster deployed elsewhere, described for {@link ArangoUpgradeTarget.fromAttributes}. */
export interface ArangoUpgradeTargetAttributes {
  /** The stack that deployed the cluster (named in locks and results). */
  readonly stackName: string;
  /** The ECS cluster the servers' services run in. */
  readonly ecsClusterName: string;
  /** Every server: agents, DB servers and coordinators, each its own ECS service. */
  readonly servers: ClusterServer[];
  /** Secret with `username`, `password` and `jwtSecret`. */
  readonly clusterCredentials: secretsmanager.ISecret;
  /** The `Environment` tag of the data volumes. */
  readonly environmentName: string;
  /** The `Name` tag of the data volumes. */
  readonly dataVolumeName: string;
  /** The VPC the servers run in. */
  readonly vpc: ec2.IVpc;
  /** Security group of the servers: the gates get ingress on `clientPorts`, by rules in the upgrade's stack. */
  readonly serverSecurityGroup: ec2.ISecurityGroup;
  /** Task and execution roles the new task definitions pass. At least one. */
  readonly passedRoleArns: string[];
  /**
   * Ports the procedure's handlers reach the servers on.
   * @default [8529, 8530, 8531] (coordinators, DB servers, agents as the starter assigns them)
   */
  readonly clientPorts?: number[];
  /**
   * KMS key of the data volumes.
   * @default - AWS managed key or none
   */
  readonly dataVolumeKey?: kms.IKey;
  /**
   * Stop and re-establish DC2DC replication.
   * @default - no replication step
   */
  readonly replicationHook?: AuxiliaryHook;
  /**
   * Stop and restore automatic restarts.
   * @default - no restart-policy step
   */
  readonly restartPolicyHook?: AuxiliaryHook;
}

/** An ArangoDB cluster on ECS as a role-ordered upgrade target. */
export class ArangoUpgradeTarget {
  /** A cluster deployed by another stack or by hand. */
  public static fromAttributes(scope: Construct, id: string, attrs: ArangoUpgradeTargetAttributes): IRoleOrderedTarget {
    return new ImportedArangoTarget(scope, id, attrs);
  }

  private constructor() {}
}

class ImportedArangoTarget extends Construct implements IRoleOrderedTarget {
  public readonly stackName: string;
  public readonly stackParameters: { [role: string]: string } = {};
  public readonly nodeGroups: UpgradeNodeGroup[];
  public readonly ecsClusterName: string;
  public readonly vpc: ec2.IVpc;
  public readonly passedRoleArns: string[];
  public readonly targetName: string;
  public readonly credentials: secretsmanager.ISecret;
  public readonly clusterCredentials: secretsmanager.ISecret;
  public readonly dataVolumes: DataVolumePool;
  public readonly servers: ClusterServer[];
  public readonly environmentName: string;
  public readonly dataVolumeName: string;
  public readonly replicationHook?: AuxiliaryHook;
  public readonly restartPolicyHook?: AuxiliaryHook;

  constructor(scope: Construct, id: string, private readonly attrs: ArangoUpgradeTargetAttributes) {
    super(scope, id);
    this.validate();
    this.stackName = attrs.stackName;
    this.ecsClusterName = attrs.ecsClusterName;
    this.vpc = attrs.vpc;
    this.passedRoleArns = attrs.passedRoleArns;
    this.targetName = attrs.environmentName;
    this.credentials = attrs.clusterCredentials;
    this.clusterCredentials = attrs.clusterCredentials;
    this.servers = attrs.servers;
    this.environmentName = attrs.environmentName;
    this.dataVolumeName = attrs.dataVolumeName;
    this.dataVolumes = { name: attrs.dataVolumeName, environmentName: attrs.environmentName, encryptionKey: attrs.dataVolumeKey };
    this.nodeGroups = attrs.servers.map((s) => ({ role: `${s.role}/${s.serverId}`, ecsServiceName: s.ecsServiceName }));
    this.replicationHook = attrs.replicationHook;
    this.restartPolicyHook = attrs.restartPolicyHook;
  }

  public allowClientsFrom(peer: ec2.IConnectable): void {
    for (const port of this.attrs.clientPorts ?? [8529, 8530, 8531]) {
      this.attrs.serverSecurityGroup.connections.allowFrom(peer, ec2.Port.tcp(port), `role-ordered upgrade handlers to port ${port}`);
    }
  }

  private validate(): void {
    const a = this.attrs;
    if (a.servers.length === 0) throw new Neo4jUpgradesValidationError('servers', '[]', 'needs at least one server');
    const ids = new Set<string>();
    for (const [i, s] of a.servers.entries()) {
      for (const field of ['role', 'serverId', 'ecsServiceName', 'endpoint'] as const) {
        if (!Token.isUnresolved(s[field]) && (typeof s[field] !== 'string' || s[field].trim() === '')) {
          throw new Neo4jUpgradesValidationError(`servers[${i}].${field}`, JSON.stringify(s[field]), 'must be a non-empty string');
        }
      }
      if (ids.has(s.serverId)) throw new Neo4jUpgradesValidationError(`servers[${i}].serverId`, JSON.stringify(s.serverId), 'is given twice');
      ids.add(s.serverId);
    }
    if (a.passedRoleArns.length === 0) throw new Neo4jUpgradesValidationError('passedRoleArns', '[]', 'needs at least one role (the task role the new task definitions pass)');
  }
}
