/**
 * The rehearsal of the schema-first rolling upgrade (issue 11, seed 002) with real parts: synthesizes
 * tools/rehearsal/apps/camunda-fleet-app.ts, deploys its template into moto_server, and runs the synthesized
 * state machine with the real handlers while
 * - a real PostgreSQL 15 (throwaway cluster, free loopback port) holds the Camunda 7.23 schema,
 * - three real Camunda engines (camunda-engine 7.23.0 / 7.24.0 from Maven Central, one JVM each, with a
 *   small HTTP front: CamundaNode.java) serve on it,
 * - a real HAProxy in front of them follows the target group's registrations in moto (FleetAgent),
 * - a client workload goes through HAProxy for the whole run, counting every request.
 * Seams (the harness's, not the procedure's): the ECS agent (a service's new task definition -> the node's
 * JVM restarted on that version's jars) and the schema task (RunTask -> upgradeSchema against the real
 * PostgreSQL). Writes rehearsal/camunda-report.json.
 */
import '../polyfill';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PsqlDatabase } from '../../../lambda/camunda-schema-upgrade/psql-database';
import { EngineFleetContext } from '../../../lambda/shared/engine-fleet-context';
import { createScripts, engineSql } from '../../camunda/camunda-engine-sql';
import { MotoServer } from '../../moto';
import { POSTGRES_BIN, ThrowawayPostgres, startThrowawayPostgres } from '../../postgres/throwaway-postgres';
import { ApiCallCounter, ClientSet, MOTO_ACCOUNT } from '../aws-clients';
import { aslFindings, buildModel, MachineModel } from '../definition';
import { deployStack } from '../emulator';
import { handlerNames } from '../handlers';
import { startRehearsalMoto } from '../moto-server';
import { synthesize } from '../synth';
import { TARGET_GROUP_CONTEXT } from '../apps/camunda-fleet-app';
import { outcomeOf } from '../arango/arango-verdict';
import { CamundaExecutionResult, POLL_INTERVAL_ADAPTATION, runCamundaExecution } from './camunda-executor';
import { compiledNode, engineClasspath } from './engine-jars';
import { EngineProcess } from './engine-process';
import { FleetAgent, createFleetInMoto, imageOf } from './fleet-world';
import { HaproxyFront } from './haproxy';
import { SchemaTaskSeam } from './schema-seam';
import { Workload } from './workload';
import { FaultSpec } from '../types';
import { CamundaFaultRun } from './camunda-faults';
import { CamundaFaultMatrixReport, runCamundaFaultMatrix } from './fault-matrix';
import { happyPathProblems, happyPathFigures, HappyPathFigures } from './camunda-verdict';

export const CAMUNDA_FROM = '7.23.0';
export const CAMUNDA_TO = '7.24.0';
const REGION = 'us-east-1';
const ROOT = path.resolve(__dirname, '..', '..', '..');
export const CAMUNDA_APP = path.join(ROOT, 'tools', 'rehearsal', 'apps', 'camunda-fleet-app.ts');
const BUILD_DIR = path.join(ROOT, '.cache', 'camunda-rehearsal');

export const CAMUNDA_SIMULATED = [
  { what: 'ECS running the engine containers: the harness\'s agent (fleet-world.ts) restarts a node\'s JVM on the jars of the version its service\'s task definition names, then runs the moto task (startedBy = the deployment) whose ENI address is the node\'s target', why: 'moto\'s ECS runs no containers' },
  { what: 'the container health check: the agent counts a new task RUNNING once its engine\'s HTTP front answers; the procedure\'s engine-level check (engine-check) then asks the real engine\'s /health (a query answered, job executor active), its request to the task\'s moto address routed to the node\'s JVM (FleetAgent.get)', why: 'moto runs no container and its task addresses lead nowhere' },
  { what: 'the ALB: HAProxy follows moto\'s target registrations (runtime API, no reload); the deregistration delay is played by the agent waiting for the node\'s in-flight HAProxy sessions to finish before it stops the JVM', why: 'moto has no load balancer data plane and reports no draining state' },
  { what: 'the schema task: RunTask of the schema task definition runs upgradeSchema + PsqlDatabase (the program the task runs) in the harness against the real PostgreSQL; DescribeTasks answers STOPPED with its exit code (schema-seam.ts)', why: 'moto runs no container and gives no exit codes' },
  { what: 'the database snapshot: moto\'s RDS CreateDBSnapshot of an RDS instance standing for the PostgreSQL', why: 'the throwaway PostgreSQL is no RDS instance' },
];

export interface CamundaRunReport {
  readonly name: string;
  readonly outcome: string;
  readonly asExpected: boolean;
  readonly endState?: string;
  readonly error?: { name: string; message: string };
  readonly problems: string[];
  readonly durationMs: number;
  readonly transitions: number;
  readonly retries: number;
}

export interface CamundaRehearsalReport {
  readonly ok: boolean;
  readonly durationMs: number;
  readonly setupMs: number;
  readonly taskStates: number;
  readonly contractFindings: string[];
  readonly guard: CamundaRunReport[];
  readonly happyPath?: CamundaRunReport & { readonly figures: HappyPathFigures; readonly stages: CamundaExecutionResult['stages'] };
  readonly faults?: CamundaFaultMatrixReport;
  readonly simulated: Array<{ what: string; why: string }>;
  readonly executorAdaptations: Array<{ what: string; why: string }>;
}

export interface CamundaRehearsalOptions {
  /** Run the fault matrix (all of it, or the runs a filter keeps) instead of the guard and the happy path. */
  readonly faults?: boolean | ((runs: CamundaFaultRun[]) => CamundaFaultRun[]);
  readonly outDir?: string;
  readonly progress?: (line: string) => void;
}

interface Rig {
  readonly moto: MotoServer;
  readonly model: MachineModel;
  readonly stateMachineArn: string;
  readonly harness: ClientSet;
  readonly cluster: EngineFleetContext;
}

export async function rehearseCamunda(options: CamundaRehearsalOptions = {}): Promise<CamundaRehearsalReport> {
  const t0 = Date.now();
  const say = options.progress ?? ((line: string) => console.log(line));
  const outDir = path.resolve(options.outDir ?? path.join(ROOT, 'rehearsal'));
  const logDir = path.join(outDir, 'logs');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'camunda-rehearsal-'));
  let moto: MotoServer | undefined;
  let pg: ThrowawayPostgres | undefined;
  let lb: HaproxyFront | undefined;
  let agent: FleetAgent | undefined;
  try {
    // moto and the fleet's resources first (the app needs the target group's ARN); then the synth runs while
    // the database, HAProxy and the engines come up.
    moto = await startRehearsalMoto({ MOTO_ECS_SERVICE_RUNNING: '1' });
    // moto walks a task from RUNNING to STOPPED one step per DescribeTasks; the engines keep running.
    await fetch(`${moto.endpoint}/moto-api/state-manager/set-transition`, {
      method: 'POST', body: JSON.stringify({ model_name: 'ecs::task', transition: { progression: 'manual', times: 1_000_000 } }),
    });
    const harness = new ClientSet({ endpoint: moto.endpoint, region: REGION, counter: new ApiCallCounter() }, 'harness');
    const nodes = [1, 2, 3].map((i) => ({ nodeId: `engine-${i}`, serviceName: `camunda-engine-${i}` }));
    const { targetGroupArn, subnet } = await createFleetInMoto(harness, nodes, CAMUNDA_FROM);
    const synthesis = synthesize({ root: ROOT, app: CAMUNDA_APP, context: { [TARGET_GROUP_CONTEXT]: targetGroupArn }, outdir: path.join(work, 'cdk.out'), log: (l) => say(`    ${l}`) });
    synthesis.catch(() => undefined);

    const classpath: Record<string, string> = { [CAMUNDA_FROM]: engineClasspath(BUILD_DIR, CAMUNDA_FROM), [CAMUNDA_TO]: engineClasspath(BUILD_DIR, CAMUNDA_TO) };
    const classDir = compiledNode(BUILD_DIR, classpath[CAMUNDA_FROM]);
    pg = await startThrowawayPostgres();
    pg.psql('create database camunda');
    const db = () => new PsqlDatabase(path.join(POSTGRES_BIN, 'psql'), pg!.env('camunda'));
    for (const script of createScripts(engineSql(CAMUNDA_FROM, path.join(work, CAMUNDA_FROM)).create, 'postgres')) await db().runScript(script);
    const upgradeDir = engineSql(CAMUNDA_TO, path.join(work, CAMUNDA_TO)).upgrade;
    say(`  PostgreSQL on 127.0.0.1:${pg.port} with the ${CAMUNDA_FROM} schema`);

    lb = await HaproxyFront.start(path.join(work, 'haproxy'), nodes.map((n) => n.nodeId));
    const worldFaults: { neverHealthy?: string } = {};
    const launcher = {
      start: (nodeId: string, version: string) => EngineProcess.start({
        nodeId, version, classpath: classpath[version], classDir, jdbcUrl: `jdbc:postgresql://127.0.0.1:${pg!.port}/camunda`, jdbcUser: pg!.user, logDir: path.join(logDir, 'engines'),
        jobExecutor: !(worldFaults.neverHealthy === nodeId && version === CAMUNDA_TO),
      }),
    };
    agent = new FleetAgent(harness, lb, launcher, nodes, targetGroupArn, subnet);
    await agent.boot();
    say(`  ${nodes.length} engines on ${CAMUNDA_FROM} behind HAProxy ${lb.url}`);

    const synth = await synthesis;
    say(`  synthesized ${synth.stackName} in ${(synth.durationMs / 1000).toFixed(1)} s`);
    const rig = await deploy(moto, harness, synth, work, pg.port);
    const findings = aslFindings(rig.model.definition);
    for (const f of findings) say(`  contract: ${f}`);
    const setupMs = Date.now() - t0;
    say(`  deployed into moto; ${rig.model.tasks.length} task states (setup ${(setupMs / 1000).toFixed(1)} s)`);

    const seam = new SchemaTaskSeam(harness, db, upgradeDir);
    const run = (name: string, input: Record<string, unknown>, faults: FaultSpec[] = []) => runCamundaExecution({
      root: ROOT, name, model: rig.model, endpoint: moto!.endpoint, region: REGION, stateMachineArn: rig.stateMachineArn, input, faults,
      seamHooks: [seam.hooks, agent!.hooks], http: agent!.get, logDir, say: () => undefined,
    });
    if (options.faults) {
      const faults = await runCamundaFaultMatrix({
        model: rig.model, harness, agent, seam, worldFaults, nodes, targetGroupArn, lbUrl: lb.url, from: CAMUNDA_FROM, to: CAMUNDA_TO, run, say,
        psql: (sql) => pg!.psql(sql, 'camunda'),
      }, typeof options.faults === 'function' ? options.faults : undefined);
      const ok = findings.length === 0 && faults.asExpected === faults.runs;
      const report: CamundaRehearsalReport = {
        ok, durationMs: Date.now() - t0, setupMs, taskStates: rig.model.tasks.length, contractFindings: findings, guard: [], faults,
        simulated: CAMUNDA_SIMULATED, executorAdaptations: [POLL_INTERVAL_ADAPTATION],
      };
      fs.mkdirSync(outDir, { recursive: true });
      fs.writeFileSync(path.join(outDir, 'camunda-faults-report.json'), JSON.stringify(report, null, 2) + '\n');
      say(`RESULT: ${faults.asExpected}/${faults.runs} fault runs as expected in ${(faults.durationMs / 1000).toFixed(1)} s (setup ${(setupMs / 1000).toFixed(1)} s, total ${((Date.now() - t0) / 1000).toFixed(1)} s); report: ${path.join(outDir, 'camunda-faults-report.json')}`);
      return report;
    }
    const runReport = (name: string, r: CamundaExecutionResult, expected: string, problems: string[]): CamundaRunReport => {
      const outcome = outcomeOf(r.status, r.endState);
      return {
        name, outcome, asExpected: outcome === expected && problems.length === 0, ...(r.endState && { endState: r.endState }),
        ...(r.error && { error: { name: r.error.name, message: r.error.message.slice(0, 400) } }), problems, durationMs: r.durationMs, transitions: r.transitions, retries: r.retries,
      };
    };

    const guard: CamundaRunReport[] = [];
    for (const [what, version, reason] of [['skipped minor', '7.25.0', /skips 1 minor/], ['downgrade', '7.22.0', /is a downgrade/]] as const) {
      const r = await run(`guard-${what.replace(/ /g, '-')}-${Date.now()}`, { toImage: imageOf(version) });
      const problems = reason.test(r.error?.message ?? '') ? [] : [`ended with ${r.error?.name}: ${r.error?.message}, expected ${reason}`];
      if (seam.runs.length > 0 || agent.restarts.length > 0) problems.push('refused, but the schema or an engine was changed');
      guard.push(runReport(`guard-${what.replace(/ /g, '-')}`, r, 'refused', problems));
      say(`  ${guard.at(-1)!.asExpected ? '✔' : '✘'} guard ${what} ${CAMUNDA_FROM} -> ${version}: ${guard.at(-1)!.outcome} (${r.error?.message ?? ''})`);
    }

    say(`happy path: ${CAMUNDA_FROM} -> ${CAMUNDA_TO}, groups of 1, workload through HAProxy`);
    const workload = new Workload(lb.url);
    await workload.deploy();
    for (let i = 0; i < 5; i++) await workload.startOne();
    workload.phase = 'during';
    workload.run(2);
    agent.startPolling();
    const r = await run(`happy-${Date.now()}`, { toImage: imageOf(CAMUNDA_TO) });
    await workload.stop();
    await agent.stopPolling();
    const schemaLog = pg.psql('select VERSION_, count(*), max(TIMESTAMP_) from ACT_GE_SCHEMA_LOG group by VERSION_ order by VERSION_', 'camunda').trim().split('\n');
    const openInstances = Number(pg.psql("select count(*) from ACT_HI_PROCINST where PROC_DEF_KEY_ = 'rehearsal' and END_TIME_ is null", 'camunda').trim());
    const allInstances = Number(pg.psql("select count(*) from ACT_HI_PROCINST where PROC_DEF_KEY_ = 'rehearsal'", 'camunda').trim());
    const figures = happyPathFigures({ execution: r, workload, agent, seam, schemaLog, openInstances, allInstances, versions: agent.versions() });
    const happyPath = { ...runReport('happy-path', r, 'succeeded', happyPathProblems(figures, CAMUNDA_FROM, CAMUNDA_TO, nodes.map((n) => n.nodeId))), figures, stages: r.stages };
    for (const g of figures.groups) say(`  ${g.groupId} (${g.nodes.join(', ')}): ${(g.ms / 1000).toFixed(1)} s, drain ${g.drainMs} ms, ${g.fromVersion} -> ${g.toVersion}`);
    say(`  requests served ${figures.requests.served}, failed ${figures.requests.failed}; instances ${figures.instances.started} started, ${figures.instances.completed} completed, ${figures.instances.startedOldCompletedNew} started on ${CAMUNDA_FROM} and completed on ${CAMUNDA_TO}`);
    say(`  ${happyPath.asExpected ? '✔' : '✘'} happy path: ${happyPath.outcome} in ${(r.durationMs / 1000).toFixed(1)} s, ${r.transitions} transitions${happyPath.problems.length ? ` - ${happyPath.problems.join('; ')}` : ''}`);

    const ok = findings.length === 0 && happyPath.asExpected && guard.every((g) => g.asExpected);
    const report: CamundaRehearsalReport = {
      ok, durationMs: Date.now() - t0, setupMs, taskStates: rig.model.tasks.length, contractFindings: findings, guard, happyPath,
      simulated: CAMUNDA_SIMULATED, executorAdaptations: [POLL_INTERVAL_ADAPTATION],
    };
    fs.mkdirSync(outDir, { recursive: true });
    fs.writeFileSync(path.join(outDir, 'camunda-report.json'), JSON.stringify(report, null, 2) + '\n');
    say(`camunda rehearsal ${ok ? 'OK' : 'NOT OK'} in ${((Date.now() - t0) / 1000).toFixed(1)} s; report: ${path.join(outDir, 'camunda-report.json')}`);
    return report;
  } finally {
    await agent?.shutdown().catch(() => undefined);
    await lb?.stop().catch(() => undefined);
    await moto?.stop().catch(() => undefined);
    try { pg?.stop(); } catch { /* already gone */ }
    fs.rmSync(work, { recursive: true, force: true });
  }
}

async function deploy(moto: MotoServer, harness: ClientSet, synth: Awaited<ReturnType<typeof synthesize>>, work: string, pgPort: number): Promise<Rig> {
  const secretId = Object.entries(synth.template.Resources).find(([, r]) => r.Type === 'AWS::SecretsManager::Secret')?.[0] ?? '';
  const deployed = await deployStack({
    endpoint: moto.endpoint, clients: harness, synth, workDir: path.join(work, 'assets'),
    secretValues: { [secretId]: { username: 'camunda', password: 'rehearsal', host: '127.0.0.1', port: String(pgPort), dbname: 'camunda' } },
  });
  const model = buildModel(synth.template, {
    region: REGION, account: MOTO_ACCOUNT, resources: deployed.resources, parameters: deployed.parameters, substitutes: deployed.substitutes,
  }, handlerNames(synth.template));
  const machine = [...deployed.resources.values()].find((r) => r.type === 'AWS::StepFunctions::StateMachine');
  const stateMachineArn = machine?.physicalId.startsWith('arn:') ? machine.physicalId : `arn:aws:states:${REGION}:${MOTO_ACCOUNT}:stateMachine:${machine?.physicalId ?? 'camunda'}`;
  return { moto, model, stateMachineArn, harness, cluster: model.baked.cluster as unknown as EngineFleetContext };
}
