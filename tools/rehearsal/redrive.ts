/**
 * SIMULATED (part of the Step Functions front): RedriveExecution's rules, from the API reference
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_RedriveExecution.html): it
 * "restarts unsuccessful executions of Standard workflows that didn't complete successfully in the last
 * 14 days" (failed, aborted or timed out), "continues the failed execution from the unsuccessful step and
 * uses the same input", keeps the results and history of the successful steps and the execution ARN.
 * Refused (ExecutionNotRedrivable, the reasons DescribeExecution's redriveStatusReason lists) while
 * RUNNING, once SUCCEEDED, past the 14 days, at the 25,000-event history limit, after 1,000 redrives.
 *
 * Where it re-enters: the top-level state that failed, with the input it was entered with. For a Map or
 * Parallel state that failed, AWS redrives only its failed or aborted iterations and branches; here the
 * whole state runs again (every iteration): idempotent tasks give the same end, but that is not AWS's
 * exact behaviour.
 */
import { ExecutionResult, ResumePoint } from './executor';
import { SERVICE_LIMITS } from './service-limits';
import { HistoryBuilder } from './sfn-history';

export const REDRIVABLE_FOR_MS = 14 * 24 * 3600 * 1000;
export const MAX_REDRIVES = 1000;

export interface RedriveRefusal {
  readonly reason: string;
}

export interface RedriveCandidate {
  readonly status: string;
  readonly stopDate?: Date;
  readonly redriveCount: number;
  readonly historyEvents: number;
}

export function redriveRefusal(e: RedriveCandidate, now: Date): RedriveRefusal | undefined {
  if (e.status === 'RUNNING' || e.status === 'SUCCEEDED') return { reason: `Execution is ${e.status} and cannot be redriven.` };
  if (!e.stopDate || now.getTime() - e.stopDate.getTime() > REDRIVABLE_FOR_MS) return { reason: 'Execution redrivable period exceeded.' };
  if (e.historyEvents >= SERVICE_LIMITS.historyEvents) return { reason: 'Execution history event limit exceeded.' };
  if (e.redriveCount >= MAX_REDRIVES) return { reason: `Execution has been redriven ${e.redriveCount} times, the maximum.` };
  return undefined;
}

/** The state the last attempt failed at, with its input and what that attempt started from; undefined when unknown. */
export function redrivePoint(history: HistoryBuilder, previous: ExecutionResult | undefined): ResumePoint | undefined {
  const at = history.failedAt;
  if (!at || !previous) return undefined;
  const r = previous.report;
  return {
    state: at.name, stateInput: at.input, parametersBefore: r.parametersBefore, before: previous.before,
    startedAt: Date.parse(r.startedAt), pastPointOfNoReturn: r.pastPointOfNoReturn,
  };
}
