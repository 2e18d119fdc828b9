/**
 * An execution's progress from its history events: each stage's status and times, the step running now,
 * how often it polled (StillInProgressError: the waits) and retried (any other error), a pending
 * approval (a `.waitForTaskToken` task not answered yet), whether the point of no return was passed, and
 * how the execution ended.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { MachineShape } from './machine-shape';

export type StageStatus = 'not-started' | 'running' | 'succeeded' | 'failed';

export interface StageProgress {
  readonly key: string;
  readonly name: string;
  readonly seedStep: string;
  status: StageStatus;
  startedAt?: Date;
  endedAt?: Date;
}

export interface PendingApproval {
  readonly stateName: string;
  readonly since: Date;
  /** From the request-approval task's input (its Payload), when the history carries it. */
  readonly parameterName?: string;
  readonly stage?: string;
  readonly timeoutSeconds?: number;
}

export interface ExecutionProgress {
  readonly stages: StageProgress[];
  startedAt?: Date;
  /** The last state entered and not left. */
  step?: { readonly name: string; readonly since: Date };
  /** Polls of the current step (a wait: StillInProgressError retried). */
  polls: number;
  /** Retries after other errors, in the whole execution, and the last such error. */
  retries: number;
  lastRetriedError?: string;
  pendingApproval?: PendingApproval;
  pastPointOfNoReturn: boolean;
  /** The first forward state whose failure led off the forward path (into rollback or refusal). */
  failedState?: string;
  lastError?: { readonly error: string; readonly cause: string };
  end?: { readonly status: string; readonly at: Date; readonly error?: string; readonly cause?: string };
  redrives: number;
}

const POLLING_ERROR = /StillInProgress/;

export function executionProgress(events: readonly HistoryEvent[], shape: MachineShape): ExecutionProgress {
  const p: ExecutionProgress = {
    stages: shape.stages.map((s) => ({ key: s.key, name: s.name, seedStep: s.seedStep, status: 'not-started' })),
    polls: 0, retries: 0, pastPointOfNoReturn: false, redrives: 0,
  };
  const byBegin = new Map(shape.stages.map((s, i) => [s.beginState, i]));
  const byDone = new Map(shape.stages.flatMap((s, i) => (s.doneState ? [[s.doneState, i] as [string, number]] : [])));
  let current: number | undefined;
  let lastFailedState: string | undefined;
  let failedAttempt: string | undefined;
  let lastEnd: Date | undefined;

  const endStage = (index: number, status: StageStatus, at: Date) => {
    p.stages[index].status = status;
    p.stages[index].endedAt = at;
    if (current === index) current = undefined;
  };

  for (const e of events) {
    const at = e.timestamp ?? new Date(0);
    const entered = e.stateEnteredEventDetails?.name;
    if (e.type === 'ExecutionStarted') p.startedAt = at;
    if (entered !== undefined && e.type?.endsWith('StateEntered')) {
      const top = shape.topLevel.has(entered);
      if (top) {
        if (current !== undefined && !shape.forward.has(entered) && p.stages[current].status === 'running') {
          p.failedState ??= lastFailedState;
          endStage(current, 'failed', at);
        }
        p.step = { name: entered, since: at };
        p.polls = 0;
      }
      if (entered === shape.pointOfNoReturn) p.pastPointOfNoReturn = true;
      const b = byBegin.get(entered);
      if (b !== undefined) {
        current = b;
        Object.assign(p.stages[b], { status: 'running', startedAt: at, endedAt: undefined });
      }
      const d = byDone.get(entered);
      if (d !== undefined) endStage(d, 'succeeded', at);
    } else if (e.type === 'TaskScheduled') {
      if (failedAttempt !== undefined) {
        if (POLLING_ERROR.test(failedAttempt)) p.polls++;
        else {
          p.retries++;
          p.lastRetriedError = failedAttempt;
        }
        failedAttempt = undefined;
      }
      const d = e.taskScheduledEventDetails;
      if (d?.resource?.endsWith('.waitForTaskToken')) p.pendingApproval = pendingApproval(p.step?.name ?? '', at, d.parameters);
    } else if (e.type === 'TaskFailed' || e.type === 'TaskTimedOut' || e.type === 'LambdaFunctionFailed') {
      const d = e.taskFailedEventDetails ?? e.taskTimedOutEventDetails ?? e.lambdaFunctionFailedEventDetails;
      failedAttempt = d?.error ?? e.type;
      p.lastError = { error: failedAttempt, cause: d?.cause ?? '' };
      if (p.step && shape.forward.has(p.step.name)) lastFailedState = p.step.name;
      p.pendingApproval = undefined;
    } else if (e.type === 'TaskSucceeded' || e.type?.endsWith('StateExited')) {
      if (e.type === 'TaskSucceeded' || e.stateExitedEventDetails?.name === p.pendingApproval?.stateName) p.pendingApproval = undefined;
      failedAttempt = undefined;
    } else if (e.type === 'ExecutionRedriven') {
      p.redrives++;
      p.end = undefined;
      // A redrive continues the stage that the end failed, from the state that failed.
      const failed = p.stages.findIndex((s) => s.status === 'failed' && s.endedAt?.getTime() === lastEnd?.getTime());
      if (failed >= 0) {
        Object.assign(p.stages[failed], { status: 'running', endedAt: undefined });
        current = failed;
      }
    } else if (e.type && /^Execution(Succeeded|Failed|Aborted|TimedOut)$/.test(e.type)) {
      const status = e.type.replace('Execution', '').toUpperCase().replace('TIMEDOUT', 'TIMED_OUT');
      const d = e.executionFailedEventDetails ?? e.executionAbortedEventDetails ?? e.executionTimedOutEventDetails;
      p.end = { status, at, ...(d?.error && { error: d.error }), ...(d?.cause && { cause: d.cause }) };
      lastEnd = at;
      if (current !== undefined && p.stages[current].status === 'running') endStage(current, status === 'SUCCEEDED' ? 'succeeded' : 'failed', at);
      p.pendingApproval = undefined;
    }
  }
  return p;
}

function pendingApproval(stateName: string, since: Date, parameters: string | undefined): PendingApproval {
  let payload: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(parameters ?? '{}') as { Payload?: unknown };
    if (typeof parsed.Payload === 'object' && parsed.Payload !== null) payload = parsed.Payload as Record<string, unknown>;
  } catch {
    // Parameters too large for the history are left out by Step Functions: the tag's parameter stands in.
  }
  return {
    stateName, since,
    ...(typeof payload.parameterName === 'string' && { parameterName: payload.parameterName }),
    ...(typeof payload.stage === 'string' && { stage: payload.stage }),
    ...(typeof payload.timeoutSeconds === 'number' && { timeoutSeconds: payload.timeoutSeconds }),
  };
}
