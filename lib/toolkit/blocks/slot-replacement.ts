import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { membershipStep } from '../../private/membership-step';
import { statePath } from '../../private/state-document';
import { GateMembers } from '../gate-members';
import { MembershipModel } from '../membership-model';
import { ProcedurePolling } from '../procedure-polling';
import { StageContext } from '../stage-context';
import { UpgradeHandler } from '../upgrade-handler';
import { MemberReplacement } from './member-replacement';
import { SlotUpdate } from './slot-update';

/** Error name of a replacement that failed after its old member's deallocation started: not undone, the lock is kept. */
export const REPLACEMENT_NOT_UNDONE_ERROR = 'ReplacementNotUndoneError';

/** Props of {@link SlotReplacement}. */
export interface SlotReplacementProps {
  /** The handlers and where failures go. */
  readonly context: StageContext;
  readonly polling: ProcedurePolling;
  /** Key of the replacement: results go to `$.results.<key>`, its stack updates are named `<key>-server<N>-...`. */
  readonly key: string;
  /** Prefix of the state names. */
  readonly title: string;
  /** server-slots' plan input: `{ 'image.$': ..., 'versionFamily.$': ... }` (the target). */
  readonly replaceTo: { [key: string]: unknown };
  /**
   * JSONPath of the leader's host (a cluster gate's `leaderHost`): that server is replaced last.
   * @default - by server number
   */
  readonly leaderHostPath?: string;
  /** How many members the cluster gate expects after each replacement. */
  readonly expectedMembers: GateMembers;
  /**
   * How the cluster adds and removes a member (`MembershipModel.of(family)`).
   * @default MembershipModel.SERVER_MANAGEMENT (Neo4j 5.x / 2025.x)
   */
  readonly membership?: MembershipModel;
}

/**
 * Rolling with replaceable resources on a cluster with a spare slot (docs/rolling-upgrade.md "Replaceable
 * resources"): plan (which old server goes to which free slot), then per replacement (MemberReplacement, one
 * at a time) the surge slot started at the target image (the main group one instance larger) and the new
 * member's address found; ENABLE, hosting, DEALLOCATE, drained, DROP (4.4: the new core joined, every
 * database online on every member); the old slot retired (its service stopped, its volume renamed `-old`
 * and kept, its instance terminated with the group decremented, the group's DesiredCapacity back; 4.4: then
 * the old core gone from the membership); the cluster gate. Then the closing update (DockerImage set, slot images
 * cleared: no task changes) and every service steady.
 *
 * Failures: before the deallocation (4.4: before the old slot is stopped) the new member is undone inside
 * its iteration (withdrawn from the cluster; 4.4: gone from the membership once its slot is stopped; its
 * slot stopped, its volume renamed `-failed` and kept, its instance terminated, the group back)
 * and the failure goes on to the context's handler; from the deallocation on (and if an undo fails) the
 * error becomes `ReplacementNotUndoneError` (the cause keeps the original) and goes on to the context's
 * handler, which should keep the lock for an operator. Servers replaced before stay replaced.
 */
export class SlotReplacement extends sfn.StateMachineFragment {
  public readonly startState: sfn.State;
  public readonly endStates: sfn.INextable[];

  constructor(scope: Construct, id: string, props: SlotReplacementProps) {
    super(scope, id);
    const { context: ctx, polling, key, title } = props;
    const results = `$.results.${key}`;
    const plan = ctx.step(this, `${title}: plan the replacements`, UpgradeHandler.SERVER_SLOTS, {
      'cluster.$': statePath('cluster'), action: 'plan', stage: key, ...props.replaceTo,
      ...(props.leaderHostPath && { 'leaderHost.$': props.leaderHostPath }),
    }, { resultPath: `${results}.plan` });

    const notUndone = this.notUndone(title);
    const inIteration = ctx.failingTo(notUndone);
    const slots = (name: string, action: string, serverNumberPath: string, extra: { [key: string]: unknown }, phase: StageContext, resultPath: string, poll = false) =>
      phase.step(this, `${title}: ${name}`, UpgradeHandler.SERVER_SLOTS, {
        'cluster.$': statePath('cluster'), action, 'serverNumber.$': serverNumberPath, ...extra,
      }, { resultPath, ...(poll && { poll: polling.services }) });
    const update = (name: string, what: string, groups: string | undefined, phase: StageContext, abortable: boolean) =>
      new SlotUpdate(this, name, {
        context: phase, polling, title: `${title}: ${name}`, updatePath: `$.replacement.${what}`, executionNamePath: '$.executionName',
        ...(groups && { groupsPath: `$.replacement.${groups}` }), resultPath: `$.slots.${what}`, abortable,
      });
    const membership = props.membership ?? MembershipModel.SERVER_MANAGEMENT;
    const undo = this.undo(title, ctx, polling, notUndone, membership, update, slots);

    const replacement = new MemberReplacement(this, 'Members', {
      context: ctx, polling, key, title, replacementsPath: `${results}.plan.Payload.replacements`, expectedMembers: props.expectedMembers,
      membership, newServerAddressPath: '$.newMember.Payload.serverAddress',
      prepareNewMember: {
        stepsIn: () => [
          update('start the surge slot', 'surge', 'newMemberGroups', ctx.failingTo(undo), true),
          slots('find the new member\'s address', 'locate-new-member', '$.replacement.slotNumber', {}, ctx.failingTo(undo), '$.newMember', true),
        ],
      },
      beforeDeallocateFailure: undo,
      afterDeallocateFailure: notUndone,
      retireOldMember: {
        stepsIn: () => [
          update('stop the old slot', 'retire', 'oldMemberGroups', inIteration, false),
          slots('retire the old slot\'s volume and instance', 'release-slot', '$.replacement.oldServerNumber',
            { suffix: '-old', 'executionId.$': '$.executionName' }, inIteration, '$.slots.released'),
          update('main group back to its size', 'capacity', undefined, inIteration, false),
        ],
      },
    });

    const close = new SlotUpdate(this, 'Closing update', {
      context: ctx, polling, title: `${title}: closing update`, updatePath: `${results}.plan.Payload.closing`,
      resultPath: `${results}.close`, abortable: true,
    });
    const allSteady = ctx.step(this, `${title}: wait for every service`, UpgradeHandler.ECS_SERVICES_STEADY, {
      'cluster.$': statePath('cluster'),
    }, { resultPath: `${results}.services`, poll: polling.services });
    const chain = sfn.Chain.start(plan).next(replacement).next(close).next(allSteady);
    this.startState = plan;
    this.endStates = chain.endStates;
  }

  /** Inside an iteration: the error renamed ReplacementNotUndoneError (the original in the cause), then the iteration fails. */
  private notUndone(title: string): sfn.IChainable {
    const mark = new sfn.Pass(this, `${title}: replacement not undone`, {
      parameters: {
        Error: REPLACEMENT_NOT_UNDONE_ERROR,
        'Cause.$': "States.Format('server {} -> slot {}: not undone after {}: {}', $.replacement.oldServerNumber, $.replacement.slotNumber, $.error.Error, $.error.Cause)",
      },
      resultPath: '$.error',
    });
    return mark.next(new sfn.Fail(this, `${title}: the replacement failed, not undone`, { errorPath: '$.error.Error', causePath: '$.error.Cause' }));
  }

  /**
   * Inside an iteration, before the old member's deallocation (4.4: before its slot is stopped): the new
   * member withdrawn (if it was found; 4.4: after its slot is stopped, the wait until it has left the
   * membership), its slot stopped, its volume renamed `-failed` (kept) and its instance terminated with the
   * group decremented, the group's DesiredCapacity back; then the iteration fails with the original error.
   */
  private undo(
    title: string, ctx: StageContext, polling: ProcedurePolling, notUndone: sfn.IChainable, membership: MembershipModel,
    update: (name: string, what: string, groups: string | undefined, phase: StageContext, abortable: boolean) => SlotUpdate,
    slots: (name: string, action: string, serverNumberPath: string, extra: { [key: string]: unknown }, phase: StageContext, resultPath: string, poll?: boolean) => sfn.TaskStateBase,
  ): sfn.IChainable {
    const inUndo = ctx.failingTo(notUndone);
    const keep = new sfn.Pass(this, `${title}: undo, keep the original error`, { inputPath: '$.error', resultPath: '$.undoneError' });
    const newMember = (name: string, action: string) =>
      membershipStep(this, inUndo, polling, `${title}: undo, ${name}`, action, '$.newMember.Payload.serverAddress');
    const stop = update('undo, stop the surge slot', 'stopSurge', 'newMemberGroups', inUndo, false);
    const release = slots('undo, retire the surge slot\'s volume and instance', 'release-slot', '$.replacement.slotNumber',
      { suffix: '-failed', 'executionId.$': '$.executionName' }, inUndo, '$.slots.undone');
    const capacity = update('undo, main group back to its size', 'undoCapacity', undefined, inUndo, false);
    const failed = new sfn.Fail(this, `${title}: the replacement failed, undone`, { errorPath: '$.undoneError.Error', causePath: '$.undoneError.Cause' });
    const found = (then: sfn.IChainable, otherwise: sfn.IChainable) => new sfn.Choice(this, `${title}: undo, was the new member found?`)
      .when(sfn.Condition.isPresent('$.newMember.Payload.serverAddress'), then)
      .otherwise(otherwise);
    const afterRelease = sfn.Chain.start(release).next(capacity).next(failed);
    if (membership === MembershipModel.SERVER_MANAGEMENT) {
      // The new member leaves the cluster (deallocated, dropped) while it still runs.
      const afterWithdraw = sfn.Chain.start(stop).next(afterRelease);
      return keep.next(found(newMember('withdraw the new member', 'withdraw-new-member').next(afterWithdraw), afterWithdraw));
    }
    // A core leaves when its process stops: the wait for it comes after the slot is stopped.
    return keep.next(stop).next(found(newMember('wait until the new member has left', 'wait-left').next(afterRelease), afterRelease));
  }
}
