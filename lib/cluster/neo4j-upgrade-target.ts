import { Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { Neo4jUpgradesValidationError } from '../errors';
import { validateClusterIdentity } from './cluster-identity';
import { Neo4jClusterParameterNames } from './cluster-parameters';
import { allowNeo4jClients } from './neo4j-ports';
import { Neo4jVersionFamily } from './neo4j-version-family';
import { neo4jDataVolumes, neo4jNodeGroups, neo4jStackParameters } from './neo4j-target-view';
import { DataVolumePool, IUpgradeTarget, UpgradeNodeGroup } from '../toolkit/upgrade-target';

/**
 * What a staged upgrade needs to know about the cluster it upgrades: the stack and its parameters, the
 * groups, services and volumes, and how to reach Neo4j. `Neo4jCluster` is one; a cluster deployed by
 * another stack (seed 000's own template, for example) is imported with `Neo4jUpgradeTarget.fromAttributes`.
 */
export interface INeo4jUpgradeTarget extends IUpgradeTarget {
  /** Logical names of the stack parameters that drive the cluster. */
  readonly parameterNames: Neo4jClusterParameterNames;
  /** The `Environment` tag of the data volumes. */
  readonly environmentName: string;
  /** The `Name` tag of claimable data volumes. */
  readonly dataVolumeName: string;
  /** The version family the cluster's settings follow (the health gates' queries). */
  readonly versionFamily: Neo4jVersionFamily;
  /** Auto Scaling group of the main HA members. */
  readonly mainAutoScalingGroupName: string;
  /** Auto Scaling group of the slave-only node. */
  readonly slaveAutoScalingGroupName: string;
  /** ECS service running Neo4j on the main members. */
  readonly mainServiceName: string;
  /** ECS service running Neo4j on the slave-only node. */
  readonly slaveServiceName: string;
  /** Admin credentials secret (`username`, `password`) the health gates and the validator read. */
  readonly adminCredentials: secretsmanager.ISecret;
  /** KMS key of the data volumes, if they are encrypted with a customer-managed key. */
  readonly dataVolumeKey?: kms.IKey;
  /**
   * The `neo4j-upgrades:cluster` tag of the cluster's instances, data volumes and snapshots.
   * @default - none: the cluster predates identities, and only volumes without that tag are its own
   */
  readonly clusterIdentity?: string;
  /**
   * Volumes without an identity tag are the cluster's too.
   * @default false
   */
  readonly adoptUntaggedVolumes?: boolean;
}

// The fields repeat INeo4jUpgradeTarget's on purpose: jsii forbids a behavioural interface extending a
// struct (JSII3007), the same split as aws-cdk-lib's IBucket and BucketAttributes.
/** A cluster deployed by another stack, described for {@link Neo4jUpgradeTarget.fromAttributes}. */
export interface Neo4jUpgradeTargetAttributes {
  /** The stack whose parameters drive the cluster. */
  readonly stackName: string;
  /** Logical names of its parameters (seed 000's: DockerImage, Mode, SlaveMode, AllowUpgrade, ...). */
  readonly parameterNames: Neo4jClusterParameterNames;
  /** The `Environment` tag of the data volumes. */
  readonly environmentName: string;
  /** The `Name` tag of claimable data volumes. */
  readonly dataVolumeName: string;
  /** The version family of the running cluster. */
  readonly versionFamily: Neo4jVersionFamily;
  /** Auto Scaling group of the main HA members. */
  readonly mainAutoScalingGroupName: string;
  /** Auto Scaling group of the slave-only node. */
  readonly slaveAutoScalingGroupName: string;
  /** The ECS cluster. */
  readonly ecsClusterName: string;
  /** ECS service of the main members. */
  readonly mainServiceName: string;
  /** ECS service of the slave-only node. */
  readonly slaveServiceName: string;
  /** Admin credentials secret (`username`, `password`). */
  readonly adminCredentials: secretsmanager.ISecret;
  /** The VPC the nodes run in. */
  readonly vpc: ec2.IVpc;
  /**
   * Security group of the nodes: the upgrade's Bolt handlers get ingress on 7687 and 7474 to it, by rules
   * created in the upgrade's stack (the cluster's stack is never made to depend on the upgrade's).
   */
  readonly nodeSecurityGroup: ec2.ISecurityGroup;
  /** Roles CloudFormation passes on a parameter change (instance role, task and execution roles). At least one. */
  readonly passedRoleArns: string[];
  /**
   * KMS key of the data volumes.
   * @default - the volumes use the AWS managed EBS key (or none)
   */
  readonly dataVolumeKey?: kms.IKey;
  /**
   * The cluster's identity, the `neo4j-upgrades:cluster` tag of its volumes and instances (a `Neo4jCluster`'s
   * `clusterIdentity`). Volumes and snapshots with another identity are never touched, and the ones the
   * upgrade creates carry this one.
   * @default - none, for a cluster whose volumes carry no identity tag (seed 000's own template, a cluster
   * of an earlier version of this library): only volumes WITHOUT the tag are the cluster's, so a cluster
   * with an identity and the same `Name`/`Environment` tags is never touched
   */
  readonly clusterIdentity?: string;
  /**
   * The cluster is adopting untagged volumes (a `Neo4jCluster` with `adoptUntaggedVolumes`): volumes with
   * its identity and volumes without any are its own. Only with `clusterIdentity`.
   * @default false
   */
  readonly adoptUntaggedVolumes?: boolean;
}

/** Targets of a staged upgrade that were not built by {@link Neo4jCluster} in this app. */
export class Neo4jUpgradeTarget {
  /** Describes a cluster deployed by another stack so `Neo4jStagedUpgrade` can upgrade it. */
  public static fromAttributes(scope: Construct, id: string, attrs: Neo4jUpgradeTargetAttributes): INeo4jUpgradeTarget {
    return new ImportedUpgradeTarget(scope, id, attrs);
  }

  private constructor() {}
}

const NAME_FIELDS = [
  'stackName', 'environmentName', 'dataVolumeName', 'mainAutoScalingGroupName', 'slaveAutoScalingGroupName',
  'ecsClusterName', 'mainServiceName', 'slaveServiceName',
] as const;

class ImportedUpgradeTarget extends Construct implements INeo4jUpgradeTarget {
  public readonly stackName: string;
  public readonly parameterNames: Neo4jClusterParameterNames;
  public readonly environmentName: string;
  public readonly dataVolumeName: string;
  public readonly versionFamily: Neo4jVersionFamily;
  public readonly mainAutoScalingGroupName: string;
  public readonly slaveAutoScalingGroupName: string;
  public readonly ecsClusterName: string;
  public readonly mainServiceName: string;
  public readonly slaveServiceName: string;
  public readonly adminCredentials: secretsmanager.ISecret;
  public readonly vpc: ec2.IVpc;
  public readonly dataVolumeKey?: kms.IKey;
  public readonly passedRoleArns: string[];
  public readonly clusterIdentity?: string;
  public readonly adoptUntaggedVolumes?: boolean;
  private readonly nodeSecurityGroup: ec2.ISecurityGroup;

  constructor(scope: Construct, id: string, attrs: Neo4jUpgradeTargetAttributes) {
    super(scope, id);
    for (const field of NAME_FIELDS) {
      const value = attrs[field];
      if (typeof value !== 'string' || (!Token.isUnresolved(value) && value.trim() === '')) {
        throw new Neo4jUpgradesValidationError(field, JSON.stringify(value), 'must be a non-empty name');
      }
    }
    for (const [key, name] of Object.entries(attrs.parameterNames)) {
      if (name === undefined) continue; // an optional role the stack does not have (versionFamily)
      if (!Token.isUnresolved(name) && !/^[A-Za-z0-9]+$/.test(name)) {
        throw new Neo4jUpgradesValidationError(`parameterNames.${key}`, JSON.stringify(name), 'must be a CloudFormation parameter name (letters and digits)');
      }
    }
    validateClusterIdentity('clusterIdentity', attrs.clusterIdentity);
    if (attrs.adoptUntaggedVolumes && attrs.clusterIdentity === undefined) {
      throw new Neo4jUpgradesValidationError('adoptUntaggedVolumes', 'true', 'adopting untagged volumes needs the clusterIdentity they are adopted into');
    }
    if (attrs.passedRoleArns.length === 0) {
      throw new Neo4jUpgradesValidationError('passedRoleArns', '[]', 'a parameter change that replaces instances or task definitions passes their roles; list them');
    }
    this.stackName = attrs.stackName;
    this.parameterNames = attrs.parameterNames;
    this.environmentName = attrs.environmentName;
    this.dataVolumeName = attrs.dataVolumeName;
    this.versionFamily = attrs.versionFamily;
    this.mainAutoScalingGroupName = attrs.mainAutoScalingGroupName;
    this.slaveAutoScalingGroupName = attrs.slaveAutoScalingGroupName;
    this.ecsClusterName = attrs.ecsClusterName;
    this.mainServiceName = attrs.mainServiceName;
    this.slaveServiceName = attrs.slaveServiceName;
    this.adminCredentials = attrs.adminCredentials;
    this.vpc = attrs.vpc;
    this.dataVolumeKey = attrs.dataVolumeKey;
    this.passedRoleArns = attrs.passedRoleArns;
    this.nodeSecurityGroup = attrs.nodeSecurityGroup;
    this.clusterIdentity = attrs.clusterIdentity;
    this.adoptUntaggedVolumes = attrs.adoptUntaggedVolumes ?? false;
  }

  public get stackParameters(): { [role: string]: string } { return neo4jStackParameters(this); }
  public get nodeGroups(): UpgradeNodeGroup[] { return neo4jNodeGroups(this); }
  public get dataVolumes(): DataVolumePool | undefined { return neo4jDataVolumes(this); }
  public get credentials(): secretsmanager.ISecret | undefined { return this.adminCredentials; }
  public get targetName(): string { return this.clusterIdentity ?? this.environmentName; }

  public allowClientsFrom(peer: ec2.IConnectable): void {
    allowNeo4jClients(this.nodeSecurityGroup, peer);
  }
}
