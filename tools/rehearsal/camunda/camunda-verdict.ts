/**
 * The happy path's figures (requests, instances, the schema step, each group's time and drain, transitions)
 * and the problems they show against the seed's guarantees: the schema upgraded once and before any engine
 * moved, groups of one in node order, zero failed requests through the load balancer, every instance
 * completed, one started on an old engine completed on a new one, old engines serving on the new schema.
 */
import { CamundaExecutionResult } from './camunda-executor';
import { FleetAgent, NodeRestart } from './fleet-world';
import { SchemaTaskSeam } from './schema-seam';
import { Request, Workload } from './workload';

export interface HappyPathFigures {
  readonly requests: { served: number; failed: number; byKind: Record<string, { served: number; failed: number }>; byVersion: Record<string, number>; oldEnginesOnNewSchema: number; failures: Request[] };
  readonly instances: { started: number; startedBefore: number; startedDuring: number; completed: number; startedOldCompletedNew: number; openInDatabase: number; inDatabase: number };
  readonly schema: { runs: number; exitCodes: number[]; applied: string[]; appliedAt?: string; log: string[]; beforeFirstEngineStop: boolean };
  readonly groups: Array<{ groupId: string; nodes: string[]; fromVersion: string; toVersion: string; ms: number; drainMs: number; outOfServiceMs: number }>;
  /** The groups whose engines passed the procedure's engine check (the real engines' /health), in order. */
  readonly engineChecksPassed: string[];
  readonly restarts: NodeRestart[];
  readonly transitions: number;
  readonly retries: number;
  readonly loadBalancerTransitions: number;
  readonly finalVersions: Record<string, string>;
  readonly agentErrors: string[];
}

export function happyPathFigures(a: {
  execution: CamundaExecutionResult; workload: Workload; agent: FleetAgent; seam: SchemaTaskSeam; schemaLog: string[];
  openInstances: number; allInstances: number; versions: Record<string, string>;
}): HappyPathFigures {
  const { execution, workload, agent, seam } = a;
  const summary = workload.summary();
  const byVersion: Record<string, number> = {};
  for (const r of workload.requests.filter((q) => q.ok && q.version)) byVersion[r.version!] = (byVersion[r.version!] ?? 0) + 1;
  const schemaAt = seam.runs[0]?.endedAt;
  const fromVersion = a.agent.restarts[0]?.fromVersion;
  const oldEnginesOnNewSchema = schemaAt === undefined ? 0 : workload.requests.filter((r) => r.ok && r.version === fromVersion && r.at > schemaAt).length;
  const firstStop = Math.min(...agent.restarts.map((r) => r.drainStartedAt));
  const groupIds = [...new Set(execution.calls.filter((c) => c.groupId && c.groupId !== 'fleet' && c.handler.startsWith('engine-group')).map((c) => c.groupId!))];
  const groups = groupIds.map((groupId) => {
    const calls = execution.calls.filter((c) => c.groupId === groupId);
    const from = Math.min(...calls.map((c) => c.at));
    const to = Math.max(...calls.map((c) => c.endedAt));
    const nodes = new Set(calls.flatMap((c) => c.nodes ?? []));
    const restarts = agent.restarts.filter((r) => nodes.has(r.nodeId) && r.drainStartedAt >= from && r.drainStartedAt <= to);
    const outOfService = restarts.map((r) => {
      const out = agent.lbEvents.filter((e) => e.nodeId === r.nodeId && e.state === 'maint' && e.at >= from && e.at <= to)[0];
      const back = agent.lbEvents.find((e) => e.nodeId === r.nodeId && e.state === 'ready' && e.at >= (out?.at ?? from));
      return out && back ? back.at - out.at : -1;
    });
    return {
      groupId, nodes: restarts.map((r) => r.nodeId), fromVersion: restarts[0]?.fromVersion ?? '-', toVersion: restarts[0]?.toVersion ?? '-', ms: to - from,
      drainMs: Math.max(0, ...restarts.map((r) => r.drainMs)), outOfServiceMs: Math.max(-1, ...outOfService),
    };
  });
  const toVersion = agent.restarts[0]?.toVersion;
  return {
    requests: { served: summary.served, failed: summary.failed, byKind: summary.byKind, byVersion, oldEnginesOnNewSchema, failures: summary.failures },
    instances: {
      started: workload.instances.length,
      startedBefore: workload.instances.filter((i) => i.startedPhase === 'before').length,
      startedDuring: workload.instances.filter((i) => i.startedPhase === 'during').length,
      completed: workload.instances.filter((i) => i.completedAt !== undefined).length,
      startedOldCompletedNew: workload.instances.filter((i) => i.startedOn === fromVersion && i.completedOn === toVersion && fromVersion !== toVersion).length,
      openInDatabase: a.openInstances, inDatabase: a.allInstances,
    },
    schema: {
      runs: seam.runs.length, exitCodes: seam.runs.map((r) => r.exitCode), applied: seam.runs.flatMap((r) => r.result?.applied ?? []),
      ...(schemaAt !== undefined && { appliedAt: new Date(schemaAt).toISOString() }), log: a.schemaLog,
      beforeFirstEngineStop: schemaAt !== undefined && schemaAt < firstStop,
    },
    groups, engineChecksPassed: execution.calls.filter((c) => c.handler === 'engine-check' && !c.error).map((c) => c.groupId ?? ''),
    restarts: agent.restarts, transitions: execution.transitions, retries: execution.retries,
    loadBalancerTransitions: agent.lbEvents.filter((e) => e.at >= execution.startedAt).length, finalVersions: a.versions, agentErrors: agent.errors,
  };
}

export function happyPathProblems(f: HappyPathFigures, from: string, to: string, nodeOrder: string[]): string[] {
  const problems: string[] = [];
  const toMinor = to.split('.').slice(0, 2).join('.');
  if (f.schema.runs !== 1 || f.schema.exitCodes[0] !== 0) problems.push(`the schema task ran ${f.schema.runs} time(s), exit codes ${f.schema.exitCodes.join(', ')}`);
  if (f.schema.applied.length !== 1) problems.push(`schema scripts applied: ${f.schema.applied.join(', ') || 'none'}`);
  const counts = f.schema.log.map((l) => l.split('|').slice(0, 2).join('|'));
  if (JSON.stringify(counts) !== JSON.stringify([`${from}|1`, `${to}|1`])) problems.push(`ACT_GE_SCHEMA_LOG: ${counts.join(', ')} (expected ${from}|1, ${to}|1)`);
  if (!f.schema.beforeFirstEngineStop) problems.push('the schema was not upgraded before the first engine was stopped');
  if (JSON.stringify(f.restarts.map((r) => r.nodeId)) !== JSON.stringify(nodeOrder)) problems.push(`engines restarted in the order ${f.restarts.map((r) => r.nodeId).join(', ')}`);
  if (JSON.stringify(f.engineChecksPassed) !== JSON.stringify(f.groups.map((g) => g.groupId))) problems.push(`engine checks passed for ${f.engineChecksPassed.join(', ') || 'no group'}`);
  if (f.groups.some((g) => g.nodes.length !== 1)) problems.push(`groups: ${f.groups.map((g) => `${g.groupId}=[${g.nodes.join(',')}]`).join(' ')}`);
  for (let i = 1; i < f.restarts.length; i++) {
    if (f.restarts[i].drainStartedAt < f.restarts[i - 1].healthyAt) problems.push(`${f.restarts[i].nodeId} was stopped before ${f.restarts[i - 1].nodeId} was back`);
  }
  for (const r of f.restarts) {
    if (r.inServiceAtStop) problems.push(`${r.nodeId} was still in the load balancer when its engine was stopped`);
    if (r.sessionsAtStop > 0) problems.push(`${r.nodeId} still had ${r.sessionsAtStop} request(s) in flight when its engine was stopped`);
  }
  if (Object.values(f.finalVersions).some((v) => v !== to)) problems.push(`engines at the end: ${JSON.stringify(f.finalVersions)}`);
  if (!f.restarts.every((r) => r.toVersion.startsWith(toMinor))) problems.push('an engine was restarted on another version than the target');
  if (f.requests.failed > 0) problems.push(`${f.requests.failed} client request(s) failed: ${f.requests.failures.slice(0, 3).map((r) => `${r.kind} ${r.status} ${r.error ?? ''}`).join('; ')}`);
  if (f.instances.completed !== f.instances.started) problems.push(`${f.instances.started - f.instances.completed} instance(s) never completed`);
  if (f.instances.openInDatabase !== 0 || f.instances.inDatabase !== f.instances.started) problems.push(`the database holds ${f.instances.inDatabase} instances, ${f.instances.openInDatabase} open (the client started ${f.instances.started})`);
  if (f.instances.startedBefore === 0 || f.instances.startedDuring === 0) problems.push('no instance was started before or during the run');
  if (f.instances.startedOldCompletedNew === 0) problems.push(`no instance started on ${from} was completed on ${to}`);
  if (f.requests.oldEnginesOnNewSchema === 0) problems.push(`no request was served by a ${from} engine on the ${toMinor} schema`);
  if (f.agentErrors.length > 0) problems.push(`the harness's agent failed: ${f.agentErrors.slice(0, 3).join('; ')}`);
  return problems;
}
