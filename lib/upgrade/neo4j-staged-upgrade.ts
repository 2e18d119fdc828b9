import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { INeo4jUpgradeTarget } from '../cluster/neo4j-upgrade-target';
import { Neo4jUpgradesValidationError } from '../errors';
import { pinFeatureFlags } from '../private/pinned-feature-flags';
import { validateCypherMigrations } from '../private/validate-cypher-migrations';
import { ApprovalMode } from './approval-mode';
import { CypherMigration } from './cypher-migration';
import { StageContext } from './fragments/stage-context';
import { UpgradeStage } from './fragments/upgrade-stage';
import { PollingPlan, TRANSIENT_ERRORS, pollingPlan } from './retry-policy';
import { UpgradeHandlerFunction } from './upgrade-handler-function';
import { UpgradePermissions } from './upgrade-permissions';

/** Props of {@link Neo4jStagedUpgrade}. */
export interface Neo4jStagedUpgradeProps {
  /**
   * The cluster to upgrade: a `Neo4jCluster`, or a cluster deployed by another stack described with
   * `Neo4jUpgradeTarget.fromAttributes` (its stack name, parameter names, groups, services and secret).
   */
  readonly cluster: INeo4jUpgradeTarget;
  /**
   * Bolt URI the health gates connect to (an internal load balancer or DNS name of the members).
   * @default - `bolt://neo4j.<environmentName>.internal:7687`
   */
  readonly boltUri?: string;
  /**
   * Main group size after the upgrade (seed 000 step 7, N).
   * @default - the cluster's `capacity.desired`
   */
  readonly finalCapacity?: number;
  /**
   * Clone the migrated master volume for the new members (seed 000 step 6).
   * @default true
   */
  readonly cloneVolumes?: boolean;
  /**
   * Other regions that receive a copy of the migrated snapshot and tagged volumes (step 6).
   * @default - none
   */
  readonly cloneRegions?: string[];
  /**
   * When to wait for an operator.
   * @default - ApprovalMode.NONE when `migrations` are given (they replace the manual pause), else
   * ApprovalMode.AFTER_STORE_UPGRADE
   */
  readonly approvalMode?: ApprovalMode;
  /**
   * Cypher migrations run automatically in stage 3 instead of (or, with an approval mode, before) the
   * operator's pause: on the single master, after its store upgrade, one statement per Lambda
   * invocation, each recorded in the database so a retry or redrive never applies it twice. With
   * `validateMigration`, the store upgrade is compared with the preflight baseline before they run and a
   * new baseline is captured after them, which the final comparison uses.
   * @default - none: stage 3 is the operator's pause only
   */
  readonly migrations?: CypherMigration[];
  /**
   * How long an approval may wait before the upgrade rolls back.
   * @default Duration.hours(24)
   */
  readonly approvalTimeout?: Duration;
  /**
   * How long a stack update may take before the stage fails into rollback.
   * @default Duration.hours(1)
   */
  readonly stackUpdateTimeout?: Duration;
  /**
   * How long the ECS services may take to become steady.
   * @default Duration.minutes(30)
   */
  readonly servicesSteadyTimeout?: Duration;
  /**
   * How long a health gate keeps retrying before the stage fails.
   * @default Duration.minutes(30)
   */
  readonly healthGateTimeout?: Duration;
  /**
   * Prove no data was lost (seed 004): capture a baseline (counts, checksums, schema) in preflight and
   * compare the upgraded database with it after the scale-out; a mismatch fails into rollback.
   * @default true
   */
  readonly validateMigration?: boolean;
  /**
   * Properties that identify a node, per label (seed 004's stable key), e.g. `{ Person: ['id'] }`. A keyed
   * node whose properties changed is reported as that node changed, where it belongs; relationships are
   * identified by the keys of their end nodes.
   * @default - no keys: nodes are identified by their whole content (a changed node reads as one
   * missing and one unexpected)
   */
  readonly validationKeys?: { [label: string]: string[] };
  /**
   * Split the validator's checksum pass into this many key-range partitions run in parallel (a Map), for
   * graphs too large for one Lambda invocation. Partial checksums combine order-independently.
   * @default 1
   */
  readonly validationPartitions?: number;
  /**
   * SSM parameter holding the upgrade lock.
   * @default - `/neo4j-upgrades/<environmentName>/lock`
   */
  readonly lockParameterName?: string;
  /**
   * Topic that receives approval requests and results.
   * @default - a new topic encrypted with an AWS managed key
   */
  readonly notificationTopic?: sns.ITopic;
}

/** The stages in the order seed 000 runs them: key -> title shown in the console graph. */
const TITLES = {
  rollImage: 'Stage 1 Roll DockerImage',
  singleMaster: 'Stage 2 Single master with AllowUpgrade',
  manualMigrations: 'Stage 3 Manual migrations',
  backToHa: 'Stage 4 Back to HA',
  retagVolumes: 'Stage 5 Retag slave volumes as old',
  cloneVolumes: 'Stage 6 Clone the migrated volume',
  scaleOut: 'Stage 7 Scale out',
  slaveBackToHa: 'Stage 8 SlaveMode back to HA',
};

/** Payload of the lock release: only this execution's lock is released. */
const RELEASE_LOCK = {
  'cluster.$': '$.cluster', action: 'release', 'parameterName.$': '$.settings.lockParameterName', 'executionArn.$': '$$.Execution.Id',
};

/** Keys of the stages, in the order seed 000 runs them. */
export const STAGE_KEYS = Object.keys(TITLES);

const HANDLERS = [
  'validate-input', 'check-stack-ready', 'upgrade-lock', 'stack-parameters', 'snapshot-volumes', 'snapshots-complete',
  'update-stack', 'stack-status', 'ecs-services-steady', 'health-gate', 'cluster-instances', 'resolve-master',
  'keep-master', 'verify-master-kept', 'request-approval', 'retag-volumes', 'plan-clone-targets',
  'copy-snapshot-to-region', 'create-clone-volumes', 'restore-volumes', 'publish-result', 'validate-migration',
  'run-migrations',
] as const;
type HandlerName = (typeof HANDLERS)[number];

/**
 * The staged upgrade of seed 000 as a Step Functions state machine: preflight (input, stack state and
 * drift, lock, parameter record, snapshots), the eight stages, each a parameter-only stack update
 * followed by waits and a health gate over Bolt, then a post-upgrade snapshot, lock release and a
 * published result. Every failure goes to a rollback that restores the pre-upgrade parameters, and past
 * the point of no return (the master's store upgraded) also the pre-upgrade snapshots as data volumes.
 */
export class Neo4jStagedUpgrade extends Construct {
  /** The state machine operators start. */
  public readonly stateMachine: sfn.StateMachine;
  /** Topic of approval requests and results. */
  public readonly notificationTopic: sns.ITopic;
  /** The Lambda function behind each task, by handler name. */
  public readonly functions: { [handler: string]: UpgradeHandlerFunction };
  /** SSM parameter name of the lock. */
  public readonly lockParameterName: string;

  private readonly cluster: INeo4jUpgradeTarget;
  private readonly ctx: StageContext;
  private readonly polls: { stack: PollingPlan; services: PollingPlan; gate: PollingPlan; snapshots: PollingPlan };
  private readonly migrations: CypherMigration[];
  private readonly validationKeys: { [label: string]: string[] } | undefined;

  constructor(scope: Construct, id: string, props: Neo4jStagedUpgradeProps) {
    super(scope, id);
    pinFeatureFlags(this);
    this.validateProps(props);
    const cluster = props.cluster;
    this.cluster = cluster;
    this.migrations = props.migrations ?? [];
    this.validationKeys = props.validationKeys;
    const finalCapacity = props.finalCapacity ?? undefined;
    this.lockParameterName = props.lockParameterName ?? `/neo4j-upgrades/${cluster.environmentName}/lock`;
    this.polls = {
      stack: pollingPlan({ timeout: props.stackUpdateTimeout ?? Duration.hours(1) }),
      services: pollingPlan({ timeout: props.servicesSteadyTimeout ?? Duration.minutes(30) }),
      gate: pollingPlan({ timeout: props.healthGateTimeout ?? Duration.minutes(30), interval: Duration.seconds(5) }),
      snapshots: pollingPlan({ timeout: Duration.hours(6), interval: Duration.seconds(5), maxDelay: Duration.seconds(60) }),
    };

    this.notificationTopic = props.notificationTopic ?? this.createTopic();
    this.functions = this.createFunctions();
    new UpgradePermissions(this, 'Permissions', {
      cluster,
      functions: this.functions,
      lockParameterName: this.lockParameterName,
      topic: this.notificationTopic,
      cloneRegions: props.cloneRegions ?? [],
    });

    const rollback = this.rollbackPath();
    this.ctx = new StageContext(rollback);

    const definition = sfn.Chain
      .start(this.applyDefaults(props, finalCapacity))
      .next(this.preflight())
      .next(this.stageRollImage())
      .next(this.stageSingleMaster())
      .next(this.stageManualMigrations())
      .next(this.stageBackToHa())
      .next(this.stageRetagVolumes())
      .next(this.stageCloneVolumes())
      .next(this.stageScaleOut())
      .next(this.stageSlaveBackToHa())
      .next(this.finish());

    const logGroup = new logs.LogGroup(this, 'ExecutionLogs', {
      retention: logs.RetentionDays.SIX_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      queryLanguage: sfn.QueryLanguage.JSON_PATH,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      comment: `Staged Neo4j upgrade of ${cluster.environmentName} (seed 000)`,
    });
  }

  private validateProps(props: Neo4jStagedUpgradeProps) {
    const n = props.finalCapacity;
    if (n !== undefined && (!Number.isInteger(n) || n < 1)) {
      throw new Neo4jUpgradesValidationError('finalCapacity', String(n), 'must be a whole number of at least 1');
    }
    for (const region of props.cloneRegions ?? []) {
      if (!/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(region)) {
        throw new Neo4jUpgradesValidationError('cloneRegions', `'${region}'`, 'not a region name like eu-west-1');
      }
    }
    if (props.cloneRegions?.length && props.cloneVolumes === false) {
      throw new Neo4jUpgradesValidationError('cloneRegions', JSON.stringify(props.cloneRegions), 'regions to clone into were given but cloneVolumes is false');
    }
    const partitions = props.validationPartitions;
    if (partitions !== undefined && (!Number.isInteger(partitions) || partitions < 1 || partitions > 1000)) {
      throw new Neo4jUpgradesValidationError('validationPartitions', String(partitions), 'must be a whole number from 1 to 1000');
    }
    validateCypherMigrations(props.migrations ?? []);
    for (const [label, keys] of Object.entries(props.validationKeys ?? {})) {
      if (label.trim() === '' || keys.length === 0 || keys.some((k) => k.trim() === '')) {
        throw new Neo4jUpgradesValidationError(`validationKeys.${label}`, JSON.stringify(keys), 'a label needs a non-empty list of non-empty property names');
      }
    }
    const approvalSeconds = props.approvalTimeout?.toSeconds();
    if (approvalSeconds !== undefined && (approvalSeconds < 60 || approvalSeconds > 31_536_000)) {
      throw new Neo4jUpgradesValidationError('approvalTimeout', `${approvalSeconds} s`, 'must be from 1 minute to 1 year');
    }
  }

  private createTopic(): sns.Topic {
    const topic = new sns.Topic(this, 'Notifications', {
      displayName: `Neo4j upgrades (${this.node.path})`,
      masterKey: kms.Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'),
      enforceSSL: true,
    });
    return topic;
  }

  private createFunctions(): { [handler: string]: UpgradeHandlerFunction } {
    const functions: { [handler: string]: UpgradeHandlerFunction } = {};
    // run-migrations exists only where there are migrations to run.
    for (const name of HANDLERS.filter((h) => h !== 'run-migrations' || this.migrations.length > 0)) {
      // Handlers that speak Bolt run in the cluster's VPC; the validator may stream a whole partition.
      const inVpc = name === 'health-gate' || name === 'validate-migration' || name === 'run-migrations';
      functions[name] = new UpgradeHandlerFunction(this, pascal(name), {
        handlerName: name,
        timeout: name === 'validate-migration' || name === 'run-migrations' ? Duration.minutes(15) : name === 'health-gate' ? Duration.minutes(2) : Duration.minutes(1),
        memorySize: name === 'validate-migration' ? 1024 : undefined,
        vpc: inVpc ? this.cluster.vpc : undefined,
      });
      if (inVpc) this.cluster.allowClientsFrom(functions[name]);
    }
    return functions;
  }

  private fn(name: HandlerName) {
    return this.functions[name];
  }

  /** Everything a task needs to know about the cluster, baked from the construct. */
  private clusterContext(boltUri: string): Record<string, unknown> {
    const c = this.cluster;
    return {
      stackName: c.stackName,
      parameterNames: { ...c.parameterNames },
      dataVolumeName: c.dataVolumeName,
      environmentName: c.environmentName,
      mainAutoScalingGroupName: c.mainAutoScalingGroupName,
      slaveAutoScalingGroupName: c.slaveAutoScalingGroupName,
      ecsClusterName: c.ecsClusterName,
      mainServiceName: c.mainServiceName,
      slaveServiceName: c.slaveServiceName,
      versionFamily: c.versionFamily.id,
      credentialsSecretArn: c.adminCredentials.secretArn,
      boltUri,
    };
  }

  /** Keeps the operator's input at `$.request` and adds the baked cluster context and defaults. */
  private applyDefaults(props: Neo4jStagedUpgradeProps, finalCapacity: number | undefined): sfn.Pass {
    const defaults: Record<string, unknown> = {
      approvalMode: (props.approvalMode ?? (this.migrations.length > 0 ? ApprovalMode.NONE : ApprovalMode.AFTER_STORE_UPGRADE)).value,
      cloneRegions: props.cloneRegions ?? [],
    };
    if (finalCapacity !== undefined) defaults.targetCapacity = finalCapacity;
    if (props.approvalTimeout) defaults.timeouts = { approvalSeconds: props.approvalTimeout.toSeconds() };
    return new sfn.Pass(this, 'Read the request and the cluster settings', {
      parameters: {
        'request.$': '$',
        cluster: this.clusterContext(props.boltUri ?? `bolt://neo4j.${this.cluster.environmentName}.internal:7687`),
        defaults,
        settings: {
          cloneVolumes: props.cloneVolumes ?? true,
          validateMigration: props.validateMigration ?? true,
          validationPartitions: props.validationPartitions ?? 1,
          baselineParameterName: `${this.lockParameterName}/baseline`,
          lockParameterName: this.lockParameterName,
          topicArn: this.notificationTopic.topicArn,
        },
        progress: { pastPointOfNoReturn: false, completed: {} },
        // Filled by the stages; present from the start so the result and the rollback can always read them.
        snapshots: {},
        volumes: {},
      },
    });
  }

  /** Validation, stack checks, lock, parameter record and backups: nothing changes before the lock. */
  private preflight(): sfn.Chain {
    const failFast = new sfn.Fail(this, 'Refused before any change', {
      errorPath: '$.error.Error',
      causePath: '$.error.Cause',
    });
    const refuse = new StageContext(failFast);
    const releaseThenFail = this.releaseLockThenFail('Preflight failed after the lock');
    const locked = new StageContext(releaseThenFail);

    const validate = refuse.step(this, 'Preflight: validate the input and the version path', this.fn('validate-input'), {
      'cluster.$': '$.cluster', 'request.$': '$.request', 'defaults.$': '$.defaults',
    }, { resultPath: '$.planResult' });
    const keepPlan = new sfn.Pass(this, 'Preflight: keep the plan', { inputPath: '$.planResult.Payload', resultPath: '$.plan' });
    const checkStack = refuse.step(this, 'Preflight: stack is COMPLETE and not drifted', this.fn('check-stack-ready'), {
      'cluster.$': '$.cluster',
    }, { resultPath: '$.results.preflight.stack', poll: this.polls.stack });
    const lock = refuse.step(this, 'Preflight: take the upgrade lock', this.fn('upgrade-lock'), {
      'cluster.$': '$.cluster', action: 'acquire', 'parameterName.$': '$.settings.lockParameterName',
      'executionArn.$': '$$.Execution.Id', 'ttlSeconds.$': '$.plan.lockTtlSeconds',
    }, { resultPath: '$.results.preflight.lock' });
    const record = locked.step(this, 'Preflight: record the pre-upgrade parameters', this.fn('stack-parameters'), {
      'cluster.$': '$.cluster', action: 'record', 'executionArn.$': '$$.Execution.Id',
    }, { resultPath: '$.preUpgrade' });
    const snapshot = locked.step(this, 'Preflight: snapshot every data volume', this.fn('snapshot-volumes'), {
      'cluster.$': '$.cluster', 'executionId.$': '$$.Execution.Name', purpose: 'pre-upgrade',
    }, { resultPath: '$.snapshots.preUpgrade' });
    const waitSnapshots = locked.step(this, 'Preflight: wait for the pre-upgrade snapshots', this.fn('snapshots-complete'), {
      'cluster.$': '$.cluster', 'snapshots.$': '$.snapshots.preUpgrade.Payload.snapshots',
    }, { resultPath: sfn.JsonPath.DISCARD, poll: this.polls.snapshots });
    const baseline = this.migrationValidation(this, 'Preflight', 'capture-baseline', locked);
    return sfn.Chain.start(validate).next(keepPlan).next(checkStack).next(lock).next(record).next(snapshot).next(waitSnapshots)
      .next(baseline);
  }

  /** Update the stack's parameters, wait for UPDATE_COMPLETE, then for steady ECS services. */
  private parameterUpdate(scope: Construct, key: string, title: string, parameters: Record<string, unknown>): sfn.IChainable[] {
    const ctx = this.ctx;
    return [
      ctx.step(scope, `${title}: update the stack parameters`, this.fn('update-stack'), {
        'cluster.$': '$.cluster', 'executionName.$': '$$.Execution.Name', stage: key, parameters,
      }, { resultPath: `$.results.${key}.update` }),
      ctx.step(scope, `${title}: wait for UPDATE_COMPLETE`, this.fn('stack-status'), {
        'cluster.$': '$.cluster', 'update.$': `$.results.${key}.update.Payload`,
      }, { resultPath: `$.results.${key}.stack`, poll: this.polls.stack }),
      ctx.step(scope, `${title}: wait for steady ECS services`, this.fn('ecs-services-steady'), {
        'cluster.$': '$.cluster',
      }, { resultPath: `$.results.${key}.services`, poll: this.polls.services }),
    ];
  }

  /** Health gate over Bolt: reachable, the target version, one master, the expected member count. */
  private healthGate(scope: Construct, key: string, title: string): sfn.IChainable[] {
    const ctx = this.ctx;
    return [
      ctx.step(scope, `${title}: count the running members`, this.fn('cluster-instances'), {
        'cluster.$': '$.cluster', 'slaveIsMember.$': `$.plan.slaveIsMember.${key}`,
      }, { resultPath: `$.results.${key}.instances` }),
      ctx.step(scope, `${title}: health gate over Bolt`, this.fn('health-gate'), {
        'cluster.$': '$.cluster', 'dockerImage.$': '$.plan.dockerImage', 'expectedMembers.$': `$.plan.expectedMembers.${key}`,
        'simulatedMembers.$': `$.results.${key}.instances.Payload.members`, stage: key,
      }, { resultPath: `$.results.${key}.gate`, poll: this.polls.gate, pollAlsoOn: ['HealthGateError'] }),
    ];
  }

  /**
   * The seed 004 validator as a step: one pass, or a Map over key-range partitions whose partial
   * checksums the final call combines. `capture-baseline` stores the baseline in SSM; `compare` fails
   * with ValidationMismatchError on any difference. Skipped when the construct disables it.
   */
  private migrationValidation(scope: Construct, title: string, mode: 'capture-baseline' | 'compare', ctx: StageContext): sfn.IChainable {
    const verb = mode === 'capture-baseline' ? 'capture the validation baseline' : 'compare with the baseline (seed 004)';
    const common = { 'cluster.$': '$.cluster', 'baselineParameterName.$': '$.settings.baselineParameterName' };
    // Keys shape the captures; a comparison uses the keys stored with its baseline.
    const keys = this.validationKeys ? { keys: this.validationKeys } : {};
    const single = ctx.step(scope, `${title}: ${verb}`, this.fn('validate-migration'), { ...common, mode, ...(mode === 'capture-baseline' && keys) },
      { resultPath: `$.validation.${mode === 'compare' ? 'compare' : 'baseline'}` });
    const partitions = new sfn.Map(scope, `${title}: ${verb} by partition`, {
      itemsPath: sfn.JsonPath.stringAt('$.validation.partitionIndexes.indexes'),
      itemSelector: {
        'cluster.$': '$.cluster',
        partition: { 'index.$': '$$.Map.Item.Value', 'count.$': '$.settings.validationPartitions' },
      },
      maxConcurrency: 8,
      resultPath: '$.validation.partials',
    });
    partitions.itemProcessor(new StageContext(new sfn.Fail(scope, `${title}: partition failed`, { errorPath: '$.Error', causePath: '$.Cause' }))
      .step(scope, `${title}: checksum one partition`, this.fn('validate-migration'), {
        'cluster.$': '$.cluster', mode: 'capture-partition', 'partition.$': '$.partition', ...keys,
      }, { resultPath: '$.result', noCatch: true }));
    partitions.addCatch(ctx.onFailure, { errors: ['States.ALL'], resultPath: '$.error' });
    const indexes = new sfn.Pass(scope, `${title}: list the partitions`, {
      parameters: { 'indexes.$': 'States.ArrayRange(0, States.MathAdd($.settings.validationPartitions, -1), 1)' },
      resultPath: '$.validation.partitionIndexes',
    });
    const combined = ctx.step(scope, `${title}: ${verb} from partitions`, this.fn('validate-migration'), {
      ...common, mode, 'partials.$': '$.validation.partials[*].result.Payload.snapshot',
    }, { resultPath: `$.validation.${mode === 'compare' ? 'compare' : 'baseline'}` });
    const skip = new sfn.Pass(scope, `${title}: validation disabled`);
    return new sfn.Choice(scope, `${title}: validate the migration?`)
      .when(sfn.Condition.booleanEquals('$.settings.validateMigration', false), skip)
      .when(sfn.Condition.numberGreaterThan('$.settings.validationPartitions', 1),
        sfn.Chain.start(indexes).next(partitions).next(combined))
      .otherwise(single)
      .afterwards();
  }

  private stage(key: string, title: string, seedStep: string, build: (scope: Construct) => sfn.IChainable[]) {
    return new UpgradeStage(this, title, { key, title, seedStep, steps: { stepsIn: build } });
  }

  private stageRollImage() {
    return this.stage('rollImage', TITLES.rollImage, '000/1', (s) => [
      ...this.parameterUpdate(s, 'rollImage', TITLES.rollImage, { 'dockerImage.$': '$.plan.dockerImage' }),
      ...this.healthGate(s, 'rollImage', TITLES.rollImage),
    ]);
  }

  private stageSingleMaster() {
    return this.stage('singleMaster', TITLES.singleMaster, '000/2', (s) => [
      this.ctx.step(s, 'Find the master instance and its volume', this.fn('resolve-master'), {
        'cluster.$': '$.cluster', 'masterPrivateIp.$': '$.results.rollImage.gate.Payload.leaderHost',
      }, { resultPath: '$.master' }),
      this.ctx.step(s, 'Protect the master from scale-in', this.fn('keep-master'), {
        'cluster.$': '$.cluster', 'masterInstanceId.$': '$.master.Payload.instanceId',
      }, { resultPath: '$.results.singleMaster.protection' }),
      ...this.parameterUpdate(s, 'singleMaster', TITLES.singleMaster, {
        mode: 'SINGLE', slaveMode: 'SINGLE', allowUpgrade: 'true', minSize: '1', maxSize: '1', desiredCapacity: '1',
      }),
      this.ctx.step(s, 'Verify the master was kept', this.fn('verify-master-kept'), {
        'cluster.$': '$.cluster', 'masterInstanceId.$': '$.master.Payload.instanceId',
      }, { resultPath: '$.results.singleMaster.kept', poll: this.polls.services }),
      new sfn.Pass(s, 'Point of no return: the master store is upgraded', {
        result: sfn.Result.fromBoolean(true),
        resultPath: '$.progress.pastPointOfNoReturn',
      }),
      ...this.healthGate(s, 'singleMaster', TITLES.singleMaster),
    ]);
  }

  private stageManualMigrations() {
    return this.stage('manualMigrations', TITLES.manualMigrations, '000/3', (s) => {
      const approve = new tasks.LambdaInvoke(s, 'Wait for the operator decision', {
        lambdaFunction: this.fn('request-approval'),
        integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
        payload: sfn.TaskInput.fromObject({
          'cluster.$': '$.cluster',
          taskToken: sfn.JsonPath.taskToken,
          'executionArn.$': '$$.Execution.Id',
          stage: 'manualMigrations',
          'topicArn.$': '$.settings.topicArn',
          'parameterName.$': "States.Format('{}/approval', $.settings.lockParameterName)",
          'timeoutSeconds.$': '$.plan.timeouts.approvalSeconds',
        }),
        taskTimeout: sfn.Timeout.at('$.plan.timeouts.approvalSeconds'),
        resultPath: '$.results.manualMigrations.decision',
      });
      approve.addRetry({ errors: TRANSIENT_ERRORS, interval: Duration.seconds(2), backoffRate: 2, maxAttempts: 6, jitterStrategy: sfn.JitterType.FULL });
      approve.addCatch(this.ctx.onFailure, { errors: ['States.ALL'], resultPath: '$.error' });
      const skip = new sfn.Pass(s, 'No approval requested');
      const choice = new sfn.Choice(s, 'Approval requested?')
        .when(sfn.Condition.stringEquals('$.plan.approvalMode', 'none'), skip)
        .otherwise(approve);
      return [...this.cypherMigrations(s), choice.afterwards()];
    });
  }

  /**
   * Stage 3 as code: the store upgrade compared with the preflight baseline, then one migration per
   * invocation until all are recorded, then a new baseline that the final comparison uses (the
   * migrations change the data on purpose). Nothing when the construct has no migrations.
   */
  private cypherMigrations(s: Construct): sfn.IChainable[] {
    if (this.migrations.length === 0) return [];
    const run = this.ctx.step(s, 'Run the next Cypher migration', this.fn('run-migrations'), {
      'cluster.$': '$.cluster', 'executionId.$': '$$.Execution.Name',
      migrations: this.migrations.map((m) => ({ id: m.id, cypher: m.cypher })),
    }, { resultPath: '$.results.manualMigrations.migrations', poll: this.polls.gate, pollAlsoOn: ['HealthGateError'] });
    const useNewBaseline = new sfn.Pass(s, 'Later comparisons use the post-migration baseline', {
      result: sfn.Result.fromString(`${this.lockParameterName}/baseline-after-migrations`),
      resultPath: '$.settings.baselineParameterName',
    });
    const applied = sfn.Chain.start(useNewBaseline)
      .next(this.migrationValidation(s, 'Stage 3 Migrations applied', 'capture-baseline', this.ctx));
    const loop = new sfn.Choice(s, 'Every migration applied?')
      .when(sfn.Condition.booleanEquals('$.results.manualMigrations.migrations.Payload.done', true), applied)
      .otherwise(run);
    run.next(loop);
    return [
      this.migrationValidation(s, 'Stage 3 Store upgraded', 'compare', this.ctx),
      sfn.Chain.custom(run, loop.afterwards().endStates, loop),
    ];
  }

  private stageBackToHa() {
    return this.stage('backToHa', TITLES.backToHa, '000/4', (s) => [
      ...this.parameterUpdate(s, 'backToHa', TITLES.backToHa, { mode: 'HA', allowUpgrade: 'false' }),
      ...this.healthGate(s, 'backToHa', TITLES.backToHa),
    ]);
  }

  private stageRetagVolumes() {
    return this.stage('retagVolumes', TITLES.retagVolumes, '000/5', (s) => [
      this.ctx.step(s, 'Rename every slave data volume to <name>-old', this.fn('retag-volumes'), {
        'cluster.$': '$.cluster', 'executionId.$': '$$.Execution.Name', 'masterVolumeId.$': '$.master.Payload.volumeId',
      }, { resultPath: '$.volumes.retagged' }),
    ]);
  }

  private stageCloneVolumes() {
    return this.stage('cloneVolumes', TITLES.cloneVolumes, '000/6', (s) => {
      const ctx = this.ctx;
      const snapshotMaster = ctx.step(s, 'Snapshot the migrated master volume', this.fn('snapshot-volumes'), {
        'cluster.$': '$.cluster', 'executionId.$': '$$.Execution.Name', purpose: 'clone-source',
        'volumeIds.$': 'States.Array($.master.Payload.volumeId)',
      }, { resultPath: '$.snapshots.cloneSource' });
      const waitSnapshot = ctx.step(s, 'Wait for the clone-source snapshot', this.fn('snapshots-complete'), {
        'cluster.$': '$.cluster', 'snapshots.$': '$.snapshots.cloneSource.Payload.snapshots',
      }, { resultPath: sfn.JsonPath.DISCARD, poll: this.polls.snapshots });
      const plan = ctx.step(s, 'Plan the volumes per region and AZ', this.fn('plan-clone-targets'), {
        'cluster.$': '$.cluster', 'targetCapacity.$': '$.plan.targetCapacity', 'slaveCount.$': '$.plan.slaveCapacity',
        'masterAvailabilityZone.$': '$.master.Payload.availabilityZone', 'extraRegions.$': '$.plan.cloneRegionZones',
      }, { resultPath: '$.clonePlan' });

      const perRegion = new sfn.Map(s, 'For each region', {
        itemsPath: '$.clonePlan.Payload.regions',
        itemSelector: {
          'cluster.$': '$.cluster',
          'region.$': '$$.Map.Item.Value',
          'sourceSnapshotId.$': '$.snapshots.cloneSource.Payload.snapshots[0].snapshotId',
        },
        maxConcurrency: 4,
        resultPath: '$.volumes.cloned',
      });
      const regionCtx = new StageContext(new sfn.Fail(s, 'Cloning into a region failed', { errorPath: '$.Error', causePath: '$.Cause' }));
      const copy = regionCtx.step(s, 'Copy the snapshot to the region', this.fn('copy-snapshot-to-region'), {
        'cluster.$': '$.cluster', 'executionId.$': '$$.Execution.Name', 'sourceSnapshotId.$': '$.sourceSnapshotId',
        'destinationRegion.$': '$.region.region',
      }, { resultPath: '$.copy', noCatch: true });
      const waitCopy = regionCtx.step(s, 'Wait for the regional copy', this.fn('snapshots-complete'), {
        'snapshotIds.$': 'States.Array($.copy.Payload.snapshotId)', 'region.$': '$.region.region',
      }, { resultPath: sfn.JsonPath.DISCARD, poll: this.polls.snapshots, noCatch: true });
      const useCopy = new sfn.Pass(s, 'Use the regional copy', { inputPath: '$.copy.Payload.snapshotId', resultPath: '$.snapshotId' });
      const useSource = new sfn.Pass(s, 'Use the source snapshot', { inputPath: '$.sourceSnapshotId', resultPath: '$.snapshotId' });
      const perAz = new sfn.Map(s, 'For each AZ', {
        itemsPath: '$.region.targets',
        itemSelector: { 'cluster.$': '$.cluster', 'target.$': '$$.Map.Item.Value', 'snapshotId.$': '$.snapshotId' },
        maxConcurrency: 6,
      });
      perAz.itemProcessor(regionCtx.step(s, 'Create tagged volumes from the snapshot', this.fn('create-clone-volumes'), {
        'cluster.$': '$.cluster', 'executionId.$': '$$.Execution.Name', 'region.$': '$.target.region',
        'availabilityZone.$': '$.target.availabilityZone', 'snapshotId.$': '$.snapshotId', 'count.$': '$.target.count',
      }, { resultPath: '$.created', noCatch: true }));
      const copyNeeded = new sfn.Choice(s, 'Copy needed?')
        .when(sfn.Condition.booleanEquals('$.region.copyRequired', true), sfn.Chain.start(copy).next(waitCopy).next(useCopy))
        .otherwise(useSource)
        .afterwards();
      perRegion.itemProcessor(copyNeeded.next(perAz));
      perRegion.addCatch(ctx.onFailure, { errors: ['States.ALL'], resultPath: '$.error' });

      const clone = sfn.Chain.start(snapshotMaster).next(waitSnapshot).next(plan).next(perRegion);
      const skip = new sfn.Pass(s, 'Cloning disabled: new members catch up online');
      return [new sfn.Choice(s, 'Clone volumes?')
        .when(sfn.Condition.booleanEquals('$.settings.cloneVolumes', true), clone)
        .otherwise(skip)
        .afterwards()];
    });
  }

  private stageScaleOut() {
    const n = this.cluster.parameterNames;
    return this.stage('scaleOut', TITLES.scaleOut, '000/7', (s) => [
      ...this.parameterUpdate(s, 'scaleOut', TITLES.scaleOut, {
        'maxSize.$': '$.plan.targetCapacity',
        'desiredCapacity.$': '$.plan.targetCapacity',
        'minSize.$': `$.preUpgrade.Payload.parameters.${n.minSize}`,
      }),
      ...this.healthGate(s, 'scaleOut', TITLES.scaleOut),
      this.migrationValidation(s, TITLES.scaleOut, 'compare', this.ctx),
    ]);
  }

  private stageSlaveBackToHa() {
    return this.stage('slaveBackToHa', TITLES.slaveBackToHa, '000/8', (s) => [
      ...this.parameterUpdate(s, 'slaveBackToHa', TITLES.slaveBackToHa, { slaveMode: 'HA' }),
      ...this.healthGate(s, 'slaveBackToHa', TITLES.slaveBackToHa),
    ]);
  }

  /** Full snapshot of the upgraded master (seed 001: old backups are no base after a store upgrade). */
  private finish(): sfn.Chain {
    const ctx = this.ctx;
    const snapshot = ctx.step(this, 'After: full snapshot of the upgraded master volume', this.fn('snapshot-volumes'), {
      'cluster.$': '$.cluster', 'executionId.$': '$$.Execution.Name', purpose: 'post-upgrade',
      'volumeIds.$': 'States.Array($.master.Payload.volumeId)',
    }, { resultPath: '$.snapshots.postUpgrade' });
    const wait = ctx.step(this, 'After: wait for the post-upgrade snapshot', this.fn('snapshots-complete'), {
      'cluster.$': '$.cluster', 'snapshots.$': '$.snapshots.postUpgrade.Payload.snapshots',
    }, { resultPath: sfn.JsonPath.DISCARD, poll: this.polls.snapshots });
    const unprotect = ctx.step(this, 'After: release the master scale-in protection', this.fn('keep-master'), {
      'cluster.$': '$.cluster', release: true,
    }, { resultPath: sfn.JsonPath.DISCARD });
    const release = ctx.step(this, 'After: release the lock', this.fn('upgrade-lock'), RELEASE_LOCK, { resultPath: '$.results.finish.lock' });
    const publish = new StageContext(new sfn.Succeed(this, 'Upgraded (result not published)')).step(
      this, 'After: publish the result', this.fn('publish-result'), this.resultPayload('SUCCEEDED'), { resultPath: '$.result' });
    return sfn.Chain.start(snapshot).next(wait).next(unprotect).next(release).next(publish).next(new sfn.Succeed(this, 'Upgraded', { outputPath: '$.result.Payload' }));
  }

  /** What publish-result reports. Only a failure has `$.error`; a JSONPath to a missing field fails the state. */
  private resultPayload(outcome: string): Record<string, unknown> {
    return {
      'cluster.$': '$.cluster', outcome, 'executionArn.$': '$$.Execution.Id', 'topicArn.$': '$.settings.topicArn',
      'startedAt.$': '$$.Execution.StartTime', 'progress.$': '$.progress', 'plan.$': '$.plan',
      'snapshots.$': '$.snapshots', 'volumes.$': '$.volumes',
      ...(outcome === 'SUCCEEDED' ? {} : { 'error.$': '$.error' }),
    };
  }

  /**
   * The rollback: put every pre-upgrade parameter back; past the point of no return first scale the
   * groups to zero and bring the pre-upgrade snapshots back as the claimable data volumes (the upgraded
   * ones are renamed, never deleted). Then release the lock, publish, and fail with the original error.
   */
  private rollbackPath(): sfn.IChainable {
    const rollbackFailed = new sfn.Fail(this, 'Rollback failed: lock kept for an operator', {
      error: 'RollbackFailed', causePath: 'States.JsonToString($)',
    });
    const ctx = new StageContext(rollbackFailed);
    const waitStack = (title: string, updatePath: string) => ctx.step(this, title, this.fn('stack-status'),
      { 'cluster.$': '$.cluster', 'update.$': updatePath }, { resultPath: sfn.JsonPath.DISCARD, poll: this.polls.stack });

    const restoreParameters = ctx.step(this, 'Rollback: restore the pre-upgrade parameters', this.fn('update-stack'), {
      'cluster.$': '$.cluster', 'executionName.$': '$$.Execution.Name', stage: 'rollback', mode: 'rollback',
      'restore.$': '$.preUpgrade.Payload.parameters',
      // A stage update still running is cancelled first (StillInProgressError until it settles).
    }, { resultPath: '$.results.rollback.parameters', poll: this.polls.stack });
    const afterParameters = waitStack('Rollback: wait for the restored parameters', '$.results.rollback.parameters.Payload');
    const release = ctx.step(this, 'Rollback: release the lock', this.fn('upgrade-lock'), RELEASE_LOCK, { resultPath: '$.results.rollback.lock' });
    const publish = ctx.step(this, 'Rollback: publish the failure', this.fn('publish-result'), this.resultPayload('ROLLED_BACK'),
      { resultPath: '$.result' });
    const failed = new sfn.Fail(this, 'Rolled back', { errorPath: '$.error.Error', causePath: '$.error.Cause' });
    const parameterRollback = sfn.Chain.start(restoreParameters).next(afterParameters).next(release).next(publish).next(failed);

    // A protected master would survive the scale to zero and hold its volume.
    const unprotect = ctx.step(this, 'Restore: release the master scale-in protection', this.fn('keep-master'), {
      'cluster.$': '$.cluster', release: true,
    }, { resultPath: sfn.JsonPath.DISCARD });
    const scaleToZero = ctx.step(this, 'Restore: scale both groups to zero', this.fn('update-stack'), {
      'cluster.$': '$.cluster', 'executionName.$': '$$.Execution.Name', stage: 'restore-scale-to-zero',
      parameters: { minSize: '0', desiredCapacity: '0', slaveMinSize: '0', slaveDesiredCapacity: '0' },
    }, { resultPath: '$.results.rollback.scaleToZero' });
    const afterScale = waitStack('Restore: wait for the groups to empty', '$.results.rollback.scaleToZero.Payload');
    const restoreVolumes = ctx.step(this, 'Restore: pre-upgrade snapshots become the data volumes', this.fn('restore-volumes'), {
      'cluster.$': '$.cluster', 'executionId.$': '$$.Execution.Name', 'snapshots.$': '$.snapshots.preUpgrade.Payload.snapshots',
    }, { resultPath: '$.volumes.restored', poll: this.polls.services });
    const restorePath = sfn.Chain.start(unprotect).next(scaleToZero).next(afterScale).next(restoreVolumes).next(restoreParameters);

    return new sfn.Choice(this, 'Rollback: past the point of no return?')
      .when(sfn.Condition.booleanEquals('$.progress.pastPointOfNoReturn', true), restorePath)
      .otherwise(parameterRollback);
  }

  private releaseLockThenFail(title: string): sfn.IChainable {
    const fail = new sfn.Fail(this, title, { errorPath: '$.error.Error', causePath: '$.error.Cause' });
    // If even the release fails, the execution still fails with the original error; the lock expires.
    const release = new StageContext(fail).step(this, `${title}: release the lock`, this.fn('upgrade-lock'), RELEASE_LOCK, { resultPath: sfn.JsonPath.DISCARD });
    return sfn.Chain.start(release).next(fail);
  }
}

function pascal(kebab: string): string {
  return kebab.split('-').map((w) => w[0].toUpperCase() + w.slice(1)).join('');
}
