import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { DatabaseSnapshot } from './database-snapshot';

/** Props of {@link EngineFleet}. */
export interface EngineFleetProps {
  /** A name that identifies the fleet in the account (the upgrade's default lock name, messages): lower-case letters, digits, hyphens. */
  readonly fleetName: string;
  /**
   * The engine image every node runs, its tag naming the whole engine version (e.g.
   * `camunda/camunda-bpm-platform:run-7.24.0`); the upgrade's version guard reads it.
   */
  readonly image: string;
  /**
   * How many nodes: each its own ECS service of one task, ids `engine-1` ... (zero-padded from 10 nodes, so
   * the node-id order the groups are formed in is the numeric one). At least 2, at most 99.
   * @default 3
   */
  readonly nodeCount?: number;
  /** The VPC the nodes and the schema task run in. */
  readonly vpc: ec2.IVpc;
  /**
   * Subnets of the nodes and the schema task.
   * @default - the VPC's private subnets with egress
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * The ECS cluster of the nodes' services and the schema task.
   * @default - a new cluster in the VPC, Container Insights on
   */
  readonly cluster?: ecs.ICluster;
  /**
   * The listener the fleet's target group serves behind.
   */
  readonly listener: elbv2.IApplicationListener;
  /**
   * With `listenerConditions`: the target group is forwarded to by a listener rule of this priority.
   * @default - the target group is the listener's default action
   */
  readonly listenerRulePriority?: number;
  /**
   * With `listenerRulePriority`: the conditions of the listener rule.
   * @default - the target group is the listener's default action
   */
  readonly listenerConditions?: elbv2.ListenerCondition[];
  /**
   * The path the target group's health check asks each node; it gates traffic to a node, so it should be an
   * engine-level check (Camunda Run's REST API answers `/engine-rest/engine` once the engine is up).
   * @default '/engine-rest/engine'
   */
  readonly healthCheckPath?: string;
  /**
   * How long the target group lets a deregistered node's in-flight requests finish (the upgrade's
   * `drainTimeout` must be at least this). Between 0 and 1 hour.
   * @default Duration.seconds(30)
   */
  readonly deregistrationDelay?: Duration;
  /**
   * The port the engine serves HTTP on, registered in the target group.
   * @default 8080
   */
  readonly enginePort?: number;
  /**
   * The engine's container name in the nodes' task definition.
   * @default 'camunda'
   */
  readonly engineContainerName?: string;
  /**
   * CPU units of a node's task (Fargate).
   * @default 1024
   */
  readonly cpu?: number;
  /**
   * Memory of a node's task in MiB (Fargate).
   * @default 2048
   */
  readonly memoryLimitMiB?: number;
  /**
   * Secret of the database with the keys `host`, `port`, `username`, `password`, `dbname` (an RDS generated
   * secret has them): the engines get `username` and `password` as `DB_USERNAME` and `DB_PASSWORD`, the schema
   * task all five as `PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`, `PGDATABASE`.
   */
  readonly databaseSecret: secretsmanager.ISecret;
  /** The JDBC URL the engines connect to (`DB_URL`), e.g. `jdbc:postgresql://<endpoint>:5432/camunda`. */
  readonly databaseJdbcUrl: string;
  /**
   * The JDBC driver class (`DB_DRIVER`).
   * @default 'org.postgresql.Driver'
   */
  readonly databaseDriver?: string;
  /**
   * The database's connections (e.g. an `rds.DatabaseInstance`): opened on `databasePort` to the nodes and the schema task.
   * @default - none: the database's security group must already admit them
   */
  readonly database?: ec2.IConnectable;
  /**
   * The database port opened on `database`.
   * @default 5432
   */
  readonly databasePort?: number;
  /** How the database is snapshotted before an upgrade changes anything. */
  readonly databaseSnapshot: DatabaseSnapshot;
  /**
   * Camunda's database type in the upgrade scripts' names.
   * @default 'postgres'
   */
  readonly databaseType?: string;
  /**
   * Image of the one-off schema task (psql, the schema program of `lambda/camunda-schema-upgrade` and the new
   * engine's `sql/upgrade` folder), pinned by tag or digest.
   */
  readonly schemaImage: string;
  /**
   * More environment of the engine container (e.g. `JAVA_OPTS`). Not for secrets.
   * @default - only the database settings
   */
  readonly environment?: { [name: string]: string };
}
