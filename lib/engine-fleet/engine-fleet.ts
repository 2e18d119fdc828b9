import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { parseDockerImageReference } from '../cluster/docker-image-reference';
import { Neo4jUpgradesValidationError } from '../errors';
import { acknowledgeRule, awsSolutions } from '../private/acknowledge';
import { pinFeatureFlags } from '../private/pinned-feature-flags';
import { UpgradeNodeGroup } from '../toolkit/upgrade-target';
import { DatabaseSnapshot } from './database-snapshot';
import { EngineFleetProps } from './engine-fleet-props';
import { IEngineFleetTarget } from './engine-fleet-target';
import { EngineNode } from './engine-node';
import { requirePinnedEngineImage } from './pinned-engine-image';
import { SchemaTask } from './schema-task';

const SCHEMA_CONTAINER = 'schema';

/**
 * An engine fleet on ECS Fargate behind an Application Load Balancer target group, Camunda 7 as the example:
 * one ECS service of one task per node (the unit a schema-first rolling upgrade moves), every service
 * registered by ECS in one IP target group with a health check, the engines given the database secret, the
 * one-off schema task definition, and the security groups the nodes, the schema task and the upgrade's engine
 * check need. It is the target of `SchemaFirstRollingUpgrade` as it is.
 *
 * The upgrade moves each node's service to a new task definition revision outside CloudFormation: set `image`
 * to the new version before the stack is deployed again, or the deployment takes the fleet back.
 */
export class EngineFleet extends Construct implements IEngineFleetTarget {
  public readonly stackName: string;
  public readonly stackParameters: { [role: string]: string } = {};
  public readonly nodeGroups: UpgradeNodeGroup[];
  public readonly ecsClusterName: string;
  public readonly vpc: ec2.IVpc;
  public readonly passedRoleArns: string[];
  public readonly targetName: string;
  // Optional only because IUpgradeTarget's is: always the database secret here.
  /** The database secret (always set). */
  public readonly credentials?: secretsmanager.ISecret;
  public readonly nodes: EngineNode[];
  public readonly targetGroupArn: string;
  public readonly enginePort: number;
  public readonly engineContainerName: string;
  public readonly databaseSecret: secretsmanager.ISecret;
  public readonly databaseSnapshot: DatabaseSnapshot;
  public readonly schemaTask: SchemaTask;
  /** The ECS cluster of the nodes and the schema task. */
  public readonly cluster: ecs.ICluster;
  /** The target group every node's service is registered in. */
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** One service per node, in node order. */
  public readonly services: ecs.FargateService[];
  /** The nodes' security group (the load balancer and the upgrade's engine check are admitted on the engine port). */
  public readonly engineSecurityGroup: ec2.SecurityGroup;
  /** The schema task's security group (admitted to `database`). */
  public readonly schemaSecurityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: EngineFleetProps) {
    super(scope, id);
    pinFeatureFlags(this);
    const nodeCount = this.validate(props);
    this.stackName = Stack.of(this).stackName;
    this.targetName = props.fleetName;
    this.vpc = props.vpc;
    this.enginePort = props.enginePort ?? 8080;
    this.engineContainerName = props.engineContainerName ?? 'camunda';
    this.databaseSecret = props.databaseSecret;
    this.credentials = props.databaseSecret;
    this.databaseSnapshot = props.databaseSnapshot;
    this.cluster = props.cluster ?? new ecs.Cluster(this, 'Cluster', { vpc: props.vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    this.ecsClusterName = this.cluster.clusterName;
    const subnets = props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };

    this.engineSecurityGroup = new ec2.SecurityGroup(this, 'EngineSecurityGroup', { vpc: props.vpc, description: `${props.fleetName} engine nodes` });
    this.schemaSecurityGroup = new ec2.SecurityGroup(this, 'SchemaSecurityGroup', { vpc: props.vpc, description: `${props.fleetName} schema task` });
    const databasePort = ec2.Port.tcp(props.databasePort ?? 5432);
    props.database?.connections.allowFrom(this.engineSecurityGroup, databasePort, `${props.fleetName} engines`);
    props.database?.connections.allowFrom(this.schemaSecurityGroup, databasePort, `${props.fleetName} schema task`);

    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.RETAIN });
    const engineTask = this.engineTaskDefinition(props, logGroup);
    const schemaTask = this.schemaTaskDefinition(props, logGroup);
    this.passedRoleArns = [engineTask, schemaTask].flatMap((t) => [t.taskRole.roleArn, t.obtainExecutionRole().roleArn]);
    this.schemaTask = {
      taskDefinition: schemaTask.taskDefinitionArn, containerName: SCHEMA_CONTAINER,
      subnets: props.vpc.selectSubnets(subnets).subnets, securityGroups: [this.schemaSecurityGroup], databaseType: props.databaseType,
    };

    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'TargetGroup', {
      vpc: props.vpc, targetType: elbv2.TargetType.IP, protocol: elbv2.ApplicationProtocol.HTTP, port: this.enginePort,
      deregistrationDelay: props.deregistrationDelay ?? Duration.seconds(30),
      healthCheck: { path: props.healthCheckPath ?? '/engine-rest/engine', healthyHttpCodes: '200', interval: Duration.seconds(10), healthyThresholdCount: 2 },
    });
    this.targetGroupArn = this.targetGroup.targetGroupArn;
    props.listener.addTargetGroups(`${id}Engines`, {
      targetGroups: [this.targetGroup], priority: props.listenerRulePriority, conditions: props.listenerConditions,
    });

    const width = nodeCount >= 10 ? 2 : 1;
    this.nodes = [];
    this.services = [];
    for (let i = 1; i <= nodeCount; i++) {
      const nodeId = `engine-${String(i).padStart(width, '0')}`;
      // One task per node; a deployment of the stack starts a node's new task before stopping its old one.
      const service = new ecs.FargateService(this, `Node${i}`, {
        cluster: this.cluster, taskDefinition: engineTask, desiredCount: 1, minHealthyPercent: 100, maxHealthyPercent: 200,
        vpcSubnets: subnets, securityGroups: [this.engineSecurityGroup], assignPublicIp: false,
        // Camunda boots in 30-60 s; the load balancer's health check does not stop a booting engine.
        healthCheckGracePeriod: Duration.minutes(3),
      });
      this.targetGroup.addTarget(service.loadBalancerTarget({ containerName: this.engineContainerName, containerPort: this.enginePort }));
      this.services.push(service);
      this.nodes.push({ nodeId, ecsServiceName: service.serviceName });
    }
    // Each node is a group of the generic target (its own service): IAM and the services checks see them all.
    this.nodeGroups = this.nodes.map((n) => ({ role: n.nodeId, ecsServiceName: n.ecsServiceName }));
  }

  /** The upgrade's handlers that ask the nodes directly (the engine check) reach them on the engine port. */
  public allowClientsFrom(peer: ec2.IConnectable): void {
    this.engineSecurityGroup.connections.allowFrom(peer, ec2.Port.tcp(this.enginePort), 'The upgrade procedure\'s engine check');
  }

  private engineTaskDefinition(props: EngineFleetProps, logGroup: logs.ILogGroup): ecs.FargateTaskDefinition {
    const task = new ecs.FargateTaskDefinition(this, 'EngineTask', { cpu: props.cpu ?? 1024, memoryLimitMiB: props.memoryLimitMiB ?? 2048 });
    task.addContainer(this.engineContainerName, {
      image: ecs.ContainerImage.fromRegistry(props.image),
      portMappings: [{ containerPort: this.enginePort }],
      environment: { ...props.environment, DB_DRIVER: props.databaseDriver ?? 'org.postgresql.Driver', DB_URL: props.databaseJdbcUrl },
      secrets: {
        DB_USERNAME: ecs.Secret.fromSecretsManager(props.databaseSecret, 'username'),
        DB_PASSWORD: ecs.Secret.fromSecretsManager(props.databaseSecret, 'password'),
      },
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'engine' }),
    });
    acknowledgeRule(task, awsSolutions('ECS2'), 'Only the JDBC driver and URL and the caller\'s non-secret settings; the credentials come from Secrets Manager');
    return task;
  }

  private schemaTaskDefinition(props: EngineFleetProps, logGroup: logs.ILogGroup): ecs.FargateTaskDefinition {
    const task = new ecs.FargateTaskDefinition(this, 'SchemaTask', { cpu: 256, memoryLimitMiB: 512 });
    const field = (key: string) => ecs.Secret.fromSecretsManager(props.databaseSecret, key);
    task.addContainer(SCHEMA_CONTAINER, {
      image: ecs.ContainerImage.fromRegistry(props.schemaImage),
      environment: { CAMUNDA_DATABASE_TYPE: props.databaseType ?? 'postgres' },
      secrets: { PGHOST: field('host'), PGPORT: field('port'), PGUSER: field('username'), PGPASSWORD: field('password'), PGDATABASE: field('dbname') },
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'schema' }),
    });
    acknowledgeRule(task, awsSolutions('ECS2'), 'Only the database type of the script names; the connection comes from Secrets Manager');
    return task;
  }

  private validate(p: EngineFleetProps): number {
    if (!Token.isUnresolved(p.fleetName) && !/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/.test(p.fleetName)) {
      throw new Neo4jUpgradesValidationError('fleetName', JSON.stringify(p.fleetName), 'must be 1-64 lower-case letters, digits and inner hyphens');
    }
    requirePinnedEngineImage('image', p.image);
    if (Token.isUnresolved(p.schemaImage)) {
      throw new Neo4jUpgradesValidationError('schemaImage', JSON.stringify(p.schemaImage), 'must be known at synth and pinned by tag or digest');
    }
    parseDockerImageReference('schemaImage', p.schemaImage);
    const nodeCount = p.nodeCount ?? 3;
    if (!Number.isInteger(nodeCount) || nodeCount < 2 || nodeCount > 99) {
      throw new Neo4jUpgradesValidationError('nodeCount', String(nodeCount), 'must be an integer from 2 (one group stays in service) to 99');
    }
    for (const [prop, port] of [['enginePort', p.enginePort], ['databasePort', p.databasePort]] as const) {
      if (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65535)) {
        throw new Neo4jUpgradesValidationError(prop, String(port), 'must be a TCP port (1-65535)');
      }
    }
    const delay = p.deregistrationDelay?.toSeconds();
    if (delay !== undefined && (delay < 0 || delay > 3600)) {
      throw new Neo4jUpgradesValidationError('deregistrationDelay', `${delay} s`, 'must be between 0 seconds and 1 hour');
    }
    const path = p.healthCheckPath;
    if (path !== undefined && !Token.isUnresolved(path) && !/^\/[^\s]{0,1023}$/.test(path)) {
      throw new Neo4jUpgradesValidationError('healthCheckPath', JSON.stringify(path), 'must be an absolute path like /engine-rest/engine');
    }
    if ((p.listenerRulePriority === undefined) !== (p.listenerConditions === undefined)) {
      throw new Neo4jUpgradesValidationError('listenerRulePriority', String(p.listenerRulePriority), 'is given with listenerConditions or not at all');
    }
    const type = p.databaseType;
    if (type !== undefined && !/^[a-z0-9]+$/.test(type)) {
      throw new Neo4jUpgradesValidationError('databaseType', JSON.stringify(type), 'must be a Camunda database name like postgres');
    }
    return nodeCount;
  }
}
