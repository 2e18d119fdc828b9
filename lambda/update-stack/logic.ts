import {
  CancelUpdateStackCommand, CloudFormationClient, DescribeStackEventsCommand, Parameter, UpdateStackCommand,
} from '@aws-sdk/client-cloudformation';
import { isAwsError } from '../shared/aws-error';
import { MASKED_VALUE, describeStack, stackParameters } from '../shared/cfn-stack';
import { ClusterContext, ClusterParameterNames } from '../shared/context';
import { InvalidInputError, StackNotReadyError, StillInProgressError } from '../shared/errors';
import { requireString } from '../shared/input-checks';
import { Logger } from '../shared/log';
import { requireStage } from '../shared/name-checks';
import { isTokenOfExecution, stackRequestToken } from '../shared/stack-request-token';

export interface UpdateStackDeps {
  readonly cfn: CloudFormationClient;
  readonly log: Logger;
  readonly now?: () => Date;
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
}

export const CAPABILITIES = ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'] as const;
const NO_UPDATES = /No updates are to be performed/;
const CANNOT_UPDATE = /state and can not be updated/;
const EVENT_PAGES = 5;

/**
 * UpdateStack with UsePreviousTemplate, the given parameters set explicitly and UsePreviousValue for
 * every other parameter the stack has, all three capabilities, and a ClientRequestToken derived from
 * (execution, mode, stage). Idempotent:
 * - "No updates are to be performed" -> `changed: false`, unless the stack's events show this token's
 *   update (a retry after it finished) -> `changed: true, alreadyStarted: true`;
 * - the stack is *_IN_PROGRESS because of this token's update -> `changed: true, alreadyStarted: true`;
 *   because of anything else -> StackNotReadyError (nothing sent).
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
  const out = (changed: boolean, alreadyStarted: boolean): UpdateStackOutput => ({
    stackId, changed, requestedParameters: plan.explicit, clientRequestToken, stage, mode, requestedAt, alreadyStarted,
    ...(plan.skippedKeys.length > 0 && { skippedKeys: plan.skippedKeys }),
  });

  if (stack.StackStatus?.endsWith('_IN_PROGRESS')) {
    if (await tokenSeen(deps.cfn, stackName, clientRequestToken)) return out(true, true);
    if (mode === 'rollback') await settleOwnOperation(deps, stackName, stack.StackStatus, executionName, stage);
    throw new StackNotReadyError(`stack ${stackName} is ${stack.StackStatus} (another operation); not updating it`);
  }
  try {
    const res = await deps.cfn.send(new UpdateStackCommand({
      StackName: stackName,
      UsePreviousTemplate: true,
      Parameters,
      Capabilities: [...CAPABILITIES],
      ClientRequestToken: clientRequestToken,
    }));
    deps.log.info('stack update started', { stackName, stage, mode, clientRequestToken, requested: plan.explicit });
    return { ...out(true, false), stackId: res.StackId ?? stackId };
  } catch (err) {
    if (isAwsError(err, 'ValidationError', NO_UPDATES)) {
      const seen = await tokenSeen(deps.cfn, stackName, clientRequestToken);
      deps.log.info(seen ? 'stack update already done by this stage' : 'no stack update needed', { stackName, stage });
      return out(seen, seen);
    }
    if (isAwsError(err, 'TokenAlreadyExistsException')) return out(true, true);
    if (isAwsError(err, 'ValidationError', CANNOT_UPDATE)) {
      if (await tokenSeen(deps.cfn, stackName, clientRequestToken)) return out(true, true);
      throw new StackNotReadyError(`stack ${stackName} cannot be updated now: ${(err as Error).message}`, { cause: err });
    }
    throw err;
  }
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
  return { stackName, executionName: input.executionName, stage: input.stage };
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
