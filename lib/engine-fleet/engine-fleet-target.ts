import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { IUpgradeTarget } from '../toolkit/upgrade-target';
import { DatabaseSnapshot } from './database-snapshot';
import { EngineNode } from './engine-node';
import { SchemaTask } from './schema-task';

/**
 * A fleet of engines sharing one database, each node its own ECS service behind one Application Load
 * Balancer target group (IP targets on `enginePort`). Camunda 7 is the documented example.
 */
export interface IEngineFleetTarget extends IUpgradeTarget {
  /** Every node, any order; groups are formed in the order of their ids. */
  readonly nodes: EngineNode[];
  /** The target group the nodes serve behind. */
  readonly targetGroupArn: string;
  /** The port the nodes are registered on. */
  readonly enginePort: number;
  /** The engine's container in the nodes' task definitions (the one whose image is upgraded). */
  readonly engineContainerName: string;
  /** Secret of the database the engines and the schema task use. */
  readonly databaseSecret: secretsmanager.ISecret;
  /** How the database is snapshotted before anything changes. */
  readonly databaseSnapshot: DatabaseSnapshot;
  /** The one-off task that upgrades the schema. */
  readonly schemaTask: SchemaTask;
}
