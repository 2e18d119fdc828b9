import * as ec2 from 'aws-cdk-lib/aws-ec2';

/**
 * The one-off ECS task that runs the engine's upgrade scripts against the database (seed 002 step 1). Its
 * image carries psql, the schema program (lambda/camunda-schema-upgrade) and the new engine's scripts; the
 * procedure runs it with `CAMUNDA_TARGET_VERSION` set and reads its exit code.
 */
export interface SchemaTask {
  /** Task definition (family or ARN) of the schema task; its container gets the database secret as PG* variables. */
  readonly taskDefinition: string;
  /** The container of the task definition that runs the schema program. */
  readonly containerName: string;
  /** Subnets the task runs in (awsvpc). */
  readonly subnets: ec2.ISubnet[];
  /** Security groups of the task: they must reach the database. */
  readonly securityGroups: ec2.ISecurityGroup[];
  /**
   * Camunda's database type in the script names.
   * @default 'postgres'
   */
  readonly databaseType?: string;
}
