/**
 * What every run of the Camunda fault matrix must leave (the shape of arango-verdict.ts's invariants),
 * looked at in the real parts and moto after the run: the database snapshots kept, each schema version once
 * in ACT_GE_SCHEMA_LOG, every engine and service on the version the outcome implies (rolled back: the old
 * one), every node's current task registered in the target group and in HAProxy, the lock released, no
 * client instance lost (every one started completed, ended in the database). Failed client requests are
 * counted and reported (fault-matrix.ts), not a verdict: a failure's cost, not a loss.
 */
import type { ArangoOutcome } from '../arango/arango-verdict';

export interface CamundaWorldLook {
  readonly snapshotIds: string[];
  /** The lock parameter's value, or undefined when released. */
  readonly lock?: string;
  /** `version|count` rows of ACT_GE_SCHEMA_LOG. */
  readonly schemaLog: string[];
  /** Per node: the running engine's version, its service's image version, its task's address. */
  readonly nodes: Record<string, { engine: string; service: string; ip?: string; inLoadBalancer: boolean }>;
  /** The target group's registered (not draining) target ids. */
  readonly registered: string[];
}

export interface CamundaClientLook {
  readonly started: number;
  readonly completed: number;
  /** Of the instances started, how many the database records as ended. */
  readonly endedInDatabase: number;
}

export function camundaRunProblems(a: {
  outcome: ArangoOutcome; executionArn: string; before: CamundaWorldLook; after: CamundaWorldLook; clients: CamundaClientLook;
  fromVersion: string; toVersion: string; schemaRuns: number; engineRestarts: number;
}): string[] {
  const { outcome, before, after, clients } = a;
  const problems: string[] = [];
  const lost = before.snapshotIds.filter((s) => !after.snapshotIds.includes(s));
  if (lost.length) problems.push(`database snapshots deleted: ${lost.join(', ')}`);
  const twice = after.schemaLog.filter((row) => row.split('|')[1] !== '1');
  if (twice.length) problems.push(`ACT_GE_SCHEMA_LOG records a version more than once: ${twice.join(', ')}`);
  if (after.lock?.includes(a.executionArn)) problems.push('the lock is still held by the execution');
  const expected = outcome === 'succeeded' ? a.toVersion : a.fromVersion;
  for (const [nodeId, n] of Object.entries(after.nodes)) {
    if (n.engine !== expected || n.service !== expected) problems.push(`${nodeId}: engine ${n.engine}, service ${n.service}, expected ${expected} after a ${outcome} run`);
    if (!n.ip || !after.registered.includes(n.ip)) problems.push(`${nodeId}'s task (${n.ip ?? 'none'}) is not registered in the target group`);
    if (!n.inLoadBalancer) problems.push(`${nodeId} is not in service in HAProxy`);
  }
  const stale = after.registered.filter((id) => !Object.values(after.nodes).some((n) => n.ip === id));
  if (stale.length) problems.push(`targets of no running task still registered: ${stale.join(', ')}`);
  if (outcome === 'refused') {
    if (a.schemaRuns > 0 || a.engineRestarts > 0) problems.push(`refused, but the schema task ran ${a.schemaRuns} time(s) and ${a.engineRestarts} engine(s) restarted`);
    if (after.snapshotIds.length !== before.snapshotIds.length) problems.push('refused, but a database snapshot was taken');
  }
  if (!['succeeded', 'rolled-back', 'refused', 'refused-after-lock'].includes(outcome)) problems.push(`the run ended ${outcome}: neither succeeded nor rolled back`);
  if (clients.completed !== clients.started) problems.push(`${clients.started - clients.completed} of ${clients.started} client instance(s) never completed`);
  if (clients.endedInDatabase !== clients.started) problems.push(`the database records ${clients.endedInDatabase} of the ${clients.started} client instances as ended`);
  return problems;
}
