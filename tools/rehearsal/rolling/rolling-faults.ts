/**
 * The fault matrix of the rolling upgrade on fixed servers (Neo4jRollingUpgrade), built from the
 * synthesized definition (no state name is known in advance):
 * - (a), (b): every forward task state's non-retryable error and throttling (task-state-faults.ts, shared
 *   with ArangoDB and Camunda); the failure path is opened by the first per-server wait for the service, so
 *   a server has rolled and the rollback's own per-server steps run under throttling;
 * - world: a rolled server whose database stays `starting`: the gate holds until its budget runs out, then
 *   the rollback returns every rolled server to the recorded image, one at a time, and releases the lock.
 * The model's own onFailurePath (definition.ts) counts every state reachable from StartAt by Next/Choices as
 * forward, and nested states always; here the rollback is also reached through a Choice (the settings-family
 * refusal's Pass goes on into it), so its states, and those of its Map, would be "forward" runs whose fault
 * never fires. The matrix therefore re-derives the failure path (failurePathOf) before task-state-faults.ts.
 * The replaceable-resources world fault ("a replacement instance that never joins") has no procedure to
 * run against: the replaceable-resources rolling procedure does not exist yet.
 */
import { allStates, AslDefinition, MachineModel } from '../definition';
import { TaskStateFaultRun, taskStateFaultRuns } from '../task-state-faults';

export interface RollingFaultRun extends TaskStateFaultRun {
  /** The world fault of the run. */
  readonly world?: 'database-stays-starting';
}

/** The handler whose failure opens the failure path for the (b) failure-path run: the first server's service wait. */
export const FAILURE_PATH_TRIGGER = 'ecs-services-steady';

/**
 * The states on the failure path: those reached from StartAt only through a top-level Catch target (the
 * failure handlers' entries), following Next/Default/Choices; a nested state shares its Map's or Parallel's.
 */
export function failurePathOf(definition: AslDefinition): Set<string> {
  const entries = new Set(Object.values(definition.States).flatMap((s) => (s.Catch ?? []).map((c) => c.Next)));
  const forward = new Set<string>();
  const stack = [definition.StartAt];
  while (stack.length > 0) {
    const name = stack.pop() as string;
    if (forward.has(name) || !definition.States[name] || (entries.has(name) && name !== definition.StartAt)) continue;
    forward.add(name);
    const s = definition.States[name];
    for (const n of [s.Next, s.Default, ...(s.Choices ?? []).map((c) => c.Next)]) if (n) stack.push(n);
  }
  const failure = new Set<string>();
  for (const [name, state] of Object.entries(definition.States)) {
    if (forward.has(name)) continue;
    failure.add(name);
    for (const inner of [state.ItemProcessor, state.Iterator, ...(state.Branches ?? [])]) {
      if (inner) for (const [nested] of allStates(inner, true)) failure.add(nested);
    }
  }
  return failure;
}

export function buildRollingFaultMatrix(model: MachineModel): RollingFaultRun[] {
  const failure = failurePathOf(model.definition);
  model = { ...model, tasks: model.tasks.map((t) => ({ ...t, onFailurePath: failure.has(t.stateName) })) };
  // The world fault first: it is the one no other matrix has, and a matrix cut short still has it.
  const runs: RollingFaultRun[] = [
    { name: 'w-rolled-server-database-stays-starting', faults: [], world: 'database-stays-starting', expect: ['rolled-back'] },
    ...taskStateFaultRuns(model, FAILURE_PATH_TRIGGER),
  ];
  return runs.map((r, i) => ({ ...r, name: `${String(i + 1).padStart(2, '0')}-${r.name}` }));
}
