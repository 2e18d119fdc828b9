/**
 * The fault matrix of the schema-first rolling upgrade (issue 11 item 4), built from the synthesized
 * definition: every forward task state's non-retryable error and throttling, the failure path throttled
 * (task-state-faults.ts, shared with the ArangoDB matrix; the approval states, never reached here, left out),
 * plus the world faults the real parts play:
 * - the schema task fails after its step committed (the task exits 1 once its script is applied): the run
 *   rolls back with the schema kept, old engines serving on it; the operator's second execution runs the
 *   task again, which applies nothing twice, and succeeds;
 * - a node whose new engine never gets healthy: it answers, but its job executor stays off, so the
 *   procedure's engine check never passes; the check times out into the rollback, the node never having
 *   taken traffic, back on the old engine.
 */
import { MachineModel } from '../definition';
import { taskStateFaultRuns, TaskStateFaultRun } from '../task-state-faults';

/** What the real parts do wrong in one run (the harness's seams, never the procedure's). */
export interface CamundaWorldFaults {
  /** The schema task applies its step, then exits 1. */
  readonly schemaFailsAfterApply?: boolean;
  /** This node's engine on the target version never passes its check. */
  readonly neverHealthy?: string;
}

export interface CamundaFaultRun extends TaskStateFaultRun {
  readonly world?: CamundaWorldFaults;
  /** After the run, the operator starts a second execution, which must succeed. */
  readonly retryExpect?: 'succeeded';
}

/**
 * The operator's approval between groups: the rehearsal app asks for none (ApprovalMode.NONE) and this
 * executor plays no operator, so these states are never reached and are left out of the matrix.
 */
export function unreachedApprovalStates(model: MachineModel): Set<string> {
  return new Set(model.tasks.filter((t) => t.handler === 'request-approval').map((t) => t.stateName));
}

export function buildCamundaFaultMatrix(model: MachineModel): CamundaFaultRun[] {
  const unreached = unreachedApprovalStates(model);
  // The failure path's throttle run fails at the first group's engine check, after that group's image changed,
  // so the rollback's Map of touched groups has one to return and its states are reached (throttled) too.
  const taskStateRuns = taskStateFaultRuns(model, 'engine-check')
    .map((r) => ({ ...r, faults: r.faults.filter((f) => !unreached.has(f.state)) }))
    .filter((r) => r.faults.length > 0);
  const runs: CamundaFaultRun[] = [
    // First: the only run that needs the schema still on the old minor (the schema stays after any run that applies it).
    { name: 'w-schema-task-fails-after-its-step', faults: [], expect: ['rolled-back'], world: { schemaFailsAfterApply: true }, retryExpect: 'succeeded' },
    ...taskStateRuns,
    { name: 'w-node-never-healthy', faults: [], expect: ['rolled-back'], world: { neverHealthy: 'engine-1' } },
  ];
  return runs.map((r, i) => ({ ...r, name: `${String(i + 1).padStart(2, '0')}-${r.name}` }));
}
