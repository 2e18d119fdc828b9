import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { chainOf } from '../../private/chain-of';
import { membershipStep } from '../../private/membership-step';
import { statePath } from '../../private/state-document';
import { GateMembers } from '../gate-members';
import { MembershipModel } from '../membership-model';
import { ProcedurePolling } from '../procedure-polling';
import { StageContext } from '../stage-context';
import { IStageSteps } from '../upgrade-stage';
import { Neo4jHealthGate } from './neo4j-health-gate';

/** Props of {@link MemberReplacement}. */
export interface MemberReplacementProps {
  /** The handlers and where failures go. */
  readonly context: StageContext;
  readonly polling: ProcedurePolling;
  /** Key of the replacement: results go to `$.results.<key>`. */
  readonly key: string;
  /** Prefix of the state names. */
  readonly title: string;
  /**
   * JSONPath of the replacements, in order: an array of `{ "oldServerAddress": "host:port",
   * "newServerAddress": "host:port" }`, the Bolt addresses the servers advertise (`SHOW SERVERS`).
   */
  readonly replacementsPath: string;
  /** How many members the cluster gate expects after each replacement. */
  readonly expectedMembers: GateMembers;
  /**
   * The procedure's steps that stop the old member's process (its slot retired, its volume renamed and kept),
   * run with the item at `$.replacement`: with server management after DROP SERVER (SHOW SERVERS lists a
   * dropped server until its process exits, and the gate passes no member that is not Enabled); with core
   * discovery once the new member has joined, followed by the wait until the old member has left.
   */
  readonly retireOldMember: IStageSteps;
  /**
   * How the cluster adds and removes a member (`MembershipModel.of(family)`).
   * @default MembershipModel.SERVER_MANAGEMENT (Neo4j 5.x / 2025.x)
   */
  readonly membership?: MembershipModel;
  /**
   * The procedure's steps that start the new member, run first with the item at `$.replacement` and the
   * execution's name at `$.executionName` (the surge
   * slot started, the member's address found). The new member's address is then read at `newServerAddressPath`.
   * @default - none: the new member already runs
   */
  readonly prepareNewMember?: IStageSteps;
  /**
   * JSONPath of the new member's Bolt address inside an iteration.
   * @default '$.replacement.newServerAddress'
   */
  readonly newServerAddressPath?: string;
  /**
   * Where a failure of `prepareNewMember`, `enable-server` or `wait-hosting` (core discovery: `wait-joined`)
   * goes, inside the iteration with the error at `$.error` (nothing old has changed yet: the undo of the new
   * member). It must end the iteration (a Fail state).
   * @default - the iteration fails with the error (the Map's Catch takes it)
   */
  readonly beforeDeallocateFailure?: sfn.IChainable;
  /**
   * Where a failure from `deallocate` on (`wait-drained`, `drop-server`, and the gate; core discovery: from
   * `retireOldMember` on) goes, inside the iteration with the error at `$.error`. It must end the iteration
   * (a Fail state).
   * @default - the iteration fails with the error (the Map's Catch takes it)
   */
  readonly afterDeallocateFailure?: sfn.IChainable;
}

/**
 * Rolling with replaceable resources, the cluster's side (seed 001 5.3.2.2; see docs/rolling-upgrade.md
 * "Replaceable resources"): per replacement, one at a time (a Map of concurrency 1). Neo4j 5.x / 2025.x
 * (server management): the new member is enabled and must host what it is asked to before the old one
 * gives up its databases (`DEALLOCATE DATABASES FROM SERVER`), is drained and dropped; then the
 * procedure's `retireOldMember` steps and the cluster gate. Neo4j 4.4 (core discovery): the new core must
 * be listed in `dbms.cluster.overview()` with every database online, and every other member too, before
 * the procedure's `retireOldMember` steps stop the old one; then the wait until the old core has left the
 * membership, and the cluster gate. The new member must already run (the surge slot started): the ECS
 * steps belong to the procedure. Every wait has the gate's budget; a replacement that never joins fails
 * its join step's poll into the context's failure handler with nothing retired.
 */
export class MemberReplacement extends sfn.StateMachineFragment {
  public readonly startState: sfn.State;
  public readonly endStates: sfn.INextable[];

  constructor(scope: Construct, id: string, props: MemberReplacementProps) {
    super(scope, id);
    const { context: ctx, polling, key, title } = props;
    const perServer = new sfn.Map(this, `${title}: one replacement at a time`, {
      itemsPath: props.replacementsPath,
      itemSelector: {
        'cluster.$': statePath('cluster'), 'plan.$': statePath('plan'), 'settings.$': statePath('settings'),
        'replacement.$': '$$.Map.Item.Value', 'executionName.$': '$$.Execution.Name',
      },
      maxConcurrency: 1, // one extra member at a time, one old member leaving at a time
      resultPath: `$.results.${key}.replacements`,
    });
    // The gate's Catch (and each phase's) puts the error at $.error: the Fail reads it there (a Fail reading a
    // path that is not there ends the execution in States.Runtime, which no Catch takes).
    const failed = new sfn.Fail(this, `${title}: a replacement failed`, { errorPath: '$.error.Error', causePath: '$.error.Cause' });
    const beforeDeallocate = ctx.failingTo(props.beforeDeallocateFailure ?? failed);
    const afterDeallocate = ctx.failingTo(props.afterDeallocateFailure ?? failed);
    const newAddress = props.newServerAddressPath ?? '$.replacement.newServerAddress';
    const step = (phase: StageContext, name: string, action: string, serverPath: string, extra: { [key: string]: unknown } = {}) =>
      membershipStep(this, phase, polling, `${title}: ${name}`, action, serverPath, extra);
    const oldAddress = '$.replacement.oldServerAddress';
    const serverManagement = (props.membership ?? MembershipModel.SERVER_MANAGEMENT) === MembershipModel.SERVER_MANAGEMENT;
    // Server management: the old member is drained and dropped before its process stops. Core discovery: a
    // stopped core leaves by itself, so the wait for it comes after the retirement steps.
    const join = serverManagement
      ? [
        step(beforeDeallocate, 'enable the new member', 'enable-server', newAddress),
        step(beforeDeallocate, 'wait until the new member hosts its databases', 'wait-hosting', newAddress),
      ]
      : [step(beforeDeallocate, 'wait until the new member has joined', 'wait-joined', newAddress)];
    const leave = serverManagement
      ? [
        step(afterDeallocate, 'deallocate the old member', 'deallocate', oldAddress, { 'replacementAddress.$': newAddress }),
        step(afterDeallocate, 'wait until the old member is drained', 'wait-drained', oldAddress),
        step(afterDeallocate, 'drop the old member', 'drop-server', oldAddress),
        ...props.retireOldMember.stepsIn(this),
      ]
      : [...props.retireOldMember.stepsIn(this), step(afterDeallocate, 'wait until the old member has left', 'wait-left', oldAddress)];
    const gate = new Neo4jHealthGate(this, 'Gate after a replacement', {
      context: afterDeallocate, polling, key, title, expectedMembers: props.expectedMembers, acceptPreviousVersion: true,
      stateName: 'cluster gate after the replacement', resultPath: '$.gate',
    });
    perServer.itemProcessor(chainOf([...(props.prepareNewMember?.stepsIn(this) ?? []), ...join, ...leave, gate]));
    ctx.catchMap(perServer);
    this.startState = perServer;
    this.endStates = [perServer];
  }
}
