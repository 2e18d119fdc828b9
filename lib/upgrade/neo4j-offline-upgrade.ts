import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { INeo4jUpgradeTarget } from '../cluster/neo4j-upgrade-target';
import { Neo4jTaskContext } from '../cluster/neo4j-task-context';
import { Neo4jVersionFamily } from '../cluster/neo4j-version-family';
import { Neo4jClusterServer, serverImageRole } from '../cluster/server-layout';
import { Neo4jUpgradesValidationError } from '../errors';
import { notificationTopicOf } from '../private/notification-topic';
import { pinFeatureFlags } from '../private/pinned-feature-flags';
import { statePath } from '../private/state-document';
import { Neo4jHealthGate } from '../toolkit/blocks/neo4j-health-gate';
import { ParameterUpdate } from '../toolkit/blocks/parameter-update';
import { Preflight } from '../toolkit/blocks/preflight';
import { SnapshotVolumes } from '../toolkit/blocks/snapshot-volumes';
import { UpgradeFinish } from '../toolkit/blocks/upgrade-finish';
import { UpgradeRollback } from '../toolkit/blocks/upgrade-rollback';
import { UpgradeStart } from '../toolkit/blocks/upgrade-start';
import { GateMembers } from '../toolkit/gate-members';
import { ProcedurePolling } from '../toolkit/procedure-polling';
import { StageContext } from '../toolkit/stage-context';
import { UpgradeHandler } from '../toolkit/upgrade-handler';
import { UpgradeHandlers } from '../toolkit/upgrade-handlers';
import { UpgradeProcedure } from '../toolkit/upgrade-procedure';
import { UpgradeStage } from '../toolkit/upgrade-stage';
import { UpgradeStateMachine } from '../toolkit/upgrade-state-machine';

/** Props of {@link Neo4jOfflineUpgrade}. */
export interface Neo4jOfflineUpgradeProps {
  /** The cluster to upgrade, in the per-server layout (`Neo4jCluster` with `ServerLayout.SERVICE_PER_SERVER`). */
  readonly cluster: INeo4jUpgradeTarget;
  /** Its servers (`Neo4jCluster.servers`): every one but the migrating server receives a copy of the migrated store. */
  readonly servers: Neo4jClusterServer[];
  /**
   * Bolt URI the gates connect to (an internal load balancer or DNS name of the members).
   * @default - `bolt://neo4j.<environmentName>.internal:7687`
   */
  readonly boltUri?: string;
  /**
   * SSM parameter that locks the cluster against concurrent upgrades (shared with the other procedures).
   * @default - `/neo4j-upgrades/<cluster identity>/lock`
   */
  readonly lockParameterName?: string;
  /**
   * Topic for the result notification.
   * @default - a new topic encrypted with the AWS managed SNS key
   */
  readonly notificationTopic?: sns.ITopic;
  /**
   * The waits' budgets (the stack updates, the services, the cluster gates, the snapshots).
   * @default - ProcedurePolling's defaults
   */
  readonly polling?: ProcedurePolling;
  /**
   * Freeze writes from the lock to the end (every user database READ ONLY before the pre-upgrade snapshots,
   * READ WRITE again after the full backup, after a rollback's gate, or when the preflight fails after the
   * lock), so a rollback past the point of no return loses no acknowledged write. Needs `ALTER DATABASE`
   * (Enterprise 4.4 and later): a 3.5 cluster must set `false` and accept that a rollback past the point of
   * no return serves the stores of the pre-upgrade snapshots (later writes only on the renamed volumes).
   * @default true
   */
  readonly writeFreeze?: boolean;
}

/** The stages, in order: key -> title shown in the console graph. */
const TITLES = {
  chooseServer: 'Stage 1 Choose the migrating server',
  stopOthers: 'Stage 2 Stop every other server',
  migrate: 'Stage 3 One server migrates the store',
  stopMigrated: 'Stage 4 Stop the migrated server',
  copyStore: 'Stage 5 Copy the store to the others',
  startAll: 'Stage 6 Start every server at the target',
  backUp: 'Stage 7 Full backup after the upgrade',
};
type StageKey = keyof typeof TITLES;

/**
 * The offline upgrade of a causal / 5.x / 2025.x cluster in the per-server layout (seed 001 5.3.3,
 * issue 10): the preflight (any supported path, store-format changes included; writes frozen, every user
 * database READ ONLY, then snapshots of every server's volume), every server but one stopped, that server migrates the store alone at the target version
 * (4.4 `dbms.allow_upgrade`, 5.x / 2025.x `neo4j-admin database migrate`), its gate, then it stops; every
 * other server receives a copy of the migrated store (a snapshot made into a new volume tagged with its
 * server number, its old volume renamed and retained) that its node unbinds before Neo4j starts; every
 * server starts at the target, the cluster gate, a full backup, writes thawed, the lock released. A failure
 * restores the recorded parameters and, past the point of no return, the pre-upgrade snapshots, then thaws
 * once every server answers; nothing is deleted.
 * Start an execution with `{"dockerImage": "neo4j:<version>-enterprise"}`. See docs/offline-upgrade.md.
 */
export class Neo4jOfflineUpgrade extends Construct {
  /** The procedure's state machine. */
  public readonly stateMachine: sfn.StateMachine;
  /** The lock parameter's name. */
  public readonly lockParameterName: string;
  /** Where the result is published. */
  public readonly notificationTopic: sns.ITopic;

  constructor(scope: Construct, id: string, props: Neo4jOfflineUpgradeProps) {
    super(scope, id);
    pinFeatureFlags(this);
    this.validateProps(props);
    const cluster = props.cluster;
    const names = cluster.parameterNames;
    this.lockParameterName = props.lockParameterName ?? `/neo4j-upgrades/${cluster.targetName}/lock`;
    this.notificationTopic = notificationTopicOf(this, props.notificationTopic);
    const handlers = new UpgradeHandlers(this, 'Handlers', {
      target: cluster, lockParameterName: this.lockParameterName, notificationTopic: this.notificationTopic,
    });
    const polling = props.polling ?? new ProcedurePolling();
    const everyMember = GateMembers.sumOf(statePath('plan.currentCapacity'), statePath('plan.currentSlaveMembers'));
    const freeze = props.writeFreeze ?? true;
    // The servers stopped here are stopped by scaling their instances in, not by their services: restore the
    // recorded capacity first, then the pre-upgrade snapshots become the volumes the returning nodes claim.
    const ctx = new StageContext(new UpgradeRollback(this, 'Rollback', {
      handlers, polling, scaleToZero: { minSize: '0', desiredCapacity: '0' }, ...(freeze && { thawWritesWhen: everyMember }),
    }), handlers);

    const stage = (key: StageKey, seedStep: string, steps: (s: Construct) => sfn.IChainable[]) =>
      new UpgradeStage(this, TITLES[key], { key, title: TITLES[key], seedStep, steps: { stepsIn: steps } });
    const update = (s: Construct, key: StageKey, parameters: Record<string, unknown>, options: { pointOfNoReturn?: boolean; waitForServices?: boolean } = {}) =>
      new ParameterUpdate(s, 'Update', {
        context: ctx, polling, key, title: TITLES[key], parameters,
        marksPointOfNoReturn: options.pointOfNoReturn ?? false, waitForServices: options.waitForServices ?? false,
      });
    const step = (s: Construct, title: string, handler: UpgradeHandler, payload: Record<string, unknown>, resultPath: string, poll?: boolean) =>
      ctx.step(s, title, handler, { 'cluster.$': statePath('cluster'), ...payload }, { resultPath, ...(poll && { poll: polling.services }) });
    const master = { 'masterInstanceId.$': '$.master.Payload.instanceId' };
    const recorded = (role: 'minSize' | 'maxSize' | 'desiredCapacity') => `$.preUpgrade.Payload.parameters.${names[role]}`;
    // Every server's effective image becomes DockerImage: a server parameter left set would keep its old image.
    const serversOnDockerImage = Object.fromEntries(props.servers.map((s) => [serverImageRole(s.serverNumber), '']));
    const family = names.versionFamily ? { 'versionFamily.$': statePath('plan.toSettingsFamily') } : {};

    const stages = [
      stage('chooseServer', '001/5.3.3', (s) => [
        new Neo4jHealthGate(s, 'Gate before', {
          context: ctx, polling, key: 'chooseServer', title: TITLES.chooseServer, expectedMembers: everyMember,
          acceptPreviousVersion: true, stateName: 'cluster gate before', resultPath: '$.results.chooseServer.gate',
        }),
        // The leader's store is the most advanced one: it migrates (seed 000 stage 2's master).
        step(s, 'Find the leader instance and its volume', UpgradeHandler.RESOLVE_MASTER,
          { 'masterPrivateIp.$': '$.results.chooseServer.gate.Payload.leaderHost' }, statePath('master')),
        step(s, 'Protect the migrating server from scale-in', UpgradeHandler.KEEP_MASTER, master, '$.results.chooseServer.protection'),
      ]),
      stage('stopOthers', '001/5.3.3-1', (s) => [
        update(s, 'stopOthers', { minSize: '1', maxSize: '1', desiredCapacity: '1' }),
        step(s, 'Verify only the migrating server is left', UpgradeHandler.VERIFY_MASTER_KEPT, master, '$.results.stopOthers.kept', true),
      ]),
      stage('migrate', '001/5.3.3-2', (s) => [
        // From here a newer binary opens the store: a failure restores the pre-upgrade snapshots.
        update(s, 'migrate', {
          'dockerImage.$': statePath('plan.dockerImage'), ...family, ...serversOnDockerImage, mode: 'SINGLE', allowUpgrade: 'true',
        }, { pointOfNoReturn: true }),
        new Neo4jHealthGate(s, 'Gate', {
          context: ctx, polling, key: 'migrate', title: TITLES.migrate, expectedMembers: GateMembers.exactly(1),
          stateName: 'the migrated server at the target version',
        }),
      ]),
      stage('stopMigrated', '001/5.3.3-2h', (s) => [
        step(s, 'Release the scale-in protection', UpgradeHandler.KEEP_MASTER, { release: true }, sfn.JsonPath.DISCARD),
        // HA and no store upgrade for every later start; the last instance goes, the store comes to rest.
        update(s, 'stopMigrated', { mode: 'HA', allowUpgrade: 'false', minSize: '0', maxSize: '0', desiredCapacity: '0' }),
        step(s, 'Wait until the migrated volume is detached', UpgradeHandler.VOLUME_DETACHED,
          { 'volumeId.$': '$.master.Payload.volumeId' }, '$.results.stopMigrated.detached', true),
      ]),
      stage('copyStore', '001/5.3.3-3', (s) => [
        new SnapshotVolumes(s, 'Snapshot', {
          context: ctx, polling, purpose: 'clone-source', resultPath: statePath('snapshots.migrated'),
          volumeIdsPath: 'States.Array($.master.Payload.volumeId)',
          title: `${TITLES.copyStore}: snapshot the migrated store`, waitTitle: `${TITLES.copyStore}: wait for the snapshot`,
        }),
        step(s, 'One copy per server, old volumes kept', UpgradeHandler.CLONE_SERVER_VOLUMES, {
          'executionId.$': '$$.Execution.Name', 'snapshotId.$': '$.snapshots.migrated.Payload.snapshots[0].snapshotId',
          'sourceVolumeId.$': '$.master.Payload.volumeId',
        }, '$.volumes.copies'),
      ]),
      stage('startAll', '001/5.3.3-4', (s) => [
        update(s, 'startAll', {
          'minSize.$': recorded('minSize'), 'maxSize.$': recorded('maxSize'), 'desiredCapacity.$': recorded('desiredCapacity'),
        }, { waitForServices: true }),
        new Neo4jHealthGate(s, 'Gate', {
          context: ctx, polling, key: 'startAll', title: TITLES.startAll, expectedMembers: everyMember,
          stateName: 'cluster gate at the target version',
        }),
      ]),
      stage('backUp', '001/5.3.1', (s) => [new SnapshotVolumes(s, 'Snapshots', {
        context: ctx, polling, purpose: 'post-upgrade', resultPath: statePath('snapshots.postUpgrade'),
        title: `${TITLES.backUp}: snapshot every data volume`, waitTitle: `${TITLES.backUp}: wait for the snapshots`,
      })]),
    ];

    let definition = sfn.Chain
      .start(new UpgradeStart(this, 'Read the request and the cluster settings', {
        target: Neo4jTaskContext.of(cluster, props.boltUri ?? `bolt://neo4j.${cluster.environmentName}.internal:7687`),
        lockParameterName: this.lockParameterName,
        notificationTopic: this.notificationTopic,
        defaults: { approvalMode: 'none' },
      }))
      .next(new Preflight(this, 'Preflight', { handlers, polling, procedure: UpgradeProcedure.OFFLINE, freezeWrites: freeze }));
    for (const s of stages) definition = definition.next(s);
    // The thaw comes after stage 7's backup: a failure until then rolls back to the pre-upgrade snapshots.
    definition = definition.next(new UpgradeFinish(this, 'Finish', { context: ctx, polling, thawWrites: freeze }));
    this.stateMachine = new UpgradeStateMachine(this, 'Procedure', {
      definition, comment: `Offline upgrade of ${cluster.environmentName} (seed 001 5.3.3, per-server layout)`, handlers,
    }).stateMachine;
  }

  private validateProps(props: Neo4jOfflineUpgradeProps): void {
    if (props.servers.length < 2) {
      throw new Neo4jUpgradesValidationError('servers', `${props.servers.length} servers`,
        'the offline upgrade copies one server\'s migrated store to the others: it needs a cluster in the per-server layout (Neo4jCluster serverLayout: ServerLayout.SERVICE_PER_SERVER) with at least 2 servers');
    }
    if (props.cluster.versionFamily.id === Neo4jVersionFamily.V3_5_HA.id && props.writeFreeze !== false) {
      throw new Neo4jUpgradesValidationError('writeFreeze', String(props.writeFreeze ?? true),
        'Neo4j 3.5 has no ALTER DATABASE to freeze writes with: set writeFreeze: false (a rollback past the point of no return then serves the pre-upgrade snapshots; writes after them stay on the renamed volumes, docs/offline-upgrade.md)');
    }
    const roles = props.cluster.stackParameters;
    for (const server of props.servers) {
      if (roles[serverImageRole(server.serverNumber)] !== server.imageParameterName) {
        throw new Neo4jUpgradesValidationError(`servers[${server.serverNumber}].imageParameterName`, server.imageParameterName,
          `the cluster's stackParameters have no role ${serverImageRole(server.serverNumber)} with that name (pass Neo4jCluster.servers of the same cluster)`);
      }
    }
  }
}
