/**
 * What one execution did to the cluster, from the inventories before and after: its outcome (succeeded,
 * rolled back, refused before any change, or unsafe), the problems that make it unsafe (data volumes or
 * snapshots deleted, the lock kept, parameters not put back, a restore missing), and past the point of
 * no return the restore check (a claimable volume per pre-upgrade snapshot).
 */
import { ClusterInventory, diffInventories } from './inventory';
import { ExecutionReport, Outcome } from './types';
import { World } from './world';

export interface VerdictInput {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly pastPointOfNoReturn: boolean;
  readonly before: ClusterInventory;
  readonly after: ClusterInventory;
  readonly parametersBefore: Record<string, string>;
  readonly finalParameters: Record<string, string>;
  readonly world: World;
  readonly cluster: { dataVolumeName: string; environmentName: string };
  readonly executionArn: string;
  readonly lockParameterName: string;
  /** When the execution started (ms): stack changes from then on are its own. */
  readonly startedAt: number;
}

export interface Verdict {
  readonly outcome: Outcome;
  readonly problems: string[];
  readonly diff: ReturnType<typeof diffInventories>;
  readonly restore?: ExecutionReport['restore'];
}

export function judgeExecution(v: VerdictInput): Verdict {
  const diff = diffInventories(v.before, v.after, v.cluster.dataVolumeName, v.executionArn);
  const restore = v.pastPointOfNoReturn && v.status === 'FAILED' ? restoreCheck(v, diff.snapshots.preUpgrade) : undefined;

  const problems: string[] = [...v.world.worldErrors];
  if (diff.volumes.deleted.length > 0) problems.push(`${diff.volumes.deleted.length} data volume(s) deleted: ${diff.volumes.deleted.map((x) => x.volumeId).join(', ')}`);
  if (diff.snapshots.deleted.length > 0) problems.push(`${diff.snapshots.deleted.length} snapshot(s) deleted`);
  if (diff.lock.heldAtEnd) problems.push(`lock ${v.lockParameterName} still held at the end (by ${diff.lock.holder})`);
  if (restore && restore.missing.length > 0) problems.push(`past the point of no return, no claimable volume restored from ${restore.missing.join(', ')}`);

  if (v.status === 'SUCCEEDED') return { outcome: problems.length === 0 ? 'succeeded' : 'unsafe', problems, diff, ...(restore && { restore }) };

  const changed = Object.keys(v.parametersBefore).filter((k) => v.parametersBefore[k] !== v.finalParameters[k]);
  if (changed.length > 0) {
    problems.push(`parameters not back to the pre-upgrade values: ${changed.map((k) => `${k}=${v.finalParameters[k]} (was ${v.parametersBefore[k]})`).join(', ')}`);
  }
  // Refused: the stack never changed and no volume was touched (snapshots are backups, not changes).
  const stackChanged = v.world.timeline.some((t) => t.at >= v.startedAt && Object.keys(v.parametersBefore).some((k) => t.parameters[k] !== v.parametersBefore[k]));
  const touched = diff.volumes.renamed.length > 0 || diff.volumes.created.length > 0;
  const outcome: Outcome = problems.length > 0 ? 'unsafe' : stackChanged || touched ? 'rolled-back' : 'refused';
  return { outcome, problems, diff, ...(restore && { restore }) };
}

/** Past the point of no return: one claimable volume per pre-upgrade snapshot. */
function restoreCheck(v: VerdictInput, pre: Array<{ snapshotId: string }>): NonNullable<ExecutionReport['restore']> {
  const claimable = v.after.volumes.filter((x) => x.tags.Name === v.cluster.dataVolumeName && x.tags.Environment === v.cluster.environmentName);
  const missing = pre.filter((s) => !claimable.some((x) => x.snapshotId === s.snapshotId)).map((s) => s.snapshotId);
  const restoredIds = new Set(claimable.filter((x) => pre.some((s) => s.snapshotId === x.snapshotId)).map((x) => x.volumeId));
  const claimedByNewNodes = v.world.fleet.boots.filter((b) => b.ok && b.volumeId && restoredIds.has(b.volumeId)).length;
  return { snapshots: pre.length, restoredClaimable: pre.length - missing.length, missing, claimedByNewNodes };
}
