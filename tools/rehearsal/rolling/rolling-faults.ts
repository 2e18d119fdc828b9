/**
 * The fault matrix of the rolling upgrade on fixed servers (Neo4jRollingUpgrade), built from the
 * synthesized definition (no state name is known in advance):
 * - (a), (b): every forward task state's non-retryable error and throttling (task-state-faults.ts, shared
 *   with ArangoDB and Camunda); the failure path is opened by the first per-server wait for the service, so
 *   a server has rolled and the rollback's own per-server steps run under throttling;
 * - world: a rolled server whose database stays `starting`: the gate holds until its budget runs out, then
 *   the rollback returns every rolled server to the recorded image, one at a time, and releases the lock.
 * The rollback is also reached through a Choice (the settings-family refusal's Pass goes on into it): the
 * model's failure path (definition.ts failurePathOf) starts at the Catch targets, so its states stay failure-path states.
 * The replaceable-resources world fault ("a replacement instance that never joins") has no procedure to
 * run against: the replaceable-resources rolling procedure does not exist yet.
 */
import { MachineModel } from '../definition';
import { TaskStateFaultRun, taskStateFaultRuns } from '../task-state-faults';

export interface RollingFaultRun extends TaskStateFaultRun {
  /** The world fault of the run. */
  readonly world?: 'database-stays-starting';
}

/** The handler whose failure opens the failure path for the (b) failure-path run: the first server's service wait. */
export const FAILURE_PATH_TRIGGER = 'ecs-services-steady';

export function buildRollingFaultMatrix(model: MachineModel): RollingFaultRun[] {
  // The world fault first: it is the one no other matrix has, and a matrix cut short still has it.
  const runs: RollingFaultRun[] = [
    { name: 'w-rolled-server-database-stays-starting', faults: [], world: 'database-stays-starting', expect: ['rolled-back'] },
    ...taskStateFaultRuns(model, FAILURE_PATH_TRIGGER),
  ];
  return runs.map((r, i) => ({ ...r, name: `${String(i + 1).padStart(2, '0')}-${r.name}` }));
}
