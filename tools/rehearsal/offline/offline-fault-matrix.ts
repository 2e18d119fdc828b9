/**
 * Runs the offline fault matrix (offline-faults.ts) on ONE offline world: the app synthesized and deployed
 * into moto and one REAL Neo4j per server started once. Every run: the real state machine and handlers with
 * the run's faults, the client workload, the servers stopped and started where the run's nodes put them (a
 * restoring rollback starts each on a store restored from its pre-upgrade snapshot, store-volumes.ts). A
 * rollback leaves the world at the starting version, on its own or restored stores: the next run starts
 * from there. Between runs: the stack's parameters back to the baseline if they differ, the lock and its
 * records deleted, the client's nodes deleted, the harness's snapshot copies deleted. A run that SUCCEEDED
 * leaves the world at the target (no reset undoes a migration): the runs after it are reported not run.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import neo4j from 'neo4j-driver';
import { outcomeOf } from '../arango/arango-verdict';
import { ApiCallCounter } from '../aws-clients';
import { runExecution } from '../executor';
import { deleteLockAndRecords, restoreBaselineParameters } from '../fault-run-reset';
import { REPO_ROOT } from '../index';
import { image, ROLLING_REGION, RollingSetup, setUpRolling } from '../rolling';
import { effectiveImage } from '../rolling/rolling-world';
import { FaultMatrixSummary, FaultRunReport, faultFiringProblem } from '../task-state-faults';
import { FAULT_RUN_WAIT_COMPLETION } from '../wait-episodes';
import { ClientWorkload, WORKLOAD_LABEL } from '../workload/client-workload';
import { storeAccess } from './database-access';
import { GivenUpTransaction, givenUpTransactions } from '../workload/declared-downtime';
import { FROM, OFFLINE_APP, TO } from './index';
import { offlineDeclaredDowntime } from './offline-declared-downtime';
import { OfflineFaultWorld } from './offline-fault-world';
import { offlineRunProblems } from './offline-fault-verdict';
import { buildOfflineFaultMatrix, endsUpgraded, OfflineFaultRun } from './offline-faults';
import { OfflineRouting } from './offline-routing';
import { writeFreezeFigures, WriteFreezeFigures } from './offline-verdict';
import { storeEvidence } from './store-evidence';
import { StoreVolumes } from './store-volumes';

export interface OfflineFaultRunReport extends FaultRunReport {
  readonly pastPointOfNoReturn: boolean;
  /**
   * lost: acknowledged writes missing that the run's path must keep (declared-downtime.ts); givenUp: never
   * acknowledged, inside / outside the procedure's declared downtime (the given-up ones listed in givenUpTransactions).
   */
  readonly client: {
    committed: number; failedAttempts: number; lost: number; givenUp: { duringDeclaredDowntime: number; outsideDeclaredDowntime: number };
    missingBeforeSnapshot: number; missingAfterSnapshot: number; givenUpTransactions: GivenUpTransaction[];
  };
  /** The downtime the procedure declares in this run (offline-declared-downtime.ts). */
  readonly declaredDowntime: Array<{ what: string; from: string; to: string; seconds: number }>;
  /** The write freeze as the client saw it (refused attempts, writes given up, the write-failure window). */
  readonly freeze: WriteFreezeFigures;
  /** Per server at the end: its volume, and the snapshot it was restored from. */
  readonly stores: Array<{ server: number; startVolumeId: string; endVolumeId?: string; restoredFrom?: string }>;
  readonly starts: number;
}

export interface OfflineFaultMatrixReport extends FaultMatrixSummary<OfflineFaultRunReport> {
  readonly notRun: string[];
  readonly setupMs: number;
}

interface OfflineSetup extends RollingSetup {
  readonly stores: StoreVolumes;
}

export async function rehearseOfflineFaults(options: { filter?: (runs: OfflineFaultRun[]) => OfflineFaultRun[]; outDir?: string; say?: (line: string) => void } = {}): Promise<OfflineFaultMatrixReport> {
  const t0 = Date.now();
  const say = options.say ?? ((line: string) => console.log(line));
  const outDir = path.resolve(options.outDir ?? path.join(REPO_ROOT, 'rehearsal'));
  const logDir = path.join(outDir, 'logs', 'offline-faults');
  fs.mkdirSync(logDir, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'offline-faults-'));
  let rolling: RollingSetup | undefined;
  try {
    rolling = await setUpRolling(work, (l) => fs.appendFileSync(path.join(logDir, 'setup.log'), l + '\n'), (...a) => new OfflineFaultWorld(...a),
      { app: OFFLINE_APP, from: FROM, boltUri: 'bolt://neo4j.offline.internal:7687' });
    const w = rolling.world as OfflineFaultWorld;
    const stores = new StoreVolumes(rolling.deployment.harness, path.join(work, 'volumes'));
    w.adoptFirstStores(stores, await w.parameters());
    const setup: OfflineSetup = { ...rolling, stores };
    const setupMs = Date.now() - t0;
    const all = buildOfflineFaultMatrix(setup.deployment.model);
    const runs = options.filter ? options.filter(all) : all;
    say(`offline fault matrix: ${runs.length} of ${all.length} runs, ${FROM} -> ${TO}, ${setup.count} real Neo4j servers (setup ${(setupMs / 1000).toFixed(1)} s); logs ${logDir}`);
    say(`  runs: ${runs.map((r) => r.name).join(', ')}`);
    const baseline = await w.recordParameters();
    const results: OfflineFaultRunReport[] = [];
    const notRun: string[] = [];
    for (const run of runs) {
      const succeededBefore = results.find((r) => endsUpgraded(r.outcome));
      if (succeededBefore) {
        notRun.push(run.name);
        say(`  not run ${run.name}: the world is at ${TO} after ${succeededBefore.name}`);
        continue;
      }
      const done = await runOnce(setup, run, logDir);
      await resetWorld(setup, baseline);
      results.push(done);
      fs.appendFileSync(path.join(logDir, 'results.jsonl'), JSON.stringify(done) + '\n'); // a matrix cut short keeps its runs
      say(`  ${done.asExpected ? 'ok  ' : 'FAIL'} ${done.name}: ${done.outcome}${done.endState ? ` at "${done.endState}"` : ''} (expected ${done.expected.join('|')}; faults ${done.fired}/${done.injected} fired; `
        + `${(done.durationMs / 1000).toFixed(1)} s, ${done.transitions} transitions, ${done.starts} server starts; client ${done.client.committed} committed, ${done.client.lost} lost, `
        + `${done.client.missingBeforeSnapshot} + ${done.client.missingAfterSnapshot} missing (before + after the pre-upgrade snapshots), write failures ${((done.freeze.writeFailureWindowMs ?? 0) / 1000).toFixed(1)} s, `
        + `${done.client.givenUp.duringDeclaredDowntime} + ${done.client.givenUp.outsideDeclaredDowntime} given up (inside + outside the declared downtime: ${declared(done)}))`
        + `${done.problems.length ? ` - ${done.problems.join('; ')}` : ''}`);
    }
    const asExpected = results.filter((r) => r.asExpected).length;
    const report: OfflineFaultMatrixReport = {
      ok: asExpected === results.length && results.length > 0, runs: results.length, asExpected, notRun, setupMs, durationMs: Date.now() - t0, results,
      simulated: [...w.simulated.values()],
    };
    fs.writeFileSync(path.join(outDir, 'offline-fault-matrix.json'), JSON.stringify(report, null, 2) + '\n');
    say(`RESULT ${report.ok ? 'OK' : 'NOT OK'}: ${asExpected}/${results.length} runs as expected, ${notRun.length} not run, in ${(report.durationMs / 1000).toFixed(1)} s (setup ${(setupMs / 1000).toFixed(1)} s)`);
    return report;
  } finally {
    await rolling?.servers.stop();
    await rolling?.moto.stop().catch(() => undefined);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

async function runOnce(setup: OfflineSetup, run: OfflineFaultRun, logDir: string): Promise<OfflineFaultRunReport> {
  const { servers, deployment: d, moto, stores } = setup;
  const w = setup.world as OfflineFaultWorld;
  const worldErrorsBefore = w.worldErrors.length;
  const startsBefore = w.starts.length;
  const stuckBefore = w.stuckAnswers;
  const startNodes = await w.serverNodes();
  w.arm(run.world);
  const routing = new OfflineRouting(w);
  const workload = new ClientWorkload({ uri: servers.boltUri(1), password: setup.password, router: routing, readBackUris: routing.readBackUris() });
  const runLog = path.join(logDir, `${run.name}.log`);
  const result = await runExecution({
    root: REPO_ROOT, name: `${run.name}-${Date.now()}`.slice(0, 80), model: d.model, world: w, endpoint: moto.endpoint, region: ROLLING_REGION, stateMachineArn: d.stateMachineArn,
    input: { dockerImage: image(TO) }, faults: run.faults, decide: async () => 'approve', progress: (l) => fs.appendFileSync(runLog, l + '\n'),
    logDir, counter: new ApiCallCounter(), harness: d.harness, regions: [ROLLING_REGION], memoryMb: d.memoryMb, waitCompletion: FAULT_RUN_WAIT_COMPLETION,
  });
  await w.idle();
  const servingAgainAt = Date.now();
  const wr = await workload.stop();
  const play = w.faultPlay();
  w.arm(undefined);
  const rep = result.report;
  const outcome = outcomeOf(rep.status, rep.endState);
  const layout = w.state.layout;
  const endNodes = await w.serverNodes();
  const serverStores = layout.map((s) => {
    const startVolumeId = startNodes.get(s.index)?.volumeId ?? '';
    const endVolumeId = endNodes.get(s.index)?.volumeId;
    const copy = stores.copies.find((c) => c.volumeId === endVolumeId);
    const dir = endVolumeId ? stores.dirOf(endVolumeId) : undefined;
    return {
      server: s.index, startVolumeId, ...(endVolumeId && { endVolumeId }),
      ...(copy && { restoredFrom: { snapshotId: copy.snapshotId, sourceVolumeId: copy.sourceVolumeId } }), ...(dir && { evidence: storeEvidence(dir) }),
    };
  });
  const preUpgrade = rep.snapshots.preUpgrade.map((s) => s.snapshotId);
  // A write acknowledged before its server's pre-upgrade snapshot began is in that snapshot.
  const snapshotFrom = Math.min(...stores.taken().filter((s) => preUpgrade.includes(s.snapshotId)).map((s) => s.startedAt));
  const ackAt = new Map(wr.transactions.map((t) => [t.tx, t.lastAttemptEndedAt]));
  const missing = wr.readBack.acknowledgedMissing;
  const missingBeforeSnapshot = missing.filter((tx) => (ackAt.get(tx) ?? Infinity) < snapshotFrom).length;
  const committedWrites = wr.transactions.filter((t) => t.op === 'write' && t.outcome === 'committed').length;
  // Acknowledged and missing, of any kind: the freeze holds from before the pre-upgrade snapshots.
  const lost = missing.length;
  const t0 = Date.parse(rep.startedAt ?? '') || 0;
  const freeze = writeFreezeFigures(wr, t0);
  // A write the freeze refused until the client gave up was never acknowledged: the freeze's window is declared downtime for writes.
  const freezeWindow = freeze.firstRefusedMs === undefined ? [] : [{ what: 'the write freeze (writes refused)', from: t0 + freeze.firstRefusedMs, to: t0 + (freeze.lastRefusedMs ?? freeze.firstRefusedMs) }];
  const downtime = [...offlineDeclaredDowntime(rep.stages, { rolledBack: outcome === 'rolled-back', servingAgainAt }), ...freezeWindow];
  const givenUp = givenUpTransactions(wr.attempts, wr.transactions, downtime);
  const problems = offlineRunProblems({
    outcome, expected: run.expect,
    volumesDeleted: rep.volumes.deleted.map((v) => v.volumeId), snapshotsDeleted: rep.snapshots.deleted.map((s) => s.snapshotId),
    lockHeldAtEnd: rep.lock.heldAtEnd, pastPointOfNoReturn: rep.pastPointOfNoReturn,
    images: Object.fromEntries(layout.map((s) => [s.index, effectiveImage(rep.finalParameters, w.cluster.dockerImageParameter, s.index)])),
    versions: Object.fromEntries(layout.map((s) => [s.index, servers.isUp(s.index) ? servers.server(s.index).player.runningVersion : undefined])),
    stores: serverStores, preUpgradeSnapshots: preUpgrade, volumesAfter: rep.inventory.after.volumes.map((v) => v.volumeId),
    client: { givenUpOutsideDowntime: givenUp.outsideDeclaredDowntime.length, committedWrites, missingBeforeSnapshot, missingAfterSnapshot: missing.length - missingBeforeSnapshot },
    frozenAtEnd: layout.filter((s) => servers.isUp(s.index) && Object.values(storeAccess(servers.server(s.index).dataDir)).some((a) => a !== 'read-write')).map((s) => s.index),
    faultFiring: faultFiringProblem(run.faults, result.fired),
    ...(play.fault && { world: { fault: play.fault, failedMigrations: play.failedMigrations, stuckAnswers: w.stuckAnswers - stuckBefore, released: play.released } }),
    worldErrors: w.worldErrors.slice(worldErrorsBefore),
  }, { fromImage: image(FROM), toImage: image(TO), fromVersion: FROM, toVersion: TO });
  const worldFired = play.fault === 'migration-fails' ? play.failedMigrations > 0 : play.fault ? w.stuckAnswers > stuckBefore : false;
  return {
    name: run.name, outcome, expected: run.expect, asExpected: problems.length === 0, ...(rep.endState && { endState: rep.endState }),
    ...(rep.error && { error: { name: rep.error.name, message: rep.error.message.slice(0, 300) } }), problems,
    fired: result.fired.length + (worldFired ? 1 : 0), injected: run.faults.length + (run.world ? 1 : 0),
    durationMs: rep.durationMs, transitions: rep.counts.stateTransitions, pastPointOfNoReturn: rep.pastPointOfNoReturn,
    client: {
      committed: wr.transactions.filter((t) => t.outcome === 'committed').length, failedAttempts: wr.attempts.filter((a) => a.failure).length, lost,
      givenUp: { duringDeclaredDowntime: givenUp.duringDeclaredDowntime.length, outsideDeclaredDowntime: givenUp.outsideDeclaredDowntime.length },
      missingBeforeSnapshot, missingAfterSnapshot: missing.length - missingBeforeSnapshot,
      givenUpTransactions: [...givenUp.duringDeclaredDowntime, ...givenUp.outsideDeclaredDowntime],
    },
    declaredDowntime: downtime.map((d) => ({ what: d.what, from: new Date(d.from).toISOString(), to: new Date(d.to).toISOString(), seconds: Math.round((d.to - d.from) / 100) / 10 })),
    freeze,
    stores: serverStores.map(({ server, startVolumeId, endVolumeId, restoredFrom }) => ({ server, startVolumeId, ...(endVolumeId && { endVolumeId }), ...(restoredFrom && { restoredFrom: restoredFrom.snapshotId }) })),
    starts: w.starts.length - startsBefore,
  };
}

const declared = (r: OfflineFaultRunReport) => r.declaredDowntime.map((d) => `${d.what} ${d.seconds} s`).join(', ') || 'none';

/** The world as the next run must find it: baseline parameters, no lock, no client nodes, no snapshot copies of the harness. */
async function resetWorld(setup: OfflineSetup, baseline: Record<string, string>): Promise<void> {
  const { world, servers, deployment: d } = setup;
  await restoreBaselineParameters(world, d.harness, baseline);
  await world.idle();
  await deleteLockAndRecords(d.harness, String(d.model.baked.settings.lockParameterName ?? ''));
  // A WRITE session (the handlers' connectBolt reads only).
  for (const s of servers.servers.filter((x) => servers.isUp(x.index))) {
    const driver = neo4j.driver(s.player.boltUri, neo4j.auth.basic('neo4j', setup.password));
    try {
      await driver.executeQuery(`MATCH (w:${WORKLOAD_LABEL}) DETACH DELETE w`, {}, { database: 'neo4j', routing: neo4j.routing.WRITE });
    } finally {
      await driver.close();
    }
  }
  setup.stores.dispose();
}
