/**
 * The task-state part of a procedure's fault matrix, built from the synthesized definition (no state name
 * is known in advance); the ArangoDB and Camunda matrices both start from it:
 * - (a) a non-retryable error in every forward task state (inside a Map too: it fires at the first item
 *   that reaches it): refused before the lock, refused after it in preflight, else rolled back;
 * - (b) one ThrottlingException on the first AWS call of every forward state (one run, must succeed), and
 *   on every failure-path state after a deliberate failure in `failurePathTrigger` (must still roll back).
 */
import { MachineModel } from './definition';
import { FaultSpec } from './types';
import { THAW_ERROR_PATH } from '../../lib/private/procedure-payloads';
import type { ArangoOutcome } from './arango/arango-verdict';

export interface TaskStateFaultRun {
  readonly name: string;
  readonly faults: FaultSpec[];
  readonly expect: ArangoOutcome[];
}

/** What every fault run reports, whatever the procedure. */
export interface FaultRunReport {
  readonly name: string;
  readonly outcome: ArangoOutcome;
  readonly asExpected: boolean;
  readonly expected: ArangoOutcome[];
  readonly endState?: string;
  readonly error?: { name: string; message: string };
  readonly problems: string[];
  readonly fired: number;
  readonly injected: number;
  readonly durationMs: number;
  readonly transitions: number;
}

/**
 * Why a run's faults did not fire as its verdict needs, or undefined: the first fault must fire (its state
 * reached; later ones may find a path that never calls AWS there). A throttle-only run needs one to fire: its
 * first state may make no AWS call at all (the input-size check).
 */
export function faultFiringProblem(faults: readonly FaultSpec[], fired: readonly FaultSpec[]): string | undefined {
  if (faults.length === 0) return undefined;
  if (faults.every((f) => f.kind === 'throttle')) {
    return fired.length === 0 ? `none of the run's ${faults.length} throttles fired` : undefined;
  }
  return fired.includes(faults[0]) ? undefined : `the run's first fault (${faults[0].kind} in "${faults[0].state}") never fired: its state was not reached`;
}

export const slug = (s: string) => s.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 50);

/** How a run failing in `stateName` must end, from its Catch and whether the lock was taken before it. */
export function expectationOf(model: MachineModel, stateName: string, lockTaken: boolean): ArangoOutcome {
  const caught = model.definition.States[stateName]?.Catch?.[0];
  const catchNext = caught?.Next;
  if (catchNext && model.definition.States[catchNext]?.Type === 'Succeed') return 'succeeded';
  // UpgradeFinish's thaw: its failure is kept and the upgrade goes on to the lock and the result, then fails naming it.
  if (caught?.ResultPath === THAW_ERROR_PATH) return 'upgraded-writes-frozen';
  if (!lockTaken) return 'refused';
  if (catchNext && /^Preflight failed after the lock/.test(catchNext)) return 'refused-after-lock';
  return 'rolled-back';
}

/** The (a) and (b) runs; `failurePathTrigger` names the handler whose failure opens the failure path for (b). */
export function taskStateFaultRuns(model: MachineModel, failurePathTrigger: string): TaskStateFaultRun[] {
  const forward = model.tasks.filter((t) => !t.onFailurePath);
  const runs: TaskStateFaultRun[] = [];
  let lockTaken = false;
  for (const t of forward) {
    runs.push({ name: `a-${slug(t.stateName)}`, faults: [{ kind: 'handler-error', state: t.stateName }], expect: [expectationOf(model, t.stateName, lockTaken)] });
    if (t.handler === 'upgrade-lock' && !t.nested) lockTaken = true;
  }
  runs.push({ name: 'b-throttle-every-forward-state', faults: forward.filter((t) => t.retriesThrottling).map((t) => ({ kind: 'throttle', state: t.stateName })), expect: ['succeeded'] });
  const failurePath = model.tasks.filter((t) => t.onFailurePath).map((t): FaultSpec => ({ kind: 'throttle', state: t.stateName }));
  const trigger = forward.find((t) => t.handler === failurePathTrigger);
  if (trigger) runs.push({ name: 'b-throttle-failure-path', faults: [{ kind: 'handler-error', state: trigger.stateName }, ...failurePath], expect: ['rolled-back'] });
  return runs;
}

/** What every procedure's fault matrix reports about itself, beside its procedure's own fields. */
export interface FaultMatrixSummary<Result> {
  readonly ok: boolean;
  readonly runs: number;
  readonly asExpected: number;
  readonly durationMs: number;
  readonly results: Result[];
  readonly simulated: Array<{ what: string; why: string; count: number }>;
}

/** How a procedure's fault matrix is run: a subset of its planned runs, where it writes, how it reports. */
export interface FaultMatrixOptions<Run> {
  readonly filter?: (runs: Run[]) => Run[];
  readonly outDir?: string;
  readonly say?: (line: string) => void;
}
