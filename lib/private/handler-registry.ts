import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { IClientEndpoint } from '../blue-green/client-endpoint';
import { CLUSTER_IDENTITY_TAG, ownVolumeCondition } from '../cluster/cluster-identity';
import { IEngineFleetTarget } from '../engine-fleet/engine-fleet-target';
import { Neo4jUpgradesValidationError } from '../errors';
import { IUpgradeTarget } from '../toolkit/upgrade-target';
import { abortParameterNameOf } from './operator-parameters';
import { UPGRADE_EVENT_SOURCE } from './upgrade-telemetry';

/** What a handler's IAM statements are scoped to. */
export interface HandlerGrantContext {
  readonly fn: lambda.Function;
  readonly target: IUpgradeTarget;
  readonly lockParameterName: string;
  readonly topic: sns.ITopic;
  readonly cloneRegions: string[];
  /** The client endpoint whose listener the traffic switch moves. */
  readonly clientEndpoint?: IClientEndpoint;
  /** The alarms the bake after a traffic switch watches. */
  readonly bakeAlarms: cloudwatch.IAlarm[];
}

/** One handler: how its function is sized and placed, and what it may do. */
interface HandlerSpec {
  /** Default one minute. */
  readonly timeout?: Duration;
  /** MiB, default 256. */
  readonly memorySize?: number;
  /**
   * The handler can look repeatedly within one invocation (its `poll` input) for up to this long: well
   * under its timeout, so the last look always ends in time.
   */
  readonly looksWithin?: Duration;
  /** Talks to the target's nodes: runs in its VPC and is allowed in by `allowClientsFrom`. */
  readonly inVpc?: boolean;
  readonly grant: (g: Grants) => void;
}

/** A waiting handler that looks every second within one invocation: 4 minutes of looks in a 5-minute function. */
const LOOKING = { timeout: Duration.minutes(5), looksWithin: Duration.minutes(4) };

/**
 * Every handler the library ships, with its sizing, placement and IAM statements declared together.
 * `HandlerName` is derived from this table, so a misspelt name does not compile, and a handler without
 * its statements cannot exist. Mutations are scoped to the target's stack, its lock parameter path,
 * its groups and the volumes and snapshots tagged with its Environment; no statement anywhere allows
 * deleting a volume or a snapshot.
 */
export const HANDLER_REGISTRY = {
  // Only measures its input: no AWS call.
  'check-input-size': { grant: () => undefined },
  'validate-input': { grant: (g) => g.readStack() },
  'check-stack-ready': { grant: (g) => g.detectDrift() },
  // DescribeExecution on the holder is granted by UpgradeStateMachine, which knows the state machine.
  'upgrade-lock': { grant: (g) => g.lockAndAbortRequest() },
  'stack-parameters': {
    grant: (g) => {
      g.readStack();
      g.allow('ThePreUpgradeRecord', ['ssm:GetParameter', 'ssm:PutParameter'], [g.ssmArn(`${g.ctx.lockParameterName}/*`)]);
    },
  },
  'update-stack': { grant: (g) => { g.updateStack(); g.readAbortRequest(); } },
  'stack-status': { ...LOOKING, grant: (g) => { g.readStack(); g.readAbortRequest(); } },
  'ecs-services-steady': { ...LOOKING, grant: (g) => { g.describeServices(); g.readAbortRequest(); } },
  // A look may wait for the Bolt connect timeout (10 s): the budget leaves a minute.
  'health-gate': { ...LOOKING, inVpc: true, grant: (g) => g.readCredentials() },
  // Adds and retires cluster members (5.x server management) over Bolt: credentials only, no AWS mutation.
  'cluster-membership': { ...LOOKING, inVpc: true, grant: (g) => g.readCredentials() },
  'validate-migration': {
    timeout: Duration.minutes(15), memorySize: 1024, inVpc: true,
    grant: (g) => {
      g.readCredentials();
      g.allow('TheValidationBaselines', ['ssm:GetParameter', 'ssm:PutParameter'],
        [g.ssmArn(`${g.ctx.lockParameterName}/baseline`), g.ssmArn(`${g.ctx.lockParameterName}/baseline-after-migrations`)]);
    },
  },
  'run-migrations': { timeout: Duration.minutes(15), inVpc: true, grant: (g) => g.readCredentials() },
  'request-approval': {
    grant: (g) => {
      g.allow('TheApprovalParameter', ['ssm:GetParameter', 'ssm:PutParameter'], [g.ssmArn(`${g.ctx.lockParameterName}/*`)]);
      g.ctx.topic.grantPublish(g.ctx.fn);
      g.putUpgradeEvents();
    },
  },
  // Fed by the execution log's subscription (UpgradeStateMachine); its metrics are EMF lines, which need no statement.
  'stage-events': { grant: (g) => g.putUpgradeEvents() },
  // Reads this state machine's executions: granted by UpgradeStateMachine, which knows it (its metric is EMF: no statement).
  'execution-progress': { grant: () => undefined },
  'publish-result': { grant: (g) => { g.ctx.topic.grantPublish(g.ctx.fn); } },
  'resolve-master': { grant: (g) => g.describeFleet() },
  'keep-master': {
    grant: (g) => {
      g.describeFleet();
      g.allow('ProtectTheMaster', ['autoscaling:SetInstanceProtection'], g.groupArns());
    },
  },
  'verify-master-kept': { grant: (g) => g.describeFleet() },
  'plan-clone-targets': { grant: (g) => g.describeFleet() },
  'plan-server-roll': { grant: (g) => { g.readStack(); g.describeFleet(); } },
  'server-slots': {
    grant: (g) => {
      g.readStack();
      g.describeFleet();
      g.renameOwnVolumes();
      g.allow('MoveTheServerTag', ['ec2:DeleteTags'], [g.ec2Arn('volume')],
        { ...g.ownVolumes(), 'ForAllValues:StringEquals': { 'aws:TagKeys': ['neo4j-upgrades:server'] } });
      g.allow('RetireSlotInstances', ['autoscaling:TerminateInstanceInAutoScalingGroup'], g.groupArns());
    },
  },
  'snapshots-complete': { ...LOOKING, grant: (g) => g.describeFleet() },
  'snapshot-volumes': {
    grant: (g) => {
      g.describeFleet();
      g.allow('SnapshotOwnVolumes', ['ec2:CreateSnapshot'], [g.ec2Arn('volume')], g.ownVolumes());
      g.allow('CreateSnapshots', ['ec2:CreateSnapshot'], [g.ec2Arn('snapshot')]);
      g.allow('TagNewSnapshots', ['ec2:CreateTags'], [g.ec2Arn('snapshot')], { StringEquals: { 'ec2:CreateAction': 'CreateSnapshot' } });
      g.useVolumeKey();
    },
  },
  'retag-volumes': {
    grant: (g) => {
      g.describeFleet();
      g.renameOwnVolumes();
    },
  },
  'create-clone-volumes': {
    grant: (g) => {
      g.describeFleet();
      g.createTaggedVolumes();
      g.useVolumeKey();
    },
  },
  'volume-detached': { grant: (g) => g.describeFleet() },
  'clone-server-volumes': {
    grant: (g) => {
      g.describeFleet();
      g.renameOwnVolumes();
      g.createTaggedVolumes();
      g.useVolumeKey();
    },
  },
  'restore-volumes': {
    grant: (g) => {
      g.describeFleet();
      g.renameOwnVolumes();
      g.createTaggedVolumes();
      g.useVolumeKey();
    },
  },
  'execution-cleanup': {
    grant: (g) => {
      g.lockAndAbortRequest();
      g.readStack();
      g.describeFleet();
      g.allow('ProtectTheMaster', ['autoscaling:SetInstanceProtection'], g.groupArns());
      g.ctx.topic.grantPublish(g.ctx.fn);
    },
  },
  'copy-snapshot-to-region': {
    grant: (g) => {
      g.describeFleet();
      for (const region of g.ctx.cloneRegions) {
        g.allow(`CopySnapshots${sidSuffix(region)}`, ['ec2:CopySnapshot', 'ec2:CreateTags'], [g.ec2Arn('snapshot', region)]);
      }
      // CopySnapshot is also authorized against the source snapshot in this region.
      if (g.ctx.cloneRegions.length > 0) g.allow('CopyFromSourceSnapshots', ['ec2:CopySnapshot'], [g.ec2Arn('snapshot')]);
      g.useVolumeKey();
    },
  },
  'arango-validate-input': { inVpc: true, grant: (g) => g.readCredentials() },
  'arango-role-gate': { inVpc: true, grant: (g) => g.readCredentials() },
  'arango-maintenance': { inVpc: true, grant: (g) => g.readCredentials() },
  'arango-server-action': {
    grant: (g) => {
      g.describeFleet();
      g.runServerServices();
      g.allow('TheServerLedger', ['ssm:GetParameter', 'ssm:PutParameter'], [g.ssmArn(`${g.ctx.lockParameterName}/servers/*`)]);
    },
  },
  'arango-rollback-servers': {
    grant: (g) => {
      g.describeFleet();
      g.runServerServices();
      g.allow('TheServerLedger', ['ssm:GetParameter', 'ssm:PutParameter'], [g.ssmArn(`${g.ctx.lockParameterName}/servers/*`)]);
      g.renameOwnVolumes();
      g.createTaggedVolumes();
      g.useVolumeKey();
    },
  },
  'engine-validate-input': { grant: (g) => g.readEngineServices() },
  'engine-database-snapshot': { timeout: Duration.seconds(30), grant: (g) => g.snapshotEngineDatabase() },
  'engine-schema-task': {
    grant: (g) => {
      g.runSchemaTask();
      g.allow('TheSchemaRecord', ['ssm:GetParameter', 'ssm:PutParameter'], [g.ssmArn(`${g.ctx.lockParameterName}/schema`)]);
    },
  },
  'engine-group-traffic': { grant: (g) => g.steerEngineTargets() },
  // Asks the nodes' tasks directly (their private addresses): in the fleet's VPC; reads ECS only.
  'engine-check': { inVpc: true, grant: (g) => g.readEngineTasks() },
  'engine-group-image': {
    grant: (g) => {
      g.runServerServices();
      g.allow('TheGroupRecords', ['ssm:GetParameter', 'ssm:PutParameter'], [g.ssmArn(`${g.ctx.lockParameterName}/groups/*`)]);
    },
  },
  'traffic-switch': {
    grant: (g) => {
      g.switchTraffic();
      g.allow('TheSwitchRecord', ['ssm:GetParameter', 'ssm:PutParameter'], [g.ssmArn(`${g.ctx.lockParameterName}/traffic-switch`)]);
    },
  },
  // Looks every second through the bake (up to the LOOKING budget per invocation); a probe waits up to 5 s.
  'bake-watch': { ...LOOKING, inVpc: true, grant: (g) => { g.readBakeAlarms(); g.readCredentials(); } },
  // Read queries on green, each rolled back.
  'compatibility-check': { timeout: Duration.minutes(5), inVpc: true, grant: (g) => g.readCredentials() },
  // ALTER DATABASE on blue's system database: Bolt only.
  'write-freeze': { inVpc: true, grant: (g) => g.readCredentials() },
  // Copies for up to 13 minutes per invocation, then the next resumes from green's checkpoint.
  'seed-green': {
    timeout: Duration.minutes(15), looksWithin: Duration.minutes(13), memorySize: 1024, inVpc: true,
    grant: (g) => {
      g.readCredentials();
      g.allow('TheSeedRecord', ['ssm:GetParameter', 'ssm:PutParameter'], [g.ssmArn(`${g.ctx.lockParameterName}/green-seed`)]);
    },
  },
  // Read queries on blue and green, each rolled back.
  'performance-compare': { timeout: Duration.minutes(5), inVpc: true, grant: (g) => g.readCredentials() },
} satisfies Record<string, HandlerSpec>;

/** The name of a handler the library ships (its folder under `lambda/`). */
export type HandlerName = keyof typeof HANDLER_REGISTRY;

export function handlerSpec(name: HandlerName): HandlerSpec {
  return HANDLER_REGISTRY[name];
}

/** Why each wildcard the statements above need is acceptable (cdk-nag AwsSolutions-IAM5). */
export const WILDCARD_REASONS = {
  bySid: {
    ReadTheTargetStack: 'A stack ARN ends in its generated id; the name part pins the target stack',
    DetectDriftOfTheTargetStack: 'A stack ARN ends in its generated id; the name part pins the target stack',
    ReadResourcesForDrift: 'Drift detection reads every resource of the stack with the caller\'s permissions; read-only Describe/Get/List',
    UpdateTheTargetStack: 'A stack ARN ends in its generated id (the name part pins the target stack); change sets are created at run time, named neo4j-upgrade-*',
    ApplyParameterChanges: 'A parameter-only update changes the groups, launch templates and services it drives; only through CloudFormation (aws:CalledViaFirst)',
    TheApprovalParameter: 'The approval and pre-upgrade record parameters live under the lock parameter path',
    DescribeTheLockHolder: 'Executions are named at start; the state machine part of the execution ARN pins this procedure',
    ReadTheExecutionHistories: 'Executions are named at start; the state machine part of the execution ARN pins this procedure',
    ThePreUpgradeRecord: 'The approval and pre-upgrade record parameters live under the lock parameter path',
    DescribeInstancesVolumesAndSnapshots: 'EC2 and Auto Scaling Describe calls support no resource-level permissions',
    MoveTheServerTag: 'Volumes are created at run time; DeleteTags is conditioned on the target\'s Environment tag and limited to the server tag',
    RetireSlotInstances: 'An Auto Scaling group ARN holds a generated id; the name part pins the target\'s groups',
    ProtectTheMaster: 'An Auto Scaling group ARN holds a generated id; the name part pins the target\'s groups',
    CopyFromSourceSnapshots: 'The source snapshot is made at run time by this execution',
    SnapshotOwnVolumes: 'Volumes are created at run time; CreateSnapshot is conditioned on the target\'s Environment tag',
    CreateSnapshots: 'Snapshot ids are created by the call itself',
    TagNewSnapshots: 'Tags only snapshots being created (ec2:CreateAction = CreateSnapshot)',
    RenameOwnVolumes: 'Volumes are created at run time; CreateTags is conditioned on the target\'s Environment tag',
    TheServerLedger: 'One ledger parameter per server, named at run time under the lock parameter path',
    RunTheServerTasks: 'Task definition revisions are registered at run time; RunTask and the task reads are conditioned on the target\'s ECS cluster',
    RegisterServerTaskDefinitions: 'RegisterTaskDefinition and DescribeTaskDefinition support no resource-level permissions',
    TheGroupRecords: 'One record per node group, named at run time under the lock parameter path',
    ReadTheEngineTaskDefinitions: 'DescribeTaskDefinition supports no resource-level permissions',
    TheSchemaTask: 'Task ids are created at run time; RunTask and the task reads are conditioned on the fleet\'s ECS cluster',
    ReadTheEngineTasks: 'Task ids are created at run time; the task reads are conditioned on the fleet\'s ECS cluster',
    ReadTargetHealth: 'DescribeTargetHealth and DescribeTargetGroupAttributes support no resource-level permissions',
    DescribeTheListeners: 'DescribeListeners supports no resource-level permissions',
    DescribeTheDatabaseSnapshots: 'Snapshot ids are named at run time (engine-upgrade-<fleet>-<execution>)',
  },
  byActionPrefix: {
    ec2: 'Volumes and snapshots are created at run time, in this and the clone regions; creation requires the Environment tag or the create action',
    kms: 'Encrypting SNS messages and EBS data needs data keys from the cluster or AWS managed key',
    lambda: 'Step Functions invokes each function version (function ARN with :*)',
    xray: 'X-Ray tracing segments have no resource-level permissions',
    logs: 'Log delivery has no resource-level permissions',
  },
};

/** Statement builders shared by the registry's entries, scoped to one function and target. */
export class Grants {
  private readonly stack: Stack;

  constructor(public readonly ctx: HandlerGrantContext) {
    this.stack = Stack.of(ctx.fn);
  }

  public allow(sid: string, actions: string[], resources: string[], conditions?: Record<string, unknown>): void {
    this.ctx.fn.addToRolePolicy(new iam.PolicyStatement({ sid, actions, resources, conditions }));
  }

  public ssmArn(name: string): string {
    return this.stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: name.replace(/^\//, '') });
  }

  public ec2Arn(resource: 'volume' | 'snapshot', region = this.stack.region): string {
    return this.stack.formatArn({ service: 'ec2', resource, resourceName: '*', region, account: resource === 'snapshot' ? '' : this.stack.account });
  }

  public groupArns(): string[] {
    return this.ctx.target.nodeGroups.filter((g) => g.autoScalingGroupName).map((g) => this.stack.formatArn({
      service: 'autoscaling', resource: 'autoScalingGroup', resourceName: `*:autoScalingGroupName/${g.autoScalingGroupName}`,
    }));
  }

  public ownVolumes(): Record<string, unknown> {
    const pool = this.volumes();
    return ownVolumeCondition(pool.environmentName, pool.clusterIdentity, pool.adoptUntagged ?? false);
  }

  /** The lock, and the operator's abort request that the lock release consumes. */
  public lockAndAbortRequest(): void {
    this.allow('TheLockParameter', ['ssm:GetParameter', 'ssm:PutParameter', 'ssm:DeleteParameter', 'ssm:LabelParameterVersion'],
      [this.ssmArn(this.ctx.lockParameterName)]);
    this.allow('ConsumeTheAbortRequest', ['ssm:GetParameter', 'ssm:DeleteParameter'], [this.ssmArn(abortParameterNameOf(this.ctx.lockParameterName))]);
  }

  /** A safe point looks for an operator's abort request. */
  public readAbortRequest(): void {
    this.allow('ReadTheAbortRequest', ['ssm:GetParameter'], [this.ssmArn(abortParameterNameOf(this.ctx.lockParameterName))]);
  }

  public readStack(): void {
    this.allow('ReadTheTargetStack', STACK_READ, [this.stackArn()]);
  }

  public detectDrift(): void {
    this.allow('DetectDriftOfTheTargetStack', [
      ...STACK_READ, 'cloudformation:DetectStackDrift', 'cloudformation:DescribeStackDriftDetectionStatus',
      'cloudformation:DescribeStackResourceDrifts', 'cloudformation:DetectStackResourceDrift',
    ], [this.stackArn()]);
    // Drift detection reads every resource of the stack with the caller's permissions.
    this.allow('ReadResourcesForDrift', [
      'ec2:Describe*', 'autoscaling:Describe*', 'ecs:Describe*', 'iam:Get*', 'iam:List*', 'logs:Describe*',
      'secretsmanager:DescribeSecret', 'kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus', 'lambda:GetFunction',
    ], ['*']);
  }

  /** A parameter-only update through a reviewed change set, run with the caller's permissions on what the parameters drive. */
  public updateStack(): void {
    this.readStack();
    // Each stage's update is a change set the handler reviews, then executes (a stage that would replace or
    // remove a guarded resource is refused before anything runs); change sets are named neo4j-upgrade-*.
    this.allow('UpdateTheTargetStack', [
      'cloudformation:CancelUpdateStack', 'cloudformation:CreateChangeSet', 'cloudformation:DescribeChangeSet',
      'cloudformation:ExecuteChangeSet', 'cloudformation:ListChangeSets',
    ], [this.stackArn(), this.stack.formatArn({ service: 'cloudformation', resource: 'changeSet', resourceName: 'neo4j-upgrade-*/*' })]);
    this.allow('ApplyParameterChanges', [
      'autoscaling:UpdateAutoScalingGroup', 'autoscaling:Describe*', 'ec2:CreateLaunchTemplateVersion', 'ec2:ModifyLaunchTemplate',
      'ec2:Describe*', 'ec2:RunInstances', 'ec2:CreateTags', 'ecs:RegisterTaskDefinition', 'ecs:DeregisterTaskDefinition',
      'ecs:UpdateService', 'ecs:Describe*', 'ssm:GetParameters', 'ssm:GetParameter',
    ], ['*'], { StringEquals: { 'aws:CalledViaFirst': 'cloudformation.amazonaws.com' } });
    this.allow('PassTheTargetRoles', ['iam:PassRole'], this.ctx.target.passedRoleArns);
  }

  /** PutEvents on the default event bus only, and only with the library's event source. */
  public putUpgradeEvents(): void {
    this.allow('PutUpgradeEvents', ['events:PutEvents'], [this.stack.formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' })],
      { StringEquals: { 'events:source': UPGRADE_EVENT_SOURCE } });
  }

  public describeServices(): void {
    this.allow('DescribeTheServices', ['ecs:DescribeServices'], this.serviceArns());
  }

  private serviceArns(): string[] {
    const t = this.ctx.target;
    return t.nodeGroups.filter((g) => g.ecsServiceName).map((g) =>
      this.stack.formatArn({ service: 'ecs', resource: 'service', resourceName: `${t.ecsClusterName}/${g.ecsServiceName}` }));
  }

  /** Stop, run once and start the servers' ECS services (role-ordered procedures). */
  public runServerServices(): void {
    const t = this.ctx.target;
    this.allow('TheServerServices', ['ecs:DescribeServices', 'ecs:UpdateService'], this.serviceArns());
    const cluster = this.stack.formatArn({ service: 'ecs', resource: 'cluster', resourceName: t.ecsClusterName });
    this.allow('RunTheServerTasks', ['ecs:RunTask', 'ecs:ListTasks', 'ecs:DescribeTasks'], ['*'], { ArnEquals: { 'ecs:cluster': cluster } });
    this.allow('RegisterServerTaskDefinitions', ['ecs:RegisterTaskDefinition', 'ecs:DescribeTaskDefinition'], ['*']);
    this.allow('PassTheTaskRoles', ['iam:PassRole'], t.passedRoleArns);
  }

  /** The engine fleet's services and their task definitions (their current image). */
  public readEngineServices(): void {
    this.allow('DescribeTheServices', ['ecs:DescribeServices'], this.serviceArns());
    this.allow('ReadTheEngineTaskDefinitions', ['ecs:DescribeTaskDefinition'], ['*']);
  }

  /** The pre-upgrade snapshot of the engines' database (created and read, never deleted). */
  public snapshotEngineDatabase(): void {
    const fleet = this.engineFleet();
    const cluster = fleet.databaseSnapshot.kind === 'rds-cluster';
    const source = this.stack.formatArn({ service: 'rds', resource: cluster ? 'cluster' : 'db', resourceName: fleet.databaseSnapshot.identifier, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const snapshots = this.stack.formatArn({ service: 'rds', resource: cluster ? 'cluster-snapshot' : 'snapshot', resourceName: 'engine-upgrade-*', arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    this.allow('SnapshotTheDatabase', [cluster ? 'rds:CreateDBClusterSnapshot' : 'rds:CreateDBSnapshot', 'rds:AddTagsToResource'], [source, snapshots]);
    this.allow('DescribeTheDatabaseSnapshots', [cluster ? 'rds:DescribeDBClusterSnapshots' : 'rds:DescribeDBSnapshots'], [snapshots]);
  }

  /** The one-off schema task: run in the fleet's cluster, read back, its roles passed. */
  public runSchemaTask(): void {
    const fleet = this.engineFleet();
    const cluster = this.stack.formatArn({ service: 'ecs', resource: 'cluster', resourceName: fleet.ecsClusterName });
    this.allow('TheSchemaTask', ['ecs:RunTask', 'ecs:ListTasks', 'ecs:DescribeTasks'], ['*'], { ArnEquals: { 'ecs:cluster': cluster } });
    this.allow('PassTheTaskRoles', ['iam:PassRole'], fleet.passedRoleArns);
  }

  /** The fleet's targets in its target group, found from its services' running tasks. */
  public steerEngineTargets(): void {
    const fleet = this.engineFleet();
    this.allow('SteerTheTargets', ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'], [fleet.targetGroupArn]);
    this.allow('ReadTargetHealth', ['elasticloadbalancing:DescribeTargetHealth', 'elasticloadbalancing:DescribeTargetGroupAttributes'], ['*']);
    this.readEngineTasks();
  }

  /** The fleet's services and their running tasks (the nodes' addresses). */
  public readEngineTasks(): void {
    const cluster = this.stack.formatArn({ service: 'ecs', resource: 'cluster', resourceName: this.engineFleet().ecsClusterName });
    this.allow('ReadTheEngineTasks', ['ecs:ListTasks', 'ecs:DescribeTasks'], ['*'], { ArnEquals: { 'ecs:cluster': cluster } });
    this.allow('DescribeTheServices', ['ecs:DescribeServices'], this.serviceArns());
  }

  /** The client endpoint's listener: its forward action moved, nothing else. */
  public switchTraffic(): void {
    const endpoint = this.ctx.clientEndpoint;
    if (!endpoint) {
      throw new Neo4jUpgradesValidationError('clientEndpoint', 'undefined',
        `handler ${this.ctx.fn.node.path} moves a client endpoint's listener: give UpgradeHandlers a clientEndpoint`);
    }
    this.allow('MoveTheListener', ['elasticloadbalancing:ModifyListener'], [endpoint.listenerArn]);
    this.allow('DescribeTheListeners', ['elasticloadbalancing:DescribeListeners'], ['*']);
  }

  /** DescribeAlarms scoped to the bake alarms (metric alarms allow resource-level permissions). */
  public readBakeAlarms(): void {
    if (this.ctx.bakeAlarms.length === 0) {
      throw new Neo4jUpgradesValidationError('bakeAlarms', '[]',
        `handler ${this.ctx.fn.node.path} watches alarms during a bake: give UpgradeHandlers the bakeAlarms`);
    }
    this.allow('ReadTheBakeAlarms', ['cloudwatch:DescribeAlarms'], this.ctx.bakeAlarms.map((a) => a.alarmArn));
  }

  public readCredentials(): void {
    this.ctx.target.credentials?.grantRead(this.ctx.fn);
  }

  public describeFleet(): void {
    this.allow('DescribeInstancesVolumesAndSnapshots', [
      'autoscaling:DescribeAutoScalingGroups', 'autoscaling:DescribeAutoScalingInstances', 'ec2:DescribeInstances',
      'ec2:DescribeVolumes', 'ec2:DescribeSnapshots', 'ec2:DescribeSubnets', 'ec2:DescribeAvailabilityZones',
    ], ['*']);
  }

  public renameOwnVolumes(): void {
    this.allow('RenameOwnVolumes', ['ec2:CreateTags'], [this.ec2Arn('volume')], this.ownVolumes());
  }

  public createTaggedVolumes(): void {
    for (const region of [this.stack.region, ...this.ctx.cloneRegions]) {
      this.allow(`CreateTaggedVolumes${sidSuffix(region)}`, ['ec2:CreateVolume'], [this.ec2Arn('volume', region)],
        { StringEquals: this.newVolumeTags() });
      this.allow(`FromSnapshots${sidSuffix(region)}`, ['ec2:CreateVolume'], [this.ec2Arn('snapshot', region)]);
      this.allow(`TagNewVolumes${sidSuffix(region)}`, ['ec2:CreateTags'], [this.ec2Arn('volume', region)],
        { StringEquals: { 'ec2:CreateAction': 'CreateVolume' } });
    }
  }

  public useVolumeKey(): void {
    this.volumes().encryptionKey?.grant(this.ctx.fn, 'kms:CreateGrant', 'kms:Decrypt', 'kms:DescribeKey',
      'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo');
  }

  /** The tags every volume the procedure creates must carry: its Environment and the target's identity. */
  private newVolumeTags(): Record<string, string> {
    const pool = this.volumes();
    return {
      'aws:RequestTag/Environment': pool.environmentName,
      ...(pool.clusterIdentity !== undefined && { [`aws:RequestTag/${CLUSTER_IDENTITY_TAG}`]: pool.clusterIdentity }),
    };
  }

  private engineFleet(): IEngineFleetTarget {
    const t = this.ctx.target as Partial<IEngineFleetTarget>;
    if (t.targetGroupArn === undefined || t.databaseSnapshot === undefined || t.schemaTask === undefined) {
      throw new Neo4jUpgradesValidationError('target', this.ctx.target.targetName,
        `handler ${this.ctx.fn.node.path} works on an engine fleet (target group, database, schema task), and this target is none`);
    }
    return t as IEngineFleetTarget;
  }

  private volumes() {
    const pool = this.ctx.target.dataVolumes;
    if (!pool) {
      throw new Neo4jUpgradesValidationError('target.dataVolumes', 'undefined',
        `handler ${this.ctx.fn.node.path} works on data volumes, but the target ${this.ctx.target.targetName} has none`);
    }
    return pool;
  }

  private stackArn(): string {
    return this.stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${this.ctx.target.stackName}/*` });
  }
}

const STACK_READ = ['cloudformation:DescribeStacks', 'cloudformation:DescribeStackEvents'];

function sidSuffix(region: string): string {
  return region.replace(/[^A-Za-z0-9]/g, '');
}
