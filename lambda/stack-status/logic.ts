import { CloudFormationClient, DescribeStackEventsCommand, StackEvent } from '@aws-sdk/client-cloudformation';
import { SSMClient } from '@aws-sdk/client-ssm';
import { AbortCheck, optionalAbortCheck, stopIfAbortRequested } from '../shared/abort-request';
import { describeStack, stackParameters } from '../shared/cfn-stack';
import { ClusterContext } from '../shared/context';
import { StackUpdateFailedError, StillInProgressError } from '../shared/errors';
import { requireString } from '../shared/input-checks';
import { Logger } from '../shared/log';
import { LookClock, LookOptions, lookOptions, lookUntilDone } from '../shared/look-until-done';
import { isFailedStatus, isInProgressStatus } from '../shared/stack-status';

export interface StackStatusDeps extends LookClock {
  readonly cfn: CloudFormationClient;
  /** Reads the abort request (`abortRequest`). */
  readonly ssm: SSMClient;
  readonly log: Logger;
}

export interface StackStatusInput {
  readonly cluster: ClusterContext;
  /** update-stack's output (or the part of it shown). */
  readonly update?: {
    /** false: nothing was started; the status is reported, not judged. */
    readonly changed?: boolean;
    /** Narrows the failure events to this update's. */
    readonly clientRequestToken?: string;
    /** ISO time the update was asked for; events older than this (minus a minute of clock skew) are ignored. */
    readonly requestedAt?: string;
  };
  /**
   * A safe point: with it, every look first reads the operator's abort request for this execution and
   * throws AbortRequestedError (the procedure's rollback) when there is one. Absent: not read.
   */
  readonly abortRequest?: AbortCheck;
  /** Look again every second within this invocation (written by the state machine); absent: one look. */
  readonly poll?: LookOptions;
}

export interface StackStatusOutput {
  readonly stackId: string;
  readonly stackStatus: string;
  /** The parameters now in force. */
  readonly parameters: Record<string, string>;
  readonly lastUpdatedTime?: string;
}

const EVENT_PAGES = 10;
const CLOCK_SKEW_MS = 60_000;

/**
 * The wait after update-stack, one look per call (or one every `poll.everySeconds` within `poll.withinSeconds`):
 * - *_IN_PROGRESS (including UPDATE_ROLLBACK_IN_PROGRESS and the cleanup phases) -> StillInProgressError;
 *   looked at again within the invocation (`poll`), then by the state machine's Retry. A stack that is rolling back is waited for too, so the
 *   failure (and any rollback path after it) starts from a settled stack;
 * - any other status with ROLLBACK in it, or *_FAILED -> StackUpdateFailedError with the stack status,
 *   its StackStatusReason and the earliest failed resource event of this update;
 * - UPDATE_COMPLETE (or another *_COMPLETE) -> the parameters now in force.
 * With `update.changed === false` nothing was started: the current status and parameters are returned
 * without judging a failed status left over from before (only *_IN_PROGRESS still waits).
 */
export async function logic(deps: StackStatusDeps, input: StackStatusInput): Promise<StackStatusOutput> {
  const stackName = requireString(input?.cluster?.stackName, 'cluster.stackName');
  const abort = optionalAbortCheck(input.abortRequest);
  const poll = lookOptions(input.poll);
  return lookUntilDone(deps, poll, (e) => e instanceof StillInProgressError, () => look(deps, abort, input, stackName));
}

/** One look; the abort request is read on every look, so a loop of looks still stops within a second. */
async function look(deps: StackStatusDeps, abort: AbortCheck | undefined, input: StackStatusInput, stackName: string): Promise<StackStatusOutput> {
  await stopIfAbortRequested(deps.ssm, deps.log, abort);
  const stack = await describeStack(deps.cfn, stackName);
  const stackStatus = stack.StackStatus ?? 'UNKNOWN';
  const reason = stack.StackStatusReason ? ` (${stack.StackStatusReason})` : '';
  if (isInProgressStatus(stackStatus)) {
    const rolling = stackStatus.includes('ROLLBACK') ? '; the update failed and is rolling back' : '';
    throw new StillInProgressError(`stack ${stackName} is ${stackStatus}${reason}${rolling}`);
  }
  const output: StackStatusOutput = {
    stackId: stack.StackId ?? stackName,
    stackStatus,
    parameters: stackParameters(stack),
    ...(stack.LastUpdatedTime && { lastUpdatedTime: stack.LastUpdatedTime.toISOString() }),
  };
  if (input.update?.changed === false || !isFailedStatus(stackStatus)) return output;

  const failure = await firstFailure(deps.cfn, stackName, input.update);
  const first = failure
    ? `; first failure: ${failure.LogicalResourceId} (${failure.ResourceType}) ${failure.ResourceStatus}: ` +
      `${failure.ResourceStatusReason ?? 'no reason given'}`
    : '; no failed resource event found';
  deps.log.error('stack update failed', { stackName, stackStatus, failure });
  throw new StackUpdateFailedError(`stack ${stackName} update failed: ${stackStatus}${reason}${first}`);
}

/** The earliest *_FAILED resource event of the update (events come newest first). */
async function firstFailure(
  cfn: CloudFormationClient, stackName: string, update: StackStatusInput['update'],
): Promise<StackEvent | undefined> {
  const token = update?.clientRequestToken;
  const since = update?.requestedAt ? Date.parse(update.requestedAt) - CLOCK_SKEW_MS : undefined;
  const events: StackEvent[] = [];
  let NextToken: string | undefined;
  let sawToken = false;
  pages: for (let page = 0; page < EVENT_PAGES; page++) {
    const res = await cfn.send(new DescribeStackEventsCommand({ StackName: stackName, NextToken }));
    for (const e of res.StackEvents ?? []) {
      if (since !== undefined && e.Timestamp && e.Timestamp.getTime() < since) break pages;
      if (token && e.ClientRequestToken === token) sawToken = true;
      else if (token && sawToken) break pages;
      events.push(e);
      const isStack = e.ResourceType === 'AWS::CloudFormation::Stack' && e.LogicalResourceId === stackName;
      if (isStack && e.ResourceStatus === 'UPDATE_IN_PROGRESS') break pages;
    }
    NextToken = res.NextToken;
    if (!NextToken) break;
  }
  const mine = sawToken ? events.filter((e) => e.ClientRequestToken === token) : events;
  return mine.reverse().find((e) => e.ResourceStatus?.endsWith('_FAILED') && e.ResourceStatusReason);
}
