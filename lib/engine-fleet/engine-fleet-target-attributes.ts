import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { DatabaseSnapshot } from './database-snapshot';
import { EngineNode } from './engine-node';
import { SchemaTask } from './schema-task';

/** An engine fleet deployed elsewhere, described for {@link EngineFleetTarget.fromAttributes}. */
export interface EngineFleetTargetAttributes {
  /** The stack that deployed the fleet (named in locks and results). */
  readonly stackName: string;
  /** A name that identifies the fleet in the account (default lock name, messages). */
  readonly fleetName: string;
  /** The ECS cluster the nodes' services and the schema task run in. */
  readonly ecsClusterName: string;
  /** Every node, each its own ECS service. At least two: one group must stay in service. */
  readonly nodes: EngineNode[];
  /** The ALB target group the nodes serve behind (IP targets). */
  readonly targetGroupArn: string;
  /**
   * The port the nodes are registered on.
   * @default 8080
   */
  readonly enginePort?: number;
  /**
   * The engine's container in the nodes' task definitions.
   * @default 'camunda'
   */
  readonly engineContainerName?: string;
  /** Secret of the database (engines and schema task). */
  readonly databaseSecret: secretsmanager.ISecret;
  /** How the database is snapshotted before anything changes. */
  readonly databaseSnapshot: DatabaseSnapshot;
  /** The one-off task that upgrades the schema. */
  readonly schemaTask: SchemaTask;
  /** The VPC the nodes run in. */
  readonly vpc: ec2.IVpc;
  /**
   * The nodes' security group: opened on the engine port for the handlers that ask the nodes directly (the engine check).
   * @default - none: the nodes' security group must already admit the engine check's handler
   */
  readonly engineSecurityGroup?: ec2.ISecurityGroup;
  /** Task and execution roles the new task definitions and the schema task pass. At least one. */
  readonly passedRoleArns: string[];
}
