/**
 * The fault matrix of the offline upgrade (Neo4jOfflineUpgrade), built from the synthesized definition (no
 * state name is known in advance):
 * - world faults first (the ones no other matrix has, kept by a matrix cut short): the migration fails, and
 *   the migrated server's database stays `starting`; both past the point of no return, so both must roll
 *   back by restoring the pre-upgrade snapshots;
 * - (a), (b): every forward task state's non-retryable error and throttling (task-state-faults.ts, shared with
 *   the other matrices); the failure path is opened by `clone-server-volumes` (stage 5, after the migration),
 *   so the rollback's restore runs under throttling.
 * A run that ends SUCCEEDED (or upgraded with writes still frozen: the final thaw failed) leaves every server
 * on the target, which no reset undoes (the stores are migrated): such runs go last, and the runner runs
 * nothing after the first of them.
 */
import type { ArangoOutcome } from '../arango/arango-verdict';
import { MachineModel } from '../definition';
import { TaskStateFaultRun, taskStateFaultRuns } from '../task-state-faults';
import type { OfflineWorldFault } from './offline-fault-world';

export interface OfflineFaultRun extends TaskStateFaultRun {
  readonly world?: OfflineWorldFault;
}

/** The handler whose failure opens the failure path for the (b) failure-path run: the copy to the others, past the migration. */
export const OFFLINE_FAILURE_PATH_TRIGGER = 'clone-server-volumes';

/** The outcomes that leave every server migrated to the target (no reset undoes them): such runs go last. */
export const endsUpgraded = (outcome: ArangoOutcome) => outcome === 'succeeded' || outcome === 'upgraded-writes-frozen';

export function buildOfflineFaultMatrix(model: MachineModel): OfflineFaultRun[] {
  const world: OfflineFaultRun[] = [
    { name: 'w-migration-fails', faults: [], world: 'migration-fails', expect: ['rolled-back'] },
    { name: 'w-migrated-database-stays-starting', faults: [], world: 'database-stays-starting', expect: ['rolled-back'] },
  ];
  const tasks = taskStateFaultRuns(model, OFFLINE_FAILURE_PATH_TRIGGER);
  const succeeds = (r: OfflineFaultRun) => r.expect.some(endsUpgraded);
  const runs = [...world, ...tasks.filter((r) => !succeeds(r)), ...tasks.filter(succeeds)];
  return runs.map((r, i) => ({ ...r, name: `${String(i + 1).padStart(2, '0')}-${r.name}` }));
}
