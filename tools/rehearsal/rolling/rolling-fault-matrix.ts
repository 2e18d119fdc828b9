/**
 * Runs the rolling fault matrix (rolling-faults.ts) on ONE per-server world: the app synthesized and
 * deployed into moto and one REAL Neo4j per server started once (restarts are the cost, ~25 s each on a
 * loaded machine). Every run: the real state machine and handlers with the run's faults, a client workload
 * routed as a routing driver would, a real restart of each server the run rolls (forward or back). Runs that
 * fail before the first server's update restart nothing. Between runs the harness resets the world: the
 * stack's parameters back to the baseline (servers not on the starting image restart there, for real), the
 * lock and its records deleted, the client's nodes deleted from every store (each run reads back its own).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import neo4j from 'neo4j-driver';
import { outcomeOf } from '../arango/arango-verdict';
import { ApiCallCounter } from '../aws-clients';
import { runExecution } from '../executor';
import { REPO_ROOT } from '../index';
import { deleteLockAndRecords, restoreBaselineParameters } from '../fault-run-reset';
import { FaultRunReport, faultFiringProblem, FaultMatrixOptions, FaultMatrixSummary } from '../task-state-faults';
import { FAULT_RUN_WAIT_COMPLETION } from '../wait-episodes';
import { ClientWorkload, WORKLOAD_LABEL } from '../workload/client-workload';
import { FROM, image, ROLLING_REGION, RollingSetup, setUpRolling, TO } from './index';
import { RollingFaultWorld } from './rolling-fault-world';
import { rollingRunProblems } from './rolling-fault-verdict';
import { buildRollingFaultMatrix, RollingFaultRun } from './rolling-faults';
import { effectiveImage } from './rolling-world';
import { RollingRouting } from './rolling-routing';
import { maxDownAtOnce } from './server-set';

export interface RollingFaultRunReport extends FaultRunReport {
  /** Including the reset after it. */
  readonly wallMs: number;
  /** Real Neo4j restarts during the run, and during the reset after it. */
  readonly restarts: { run: number; reset: number };
  readonly client: { committed: number; retried: number; failedAttempts: number; lost: number; acknowledgedMissing: number };
}

export interface RollingFaultMatrixReport extends FaultMatrixSummary<RollingFaultRunReport> {
  readonly setupMs: number;
}

export type RollingFaultOptions = FaultMatrixOptions<RollingFaultRun>;

export async function rehearseRollingFaults(options: RollingFaultOptions = {}): Promise<RollingFaultMatrixReport> {
  const t0 = Date.now();
  const say = options.say ?? ((line: string) => console.log(line));
  const outDir = path.resolve(options.outDir ?? path.join(REPO_ROOT, 'rehearsal'));
  const logDir = path.join(outDir, 'logs', 'rolling-faults');
  fs.mkdirSync(logDir, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rolling-faults-'));
  const setupLog = path.join(logDir, 'setup.log');
  let setup: RollingSetup | undefined;
  try {
    setup = await setUpRolling(work, (l) => fs.appendFileSync(setupLog, l + '\n'), (...a) => new RollingFaultWorld(...a));
    const setupMs = Date.now() - t0;
    const all = buildRollingFaultMatrix(setup.deployment.model);
    const runs = options.filter ? options.filter(all) : all;
    say(`rolling fault matrix: ${runs.length} of ${all.length} runs, ${FROM} -> ${TO}, ${setup.count} real Neo4j servers started once (setup ${(setupMs / 1000).toFixed(1)} s); logs ${logDir}`);
    say(`  runs: ${runs.map((r) => r.name).join(', ')}`);
    const baseline = await setup.world.recordParameters();
    const results: RollingFaultRunReport[] = [];
    for (const run of runs) {
      const r = await runOnce(setup, run, logDir);
      const resetStart = Date.now();
      const resetRestarts = await resetWorld(setup, baseline);
      const done: RollingFaultRunReport = { ...r, wallMs: r.durationMs + Date.now() - resetStart, restarts: { ...r.restarts, reset: resetRestarts } };
      results.push(done);
      fs.appendFileSync(path.join(logDir, 'results.jsonl'), JSON.stringify(done) + '\n'); // a matrix cut short keeps its runs
      say(`  ${done.asExpected ? 'ok  ' : 'FAIL'} ${done.name}: ${done.outcome}${done.endState ? ` at "${done.endState}"` : ''} (expected ${done.expected.join('|')}; fault ${done.fired}/${done.injected} fired; `
        + `${(done.durationMs / 1000).toFixed(1)} s, ${done.transitions} transitions; restarts ${done.restarts.run} + ${done.restarts.reset} reset; client ${done.client.committed} committed, `
        + `${done.client.retried} retried, ${done.client.lost} lost, ${done.client.acknowledgedMissing} missing)${done.problems.length ? ` - ${done.problems.join('; ')}` : ''}`);
    }
    const asExpected = results.filter((r) => r.asExpected).length;
    const report: RollingFaultMatrixReport = {
      ok: asExpected === results.length && results.length > 0, runs: results.length, asExpected, setupMs, durationMs: Date.now() - t0, results,
      simulated: [...setup.world.simulated.values()],
    };
    fs.writeFileSync(path.join(outDir, 'rolling-fault-matrix.json'), JSON.stringify(report, null, 2) + '\n');
    printMatrix(report, say);
    return report;
  } finally {
    await setup?.servers.stop();
    await setup?.moto.stop().catch(() => undefined);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

async function runOnce(setup: RollingSetup, run: RollingFaultRun, logDir: string): Promise<Omit<RollingFaultRunReport, 'wallMs'>> {
  const { world, servers, deployment: d, moto } = setup;
  const w = world as RollingFaultWorld;
  const outagesBefore = servers.outages.length;
  const worldErrorsBefore = w.worldErrors.length;
  const stuckBefore = { answers: w.stuckAnswers, history: w.stuckHistory.length };
  if (run.world === 'database-stays-starting') w.stuckStartingArmed = true;
  const routing = new RollingRouting(w);
  const workload = new ClientWorkload({ uri: servers.boltUri(1), password: setup.password, router: routing, readBackUris: routing.readBackUris() });
  const runLog = path.join(logDir, `${run.name}.log`);
  const name = `${run.name}-${Date.now()}`.slice(0, 80);
  let result;
  try {
    result = await runExecution({
      root: REPO_ROOT, name, model: d.model, world: w, endpoint: moto.endpoint, region: ROLLING_REGION, stateMachineArn: d.stateMachineArn,
      input: { dockerImage: image(TO) }, faults: run.faults, decide: async () => 'approve', progress: (l) => fs.appendFileSync(runLog, l + '\n'),
      logDir, counter: new ApiCallCounter(), harness: d.harness, regions: [ROLLING_REGION], memoryMb: d.memoryMb, waitCompletion: FAULT_RUN_WAIT_COMPLETION,
    });
  } finally {
    w.stuckStartingArmed = false;
  }
  const wr = await workload.stop();
  const rep = result.report;
  const outcome = outcomeOf(rep.status, rep.endState);
  const dockerImage = w.cluster.dockerImageParameter;
  const layout = w.state.layout;
  const stuck = w.stuckHistory.slice(stuckBefore.history);
  const lost = wr.transactions.filter((t) => t.outcome === 'lost').length;
  const problems = rollingRunProblems({
    outcome, expected: run.expect,
    volumesDeleted: rep.volumes.deleted.map((v) => v.volumeId), snapshotsDeleted: rep.snapshots.deleted.map((s) => s.snapshotId),
    lockHeldAtEnd: rep.lock.heldAtEnd,
    images: Object.fromEntries(layout.map((s) => [s.index, effectiveImage(rep.finalParameters, dockerImage, s.index)])),
    versions: Object.fromEntries(layout.map((s) => [s.index, servers.isUp(s.index) ? servers.server(s.index).player.runningVersion : undefined])),
    maxDownAtOnce: maxDownAtOnce(servers.outages.slice(outagesBefore)),
    client: { lost, acknowledgedMissing: wr.readBack.acknowledgedMissing.length, committedWrites: wr.transactions.filter((t) => t.op === 'write' && t.outcome === 'committed').length },
    faultFiring: faultFiringProblem(run.faults, result.fired),
    ...(run.world && { stuck: { answers: w.stuckAnswers - stuckBefore.answers, released: stuck.length > 0 && stuck.every((s) => s.released) } }),
    worldErrors: w.worldErrors.slice(worldErrorsBefore),
  }, { fromImage: image(FROM), toImage: image(TO), fromVersion: FROM, toVersion: TO });
  return {
    name: run.name, outcome, expected: run.expect, asExpected: problems.length === 0, ...(rep.endState && { endState: rep.endState }),
    ...(rep.error && { error: { name: rep.error.name, message: rep.error.message.slice(0, 300) } }), problems,
    fired: result.fired.length + (run.world && stuck.length > 0 ? 1 : 0), injected: run.faults.length + (run.world ? 1 : 0),
    durationMs: rep.durationMs, transitions: rep.counts.stateTransitions,
    restarts: { run: servers.outages.length - outagesBefore, reset: 0 },
    client: {
      committed: wr.transactions.filter((t) => t.outcome === 'committed').length, retried: wr.transactions.filter((t) => t.attempts > 1).length,
      failedAttempts: wr.attempts.filter((a) => a.failure).length, lost, acknowledgedMissing: wr.readBack.acknowledgedMissing.length,
    },
  };
}

/** The world as the next run must find it; returns the real restarts it took. */
async function resetWorld(setup: RollingSetup, baseline: Record<string, string>): Promise<number> {
  const { world, servers, deployment: d } = setup;
  const outagesBefore = servers.outages.length;
  await restoreBaselineParameters(world, d.harness, baseline);
  await world.idle();
  await deleteLockAndRecords(d.harness, String(d.model.baked.settings.lockParameterName ?? ''));
  // A WRITE session (the handlers' connectBolt reads only).
  for (const s of servers.servers) {
    const driver = neo4j.driver(s.player.boltUri, neo4j.auth.basic('neo4j', setup.password));
    try {
      await driver.executeQuery(`MATCH (w:${WORKLOAD_LABEL}) DETACH DELETE w`, {}, { database: 'neo4j', routing: neo4j.routing.WRITE });
    } finally {
      await driver.close();
    }
  }
  return servers.outages.length - outagesBefore;
}

function printMatrix(report: RollingFaultMatrixReport, say: (line: string) => void): void {
  const width = Math.max(...report.results.map((r) => r.name.length), 4);
  say('');
  say(`${'run'.padEnd(width)}  ${'expected'.padEnd(18)}  ${'outcome'.padEnd(18)}  fired  restarts  lost  ${'s'.padStart(6)}  verdict`);
  for (const r of report.results) {
    say(`${r.name.padEnd(width)}  ${r.expected.join('|').padEnd(18)}  ${r.outcome.padEnd(18)}  ${`${r.fired}/${r.injected}`.padEnd(5)}  ${`${r.restarts.run}+${r.restarts.reset}`.padEnd(8)}  `
      + `${String(r.client.lost + r.client.acknowledgedMissing).padEnd(4)}  ${(r.wallMs / 1000).toFixed(1).padStart(6)}  ${r.asExpected ? 'ok' : `FAIL: ${r.problems.join('; ')}`}`);
  }
  say(`RESULT ${report.ok ? 'OK' : 'NOT OK'}: ${report.asExpected}/${report.runs} runs as expected in ${(report.durationMs / 1000).toFixed(1)} s (setup ${(report.setupMs / 1000).toFixed(1)} s)`);
}
