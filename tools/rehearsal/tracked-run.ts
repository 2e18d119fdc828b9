/**
 * One run of a synthesized definition under Step Functions' quotas (limited-machine.ts) with the stage
 * tracker reading its events: what every procedure's executor does once its task handlers are built.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MACHINE_ADAPTATIONS } from './adaptations';
import { MOTO_ACCOUNT } from './aws-clients';
import { MachineModel } from './definition';
import { runWithLimits } from './limited-machine';
import { StageTracker } from './stage-tracker';
import { FaultSpec, StageReport } from './types';

export function errorOf(e: unknown): { name: string; message: string } {
  const err = e as { name?: string; message?: string; cause?: { name?: string; message?: string } };
  const inner = err?.cause && typeof err.cause === 'object' ? err.cause : err;
  return { name: String(inner?.name ?? 'Error'), message: String(inner?.message ?? e) };
}

/** The context object Step Functions gives a run (aws-local-stepfunctions only fills $$.Execution.Input/StartTime). */
export function contextFor(name: string, executionArn: string, stateMachineArn: string): Record<string, unknown> {
  let tokens = 0;
  return {
    Execution: { Id: executionArn, Name: name, RoleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/rehearsal` },
    StateMachine: { Id: stateMachineArn, Name: stateMachineArn.split(':').pop() },
    State: { get EnteredTime() { return new Date().toISOString(); }, Name: '', RetryCount: 0 },
    Task: { get Token() { return `${name}-task-token-${++tokens}`; } },
  };
}

/** What a procedure's executor reports of one execution (its own fields added). */
export interface TrackedExecutionResult {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly endState?: string;
  readonly error?: { name: string; message: string };
  readonly stages: StageReport[];
  readonly transitions: number;
  readonly retries: number;
  readonly fired: FaultSpec[];
  readonly durationMs: number;
  readonly executionArn: string;
}

export interface TrackedRunOptions {
  readonly model: MachineModel;
  readonly input: unknown;
  readonly name: string;
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly handlers: Record<string, (parameters: unknown) => Promise<unknown>>;
  readonly retryIntervalOverrides: Record<string, number>;
  /** The last error of each state, which the tracker reports (filled by the handlers). */
  readonly lastError: Map<string, string>;
  readonly say: (line: string) => void;
}

export interface TrackedRun {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly error?: { name: string; message: string };
  readonly tracker: StageTracker;
}

export async function runTracked(o: TrackedRunOptions): Promise<TrackedRun> {
  const tracker = new StageTracker(o.model, o.lastError, o.say);
  const run = runWithLimits(MACHINE_ADAPTATIONS.timeoutSecondsPath.apply(o.model.definition), o.input, {
    taskResourceLocalHandlers: o.handlers,
    retryIntervalOverrides: o.retryIntervalOverrides,
    context: contextFor(o.name, o.executionArn, o.stateMachineArn),
  });
  const consumed = tracker.consume(run.eventLogs);
  const { status, error } = await settle(run.result);
  await consumed;
  tracker.finish(error);
  return { status, ...(error && { error }), tracker };
}

/** How an execution's run ended: SUCCEEDED, or FAILED with the error it failed with. */
export async function settle(result: Promise<unknown>): Promise<{ status: 'SUCCEEDED' | 'FAILED'; error?: { name: string; message: string } }> {
  try {
    await result;
    return { status: 'SUCCEEDED' };
  } catch (e) {
    return { status: 'FAILED', error: errorOf(e) };
  }
}

/**
 * The execution's handler log (`<logDir>/<name>.handlers.jsonl`, appended): `log` writes one line and
 * ignores late writes after `end` (a queued Map iteration's, refused after the run ended).
 */
export function openHandlerLog(logDir: string, name: string): { log: (line: string) => void; end: () => void } {
  fs.mkdirSync(logDir, { recursive: true });
  const stream = fs.createWriteStream(path.join(logDir, `${name}.handlers.jsonl`), { flags: 'a' });
  return { log: (line) => { if (!stream.writableEnded) stream.write(line + '\n'); }, end: () => stream.end() };
}
