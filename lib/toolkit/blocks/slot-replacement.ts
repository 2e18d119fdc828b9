import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { chainOf } from '../../private/chain-of';
import { membershipStep } from '../../private/membership-step';
import { statePath } from '../../private/state-document';
import { GateMembers } from '../gate-members';
import { MembershipModel } from '../membership-model';
import { ProcedurePolling } from '../procedure-polling';
import { StageContext } from '../stage-context';
import { UpgradeHandler } from '../upgrade-handler';
import { MemberReplacement } from './member-replacement';
import { SlotUpdate } from './slot-update';

/** Error name of a replacement whose undo (or whose old member's retirement after a failure) failed: left inconsistent, the lock is kept. */
export const REPLACEMENT_NOT_UNDONE_ERROR = 'ReplacementNotUndoneError';

/** Where an iteration keeps the new member's Bolt address (server-slots' locate-new-member). */
const NEW_MEMBER_ADDRESS = '$.newMember.Payload.serverAddress';
const OLD_MEMBER_ADDRESS = '$.replacement.oldServerAddress';

/** One server-slots step inside an iteration. */
type SlotStep = (name: string, action: string, serverNumberPath: string, extra: { [key: string]: unknown }, phase: StageContext,
  resultPath: string, poll?: boolean) => sfn.TaskStateBase;
/** One planned slot update (`$.replacement.<what>`) inside an iteration, waiting for `groups` when given. */
type SlotUpdateStep = (name: string, what: string, groups: string | undefined, phase: StageContext, abortable: boolean) => SlotUpdate;

/** Props of {@link SlotReplacement}. */
export interface SlotReplacementProps {
  /** The handlers and where failures go. */
  readonly context: StageContext;
  readonly polling: ProcedurePolling;
  /** Key of the replacement: results go to `$.results.<key>`, its stack updates are named `<key>-server<N>-...`. */
  readonly key: string;
  /** Prefix of the state names. */
  readonly title: string;
  /**
   * server-slots' plan input, the target: `{ 'image.$': ..., 'versionFamily.$': ... }` forward, or
   * `{ 'previousParameters.$': '$.preUpgrade.Payload.parameters' }` back to the pre-upgrade image and family.
   */
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
  /**
   * Each surge and the closing update are safe points for an operator's abort request (turn it off where the
   * replacement is itself the rollback: the request that started the rollback must not stop it).
   * @default true
   */
  readonly abortable?: boolean;
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
 * Failures leave the cluster consistent (every running slot a member, one spare slot, the group at its
 * size) before they go on to the context's handler, which can run a second SlotReplacement to the pre-upgrade
 * image (`replaceTo: { 'previousParameters.$': ... }`, another `key`) to replace back. Before the
 * deallocation (4.4: before the old slot is stopped) the new member is undone inside its iteration (withdrawn
 * from the cluster; 4.4: gone from the membership once its slot is stopped; its slot stopped, its volume
 * renamed `-failed` and kept, its instance terminated, the group back). From the deallocation on the old
 * member's retirement is finished instead (each step idempotent; the new member stays). If an undo or a
 * finish fails, the error becomes `ReplacementNotUndoneError` (the cause keeps the original): the handler
 * should keep the lock for an operator. Servers replaced before stay replaced until the handler acts.
 */
export class SlotReplacement extends sfn.StateMachineFragment {
  public readonly startState: sfn.State;
  public readonly endStates: sfn.INextable[];

  constructor(scope: Construct, id: string, props: SlotReplacementProps) {
    super(scope, id);
    const { context: ctx, polling, key, title } = props;
    const abortable = props.abortable ?? true;
    const results = `$.results.${key}`;
    const plan = ctx.step(this, `${title}: plan the replacements`, UpgradeHandler.SERVER_SLOTS, {
      'cluster.$': statePath('cluster'), action: 'plan', stage: key, ...props.replaceTo,
      ...(props.leaderHostPath && { 'leaderHost.$': props.leaderHostPath }),
    }, { resultPath: `${results}.plan` });

    const notUndone = this.notUndone(title);
    const slots: SlotStep = (name, action, serverNumberPath, extra, phase, resultPath, poll = false) =>
      phase.step(this, `${title}: ${name}`, UpgradeHandler.SERVER_SLOTS, {
        'cluster.$': statePath('cluster'), action, 'serverNumber.$': serverNumberPath, ...extra,
      }, { resultPath, ...(poll && { poll: polling.services }) });
    const update: SlotUpdateStep = (name, what, groups, phase, safePoint) =>
      new SlotUpdate(this, name, {
        context: phase, polling, title: `${title}: ${name}`, updatePath: `$.replacement.${what}`, executionNamePath: '$.executionName',
        ...(groups && { groupsPath: `$.replacement.${groups}` }), resultPath: `$.slots.${what}`, abortable: safePoint,
      });
    // The old slot's retirement (its service stopped, its volume renamed -old and kept, its instance gone, the
    // group back): the forward steps, and again on the finish path after a failure past the point of no return.
    // ("finish, group back to its size": a state name has at most 80 characters, its wait's suffix included.)
    const retireOldSlot = (prefix: string, phase: StageContext): sfn.IChainable[] => [
      update(`${prefix}stop the old slot`, 'retire', 'oldMemberGroups', phase, false),
      slots(`${prefix}retire the old slot's volume and instance`, 'release-slot', '$.replacement.oldServerNumber',
        { suffix: '-old', 'executionId.$': '$.executionName' }, phase, '$.slots.released'),
      update(prefix ? `${prefix}group back to its size` : 'main group back to its size', 'capacity', undefined, phase, false),
    ];
    const membership = props.membership ?? MembershipModel.SERVER_MANAGEMENT;
    const undo = this.undo(title, ctx, polling, notUndone, membership, update, slots);
    const finish = this.finish(title, ctx, polling, notUndone, membership, retireOldSlot);

    const replacement = new MemberReplacement(this, 'Members', {
      context: ctx, polling, key, title, replacementsPath: `${results}.plan.Payload.replacements`, expectedMembers: props.expectedMembers,
      membership, newServerAddressPath: NEW_MEMBER_ADDRESS,
      prepareNewMember: {
        stepsIn: () => [
          update('start the surge slot', 'surge', 'newMemberGroups', ctx.failingTo(undo), abortable),
          slots('find the new member\'s address', 'locate-new-member', '$.replacement.slotNumber', {}, ctx.failingTo(undo), '$.newMember', true),
        ],
      },
      beforeDeallocateFailure: undo,
      afterDeallocateFailure: finish,
      retireOldMember: { stepsIn: () => retireOldSlot('', ctx.failingTo(finish)) },
    });

    const close = new SlotUpdate(this, 'Closing update', {
      context: ctx, polling, title: `${title}: closing update`, updatePath: `${results}.plan.Payload.closing`,
      resultPath: `${results}.close`, abortable,
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
    update: SlotUpdateStep, slots: SlotStep,
  ): sfn.IChainable {
    const inUndo = ctx.failingTo(notUndone);
    const keep = new sfn.Pass(this, `${title}: undo, keep the original error`, { inputPath: '$.error', resultPath: '$.undoneError' });
    const newMember = (name: string, action: string) =>
      membershipStep(this, inUndo, polling, `${title}: undo, ${name}`, action, NEW_MEMBER_ADDRESS);
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

  /**
   * Inside an iteration, after a failure past the point of no return (5.x: from the deallocation on; 4.4: from
   * the old slot's stop on): the old member's retirement completed, every step idempotent (5.x: deallocated
   * unless that had already succeeded, drained, dropped; the old slot stopped, its volume renamed `-old` and
   * kept, its instance terminated, the group back; 4.4: then the wait until the old core has left), so the
   * cluster is consistent again (the new member serves, one spare slot) for the context's handler to replace
   * back; then the iteration fails with the original error. A failure here is `ReplacementNotUndoneError`.
   */
  private finish(
    title: string, ctx: StageContext, polling: ProcedurePolling, notUndone: sfn.IChainable, membership: MembershipModel,
    retireOldSlot: (prefix: string, phase: StageContext) => sfn.IChainable[],
  ): sfn.IChainable {
    const inFinish = ctx.failingTo(notUndone);
    const keep = new sfn.Pass(this, `${title}: finish, keep the original error`, { inputPath: '$.error', resultPath: '$.retiredError' });
    const oldMember = (name: string, action: string, extra: { [key: string]: unknown } = {}) =>
      membershipStep(this, inFinish, polling, `${title}: finish, ${name}`, action, OLD_MEMBER_ADDRESS, extra);
    const failed = new sfn.Fail(this, `${title}: the replacement failed, old member retired`, { errorPath: '$.retiredError.Error', causePath: '$.retiredError.Cause' });
    if (membership === MembershipModel.SERVER_MANAGEMENT) {
      // A dropped member whose process has exited is no longer listed: DEALLOCATE would not find it, so it is
      // sent again only where the forward one did not succeed (its result is absent).
      const drained = chainOf([
        oldMember('wait until the old member is drained', 'wait-drained'),
        oldMember('drop the old member', 'drop-server'),
        ...retireOldSlot('finish, ', inFinish),
      ]).next(failed);
      const deallocate = oldMember('deallocate the old member', 'deallocate', { 'replacementAddress.$': NEW_MEMBER_ADDRESS });
      return keep.next(new sfn.Choice(this, `${title}: finish, was the old member deallocated?`)
        .when(sfn.Condition.isPresent('$.membership.deallocate'), drained)
        .otherwise(deallocate.next(drained)));
    }
    return keep.next(chainOf([...retireOldSlot('finish, ', inFinish), oldMember('wait until the old member has left', 'wait-left')])).next(failed);
  }
}
