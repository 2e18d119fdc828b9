import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { INeo4jUpgradeTarget } from '../cluster/neo4j-upgrade-target';
import { Neo4jTaskContext } from '../cluster/neo4j-task-context';
import { Neo4jClusterServer } from '../cluster/server-layout';
import { Neo4jUpgradesValidationError } from '../errors';
import { notificationTopicOf } from '../private/notification-topic';
import { pinFeatureFlags } from '../private/pinned-feature-flags';
import { RELEASE_LOCK } from '../private/procedure-payloads';
import { publishThenRolledBack } from '../private/rolled-back-end';
import { statePath } from '../private/state-document';
import { Neo4jHealthGate } from '../toolkit/blocks/neo4j-health-gate';
import { Preflight } from '../toolkit/blocks/preflight';
import { ServerRoll } from '../toolkit/blocks/server-roll';
import { REPLACEMENT_NOT_UNDONE_ERROR, SlotReplacement } from '../toolkit/blocks/slot-replacement';
import { SnapshotVolumes } from '../toolkit/blocks/snapshot-volumes';
import { UpgradeFinish } from '../toolkit/blocks/upgrade-finish';
import { UpgradeStart } from '../toolkit/blocks/upgrade-start';
import { GateMembers } from '../toolkit/gate-members';
import { MembershipModel } from '../toolkit/membership-model';
import { ProcedurePolling } from '../toolkit/procedure-polling';
import { StageContext } from '../toolkit/stage-context';
import { UpgradeHandler } from '../toolkit/upgrade-handler';
import { UpgradeHandlers } from '../toolkit/upgrade-handlers';
import { UpgradeProcedure } from '../toolkit/upgrade-procedure';
import { UpgradeStage } from '../toolkit/upgrade-stage';
import { UpgradeStateMachine } from '../toolkit/upgrade-state-machine';
import { ServerReplacement } from './server-replacement';

/** Props of {@link Neo4jRollingUpgrade}. */
export interface Neo4jRollingUpgradeProps {
  /** The cluster to upgrade, in the per-server layout (`Neo4jCluster` with `ServerLayout.SERVICE_PER_SERVER`). */
  readonly cluster: INeo4jUpgradeTarget;
  /** Its servers (`Neo4jCluster.servers`): each is rolled alone through its own image parameter. */
  readonly servers: Neo4jClusterServer[];
  /**
   * Bolt URI the gates connect to (an internal load balancer or DNS name of the members).
   * @default - `bolt://neo4j.<environmentName>.internal:7687`
   */
  readonly boltUri?: string;
  /**
   * Largest allowed difference of the servers' last committed transaction ids, per database, before the next server rolls.
   * @default 0
   */
  readonly maxTransactionLag?: number;
  /**
   * SSM parameter that locks the cluster against concurrent upgrades (shared with the staged upgrade).
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
   * How each server is replaced. `ServerReplacement.NEW_MEMBER_FIRST` (Neo4j 4.4, 5.x or 2025.x, a cluster
   * with `spareServerSlots: 1`) starts a new member in the spare slot and retires the old one only after it
   * has joined (5.x / 2025.x: taken over the old one's databases), so the cluster never runs with fewer
   * members; the rollback replaces the replaced servers back the same way, to the pre-upgrade image
   * (docs/rolling-upgrade.md "Replaceable resources").
   * @default ServerReplacement.IN_PLACE (each server restarts on its own instance and volume)
   */
  readonly serverReplacement?: ServerReplacement;
}

/**
 * Rolling upgrade on fixed servers (seed 001 5.3.2.1, issue 10): the preflight (which refuses a path Neo4j
 * cannot roll, naming the offline procedure), the cluster gate (it names the leader), then one server at a
 * time, the leader last, each through its own image parameter, with the cluster-level gate between servers;
 * one closing update, the gate at the target version, a full backup. A failure rolls the servers already
 * rolled back to the pre-upgrade image the same way, one at a time; nothing is deleted. Start an execution
 * with `{"dockerImage": "neo4j:<version>-enterprise"}`. See docs/rolling-upgrade.md.
 */
export class Neo4jRollingUpgrade extends Construct {
  /** The procedure's state machine. */
  public readonly stateMachine: sfn.StateMachine;
  /** The lock parameter's name. */
  public readonly lockParameterName: string;
  /** Where the result is published. */
  public readonly notificationTopic: sns.ITopic;

  constructor(scope: Construct, id: string, props: Neo4jRollingUpgradeProps) {
    super(scope, id);
    pinFeatureFlags(this);
    this.validateProps(props);
    const cluster = props.cluster;
    this.lockParameterName = props.lockParameterName ?? `/neo4j-upgrades/${cluster.targetName}/lock`;
    this.notificationTopic = notificationTopicOf(this, props.notificationTopic);
    const handlers = new UpgradeHandlers(this, 'Handlers', {
      target: cluster, lockParameterName: this.lockParameterName, notificationTopic: this.notificationTopic,
    });
    const polling = props.polling ?? new ProcedurePolling();
    const everyMember = GateMembers.sumOf(statePath('plan.currentCapacity'), statePath('plan.currentSlaveMembers'));
    const lag = props.maxTransactionLag ?? 0;
    const newMemberFirst = (props.serverReplacement ?? ServerReplacement.IN_PLACE) === ServerReplacement.NEW_MEMBER_FIRST;
    const membership = MembershipModel.of(cluster.versionFamily);
    const ctx = new StageContext(newMemberFirst
      ? this.replaceBack(handlers, polling, everyMember, membership ?? MembershipModel.SERVER_MANAGEMENT)
      : this.rollBack(handlers, polling, everyMember, lag), handlers);

    // On discovery v2 each server has its own settings-family parameter: a family change rolls with the image.
    const familiesPerServer = props.servers.every((server) => server.versionFamilyParameterName !== undefined);
    const family = cluster.stackParameters.versionFamily ? { 'versionFamily.$': statePath('plan.toSettingsFamily') } : {};
    const roll = newMemberFirst ? 'Stage 1 Replace the servers' : 'Stage 1 Roll the servers';
    const rollServers = new UpgradeStage(this, roll, {
      key: 'roll', title: roll, seedStep: newMemberFirst ? '001/5.3.2.2' : '001/5.3.2.1',
      steps: {
        stepsIn: (s) => [
          ...(familiesPerServer ? [] : [this.sameFamily(s, roll, ctx)]),
          new Neo4jHealthGate(s, 'Gate before', {
            context: ctx, polling, key: 'roll', title: roll, expectedMembers: everyMember, acceptPreviousVersion: true,
            maxTransactionLag: lag, stateName: 'cluster gate before the roll', resultPath: '$.results.roll.gateBefore',
          }),
          newMemberFirst
            ? new SlotReplacement(s, 'Servers', {
              context: ctx, polling, key: 'roll', title: roll, expectedMembers: everyMember,
              replaceTo: { 'image.$': statePath('plan.dockerImage'), ...family }, leaderHostPath: '$.results.roll.gateBefore.Payload.leaderHost',
              membership,
            })
            : new ServerRoll(s, 'Servers', {
              context: ctx, polling, key: 'roll', title: roll, expectedMembers: everyMember, maxTransactionLag: lag,
              rollTo: { 'image.$': statePath('plan.dockerImage'), ...family }, leaderHostPath: '$.results.roll.gateBefore.Payload.leaderHost',
              abortable: true,
            }),
          new Neo4jHealthGate(s, 'Gate after', {
            context: ctx, polling, key: 'roll', title: roll, expectedMembers: everyMember, maxTransactionLag: lag,
            stateName: 'cluster gate, every server at the target version', resultPath: '$.results.roll.gateAfter',
          }),
        ],
      },
    });
    const backup = 'Stage 2 Full backup after the roll';
    const backUp = new UpgradeStage(this, backup, {
      key: 'backUp', title: backup, seedStep: '001/5.3.1',
      steps: {
        stepsIn: (s) => [new SnapshotVolumes(s, 'Snapshots', {
          context: ctx, polling, purpose: 'post-upgrade', resultPath: statePath('snapshots.postUpgrade'),
          title: `${backup}: snapshot every data volume`, waitTitle: `${backup}: wait for the snapshots`,
        })],
      },
    });

    const definition = sfn.Chain
      .start(new UpgradeStart(this, 'Read the request and the cluster settings', {
        target: Neo4jTaskContext.of(cluster, props.boltUri ?? `bolt://neo4j.${cluster.environmentName}.internal:7687`),
        lockParameterName: this.lockParameterName,
        notificationTopic: this.notificationTopic,
        defaults: { approvalMode: 'none' },
      }))
      .next(new Preflight(this, 'Preflight', { handlers, polling, procedure: UpgradeProcedure.ROLLING }))
      .next(rollServers)
      .next(backUp)
      .next(new UpgradeFinish(this, 'Finish', { context: ctx, polling }));
    this.stateMachine = new UpgradeStateMachine(this, 'Procedure', {
      definition, comment: `Rolling upgrade of ${cluster.environmentName} (seed 001, fixed servers)`, handlers,
    }).stateMachine;
  }

  /**
   * Where every failure after the preflight goes: the servers not on the pre-upgrade image go back to it,
   * one at a time with the same per-server steps, then the lock is released and the failure published.
   * A failure of the rollback itself keeps the lock for an operator. No volume or snapshot is touched.
   */
  private rollBack(handlers: UpgradeHandlers, polling: ProcedurePolling, everyMember: GateMembers, lag: number): sfn.IChainable {
    const { keep, back } = this.rollbackAround(handlers, (ctx) => new ServerRoll(this, 'Roll back', {
      context: ctx, polling, key: 'rollBack', title: 'Rollback: servers back', expectedMembers: everyMember,
      maxTransactionLag: lag, rollTo: { 'previousParameters.$': statePath('preUpgrade.Payload.parameters') },
    }));
    return keep.next(back);
  }

  /**
   * Where every failure after the preflight goes with `NEW_MEMBER_FIRST`: the servers not on the pre-upgrade
   * image are replaced back the same way (a new member at the pre-upgrade image in the spare slot first, one at
   * a time, by server number), the lock released and the failure published as `ROLLED_BACK`. Each forward
   * replacement left the cluster consistent before failing (undone before its point of no return, its old
   * member's retirement finished after it). A replacement that could not be made consistent
   * (`ReplacementNotUndoneError`), a failure of the replacement back, or of the lock's release, keeps the lock
   * for an operator. No volume or snapshot is deleted: every retired one is renamed and kept.
   */
  private replaceBack(handlers: UpgradeHandlers, polling: ProcedurePolling, everyMember: GateMembers, membership: MembershipModel): sfn.IChainable {
    const notUndone = new sfn.Fail(this, 'Replacement not undone: lock kept for an operator', { errorPath: '$.originalError.Error', causePath: '$.originalError.Cause' });
    const { keep, back } = this.rollbackAround(handlers, (ctx) => new SlotReplacement(this, 'Replace back', {
      context: ctx, polling, key: 'rollBack', title: 'Rollback: servers back', expectedMembers: everyMember, membership, abortable: false,
      replaceTo: { 'previousParameters.$': statePath('preUpgrade.Payload.parameters') },
    }));
    return keep.next(new sfn.Choice(this, 'Rollback: was every replacement left consistent?')
      .when(sfn.Condition.stringEquals('$.originalError.Error', REPLACEMENT_NOT_UNDONE_ERROR), notUndone)
      .otherwise(back));
  }

  /**
   * The rollback's frame: the original error kept (the rollback's own failure must not overwrite what the
   * final state reports), the servers back (failing into "Rollback failed: lock kept for an operator"), the
   * lock released, the failure published as `ROLLED_BACK`, "Rolled back" with the original error.
   */
  private rollbackAround(handlers: UpgradeHandlers, serversBack: (ctx: StageContext) => sfn.IChainable): { keep: sfn.Pass; back: sfn.Chain } {
    const failed = new sfn.Fail(this, 'Rollback failed: lock kept for an operator', { errorPath: '$.error.Error', causePath: '$.error.Cause' });
    const ctx = new StageContext(failed, handlers);
    const keep = new sfn.Pass(this, 'Rollback: keep the original error', { inputPath: '$.error', resultPath: '$.originalError' });
    const release = ctx.step(this, 'Rollback: release the lock', UpgradeHandler.UPGRADE_LOCK, RELEASE_LOCK, { resultPath: '$.results.rollBack.lock' });
    return { keep, back: sfn.Chain.start(serversBack(ctx)).next(release).next(publishThenRolledBack(this, ctx, { originalErrorPath: '$.originalError' })) };
  }

  /**
   * Servers without their own settings-family parameter (a cluster on discovery v1) share VersionFamily, so a
   * roll that changes it (5.26 -> 2025.x) cannot go one server at a time: it fails into the rollback (nothing
   * rolled, the lock released). The plan refuses that path before already (5.26 rolls only on discovery v2).
   */
  private sameFamily(scope: Construct, title: string, ctx: StageContext): sfn.IChainable {
    const refuse = new sfn.Pass(scope, `${title}: refuse a settings family change`, {
      parameters: {
        Error: 'FamilyChangeNotRolledError',
        'Cause.$': "States.Format('the upgrade changes the settings family from {} to {}, which every server shares; run the offline procedure, Neo4jOfflineUpgrade', $.plan.fromFamily, $.plan.toSettingsFamily)",
      },
      resultPath: '$.error',
    });
    refuse.next(ctx.onFailure);
    return new sfn.Choice(scope, `${title}: same settings family?`)
      .when(sfn.Condition.not(sfn.Condition.stringEqualsJsonPath(statePath('plan.toSettingsFamily'), statePath('plan.fromFamily'))), refuse)
      .afterwards({ includeOtherwise: true });
  }

  private validateReplacement(props: Neo4jRollingUpgradeProps): void {
    const replacement = props.serverReplacement;
    if (replacement === undefined || replacement === ServerReplacement.IN_PLACE) return;
    const family = props.cluster.versionFamily;
    if (MembershipModel.of(family) === undefined) {
      throw new Neo4jUpgradesValidationError('serverReplacement', replacement.name,
        `needs a cluster that can add a member before removing one (Neo4j 4.4 causal clustering, 5.x or 2025.x server management); the cluster is ${family.displayName}: use ServerReplacement.IN_PLACE`);
    }
    const noSlot = props.servers.filter((server) => server.desiredCountParameterName === undefined);
    if (noSlot.length > 0) {
      throw new Neo4jUpgradesValidationError('serverReplacement', replacement.name,
        `needs a cluster with a spare server slot (Neo4jCluster spareServerSlots: 1); servers ${noSlot.map((s) => s.serverNumber).join(', ')} have no desired-count parameter`);
    }
    const roles = props.cluster.stackParameters;
    for (const server of props.servers) {
      if (roles[`server${server.serverNumber}DesiredCount`] !== server.desiredCountParameterName) {
        throw new Neo4jUpgradesValidationError(`servers[${server.serverNumber}].desiredCountParameterName`, String(server.desiredCountParameterName),
          `the cluster's stackParameters have no role server${server.serverNumber}DesiredCount with that name (pass Neo4jCluster.servers of the same cluster)`);
      }
    }
  }

  private validateProps(props: Neo4jRollingUpgradeProps): void {
    const lag = props.maxTransactionLag;
    if (lag !== undefined && (!Number.isInteger(lag) || lag < 0)) {
      throw new Neo4jUpgradesValidationError('maxTransactionLag', String(lag), 'expected an integer >= 0');
    }
    if (props.servers.length === 0) {
      throw new Neo4jUpgradesValidationError('servers', '[]', 'the rolling upgrade needs a cluster in the per-server layout (Neo4jCluster serverLayout: ServerLayout.SERVICE_PER_SERVER) and its servers');
    }
    this.validateReplacement(props);
    const roles = props.cluster.stackParameters;
    for (const server of props.servers) {
      if (roles[`server${server.serverNumber}Image`] !== server.imageParameterName) {
        throw new Neo4jUpgradesValidationError(`servers[${server.serverNumber}].imageParameterName`, server.imageParameterName,
          `the cluster's stackParameters have no role server${server.serverNumber}Image with that name (pass Neo4jCluster.servers of the same cluster)`);
      }
      const family = server.versionFamilyParameterName;
      if (family !== undefined && roles[`server${server.serverNumber}VersionFamily`] !== family) {
        throw new Neo4jUpgradesValidationError(`servers[${server.serverNumber}].versionFamilyParameterName`, family,
          `the cluster's stackParameters have no role server${server.serverNumber}VersionFamily with that name (pass Neo4jCluster.servers of the same cluster)`);
      }
    }
  }
}
