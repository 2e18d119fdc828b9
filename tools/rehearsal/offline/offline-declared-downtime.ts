/**
 * The downtime the offline procedure declares (docs/offline-upgrade.md), as windows of real time of one
 * run, from the stages the execution recorded (pure):
 * - its stages 2 to 6: from stage 2's start (every other server stopped) to the end of stage 6 (its gate:
 *   every server up at the target), or to the failure that ended the forward path earlier;
 * - a rollback after stage 2 began: from that failure until every server serves again (the harness's
 *   moment: the servers the rollback's nodes start are up), which past the point of no return includes the
 *   restore of the pre-upgrade snapshots and a Neo4j start on each restored store.
 * Nothing before stage 2 is declared: a run refused or rolled back earlier must serve throughout.
 */
import type { StageReport } from '../types';
import type { DeclaredDowntime } from '../workload/declared-downtime';

/** The stage keys of Neo4jOfflineUpgrade (lib/upgrade/neo4j-offline-upgrade.ts TITLES) that bound the downtime. */
export const OFFLINE_DOWNTIME_STAGES = { first: 'stopOthers', last: 'startAll' } as const;

export function offlineDeclaredDowntime(stages: readonly StageReport[], end: { rolledBack: boolean; servingAgainAt: number }): DeclaredDowntime[] {
  const first = stages.find((s) => s.key === OFFLINE_DOWNTIME_STAGES.first);
  if (!first?.startedAt) return [];
  const from = Date.parse(first.startedAt);
  const last = stages.find((s) => s.key === OFFLINE_DOWNTIME_STAGES.last);
  const failed = stages.find((s) => s.status === 'failed' && s.endedAt);
  const failedAt = failed?.endedAt ? Date.parse(failed.endedAt) : undefined;
  const forwardEnd = last?.status === 'succeeded' && last.endedAt ? Date.parse(last.endedAt) : failedAt ?? end.servingAgainAt;
  const windows: DeclaredDowntime[] = [{ what: 'stages 2-6 (servers stopped, one migrating, then started at the target)', from, to: forwardEnd }];
  if (end.rolledBack) {
    const rollbackFrom = failedAt ?? Math.max(from, ...stages.filter((s) => s.endedAt).map((s) => Date.parse(s.endedAt!)));
    windows.push({ what: 'the rollback, until every server serves again', from: rollbackFrom, to: end.servingAgainAt });
  }
  return windows;
}
