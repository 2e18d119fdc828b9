/**
 * The fault matrix, built from the synthesized state machine (no state name is known in advance):
 * - (a) handler-error: one run per forward-path task state; it must end rolled back (or refused before
 *   any change) with the pre-upgrade parameters, nothing deleted, the lock released;
 * - (b) throttle: every task state once, ThrottlingException on its handler's first AWS call. Forward-path
 *   states in one run that must still succeed; failure-path states (rollback, restore, lock release after a
 *   failure) in runs that first fail on purpose (before and after the point of no return) and must still
 *   end rolled back;
 * - (c) stack-rollback: one run per forward-path stack-status wait;
 * - (d) approval-reject and approval-timeout on each `.waitForTaskToken` state;
 * - (e) operator-abort before the first and the last forward stack update (before and past the point of
 *   no return): it must end rolled back, the request consumed.
 * Failure-path states get no (a): a failure there is, by design, the terminal "lock kept for an operator".
 */
import { MachineModel, TaskInfo } from './definition';
import { FaultRun, FaultSpec, FaultTarget } from './types';

function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
}

/** The forward-path task states in execution order (as the definition lists them). */
function forward(model: MachineModel): TaskInfo[] {
  return model.tasks.filter((t) => !t.onFailurePath);
}

/** Where a task sits: before the lock, after the point of no return (nested states: their Map's place). */
export function targetOf(model: MachineModel, t: TaskInfo): FaultTarget {
  const mapOf = (name: string) => model.order.find((top) => {
    const s = model.definition.States[top];
    const inner = s.ItemProcessor ?? s.Iterator;
    return inner !== undefined && JSON.stringify(inner).includes(JSON.stringify(name));
  });
  const at = model.order.indexOf(t.nested ? mapOf(t.stateName) ?? t.stateName : t.stateName);
  const pnr = model.pointOfNoReturn ? model.order.indexOf(model.pointOfNoReturn) : -1;
  const lockAt = model.order.findIndex((n) => model.tasks.some((x) => x.stateName === n && x.handler === 'upgrade-lock'));
  return { state: t.stateName, handler: t.handler, afterPointOfNoReturn: pnr >= 0 && at > pnr, beforeLock: lockAt >= 0 && at <= lockAt };
}

export function buildFaultMatrix(model: MachineModel): FaultRun[] {
  const runs: FaultRun[] = [];
  const fwd = forward(model);
  for (const t of fwd) {
    if (t.waitsForTaskToken) continue;
    runs.push({ name: `a-${slug(t.stateName)}`, target: targetOf(model, t), faults: [{ kind: 'handler-error', state: t.stateName }], expect: catchesIntoSuccess(model, t) ? 'succeeded' : 'rolled-back' });
  }
  for (const t of fwd.filter((x) => x.handler === 'stack-status')) {
    runs.push({ name: `c-${slug(t.stateName)}`, target: targetOf(model, t), faults: [{ kind: 'stack-rollback', state: t.stateName }], expect: 'rolled-back' });
  }
  for (const t of fwd.filter((x) => x.waitsForTaskToken)) {
    runs.push({ name: `d-reject-${slug(t.stateName)}`, target: targetOf(model, t), faults: [{ kind: 'approval-reject', state: t.stateName }], expect: 'rolled-back' });
    runs.push({
      name: `d-timeout-${slug(t.stateName)}`,
      target: targetOf(model, t),
      faults: [{ kind: 'approval-timeout', state: t.stateName }],
      // The shortest approval validate-input accepts: the task's own TimeoutSecondsPath fires after it.
      input: { timeouts: { approvalSeconds: 60 } },
      expect: 'rolled-back',
    });
  }
  const updates = fwd.filter((x) => x.handler === 'update-stack');
  for (const t of [...new Set([updates[0], updates[updates.length - 1]])].filter((x) => x !== undefined)) {
    runs.push({ name: `e-abort-${slug(t.stateName)}`, target: targetOf(model, t), faults: [{ kind: 'operator-abort', state: t.stateName }], expect: 'rolled-back' });
  }
  // (b) on every forward state whose Retry covers throttling, in one run: it must still succeed. A state
  // without such a Retry gets its own run (expected to succeed too: one throttled call should not stop an
  // upgrade; if it does, that run reports it).
  runs.push({ name: 'b-throttle-every-forward-state-with-retry', faults: fwd.filter((t) => t.retriesThrottling).map((t): FaultSpec => ({ kind: 'throttle', state: t.stateName })), expect: 'succeeded' });
  for (const t of fwd.filter((x) => !x.retriesThrottling)) {
    runs.push({ name: `b-throttle-${slug(t.stateName)}`, target: targetOf(model, t), faults: [{ kind: 'throttle', state: t.stateName }], expect: 'succeeded' });
  }
  // (b) on the failure path: a failure before, and one after, the point of no return, then a throttle on
  // every failure-path state (each fires only if that path runs).
  const failurePath = model.tasks.filter((t) => t.onFailurePath).map((t): FaultSpec => ({ kind: 'throttle', state: t.stateName }));
  if (failurePath.length > 0) {
    const stackWaits = fwd.filter((t) => t.handler === 'stack-status');
    const early = stackWaits[0];
    const late = stackWaits[stackWaits.length - 1];
    const preflightAfterLock = fwd.find((t) => t.handler === 'stack-parameters');
    if (preflightAfterLock) {
      runs.push({ name: 'b-throttle-failure-path-preflight', target: targetOf(model, preflightAfterLock), faults: [{ kind: 'handler-error', state: preflightAfterLock.stateName }, ...failurePath], expect: 'rolled-back' });
    }
    if (early) runs.push({ name: 'b-throttle-failure-path-before-pnr', target: targetOf(model, early), faults: [{ kind: 'handler-error', state: early.stateName }, ...failurePath], expect: 'rolled-back' });
    if (late && late !== early) runs.push({ name: 'b-throttle-failure-path-after-pnr', target: targetOf(model, late), faults: [{ kind: 'handler-error', state: late.stateName }, ...failurePath], expect: 'rolled-back' });
  }
  // Names unique and short enough for an execution name (80 characters with the `f-` prefix).
  return runs.map((r, i) => ({ ...r, name: `${String(i + 1).padStart(2, '0')}-${r.name}`.slice(0, 75) }));
}

/** A task whose failure is caught into a Succeed state (e.g. publishing the result): a failure there ends the run succeeded. */
function catchesIntoSuccess(model: MachineModel, t: TaskInfo): boolean {
  const state = model.definition.States[t.stateName];
  const next = state?.Catch?.[0]?.Next;
  return next !== undefined && model.definition.States[next]?.Type === 'Succeed';
}

/** How many faults a run injects on purpose (the failure that opens the failure path included). */
export function injectedCount(run: FaultRun): number {
  return run.faults.length;
}
