import {
  CancelUpdateStackCommand, CloudFormationClient, DescribeStackEventsCommand, ExecuteChangeSetCommand, Parameter,
} from '@aws-sdk/client-cloudformation';
import { SSMClient } from '@aws-sdk/client-ssm';
import { AbortCheck, optionalAbortCheck, stopIfAbortRequested } from '../shared/abort-request';
import { isAwsError } from '../shared/aws-error';
import { MASKED_VALUE, describeStack, stackParameters } from '../shared/cfn-stack';
import { ClusterContext, ClusterParameterNames } from '../shared/context';
import { ChangeSetRefusedError, InvalidInputError, StackNotReadyError, StillInProgressError } from '../shared/errors';
import { requireString } from '../shared/input-checks';
import { Logger } from '../shared/log';
import { requireStage } from '../shared/name-checks';
import { isTokenOfExecution, stackRequestToken } from '../shared/stack-request-token';
import { ReviewedChangeSet, reviewChangeSet } from './change-set';
import { ChangeSetGuardInput, ChangeSummary, describeRefusal, reviewChanges } from './change-set-guard';

export interface UpdateStackDeps {
  readonly cfn: CloudFormationClient;
  /** Reads the abort request (`abortRequest`). */
  readonly ssm: SSMClient;
  readonly log: Logger;
  readonly now?: () => Date;
  /** Waits between change-set polls (tests pass a no-op). */
  readonly sleep?: (ms: number) => Promise<void>;
}

export type ParameterRole = keyof ClusterParameterNames;

export interface UpdateStackInput {
  readonly cluster: ClusterContext;
  /** `$$.Execution.Name` (an execution ARN works too): with `stage`, the ClientRequestToken. */
  readonly executionName: string;
  /** Stage name, unique within the execution, e.g. `roll-image`, `single-master`. */
  readonly stage: string;
  /** `apply` (default) sets `parameters`; `rollback` restores `restore`. */
  readonly mode?: 'apply' | 'rollback';
  /**
   * apply: the overrides, keyed by role (`dockerImage`, `mode`, `desiredCapacity`, ... as in
   * cluster.parameterNames), values as CloudFormation strings (numbers are accepted and stringified).
   * Every other stack parameter keeps its previous value.
   */
  readonly parameters?: Partial<Record<ParameterRole, string | number>>;
  /**
   * rollback: the pre-upgrade record (stack-parameters' `parameters`, CloudFormation keys). Every
   * recorded value is set explicitly, except NoEcho ones (recorded as `****`), which keep their value.
   */
  readonly restore?: Record<string, string>;
  /** Resource types and logical ids to guard in addition to GUARDED_RESOURCE_TYPES. */
  readonly guard?: ChangeSetGuardInput;
  /**
   * apply only, a safe point: before anything of this stage changes, look for an operator's abort request
   * for this execution and throw AbortRequestedError (the procedure's rollback) when there is one. Absent:
   * no look (the rollback's own updates never have it).
   */
  readonly abortRequest?: AbortCheck;
}

/** The change set this stage reviewed (and executed, unless refused). */
export interface ChangeSetOutput {
  /** The ChangeSetName: the stage's ClientRequestToken. */
  readonly name: string;
  readonly id: string;
  /** At most MAX_LISTED_CHANGES; changeCount has the total. */
  readonly changes: ChangeSummary[];
  readonly changeCount: number;
  /**
   * rollback only: the guarded changes it executed anyway (the rollback must run), also logged as a
   * warning. Absent when there were none.
   */
  readonly executedDespiteGuard?: ChangeSummary[];
}

export interface UpdateStackOutput {
  readonly stackId: string;
  /** false: CloudFormation answered "No updates are to be performed" (nothing started, nothing to wait for). */
  readonly changed: boolean;
  /** CloudFormation key -> value sent explicitly (all others: UsePreviousValue). */
  readonly requestedParameters: Record<string, string>;
  readonly clientRequestToken: string;
  readonly stage: string;
  readonly mode: 'apply' | 'rollback';
  /** When this call asked; stack-status reads failure events from here on. */
  readonly requestedAt: string;
  /** An earlier call with this token had already started (or finished) this update. */
  readonly alreadyStarted: boolean;
  /** rollback: recorded keys the stack no longer has (not sent). */
  readonly skippedKeys?: string[];
  /** Absent when there was nothing to change, or the stack was already updating with this stage's token. */
  readonly changeSet?: ChangeSetOutput;
}

export const CAPABILITIES = ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'] as const;
/** How many change summaries the output lists (the state document has a size limit). */
export const MAX_LISTED_CHANGES = 100;
const NO_CHANGES = /didn't contain changes|No updates are to be performed/;
const CANNOT_UPDATE = /state and can not be updated/;
const EVENT_PAGES = 5;

/**
 * Updates the stack through a reviewed change set: CreateChangeSet (ChangeSetType UPDATE,
 * UsePreviousTemplate, the given parameters set explicitly and UsePreviousValue for every other parameter
 * the stack has, all three capabilities) named after the ClientRequestToken of (execution, mode, stage);
 * then the guard reads every change; then ExecuteChangeSet of that same change set with that token.
 *
 * The guard (change-set-guard.ts): in apply mode, a change that would remove a guarded resource or
 * replace it (Replacement True or Conditional) is ChangeSetRefusedError, and nothing is executed. The
 * refused change set is not deleted (deleting one would delete no data either; keeping it needs no
 * DeleteChangeSet permission): an operator can review it in the console until the stack's next executed
 * update removes all its change sets, which is the rollback's if that has anything to restore. The error
 * message carries the same findings, so nothing is lost when it goes.
 * In rollback mode the guard only reports (warning log, `changeSet.executedDespiteGuard`): the rollback
 * puts back the parameters the resources had before the upgrade, and refusing it would leave the cluster
 * half-upgraded with nobody restoring it.
 *
 * Idempotent:
 * - a retry finds its change set by name and reuses it (never a second one); one still being computed
 *   after CHANGE_SET_POLLS is StillInProgressError (the Retry polls);
 * - "No updates are to be performed" / "didn't contain changes" -> `changed: false`, unless the stack's
 *   events show this token's update (a retry after it finished) -> `changed: true, alreadyStarted: true`;
 * - the change set already executing or executed, or the stack *_IN_PROGRESS because of this token ->
 *   `changed: true, alreadyStarted: true`; *_IN_PROGRESS because of anything else -> StackNotReadyError.
 * A stack in a state that cannot be updated (UPDATE_ROLLBACK_FAILED, ROLLBACK_COMPLETE, ...) is
 * StackNotReadyError. Parameters that do not exist on the stack are InvalidInputError before any call
 * that changes something.
 *
 * rollback while the stack is *_IN_PROGRESS because of this execution (a stage whose wait timed out:
 * the state machine owns the timeouts): an UPDATE_IN_PROGRESS is cancelled (CancelUpdateStack, which
 * makes CloudFormation roll that stage back), and any in-progress state is StillInProgressError, so a
 * Retry on it applies the restore once the stack has settled.
 */
export async function logic(deps: UpdateStackDeps, input: UpdateStackInput): Promise<UpdateStackOutput> {
  const mode = input?.mode ?? 'apply';
  const { stackName, executionName, stage } = checkInput(input, mode);
  if (mode === 'apply') await stopIfAbortRequested(deps.ssm, deps.log, optionalAbortCheck(input.abortRequest));
  const clientRequestToken = stackRequestToken(executionName, mode === 'rollback' ? `rollback-${stage}` : stage);
  const requestedAt = (deps.now ?? (() => new Date()))().toISOString();

  const stack = await describeStack(deps.cfn, stackName);
  const stackId = stack.StackId ?? stackName;
  const current = stackParameters(stack);
  const plan = mode === 'apply' ? applyPlan(input, current) : rollbackPlan(input.restore!, current);
  const Parameters: Parameter[] = Object.keys(current).map((key) =>
    key in plan.explicit
      ? { ParameterKey: key, ParameterValue: plan.explicit[key] }
      : { ParameterKey: key, UsePreviousValue: true });
  const out = (changed: boolean, alreadyStarted: boolean, changeSet?: ChangeSetOutput): UpdateStackOutput => ({
    stackId, changed, requestedParameters: plan.explicit, clientRequestToken, stage, mode, requestedAt, alreadyStarted,
    ...(plan.skippedKeys.length > 0 && { skippedKeys: plan.skippedKeys }),
    ...(changeSet && { changeSet }),
  });
  const noChanges = async () => {
    const seen = await tokenSeen(deps.cfn, stackName, clientRequestToken);
    deps.log.info(seen ? 'stack update already done by this stage' : 'no stack update needed', { stackName, stage });
    return out(seen, seen);
  };

  if (stack.StackStatus?.endsWith('_IN_PROGRESS')) {
    if (await tokenSeen(deps.cfn, stackName, clientRequestToken)) return out(true, true);
    if (mode === 'rollback') await settleOwnOperation(deps, stackName, stack.StackStatus, executionName, stage);
    throw new StackNotReadyError(`stack ${stackName} is ${stack.StackStatus} (another operation); not updating it`);
  }

  let reviewed: ReviewedChangeSet | undefined;
  try {
    reviewed = await reviewChangeSet(deps, {
      stackName, name: clientRequestToken, parameters: Parameters, capabilities: [...CAPABILITIES],
      description: `${mode} stage ${stage} of ${executionName}`.slice(0, 1024),
    });
  } catch (err) {
    if (isAwsError(err, 'ValidationError', CANNOT_UPDATE)) {
      if (await tokenSeen(deps.cfn, stackName, clientRequestToken)) return out(true, true);
      throw new StackNotReadyError(`stack ${stackName} cannot be updated now: ${(err as Error).message}`, { cause: err });
    }
    throw err;
  }
  if (reviewed === undefined) return noChanges();
  if (reviewed.status === 'FAILED') {
    if (NO_CHANGES.test(reviewed.statusReason ?? '')) return noChanges();
    throw new InvalidInputError(`change set ${reviewed.name} of stack ${stackName} failed: ${reviewed.statusReason ?? 'no reason given'}`);
  }

  const changes = reviewChanges(reviewed.changes, input.guard);
  const guarded = changes.filter((c) => c.guarded);
  const changeSet: ChangeSetOutput = {
    name: reviewed.name, id: reviewed.id, changes: changes.slice(0, MAX_LISTED_CHANGES), changeCount: changes.length,
    ...(mode === 'rollback' && guarded.length > 0 && { executedDespiteGuard: guarded }),
  };
  if (['EXECUTE_IN_PROGRESS', 'EXECUTE_COMPLETE', 'EXECUTE_FAILED'].includes(reviewed.executionStatus)) {
    return out(true, true, changeSet);
  }
  if (reviewed.executionStatus !== 'AVAILABLE') {
    throw new StackNotReadyError(`change set ${reviewed.name} of stack ${stackName} is ${reviewed.executionStatus}; nothing executed`);
  }
  const problems = [
    ...(guarded.length > 0 ? [`it would replace or remove guarded resources: ${describeRefusal(guarded)}`] : []),
    ...(reviewed.truncated ? [`only the first ${changes.length} changes could be read`] : []),
  ];
  if (problems.length > 0 && mode === 'apply') {
    deps.log.error('change set refused', { stackName, stage, changeSet: reviewed.id, refused: guarded });
    throw new ChangeSetRefusedError(
      `stage ${stage}: change set ${reviewed.name} of stack ${stackName} refused, nothing executed `
      + `(the change set is left in place): ${problems.join('; ')}`,
    );
  }
  if (problems.length > 0) {
    deps.log.warn('rollback executes a change set the guard would refuse', { stackName, stage, changeSet: reviewed.id, guarded });
  }

  try {
    await deps.cfn.send(new ExecuteChangeSetCommand({
      ChangeSetName: reviewed.id, StackName: stackName, ClientRequestToken: clientRequestToken,
    }));
  } catch (err) {
    if (isAwsError(err, 'TokenAlreadyExistsException')) return out(true, true, changeSet);
    if (isAwsError(err, 'InvalidChangeSetStatusException') || isAwsError(err, 'ChangeSetNotFoundException')
      || isAwsError(err, 'ValidationError', CANNOT_UPDATE)) {
      // Executed meanwhile by another invocation of this stage, or the stack moved on: the events tell.
      if (await tokenSeen(deps.cfn, stackName, clientRequestToken)) return out(true, true, changeSet);
      throw new StackNotReadyError(`change set ${reviewed.name} of stack ${stackName} cannot be executed now: ${(err as Error).message}`, { cause: err });
    }
    throw err;
  }
  deps.log.info('stack update started', {
    stackName, stage, mode, clientRequestToken, changeSet: reviewed.id, requested: plan.explicit, changes: changes.length,
  });
  return out(true, false, changeSet);
}

function checkInput(input: UpdateStackInput, mode: string) {
  const show = (v: unknown) => (v === undefined ? 'undefined' : JSON.stringify(v));
  if (mode !== 'apply' && mode !== 'rollback') throw new InvalidInputError(`mode must be "apply" or "rollback", got ${show(mode)}`);
  const stackName = requireString(input.cluster?.stackName, 'cluster.stackName');
  requireString(input.executionName, 'executionName');
  requireStage(input.stage, 'stage');
  if (mode === 'apply') {
    const params = input.parameters;
    if (typeof params !== 'object' || params === null || Object.keys(params).length === 0) {
      throw new InvalidInputError(`parameters must name at least one parameter to change, got ${show(params)}`);
    }
    const roles = input.cluster.parameterNames ?? {};
    for (const [role, value] of Object.entries(params)) {
      if (!(role in roles)) {
        throw new InvalidInputError(`parameters.${role} is not a parameter role; known: ${Object.keys(roles).join(', ')}`);
      }
      if (!(typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)))) {
        throw new InvalidInputError(`parameters.${role} must be a string or a number, got ${show(value)}`);
      }
    }
  } else {
    const restore = input.restore;
    if (typeof restore !== 'object' || restore === null || Object.keys(restore).length === 0) {
      throw new InvalidInputError(`restore must be the recorded parameters (key -> value), got ${show(restore)}`);
    }
    for (const [key, value] of Object.entries(restore)) {
      if (typeof value !== 'string') throw new InvalidInputError(`restore.${key} must be a string, got ${show(value)}`);
    }
  }
  checkGuard(input.guard, show);
  return { stackName, executionName: input.executionName, stage: input.stage };
}

const RESOURCE_TYPE = /^[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+$/;
const LOGICAL_ID = /^[A-Za-z0-9]+$/;

function checkGuard(guard: ChangeSetGuardInput | undefined, show: (v: unknown) => string): void {
  if (guard === undefined) return;
  if (typeof guard !== 'object' || guard === null || Array.isArray(guard)) {
    throw new InvalidInputError(`guard must be an object with resourceTypes and/or logicalResourceIds, got ${show(guard)}`);
  }
  const lists: Array<[keyof ChangeSetGuardInput, RegExp, string]> = [
    ['resourceTypes', RESOURCE_TYPE, 'a resource type like AWS::EFS::FileSystem'],
    ['logicalResourceIds', LOGICAL_ID, 'an alphanumeric logical id'],
  ];
  for (const [field, pattern, what] of lists) {
    const list = guard[field];
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw new InvalidInputError(`guard.${field} must be a list, got ${show(list)}`);
    list.forEach((v, i) => {
      if (typeof v !== 'string' || !pattern.test(v)) throw new InvalidInputError(`guard.${field}[${i}] must be ${what}, got ${show(v)}`);
    });
  }
}

interface ParameterPlan { explicit: Record<string, string>; skippedKeys: string[] }

function applyPlan(input: UpdateStackInput, current: Record<string, string>): ParameterPlan {
  const explicit: Record<string, string> = {};
  for (const [role, value] of Object.entries(input.parameters!)) {
    const key = input.cluster.parameterNames[role as ParameterRole];
    if (key === undefined || !(key in current)) {
      throw new InvalidInputError(
        `parameters.${role} maps to ${JSON.stringify(key)}, which stack ${input.cluster.stackName} does not have`,
      );
    }
    explicit[key] = String(value);
  }
  return { explicit, skippedKeys: [] };
}

function rollbackPlan(restore: Record<string, string>, current: Record<string, string>): ParameterPlan {
  const explicit: Record<string, string> = {};
  for (const [key, value] of Object.entries(restore)) {
    if (key in current && value !== MASKED_VALUE) explicit[key] = value;
  }
  return { explicit, skippedKeys: Object.keys(restore).filter((k) => !(k in current)) };
}

/**
 * rollback on a stack busy with this execution's own operation: cancel an update, or wait for a
 * rollback or cleanup; both end in StillInProgressError. Returns when the operation is not ours.
 */
async function settleOwnOperation(
  deps: UpdateStackDeps, stackName: string, status: string, executionName: string, stage: string,
): Promise<void> {
  const events = await deps.cfn.send(new DescribeStackEventsCommand({ StackName: stackName }));
  const current = events.StackEvents?.[0]?.ClientRequestToken;
  if (!isTokenOfExecution(current, executionName)) return;
  if (status === 'UPDATE_IN_PROGRESS') {
    try {
      await deps.cfn.send(new CancelUpdateStackCommand({
        StackName: stackName, ClientRequestToken: stackRequestToken(executionName, `cancel-${stage}`),
      }));
      deps.log.warn('cancelled this execution\'s in-progress stack update before the rollback', { stackName, cancelled: current });
    } catch (err) {
      if (!isAwsError(err, 'ValidationError') && !isAwsError(err, 'TokenAlreadyExistsException')) throw err;
    }
    throw new StillInProgressError(`stack ${stackName}: cancelled the in-progress update ${current}; the rollback applies once the stack has settled`);
  }
  throw new StillInProgressError(`stack ${stackName} is ${status} (${current}); the rollback applies once it has settled`);
}

/** Whether any recent stack event carries this ClientRequestToken (all events of one operation do). */
async function tokenSeen(cfn: CloudFormationClient, stackName: string, token: string): Promise<boolean> {
  let NextToken: string | undefined;
  for (let page = 0; page < EVENT_PAGES; page++) {
    const res = await cfn.send(new DescribeStackEventsCommand({ StackName: stackName, NextToken }));
    if ((res.StackEvents ?? []).some((e) => e.ClientRequestToken === token)) return true;
    NextToken = res.NextToken;
    if (!NextToken) break;
  }
  return false;
}
