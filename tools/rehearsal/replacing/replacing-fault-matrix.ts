/**
 * Runs the replacing fault matrix (replacing-faults.ts): the app synthesized and deployed into moto with one
 * REAL Neo4j per server, as the replacing rehearsal (index.ts), ONE setup for every run that leaves the
 * cluster as it found it (refused, refused after the lock, rolled back with nothing replaced forward, the
 * world fault). Between those runs the world is reset (fault-run-reset.ts: the stack's parameters back to the
 * baseline, the lock and its records deleted; the client's nodes deleted from every store). A run that
 * replaces a server (success, "not undone", a rollback that replaces servers back, a failed rollback) cannot
 * be reset: those run after the others, each in a world of its own (a new setup). A server replaced back
 * is a new member started at the pre-upgrade image in a free slot (replacing-world.ts joinBooted: the slot's
 * image decides the version; store-copy.ts copies the data over Bolt, whatever the versions).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import neo4j from 'neo4j-driver';
import { ApiCallCounter } from '../aws-clients';
import { runExecution } from '../executor';
import { deleteLockAndRecords, restoreBaselineParameters } from '../fault-run-reset';
import { REPO_ROOT } from '../index';
import { image, ROLLING_REGION, RollingSetup, setUpRolling } from '../rolling/index';
import { faultFiringProblem, FaultRunReport, FaultMatrixOptions, FaultMatrixSummary } from '../task-state-faults';
import { FAULT_RUN_WAIT_COMPLETION } from '../wait-episodes';
import { ClientWorkload, WORKLOAD_LABEL } from '../workload/client-workload';
import { REPLACING_SERVERS, replacingRoll } from './index';
import { leftWith, MEMBER_LISTED, MemberAtEnd, ReplacingOutcome, replacingOutcomeOf, replacingRunProblems } from './replacing-fault-verdict';
import { CausalMemberCluster } from './causal-member-cluster';
import { MemberCluster, ReplacingMembership } from './member-cluster';
import { buildReplacingFaultMatrix, ReplacingFaultRun } from './replacing-faults';
import { ReplacingRouting } from './replacing-routing';
import { replacingFigures } from './replacing-verdict';
import { ReplacingFamily, ReplacingWorld } from './replacing-world';

/** Marker nodes every store holds from the setup. */
const MARKERS = 100;

export interface ReplacingFaultRunReport extends Omit<FaultRunReport, 'outcome' | 'expected'> {
  readonly expected: ReplacingOutcome;
  readonly outcome: ReplacingOutcome;
  /** Including its reset, or the setup of its own world. */
  readonly wallMs: number;
  readonly ownWorld: boolean;
  readonly leftWith: string;
  /** AWS API calls the execution's handlers made. */
  readonly apiCalls: number;
  readonly client: { committed: number; retried: number; failedAttempts: number; lost: number; acknowledgedMissing: number };
}

export interface ReplacingFaultMatrixReport extends FaultMatrixSummary<ReplacingFaultRunReport> {
  readonly setups: number;
}

export interface ReplacingFaultOptions extends FaultMatrixOptions<ReplacingFaultRun> {
  /** Default '5'; '4.4': the app built as a Neo4j 4.4 causal cluster, as the happy path's (index.ts replacingRoll). */
  readonly family?: ReplacingFamily;
}

interface MatrixWorld {
  readonly setup: RollingSetup;
  readonly world: ReplacingWorld;
  readonly work: string;
  /** The world fault's switch: slots whose new member is never discovered. */
  readonly neverJoins: Set<number>;
  readonly baseline: Record<string, string>;
  readonly family: ReplacingFamily;
}

/**
 * A new world; `synthesized`: the app as the first world synthesized it (its cdk.out stays until the matrix
 * ends). A deploy whose setup failed is set up again, once; its directory goes to `leftovers`. Nodes that
 * claimed one server number twice stop the matrix: claim-server-number.sh's claim is atomic (an SSM ledger),
 * so a duplicate is a defect, not a race to retry (it was retried while the script raced).
 */
async function newWorld(
  family: ReplacingFamily, log: (line: string) => void, leftovers: string[], synthesized?: RollingSetup['synth'], retry = true,
): Promise<MatrixWorld> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'replacing-faults-'));
  leftovers.push(work);
  const neverJoins = new Set<number>();
  let password = '';
  const setup = await setUpRolling(work, log,
    (...a) => new ReplacingWorld(...a, { get password() { return password; }, workDir: path.join(work, 'members'), neverJoins, family }),
    { ...replacingRoll(family).app, ...(synthesized && { synthesized }) },
  ).catch((e: Error) => {
    // A setup can fail for the machine's sake (a free port taken by another process before Neo4j bound it): once more.
    if (!retry || !synthesized) throw e;
    log(`  the setup failed (${e.message.slice(0, 200)}); set up again`);
    return undefined;
  });
  if (!setup) return newWorld(family, log, leftovers, synthesized, false);
  password = setup.password;
  const numbers = setup.deployment.world.fleet.boots.filter((b) => b.ok).map((b) => b.server);
  if (new Set(numbers).size !== REPLACING_SERVERS || numbers.length !== REPLACING_SERVERS) {
    await setup.servers.stop();
    await setup.moto.stop().catch(() => undefined);
    throw new Error(`the nodes claimed server numbers ${numbers.join(', ')}, not one each of 1..${REPLACING_SERVERS}`);
  }
  const world = setup.world as ReplacingWorld;
  await world.formCluster();
  return { setup, world, work, neverJoins, baseline: await world.recordParameters(), family };
}

export async function rehearseReplacingFaults(options: ReplacingFaultOptions = {}): Promise<ReplacingFaultMatrixReport> {
  const t0 = Date.now();
  const say = options.say ?? ((line: string) => console.log(line));
  const outDir = path.resolve(options.outDir ?? path.join(REPO_ROOT, 'rehearsal'));
  const logDir = path.join(outDir, 'logs', 'replacing-faults');
  fs.mkdirSync(logDir, { recursive: true });
  const setupLog = (line: string) => fs.appendFileSync(path.join(logDir, 'setup.log'), line + '\n');
  let current: MatrixWorld | undefined;
  let first: MatrixWorld | undefined;
  const leftovers: string[] = [];
  let setups = 0;
  const simulated = new Map<string, { what: string; why: string; count: number }>();
  const keepSimulated = (w: ReplacingWorld) => { for (const [k, v] of w.simulated) simulated.set(k, { ...v, count: (simulated.get(k)?.count ?? 0) + v.count }); };
  try {
    const family = options.family ?? '5';
    const { from, to } = replacingRoll(family);
    current = first = await newWorld(family, setupLog, leftovers);
    setups++;
    const all = buildReplacingFaultMatrix(current.setup.deployment.model);
    const runs = options.filter ? options.filter(all) : all;
    say(`replacing fault matrix: ${runs.length} of ${all.length} runs, ${family === '4.4' ? '4.4 causal cluster ' : ''}${from} -> ${to}, setup ${((Date.now() - t0) / 1000).toFixed(1)} s; logs ${logDir}`);
    say(`  runs: ${runs.map((r) => r.name).join(', ')}`);
    const results: ReplacingFaultRunReport[] = [];
    let dirty = false;
    for (const run of runs) {
      const wallStart = Date.now();
      const ownWorld = dirty;
      if (dirty) {
        keepSimulated(current.world);
        await closeWorld(current);
        current = undefined;
        current = await newWorld(family, setupLog, leftovers, first.setup.synth);
        setups++;
      }
      const r = await runOnce(current, run, logDir);
      if (run.resettable && r.asExpected) await resetWorld(current);
      else dirty = true;
      const done: ReplacingFaultRunReport = { ...r, ownWorld, wallMs: Date.now() - wallStart };
      results.push(done);
      fs.appendFileSync(path.join(logDir, 'results.jsonl'), JSON.stringify(done) + '\n'); // a matrix cut short keeps its runs
      say(`  ${done.asExpected ? 'ok  ' : 'FAIL'} ${done.name}: ${done.outcome}${done.endState ? ` at "${done.endState}"` : ''} (expected ${done.expected}; faults ${done.fired}/${done.injected} fired; `
        + `${(done.durationMs / 1000).toFixed(1)} s, ${done.transitions} transitions, ${done.apiCalls} API calls${ownWorld ? ', own world' : ''}; client ${done.client.committed} committed, ${done.client.retried} retried, `
        + `${done.client.lost} lost, ${done.client.acknowledgedMissing} missing) left with ${done.leftWith}${done.problems.length ? ` - ${done.problems.join('; ')}` : ''}`);
    }
    keepSimulated(current.world);
    const asExpected = results.filter((r) => r.asExpected).length;
    const report: ReplacingFaultMatrixReport = {
      ok: asExpected === results.length && results.length > 0, runs: results.length, asExpected, setups, durationMs: Date.now() - t0, results, simulated: [...simulated.values()],
    };
    fs.writeFileSync(path.join(outDir, 'replacing-fault-matrix.json'), JSON.stringify(report, null, 2) + '\n');
    printMatrix(report, say);
    return report;
  } finally {
    if (current) await closeWorld(current);
    for (const dir of leftovers) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Stops a world's servers and moto; its directory goes at the end (the first world's holds the synthesized app). */
async function closeWorld(m: MatrixWorld): Promise<void> {
  await m.setup.servers.stop();
  await m.setup.moto.stop().catch(() => undefined);
}

async function runOnce(m: MatrixWorld, run: ReplacingFaultRun, logDir: string): Promise<Omit<ReplacingFaultRunReport, 'wallMs' | 'ownWorld'>> {
  const { setup, world: w, family } = m;
  const { servers, deployment: d, moto } = setup;
  const { from, to } = replacingRoll(family);
  const before = {
    events: w.memberCluster.events.length, samples: w.samples.length, retired: servers.retirements.length,
    worldErrors: w.worldErrors.length, memberErrors: w.memberCluster.errors.length,
  };
  if (run.world === 'never-joins') m.neverJoins.add(REPLACING_SERVERS + 1); // the first new member takes the spare slot, N + 1
  const readBack: string[] = [];
  const workload = new ClientWorkload({ uri: servers.boltUri(1), password: setup.password, router: new ReplacingRouting(w), readBackUris: readBack });
  const runLog = path.join(logDir, `${run.name}.log`);
  let result;
  try {
    result = await runExecution({
      root: REPO_ROOT, name: `${run.name}-${Date.now()}`.slice(0, 80), model: d.model, world: w, endpoint: moto.endpoint, region: ROLLING_REGION,
      stateMachineArn: d.stateMachineArn, input: { dockerImage: image(to) }, faults: run.faults, decide: async () => 'approve',
      progress: (l) => fs.appendFileSync(runLog, l + '\n'), logDir, counter: new ApiCallCounter(), harness: d.harness, regions: [ROLLING_REGION],
      memoryMb: d.memoryMb, waitCompletion: FAULT_RUN_WAIT_COMPLETION,
    });
    await w.idle();
    await w.sync(); // retirements the execution's last step made
  } finally {
    m.neverJoins.clear();
  }
  readBack.push(...w.liveUris());
  const wr = await workload.stop();
  const rep = result.report;
  const startedAt = Date.parse(rep.startedAt);
  const figures = replacingFigures({
    original: w.original, events: w.memberCluster.events.slice(before.events), retired: servers.retirements.slice(before.retired),
    samples: w.samples.slice(before.samples), finalStores: await w.finalStores(), workload: wr,
    worldErrors: [...w.worldErrors.slice(before.worldErrors), ...w.memberCluster.errors.slice(before.memberErrors)], startedAt, endedAt: Date.now(), family,
  });
  const ended = [...rep.volumes.renamed, ...rep.volumes.created];
  const renamed = { old: ended.filter((v) => (v.name ?? '').endsWith('-old')).length, failed: ended.filter((v) => (v.name ?? '').endsWith('-failed')).length };
  const members = membersAtEnd(w.memberCluster, (server) => w.servers.has(server) && w.servers.isUp(server));
  const outcome = replacingOutcomeOf(rep.status, rep.endState);
  const look = {
    outcome, volumesDeleted: rep.volumes.deleted.map((v) => v.volumeId), snapshotsDeleted: rep.snapshots.deleted.map((s) => s.snapshotId),
    renamed, lockHeldAtEnd: rep.lock.heldAtEnd, figures, members, faultFiring: faultFiringProblem(run.faults, result.fired),
  };
  const problems = replacingRunProblems(look, {
    outcome: run.expect, replaced: run.replaced, original: w.original, from, to, markers: MARKERS, family,
  });
  if (run.world === 'never-joins' && figures.replacements.some((r) => r.discoveredAtMs !== undefined)) problems.push('the new member that never joins was discovered');
  return {
    name: run.name, expected: run.expect, outcome, asExpected: problems.length === 0, ...(rep.endState && { endState: rep.endState }),
    ...(rep.error && { error: { name: rep.error.name, message: rep.error.message.slice(0, 300) } }), problems,
    fired: result.fired.length + (run.world ? 1 : 0), injected: run.faults.length + (run.world ? 1 : 0),
    durationMs: rep.durationMs, transitions: rep.counts.stateTransitions, apiCalls: rep.counts.awsApiCalls, leftWith: leftWith(look),
    client: {
      committed: wr.transactions.filter((t) => t.outcome === 'committed').length, retried: wr.transactions.filter((t) => t.attempts > 1).length,
      failedAttempts: wr.attempts.filter((a) => a.failure).length, lost: wr.transactions.filter((t) => t.outcome === 'lost').length,
      acknowledgedMissing: wr.readBack.acknowledgedMissing.length,
    },
  };
}

/**
 * Every server the cluster lists at the end, with whether its real Neo4j runs (pure): 5.x its SHOW SERVERS
 * state (Dropped ones vanish); 4.4 every member in `dbms.cluster.overview()` (a left one vanishes), state
 * MEMBER_LISTED, hosting the databases it has online.
 */
export function membersAtEnd(c: ReplacingMembership, running: (server: number) => boolean): MemberAtEnd[] {
  const listed = c instanceof CausalMemberCluster
    ? c.emulator.members.map((m) => ({ address: m.address, state: MEMBER_LISTED, hosting: [...m.copies].filter(([, x]) => x.status === 'online').map(([db]) => db) }))
    : (c as MemberCluster).emulator.servers.map((s) => ({ address: s.address, state: s.state, hosting: [...s.copies.keys()] }));
  return listed.map(({ address, state, hosting }) => {
    const server = c.indexOf(address) ?? -1;
    return { server, state, running: running(server), hosting };
  }).sort((a, b) => a.server - b.server);
}

/** The world as the next run must find it (a run that left the cluster as it found it). */
async function resetWorld(m: MatrixWorld): Promise<void> {
  const { world, setup } = m;
  const d = setup.deployment;
  await restoreBaselineParameters(world, d.harness, m.baseline);
  await world.idle();
  await deleteLockAndRecords(d.harness, String(d.model.baked.settings.lockParameterName ?? ''));
  for (const uri of world.liveUris()) {
    const driver = neo4j.driver(uri, neo4j.auth.basic('neo4j', setup.password));
    try {
      await driver.executeQuery(`MATCH (w:${WORKLOAD_LABEL}) DETACH DELETE w`, {}, { database: 'neo4j', routing: neo4j.routing.WRITE });
    } finally {
      await driver.close();
    }
  }
}

function printMatrix(report: ReplacingFaultMatrixReport, say: (line: string) => void): void {
  const width = Math.max(...report.results.map((r) => r.name.length), 4);
  say('');
  say(`${'run'.padEnd(width)}  ${'expected'.padEnd(18)}  ${'outcome'.padEnd(18)}  fired  committed  lost  ${'s'.padStart(6)}  verdict`);
  for (const r of report.results) {
    say(`${r.name.padEnd(width)}  ${r.expected.padEnd(18)}  ${r.outcome.padEnd(18)}  ${`${r.fired}/${r.injected}`.padEnd(5)}  ${String(r.client.committed).padEnd(9)}  `
      + `${String(r.client.lost + r.client.acknowledgedMissing).padEnd(4)}  ${(r.wallMs / 1000).toFixed(1).padStart(6)}  ${r.asExpected ? 'ok' : `FAIL: ${r.problems.join('; ')}`}`);
  }
  say(`RESULT ${report.ok ? 'OK' : 'NOT OK'}: ${report.asExpected}/${report.runs} runs as expected in ${(report.durationMs / 1000).toFixed(1)} s (${report.setups} setups)`);
}
