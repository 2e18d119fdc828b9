/**
 * The fault matrix of the role-ordered procedure, built from the synthesized definition (no state name is
 * known in advance), plus the world faults the emulator plays:
 * - (a), (b): every forward task state's non-retryable error and throttling (task-state-faults.ts; the
 *   failure path opened by a server step's failure);
 * - (c) a rollback that itself fails (its server step): maintenance off all the same, the lock kept;
 * - world: an agent that never comes back in sync, a DB server whose auto-upgrade run exits 10, maintenance
 *   already on at the start.
 */
import { MachineModel } from '../definition';
import { FaultSpec } from '../types';
import { ARANGO_TO } from './rehearsal-versions';
import type { ArangoRunSpec } from './index';
import { taskStateFaultRuns } from '../task-state-faults';
import { imageOf } from './emulator-server-actions';

export interface ArangoFaultRun {
  readonly faults: FaultSpec[];
}

export function buildArangoFaultMatrix(model: MachineModel): ArangoRunSpec[] {
  const input = { image: imageOf(ARANGO_TO) };
  const forward = model.tasks.filter((t) => !t.onFailurePath);
  const runs: ArangoRunSpec[] = taskStateFaultRuns(model, 'arango-server-action').map((r) => ({ ...r, input }));
  const stop = forward.find((t) => t.handler === 'arango-server-action');
  // A rollback that itself fails: a server step fails, then the rollback's server step too.
  const rollbackServers = model.tasks.find((t) => t.onFailurePath && t.handler === 'arango-rollback-servers');
  if (stop && rollbackServers) {
    runs.push({ name: 'c-rollback-fails', input, faults: [{ kind: 'handler-error', state: stop.stateName }, { kind: 'handler-error', state: rollbackServers.stateName }], expect: ['rollback-failed'] });
  }
  // ...with maintenance on (the step after the last DB server fails) and the rollback's own maintenance-off
  // failing: only the rollback's Catch-all can switch it off.
  const maintenanceOffAfterRole = forward.filter((t) => t.handler === 'arango-maintenance' && t.nested).pop();
  const rollbackMaintenanceOff = model.tasks.find((t) => t.onFailurePath && t.handler === 'arango-maintenance'
    && model.tasks.some((u) => u.handler === 'arango-maintenance' && u.stateName === model.definition.States[t.stateName]?.Catch?.[0]?.Next));
  if (maintenanceOffAfterRole && rollbackMaintenanceOff) {
    runs.push({
      name: 'c-rollback-fails-maintenance-on', input, expect: ['rollback-failed'],
      faults: [{ kind: 'handler-error', state: maintenanceOffAfterRole.stateName }, { kind: 'handler-error', state: rollbackMaintenanceOff.stateName }],
    });
  }
  runs.push({ name: 'w-agent-never-back-in-sync', input, serverFaults: { 'AGNT-0002': { outOfSyncAfterRestart: 'forever' } }, expect: ['rolled-back'] });
  runs.push({ name: 'w-dbserver-auto-upgrade-exit-10', input, serverFaults: { 'PRMR-0002': { autoUpgradeExitCode: 10 } }, expect: ['rolled-back'] });
  runs.push({ name: 'w-maintenance-already-on', input, maintenanceOnForSeconds: 1800, expect: ['succeeded'] });
  return runs.map((r, i) => ({ ...r, name: `${String(i + 1).padStart(2, '0')}-${r.name}` }));
}
