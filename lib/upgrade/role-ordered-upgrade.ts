import { Duration } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { Neo4jUpgradesValidationError } from '../errors';
import { plannedLockPreflight } from '../private/planned-lock-preflight';
import { statePath } from '../private/state-document';
import { restoreHooks, stopHooks } from '../role-ordered/auxiliary-steps';
import { IRoleOrderedTarget } from '../role-ordered/role-ordered-target';
import { RoleOrderedRollback } from '../role-ordered/role-ordered-rollback';
import { RoleOrderedTaskContext } from '../role-ordered/role-ordered-task-context';
import { RoleOrder } from '../role-ordered/role-order';
import { ServerTurns } from '../role-ordered/server-turns';
import { SnapshotVolumes } from '../toolkit/blocks/snapshot-volumes';
import { UpgradeFinish } from '../toolkit/blocks/upgrade-finish';
import { UpgradeStart } from '../toolkit/blocks/upgrade-start';
import { ProcedurePolling } from '../toolkit/procedure-polling';
import { StageContext } from '../toolkit/stage-context';
import { UpgradeHandler } from '../toolkit/upgrade-handler';
import { UpgradeHandlers } from '../toolkit/upgrade-handlers';
import { UpgradeStage } from '../toolkit/upgrade-stage';
import { UpgradeStateMachine } from '../toolkit/upgrade-state-machine';

/** Props of {@link RoleOrderedUpgrade}. */
export interface RoleOrderedUpgradeProps {
  /** The cluster: its servers by role, credentials and hooks. */
  readonly target: IRoleOrderedTarget;
  /**
   * The roles in upgrade order, each with its gate.
   * @default RoleOrder.ARANGODB (agents, DB servers under maintenance, coordinators)
   */
  readonly roleOrder?: RoleOrder;
  /**
   * The upgrade lock (SSM parameter); the per-server ledger lives under its path.
   * @default `/role-ordered-upgrades/<environmentName>/lock`
   */
  readonly lockParameterName?: string;
  /**
   * Where the results go.
   * @default - a new topic encrypted with the AWS managed SNS key
   */
  readonly notificationTopic?: sns.ITopic;
  /**
   * The minimum patch of a minor before the jump to the next minor, by `major.minor` (e.g. `{ '3.3': 20 }`),
   * from the release's upgrade notes; 0 for none. The execution input may override it. ArangoDB documents no
   * fixed value (seed 003 names none; its upgrade docs recommend the latest patch of the old minor), so none is
   * built in: a minor upgrade whose old minor has no entry here or in the input is refused in preflight.
   * @default - none declared: only patch upgrades pass until the input declares one
   */
  readonly minimumPatchBeforeMinor?: { [minor: string]: number };
  /**
   * The expiry the supervision maintenance is switched on with: it lapses on its own after it.
   * @default Duration.hours(1)
   */
  readonly maintenanceExpiry?: Duration;
  /**
   * The waits' budgets.
   * @default - ProcedurePolling's defaults
   */
  readonly polling?: ProcedurePolling;
}

/**
 * The role-ordered upgrade of seed 003 (ArangoDB 3.3 -> 3.4 without interruption) as a state machine:
 * preflight (version path, lock, maintenance cleared, every data volume snapshotted), the operator's
 * stop hooks, every server in role order one at a time (stop, one auto-upgrade run, start on the new
 * image, the role's gate; maintenance on only around the role that needs it), the restore hooks, unlock.
 * Every failure after the lock goes to a rollback that switches maintenance off first.
 */
export class RoleOrderedUpgrade extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly notificationTopic: sns.ITopic;
  public readonly lockParameterName: string;

  constructor(scope: Construct, id: string, props: RoleOrderedUpgradeProps) {
    super(scope, id);
    const target = props.target;
    const order = props.roleOrder ?? RoleOrder.ARANGODB;
    this.validate(target, order, props);
    this.lockParameterName = props.lockParameterName ?? `/role-ordered-upgrades/${target.environmentName}/lock`;
    this.notificationTopic = props.notificationTopic ?? new sns.Topic(this, 'Notifications', {
      masterKey: kms.Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'), enforceSSL: true,
    });
    const handlers = new UpgradeHandlers(this, 'Handlers', { target, lockParameterName: this.lockParameterName, notificationTopic: this.notificationTopic });
    const polling = props.polling ?? new ProcedurePolling();
    const context = new StageContext(new RoleOrderedRollback(this, 'Rollback', { handlers, polling, target }), handlers);

    const { chain: preflight, locked } = plannedLockPreflight(this, handlers, UpgradeHandler.ARANGO_VALIDATE_INPUT);
    // A maintenance left on from before would cover the agents too; the procedure switches it on itself later.
    const clearMaintenance = locked.step(this, 'Preflight: supervision maintenance off before the agents', UpgradeHandler.ARANGO_MAINTENANCE, {
      'cluster.$': statePath('cluster'), mode: 'off',
    }, { resultPath: '$.results.preflight.maintenance', poll: polling.gate, pollAlsoOn: ['MaintenanceUnavailableError'] });
    const snapshots = new SnapshotVolumes(this, 'Snapshots', {
      context: locked, polling, purpose: 'pre-upgrade', resultPath: statePath('snapshots.preUpgrade'),
      title: 'Preflight: snapshot every data volume', waitTitle: 'Preflight: wait for the pre-upgrade snapshots',
    });

    let chain = sfn.Chain
      .start(new UpgradeStart(this, 'Read the request and the cluster', {
        target: RoleOrderedTaskContext.of(target, order), lockParameterName: this.lockParameterName, notificationTopic: this.notificationTopic,
        defaults: {
          maintenanceSeconds: (props.maintenanceExpiry ?? Duration.hours(1)).toSeconds(),
          ...(props.minimumPatchBeforeMinor && { minimumPatchBeforeMinor: props.minimumPatchBeforeMinor }),
        },
      }))
      .next(preflight).next(clearMaintenance).next(snapshots);
    const before = stopHooks(this, target, context.onFailure);
    if (before.length > 0) {
      chain = chain.next(new UpgradeStage(this, 'Before: stop replication and automatic restarts', {
        key: 'stopAuxiliaries', title: 'Before: stop replication and automatic restarts', seedStep: '003/1,3', steps: { stepsIn: () => before },
      }));
    }
    chain = chain.next(new UpgradeStage(this, 'Upgrade every server in role order', {
      key: 'servers', title: `Upgrade every server in role order (${order.roles.join(', ')})`, seedStep: '003/4-8',
      steps: { stepsIn: (s) => [new ServerTurns(s, 'Turns', { context, polling })] },
    }));
    const after = restoreHooks(this, 'After', target, context.onFailure);
    if (after.length > 0) {
      chain = chain.next(new UpgradeStage(this, 'After: restore automatic restarts and replication', {
        key: 'restoreAuxiliaries', title: 'After: restore automatic restarts and replication', seedStep: '003/9-11', steps: { stepsIn: () => after },
      }));
    }
    chain = chain.next(new UpgradeFinish(this, 'Finish', { context, polling }));
    this.stateMachine = new UpgradeStateMachine(this, 'Procedure', {
      handlers, definition: chain, comment: `Role-ordered upgrade of ${target.environmentName} (${order.roles.join(', ')})`,
    }).stateMachine;
  }

  private validate(target: IRoleOrderedTarget, order: RoleOrder, props: RoleOrderedUpgradeProps): void {
    const roles = order.roles;
    for (const [i, server] of target.servers.entries()) {
      if (!roles.includes(server.role)) {
        throw new Neo4jUpgradesValidationError(`target.servers[${i}].role`, JSON.stringify(server.role), `is not a role of the order (${roles.join(', ')})`);
      }
    }
    for (const role of roles) {
      if (!target.servers.some((s) => s.role === role)) {
        throw new Neo4jUpgradesValidationError('roleOrder', JSON.stringify(role), 'this role has no servers in the target: an empty role cannot be upgraded');
      }
    }
    const expiry = props.maintenanceExpiry?.toSeconds();
    if (expiry !== undefined && (expiry < 60 || expiry > 86400)) {
      throw new Neo4jUpgradesValidationError('maintenanceExpiry', `${expiry} s`, 'must be between 1 minute and 24 hours');
    }
  }
}
