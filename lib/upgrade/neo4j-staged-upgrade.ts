import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { INeo4jUpgradeTarget } from '../cluster/neo4j-upgrade-target';
import { Neo4jTaskContext } from '../cluster/neo4j-task-context';
import { Neo4jUpgradesValidationError } from '../errors';
import { notificationTopicOf } from '../private/notification-topic';
import { pinFeatureFlags } from '../private/pinned-feature-flags';
import { PROCEDURE_LIMITS } from '../private/procedure-limits';
import { statePath } from '../private/state-document';
import { validateCypherMigrations } from '../private/validate-cypher-migrations';
import { CloneDataVolume } from '../toolkit/blocks/clone-data-volume';
import { CypherMigrations } from '../toolkit/blocks/cypher-migrations';
import { MigrationValidation, ValidationMode } from '../toolkit/blocks/migration-validation';
import { Neo4jHealthGate } from '../toolkit/blocks/neo4j-health-gate';
import { OperatorApproval } from '../toolkit/blocks/operator-approval';
import { ParameterUpdate } from '../toolkit/blocks/parameter-update';
import { Preflight } from '../toolkit/blocks/preflight';
import { UpgradeFinish } from '../toolkit/blocks/upgrade-finish';
import { UpgradeRollback } from '../toolkit/blocks/upgrade-rollback';
import { TransientFailureDecision } from '../toolkit/blocks/transient-failure-decision';
import { UpgradeStart } from '../toolkit/blocks/upgrade-start';
import { GateMembers } from '../toolkit/gate-members';
import { ProcedurePolling } from '../toolkit/procedure-polling';
import { TransientFailureAction } from '../toolkit/transient-failure-action';
import { WaitDetection } from '../toolkit/wait-detection';
import { StageContext } from '../toolkit/stage-context';
import { UpgradeHandler } from '../toolkit/upgrade-handler';
import { UpgradeHandlers } from '../toolkit/upgrade-handlers';
import { UpgradeStage } from '../toolkit/upgrade-stage';
import { UpgradeStateMachine } from '../toolkit/upgrade-state-machine';
import { ApprovalMode } from './approval-mode';
import { CypherMigration } from './cypher-migration';

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
   * Main group size after the upgrade (seed 000 step 7, N): 1 to 9.
   * @default - the cluster's `capacity.desired`
   */
  readonly finalCapacity?: number;
  /**
   * Clone the migrated master volume for the new members (seed 000 step 6).
   * @default true
   */
  readonly cloneVolumes?: boolean;
  /**
   * Other regions that receive a copy of the migrated snapshot and tagged volumes (step 6), at most 8.
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
   * new baseline is captured after them, which the final comparison uses. At most 100 migrations and 96 KiB
   * as JSON (they travel in the task input).
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
   * How the waits (stack updates, steady ECS services, health gates, snapshots) notice that what they wait
   * for has happened.
   * @default WaitDetection.LOOK_EVERY_SECOND
   */
  readonly waitDetection?: WaitDetection;
  /**
   * What a transient failure that outlasted its retries before the point of no return does (in preflight
   * after the lock, or in stage 1 before the image roll): roll back at once, or wait (lock held, up to the
   * approval timeout) for an operator to run the failed part again from its start or to roll back.
   * @default TransientFailureAction.ROLL_BACK
   */
  readonly onTransientFailure?: TransientFailureAction;
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
   * graphs too large for one Lambda invocation. Partial checksums combine order-independently. 1 to 32:
   * each pass keeps the partial results in the state until they are combined.
   * @default 1
   */
  readonly validationPartitions?: number;
  /**
   * SSM parameter holding the upgrade lock.
   * @default - `/neo4j-upgrades/<clusterIdentity>/lock` (`/neo4j-upgrades/<environmentName>/lock` for a target without an identity)
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
type StageKey = keyof typeof TITLES;

/** Keys of the stages, in the order seed 000 runs them. */
export const STAGE_KEYS = Object.keys(TITLES);

/**
 * The staged upgrade of seed 000 as a Step Functions state machine, declared on the library's toolkit:
 * preflight (input, stack state and drift, lock, parameter record, snapshots, validation baseline), the
 * eight stages (each a parameter-only stack update followed by waits and a health gate over Bolt), then a
 * post-upgrade snapshot, unlock and a published result. Every failure after the lock goes to the
 * rollback, which restores the pre-upgrade parameters and, past the point of no return (the image roll
 * started: a newer binary may have opened the store), the pre-upgrade snapshots as the data volumes.
 */
export class Neo4jStagedUpgrade extends Construct {
  /** The state machine operators start. */
  public readonly stateMachine: sfn.StateMachine;
  /** Topic of approval requests and results. */
  public readonly notificationTopic: sns.ITopic;
  /** The Lambda function behind each task, by handler name. */
  public readonly functions: { [handler: string]: lambda.IFunction };
  /** SSM parameter name of the lock. */
  public readonly lockParameterName: string;

  constructor(scope: Construct, id: string, props: Neo4jStagedUpgradeProps) {
    super(scope, id);
    pinFeatureFlags(this);
    this.validateProps(props);
    const cluster = props.cluster;
    const migrations = props.migrations ?? [];
    this.lockParameterName = props.lockParameterName ?? `/neo4j-upgrades/${cluster.targetName}/lock`;
    this.notificationTopic = notificationTopicOf(this, props.notificationTopic);
    const handlers = new UpgradeHandlers(this, 'Handlers', {
      target: cluster, lockParameterName: this.lockParameterName, notificationTopic: this.notificationTopic,
      cloneRegions: props.cloneRegions,
    });
    const polling = new ProcedurePolling({
      stackUpdateTimeout: props.stackUpdateTimeout, servicesSteadyTimeout: props.servicesSteadyTimeout, healthGateTimeout: props.healthGateTimeout,
      waitDetection: props.waitDetection,
    });
    const rollback = new UpgradeRollback(this, 'Rollback', { handlers, polling });
    const ask = props.onTransientFailure === TransientFailureAction.ASK_OPERATOR
      ? new TransientFailureDecision(this, 'Decision', { handlers, title: 'Stage failure', rollBack: rollback, request: 'retry-stage' })
      : undefined;
    const ctx = new StageContext(ask ?? rollback, handlers);
    const preflight = new Preflight(this, 'Preflight', { handlers, polling, onTransientFailure: props.onTransientFailure });
    const names = cluster.parameterNames;

    // Building blocks, bound to this procedure.
    const stage = (key: StageKey, seedStep: string, steps: (s: Construct) => sfn.IChainable[]) =>
      new UpgradeStage(this, TITLES[key], { key, title: TITLES[key], seedStep, steps: { stepsIn: steps } });
    const update = (s: Construct, key: StageKey, parameters: Record<string, unknown>, marksPointOfNoReturn = false) =>
      new ParameterUpdate(s, 'Update', { context: ctx, polling, key, title: TITLES[key], parameters, marksPointOfNoReturn });
    const gate = (s: Construct, key: StageKey, expectedMembers: GateMembers) =>
      new Neo4jHealthGate(s, 'Gate', { context: ctx, polling, key, title: TITLES[key], expectedMembers });
    const validation = (s: Construct, title: string, mode: ValidationMode, context = ctx) =>
      new MigrationValidation(s, `${title} ${mode.value}`, { context, title, mode, keys: props.validationKeys });
    const step = (s: Construct, title: string, handler: UpgradeHandler, payload: Record<string, unknown>, resultPath: string) =>
      ctx.step(s, title, handler, { 'cluster.$': statePath('cluster'), ...payload }, { resultPath });
    const master = { 'masterInstanceId.$': '$.master.Payload.instanceId' };
    // A cross-family upgrade starts the nodes with the new family's settings in the same update as the image.
    const family = names.versionFamily ? { 'versionFamily.$': statePath('plan.toSettingsFamily') } : {};

    const stages = [
      stage('rollImage', '000/1', (s) => [
        // From the image roll on, a newer binary may open the store.
        update(s, 'rollImage', { 'dockerImage.$': statePath('plan.dockerImage'), ...family }, true),
        gate(s, 'rollImage', GateMembers.sumOf(statePath('plan.currentCapacity'), statePath('plan.currentSlaveMembers'))),
      ]),
      stage('singleMaster', '000/2', (s) => [
        step(s, 'Find the master instance and its volume', UpgradeHandler.RESOLVE_MASTER,
          { 'masterPrivateIp.$': '$.results.rollImage.gate.Payload.leaderHost' }, statePath('master')),
        step(s, 'Protect the master from scale-in', UpgradeHandler.KEEP_MASTER, master, '$.results.singleMaster.protection'),
        update(s, 'singleMaster', { mode: 'SINGLE', slaveMode: 'SINGLE', allowUpgrade: 'true', minSize: '1', maxSize: '1', desiredCapacity: '1' }),
        ctx.step(s, 'Verify the master was kept', UpgradeHandler.VERIFY_MASTER_KEPT, { 'cluster.$': statePath('cluster'), ...master },
          { resultPath: '$.results.singleMaster.kept', poll: polling.services }),
        gate(s, 'singleMaster', GateMembers.exactly(1)),
      ]),
      stage('manualMigrations', '000/3', (s) => [
        ...(migrations.length === 0 ? [] : [
          validation(s, 'Stage 3 Store upgraded', ValidationMode.COMPARE),
          new CypherMigrations(s, 'Migrations', { context: ctx, polling, key: 'manualMigrations', migrations }),
          new sfn.Pass(s, 'Later comparisons use the post-migration baseline', {
            result: sfn.Result.fromString(`${this.lockParameterName}/baseline-after-migrations`),
            resultPath: statePath('settings.baselineParameterName'),
          }),
          validation(s, 'Stage 3 Migrations applied', ValidationMode.CAPTURE_BASELINE),
        ]),
        new OperatorApproval(s, 'Approval', { context: ctx, key: 'manualMigrations' }),
      ]),
      stage('backToHa', '000/4', (s) => [
        update(s, 'backToHa', { mode: 'HA', allowUpgrade: 'false' }),
        gate(s, 'backToHa', GateMembers.exactly(1)),
      ]),
      stage('retagVolumes', '000/5', (s) => [
        step(s, 'Rename every slave data volume to <name>-old', UpgradeHandler.RETAG_VOLUMES,
          { 'executionId.$': '$$.Execution.Name', 'masterVolumeId.$': '$.master.Payload.volumeId' }, '$.volumes.retagged'),
      ]),
      stage('cloneVolumes', '000/6', (s) => [
        new CloneDataVolume(s, 'Clone', {
          context: ctx, polling, title: 'Clone', sourceVolumeIdPath: '$.master.Payload.volumeId',
          sourceAvailabilityZonePath: '$.master.Payload.availabilityZone', targetCapacityPath: statePath('plan.targetCapacity'),
          slaveCountPath: statePath('plan.slaveCapacity'), regionsPath: statePath('plan.cloneRegions'),
        }),
      ]),
      stage('scaleOut', '000/7', (s) => [
        update(s, 'scaleOut', {
          'maxSize.$': statePath('plan.targetCapacity'), 'desiredCapacity.$': statePath('plan.targetCapacity'),
          'minSize.$': `$.preUpgrade.Payload.parameters.${names.minSize}`,
        }),
        gate(s, 'scaleOut', GateMembers.at(statePath('plan.targetCapacity'))),
        validation(s, TITLES.scaleOut, ValidationMode.COMPARE),
      ]),
      stage('slaveBackToHa', '000/8', (s) => [
        update(s, 'slaveBackToHa', { slaveMode: 'HA' }),
        gate(s, 'slaveBackToHa', GateMembers.sumOf(statePath('plan.targetCapacity'), statePath('plan.slaveCapacity'))),
      ]),
    ];

    let definition = sfn.Chain.start(new UpgradeStart(this, 'Read the request and the cluster settings', {
      target: Neo4jTaskContext.of(cluster, props.boltUri ?? `bolt://neo4j.${cluster.environmentName}.internal:7687`),
      lockParameterName: this.lockParameterName,
      notificationTopic: this.notificationTopic,
      defaults: this.executionDefaults(props, migrations),
      settings: {
        cloneVolumes: props.cloneVolumes ?? true,
        validateMigration: props.validateMigration ?? true,
        validationPartitions: props.validationPartitions ?? 1,
        baselineParameterName: `${this.lockParameterName}/baseline`,
      },
    })).next(preflight).next(validation(this, 'Preflight', ValidationMode.CAPTURE_BASELINE, preflight.locked));
    for (const s of stages) definition = definition.next(s);
    for (const s of stages) ask?.retryStageAt(s.key, s);
    definition = definition.next(new UpgradeFinish(this, 'Finish', {
      context: ctx, polling, postUpgradeSnapshotOf: 'States.Array($.master.Payload.volumeId)', releaseScaleInProtection: true,
    }));

    this.stateMachine = new UpgradeStateMachine(this, 'Procedure', {
      definition, comment: `Staged Neo4j upgrade of ${cluster.environmentName} (seed 000)`, handlers,
    }).stateMachine;
    this.functions = handlers.deployed;
  }

  /** Execution-input values the props decide; the operator's input overrides them. */
  private executionDefaults(props: Neo4jStagedUpgradeProps, migrations: CypherMigration[]): Record<string, unknown> {
    const defaults: Record<string, unknown> = {
      // Migrations replace the manual pause unless an approval mode asks for one too.
      approvalMode: (props.approvalMode ?? (migrations.length > 0 ? ApprovalMode.NONE : ApprovalMode.AFTER_STORE_UPGRADE)).value,
      cloneRegions: props.cloneRegions ?? [],
    };
    if (props.finalCapacity !== undefined) defaults.targetCapacity = props.finalCapacity;
    if (props.approvalTimeout) defaults.timeouts = { approvalSeconds: props.approvalTimeout.toSeconds() };
    return defaults;
  }

  private validateProps(props: Neo4jStagedUpgradeProps) {
    if (props.approvalMode === ApprovalMode.BETWEEN_GROUPS) {
      throw new Neo4jUpgradesValidationError('approvalMode', 'between-groups', 'the staged upgrade has no node groups: use NONE or AFTER_STORE_UPGRADE');
    }
    const n = props.finalCapacity;
    if (n !== undefined && (!Number.isInteger(n) || n < 1 || n > PROCEDURE_LIMITS.mainMembers)) {
      throw new Neo4jUpgradesValidationError('finalCapacity', String(n), `must be a whole number from 1 to ${PROCEDURE_LIMITS.mainMembers}`);
    }
    const regions = props.cloneRegions ?? [];
    if (regions.length > PROCEDURE_LIMITS.cloneRegions) {
      throw new Neo4jUpgradesValidationError('cloneRegions', `${regions.length} regions`,
        `at most ${PROCEDURE_LIMITS.cloneRegions} (each region adds to the state machine's state, capped at 256 KiB)`);
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
    if (partitions !== undefined && (!Number.isInteger(partitions) || partitions < 1 || partitions > PROCEDURE_LIMITS.validationPartitions)) {
      throw new Neo4jUpgradesValidationError('validationPartitions', String(partitions),
        `must be a whole number from 1 to ${PROCEDURE_LIMITS.validationPartitions} (each partition adds its partial result to the state)`);
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
}
