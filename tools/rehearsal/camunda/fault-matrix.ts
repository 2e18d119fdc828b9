/**
 * Runs the Camunda fault matrix (camunda-faults.ts) on one world: PostgreSQL, the engine JVMs and HAProxy
 * are started once (JVM boots are the cost); between runs the world is reset by the harness: the engines
 * not on the starting version go back to it (their services to the baseline task definition, the agent
 * restarts only those JVMs), the targets follow the running tasks, the upgrade records under the lock are
 * deleted. The database is not restored: once a run has applied the schema step it stays (as it would in
 * production), so later runs start with old engines on the new schema and their schema task applies
 * nothing; the one run that needs the old schema runs first. A client workload goes through HAProxy
 * during every run.
 */
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { DeregisterTargetsCommand, DescribeTargetHealthCommand, RegisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeDBSnapshotsCommand } from '@aws-sdk/client-rds';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { ClientSet } from '../aws-clients';
import { CAMUNDA_ECS_CLUSTER } from '../apps/camunda-fleet-app';
import { MachineModel } from '../definition';
import { deleteLockAndRecords } from '../fault-run-reset';
import { outcomeOf } from '../arango/arango-verdict';
import { FaultSpec } from '../types';
import { FaultRunReport, faultFiringProblem } from '../task-state-faults';
import type { ArangoOutcome } from '../arango/arango-verdict';
import { CamundaExecutionResult } from './camunda-executor';
import { buildCamundaFaultMatrix, CamundaFaultRun, CamundaWorldFaults, unreachedApprovalStates } from './camunda-faults';
import { CamundaClientLook, camundaRunProblems, CamundaWorldLook } from './camunda-fault-verdict';
import { ENGINE_CONTAINER, ENGINE_PORT, FleetAgent, imageOf } from './fleet-world';
import { SchemaTaskSeam } from './schema-seam';
import { Workload } from './workload';

export interface CamundaFaultRunReport extends FaultRunReport {
  /** Including the reset of the world after it. */
  readonly wallMs: number;
  readonly requests: { served: number; failed: number; failures: string[] };
  readonly instances: number;
  readonly engineRestarts: number;
  readonly schemaApplied: string[];
}

export interface CamundaFaultMatrixReport {
  readonly runs: number;
  readonly asExpected: number;
  readonly durationMs: number;
  readonly results: CamundaFaultRunReport[];
}

export interface CamundaMatrixWorld {
  readonly model: MachineModel;
  readonly harness: ClientSet;
  readonly agent: FleetAgent;
  readonly seam: SchemaTaskSeam;
  /** The launcher's switches (camunda-faults.ts CamundaWorldFaults), set for one run. */
  readonly worldFaults: { neverHealthy?: string };
  readonly nodes: ReadonlyArray<{ nodeId: string; serviceName: string }>;
  readonly targetGroupArn: string;
  readonly lbUrl: string;
  readonly psql: (sql: string) => string;
  readonly from: string;
  readonly to: string;
  readonly run: (name: string, input: Record<string, unknown>, faults: FaultSpec[]) => Promise<CamundaExecutionResult>;
  readonly say: (line: string) => void;
}

export async function runCamundaFaultMatrix(w: CamundaMatrixWorld, filter?: (runs: CamundaFaultRun[]) => CamundaFaultRun[]): Promise<CamundaFaultMatrixReport> {
  const t0 = Date.now();
  const all = buildCamundaFaultMatrix(w.model);
  const runs = filter ? filter(all) : all;
  const lock = String(w.model.baked.settings.lockParameterName ?? '');
  w.say(`fault matrix: ${runs.length} runs (${w.from} -> ${w.to}, real engines, PostgreSQL and HAProxy started once); not reached, left out: ${[...unreachedApprovalStates(w.model)].join(', ') || 'none'}`);
  await new Workload(w.lbUrl).deploy();
  w.agent.startPolling();
  const results: CamundaFaultRunReport[] = [];
  try {
    for (const spec of runs) {
      const t = Date.now();
      const first = await runOnce(w, lock, spec.name, spec.faults, spec.expect, spec.world ?? {});
      let reports = [first];
      if (spec.retryExpect) reports.push(await runOnce(w, lock, `${spec.name}-retry`, [], [spec.retryExpect], {}));
      await resetWorld(w, lock);
      reports = reports.map((r, i) => ({ ...r, wallMs: i === reports.length - 1 ? Date.now() - t : r.wallMs }));
      for (const r of reports) {
        results.push(r);
        w.say(`  ${r.asExpected ? '✔' : '✘'} ${r.name}: ${r.outcome}${r.endState ? ` at "${r.endState}"` : ''} (${r.fired}/${r.injected} fired, ${(r.durationMs / 1000).toFixed(1)} s, `
          + `requests ${r.requests.served} served ${r.requests.failed} failed, ${r.instances} instances, ${r.engineRestarts} engine restarts`
          + `${r.schemaApplied.length ? `, schema applied ${r.schemaApplied.join(' ')}` : ''})${r.problems.length ? ` - ${r.problems.join('; ')}` : ''}`);
      }
    }
  } finally {
    await w.agent.stopPolling();
  }
  return { runs: results.length, asExpected: results.filter((r) => r.asExpected).length, durationMs: Date.now() - t0, results };
}

async function runOnce(w: CamundaMatrixWorld, lock: string, name: string, faults: FaultSpec[], expect: ArangoOutcome[], world: CamundaWorldFaults): Promise<CamundaFaultRunReport> {
  const before = await look(w, lock);
  const schemaRuns = w.seam.runs.length;
  const restarts = w.agent.restarts.length;
  const agentErrors = w.agent.errors.length;
  w.seam.failNextAfterApply = world.schemaFailsAfterApply === true;
  if (world.neverHealthy) w.worldFaults.neverHealthy = world.neverHealthy;
  const workload = new Workload(w.lbUrl, 2_000, 100);
  workload.phase = 'during';
  workload.run(1);
  let r: CamundaExecutionResult;
  try {
    r = await w.run(`${name}-${Date.now()}`.slice(0, 80), { toImage: imageOf(w.to) }, faults);
  } finally {
    await workload.stop();
    delete w.worldFaults.neverHealthy;
    w.seam.failNextAfterApply = false;
  }
  await converged(w, 240_000);
  const after = await look(w, lock);
  const ids = workload.instances.map((i) => `'${i.id.replace(/'/g, '')}'`);
  const ended = ids.length ? Number(w.psql(`select count(*) from ACT_HI_PROCINST where ID_ in (${ids.join(',')}) and END_TIME_ is not null`).trim()) : 0;
  const summary = workload.summary();
  const clients: CamundaClientLook = {
    started: workload.instances.length, completed: workload.instances.filter((i) => i.completedAt !== undefined).length, endedInDatabase: ended,
  };
  const outcome = outcomeOf(r.status, r.endState);
  const schema = w.seam.runs.slice(schemaRuns);
  const problems = camundaRunProblems({
    outcome, executionArn: r.executionArn, before, after, clients, fromVersion: w.from, toVersion: w.to,
    schemaRuns: schema.length, engineRestarts: w.agent.restarts.length - restarts,
  });
  const firing = faultFiringProblem(faults, r.fired);
  if (firing) problems.push(firing);
  const errors = w.agent.errors.slice(agentErrors);
  if (errors.length) problems.push(`the harness's agent failed: ${errors.slice(0, 2).join('; ')}`);
  if (world.neverHealthy && !r.calls.some((c) => c.handler === 'engine-check' && c.error === 'EngineCheckFailedError' && c.nodes?.includes(world.neverHealthy!))) {
    problems.push(`the engine check never failed for ${world.neverHealthy}`);
  }
  if (world.schemaFailsAfterApply && schema[0]?.exitCode !== 1) problems.push('the schema task was not failed after its step');
  if (schema.slice(world.schemaFailsAfterApply ? 1 : 0).some((s) => s.result && s.result.applied.length > 0 && before.schemaLog.some((row) => row.startsWith(`${w.to}|`)))) {
    problems.push('the schema task applied a step the schema already had');
  }
  return {
    name, expected: expect, outcome, asExpected: expect.includes(outcome) && problems.length === 0, ...(r.endState && { endState: r.endState }),
    ...(r.error && { error: { name: r.error.name, message: r.error.message.slice(0, 300) } }), problems, fired: r.fired.length, injected: faults.length,
    durationMs: r.durationMs, wallMs: r.durationMs, transitions: r.transitions, requests: { served: summary.served, failed: summary.failed, failures: summary.failures.slice(0, 3).map((q) => `${q.kind} ${q.status} ${q.error ?? ''}`.trim()) },
    instances: workload.instances.length, engineRestarts: w.agent.restarts.length - restarts, schemaApplied: schema.flatMap((s) => s.result?.applied ?? []),
  };
}

async function serviceVersions(w: CamundaMatrixWorld): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const services = (await w.harness.ecs.send(new DescribeServicesCommand({ cluster: CAMUNDA_ECS_CLUSTER, services: w.nodes.map((n) => n.serviceName) }))).services ?? [];
  for (const n of w.nodes) {
    const def = services.find((s) => s.serviceName === n.serviceName)?.taskDefinition;
    const td = (await w.harness.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: def }))).taskDefinition;
    out[n.nodeId] = td?.containerDefinitions?.find((c) => c.name === ENGINE_CONTAINER)?.image?.split(':').pop() ?? '-';
  }
  return out;
}

async function look(w: CamundaMatrixWorld, lock: string): Promise<CamundaWorldLook> {
  const snapshots = (await w.harness.rds.send(new DescribeDBSnapshotsCommand({}))).DBSnapshots ?? [];
  const lockValue = (await w.harness.ssm.send(new GetParameterCommand({ Name: lock })).catch(() => undefined))?.Parameter?.Value;
  const health = (await w.harness.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: w.targetGroupArn }))).TargetHealthDescriptions ?? [];
  const services = await serviceVersions(w);
  const view = w.agent.view();
  return {
    snapshotIds: snapshots.map((s) => s.DBSnapshotIdentifier ?? ''), ...(lockValue && { lock: lockValue }),
    schemaLog: w.psql('select VERSION_, count(*) from ACT_GE_SCHEMA_LOG group by VERSION_ order by VERSION_').trim().split('\n'),
    nodes: Object.fromEntries(w.nodes.map((n) => [n.nodeId, { ...view[n.nodeId], service: services[n.nodeId] }])),
    registered: health.filter((h) => h.TargetHealth?.State !== 'draining').map((h) => h.Target?.Id ?? ''),
  };
}

/** Until every node's running engine is on its service's version (the agent has caught up), or the timeout. */
async function converged(w: CamundaMatrixWorld, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const services = await serviceVersions(w);
    const view = w.agent.view();
    if (w.nodes.every((n) => view[n.nodeId].engine === services[n.nodeId])) return;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The world as the next run must find it: every engine on the starting version and in service, no upgrade record. */
async function resetWorld(w: CamundaMatrixWorld, lock: string): Promise<void> {
  const services = await serviceVersions(w);
  const moved = w.nodes.filter((n) => services[n.nodeId] !== w.from);
  const view = w.agent.view();
  // Only what is registered: a run that ended with a moved node out of the target group leaves nothing to deregister (ELBv2 refuses that).
  const before = (await w.harness.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: w.targetGroupArn }))).TargetHealthDescriptions ?? [];
  const out = moved.map((n) => view[n.nodeId].ip).filter((ip): ip is string => !!ip && before.some((h) => h.Target?.Id === ip));
  if (out.length) await w.harness.elb.send(new DeregisterTargetsCommand({ TargetGroupArn: w.targetGroupArn, Targets: out.map((Id) => ({ Id, Port: ENGINE_PORT })) }));
  for (const n of moved) {
    await w.harness.ecs.send(new UpdateServiceCommand({ cluster: CAMUNDA_ECS_CLUSTER, service: n.serviceName, taskDefinition: 'camunda-engine:1' }));
  }
  await converged(w, 300_000);
  const ips = Object.values(w.agent.view()).map((n) => n.ip).filter((ip): ip is string => !!ip);
  const health = (await w.harness.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: w.targetGroupArn }))).TargetHealthDescriptions ?? [];
  const stale = health.map((h) => h.Target?.Id ?? '').filter((id) => !ips.includes(id));
  if (stale.length) await w.harness.elb.send(new DeregisterTargetsCommand({ TargetGroupArn: w.targetGroupArn, Targets: stale.map((Id) => ({ Id, Port: ENGINE_PORT })) }));
  await w.harness.elb.send(new RegisterTargetsCommand({ TargetGroupArn: w.targetGroupArn, Targets: ips.map((Id) => ({ Id, Port: ENGINE_PORT })) }));
  await deleteLockAndRecords(w.harness, lock);
  await w.agent.sync();
}
