/**
 * The rehearsal of the rolling upgrade with replaceable resources (issue 10 items 2 and 6): synthesizes
 * tools/rehearsal/apps/replacing-app.ts (three servers and a spare slot in the per-server layout,
 * Neo4jRollingUpgrade with `serverReplacement: NEW_MEMBER_FIRST`), deploys it into moto (the shared deploy,
 * real boots) with ONE REAL Neo4j per running server, and runs the synthesized state machine with the real
 * handlers in the replacing world (replacing-world.ts): new members join for real (a real Neo4j on the
 * slot's claimed volume), server management is the emulator driven by the real state (SIMULATED), the store
 * copy is the harness's (SIMULATED), while a client workload writes and reads as a routing driver would.
 * Writes rehearsal/replacing-report.json (or replacing-never-joins-report.json for the world fault).
 * `family: '4.4'`: the same app built as a Neo4j 4.4 causal cluster (REPLACING_44_FROM -> REPLACING_44_TO, each
 * image played by the 5.26 LTS stand-in), its membership the emulator's causal model driven by the real state
 * (causal-member-cluster.ts, causal-member-bolt.ts); writes replacing-4.4[-never-joins]-report.json.
 */
import '../polyfill';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MotoServer } from '../../moto';
import { ApiCallCounter } from '../aws-clients';
import { runExecution } from '../executor';
import { REPO_ROOT } from '../index';
import { NEO4J_LTS_VERSION } from '../../neo4j-embedded';
import {
  FROM, PER_SERVER_REAL, PerServerApp, PerServerReport, ROLLING_REGION, TO, executionSummary, image, setUpRolling, tearDownPerServer, writeRehearsalReport,
} from '../rolling/index';
import { expectedOrder } from '../rolling/rolling-verdict';
import { ServerSet } from '../rolling/server-set';
import { ClientWorkload } from '../workload/client-workload';
import { ReplacingRouting } from './replacing-routing';
import { ReplacingFigures, replacingFigures, replacingProblems } from './replacing-verdict';
import { ReplacingFamily, ReplacingWorld } from './replacing-world';

export const REPLACING_APP = path.join(REPO_ROOT, 'tools', 'rehearsal', 'apps', 'replacing-app.ts');
/** The servers the app's cluster runs (its slots: one more, the spare). */
export const REPLACING_SERVERS = 3;

/** The 4.4 roll (`--family 4.4`): a later 4.4 patch; both played by the 5.26 LTS stand-in (neo4j-player.ts versionFor). */
export const REPLACING_44_FROM = '4.4.39';
export const REPLACING_44_TO = '4.4.40';

/** A family's roll (from -> to) and the app's setup for it (the happy path's and the fault matrix's). */
export function replacingRoll(family: ReplacingFamily): { from: string; to: string; app: PerServerApp } {
  const causal = family === '4.4';
  const [from, to] = causal ? [REPLACING_44_FROM, REPLACING_44_TO] : [FROM, TO];
  return {
    from, to,
    app: { app: REPLACING_APP, from, boltUri: 'bolt://neo4j.replacing.internal:7687', running: REPLACING_SERVERS, ...(causal && { context: { neo4jVersionFamily: '4.4' } }) },
  };
}

/** The world fault "a replacement instance that never joins": the first new member runs but is never discovered. */
export type ReplacingFault = 'never-joins';

export interface ReplacingRehearsalOptions {
  readonly outDir?: string;
  readonly fault?: ReplacingFault;
  /** Default '5' (FROM -> TO). */
  readonly family?: ReplacingFamily;
  readonly progress?: (line: string) => void;
}

export interface ReplacingRehearsalReport extends PerServerReport {
  readonly fault?: ReplacingFault;
  readonly family: ReplacingFamily;
  readonly figures: ReplacingFigures;
  readonly copies: ReplacingWorld['copies'];
}

export async function rehearseReplacing(options: ReplacingRehearsalOptions = {}): Promise<ReplacingRehearsalReport> {
  const t0 = Date.now();
  const say = options.progress ?? ((line: string) => console.log(line));
  if (!fs.existsSync(REPLACING_APP)) {
    throw new Error(`${path.relative(REPO_ROOT, REPLACING_APP)} does not exist: it needs the library's serverReplacement on Neo4jRollingUpgrade and the spare slot of Neo4jCluster`);
  }
  const outDir = path.resolve(options.outDir ?? path.join(REPO_ROOT, 'rehearsal'));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'replacing-rehearsal-'));
  let moto: MotoServer | undefined;
  let servers: ServerSet | undefined;
  const family = options.family ?? '5';
  const causal = family === '4.4';
  const { from, to, app } = replacingRoll(family);
  try {
    let password = '';
    // The first new member takes the spare slot: the lowest number no volume holds, N + 1.
    const neverJoins = options.fault === 'never-joins' ? new Set([REPLACING_SERVERS + 1]) : undefined;
    const setup = await setUpRolling(work, say,
      (...a) => new ReplacingWorld(...a, { get password() { return password; }, workDir: path.join(work, 'members'), family, ...(neverJoins && { neverJoins }) }),
      app);
    ({ moto, servers } = setup);
    password = setup.password;
    const w = setup.world as ReplacingWorld;
    const d = setup.deployment;
    const setupMs = Date.now() - t0;
    say(`  setup ${(setupMs / 1000).toFixed(1)} s`);
    await w.formCluster();

    const readBack: string[] = [];
    const workload = new ClientWorkload({ uri: servers.boltUri(1), password, router: new ReplacingRouting(w), readBackUris: readBack });
    say(`  replacing the ${causal ? '4.4 causal ' : ''}servers ${from} -> ${to} with the client workload${options.fault ? ` (world fault: ${options.fault})` : ''}`);
    const gatePasses: Array<{ state: string; at: number }> = [];
    const gateStates = new Set(d.model.tasks.filter((t) => t.handler === 'health-gate').map((t) => t.stateName));
    const result = await runExecution({
      root: REPO_ROOT, name: `replacing-${Date.now()}`, model: d.model, world: w, endpoint: moto.endpoint, region: ROLLING_REGION,
      stateMachineArn: d.stateMachineArn, input: { dockerImage: image(to) }, faults: [], decide: async () => 'approve', progress: say,
      logDir: path.join(outDir, 'logs'), counter: new ApiCallCounter(), harness: d.harness, regions: [ROLLING_REGION], memoryMb: d.memoryMb,
      observe: (e) => {
        const ev = e as { type?: string; state?: { name: string }; timestamp?: number };
        if (ev.type === 'StateExited' && ev.state && gateStates.has(ev.state.name)) gatePasses.push({ state: ev.state.name, at: ev.timestamp ?? Date.now() });
      },
    });
    await w.idle();
    await w.sync(); // retirements the execution's last step made
    readBack.push(...w.liveUris());
    const workloadResult = await workload.stop();
    const figures = replacingFigures({
      original: w.original, events: w.memberCluster.events, retired: servers.retirements, samples: w.samples,
      finalStores: await w.finalStores(), workload: workloadResult, worldErrors: [...w.worldErrors, ...w.memberCluster.errors],
      startedAt: Date.parse(result.report.startedAt), endedAt: Date.now(), gatePasses, family,
    });
    const problems = replacingProblems(figures, result.report, {
      outcome: options.fault === 'never-joins' ? 'rolled-back' : 'succeeded', original: w.original,
      order: expectedOrder(w.original, w.original[0]), target: to, markers: 100, family,
    });
    const s = (ms: number | undefined) => (ms === undefined ? '-' : `+${(ms / 1000).toFixed(1)} s`);
    for (const r of figures.replacements) {
      if (causal) {
        say(`  server ${r.old} -> ${r.new ?? 'none'}: discovered ${s(r.discoveredAtMs)}, copy online ${s(r.copyOnlineAtMs)}, joined ${s(r.enabledAtMs)}, ` +
          `old down (retired) ${s(r.retiredAtMs)}, left the overview ${s(r.deallocatedAtMs)}, gate passed ${s(r.gatePassedAtMs)}; ` +
          `client meanwhile: ${r.client.failedAttempts} failed attempts, ${r.client.retried} retried, ${r.client.lost} lost`);
        continue;
      }
      say(`  server ${r.old} -> ${r.new ?? 'none'}: discovered ${s(r.discoveredAtMs)}, enabled ${s(r.enabledAtMs)}, copy online ${s(r.copyOnlineAtMs)}, ` +
        `deallocated ${s(r.deallocatedAtMs)}, drained ${s(r.drainedAtMs)}, dropped ${s(r.droppedAtMs)}, retired ${s(r.retiredAtMs)}; ` +
        `client meanwhile: ${r.client.failedAttempts} failed attempts, ${r.client.retried} retried, ${r.client.lost} lost`);
    }
    say(`  order ${figures.order.join(', ') || 'none'}; ${causal ? 'members' : 'enabled members'} hosting neo4j >= ${figures.minEnabledHosting ?? '?'}, members <= ${figures.maxMembers ?? '?'} (${figures.samples} samples); client: ${JSON.stringify(figures.client)}`);
    const report: ReplacingRehearsalReport = {
      ok: problems.length === 0, problems, durationMs: Date.now() - t0, setupMs, from, to, family,
      ...(options.fault && { fault: options.fault }),
      execution: executionSummary(result.report), figures, copies: w.copies,
      simulated: [...w.simulated.values()],
      real: [
        `${REPLACING_SERVERS} embedded Neo4j servers (Community) at ${causal ? `${NEO4J_LTS_VERSION} (standing in for ${from})` : from}, each its own store and port; ` +
          `each new member a real Neo4j at ${causal ? `${NEO4J_LTS_VERSION} (standing in for ${to})` : to} started on the store of the volume its instance claimed`,
        'the nodes\' boot scripts (claim-data-volume.sh, claim-server-number.sh) against moto with the aws CLI, new instances included',
        ...PER_SERVER_REAL,
      ],
    };
    const name = ['replacing', ...(causal ? ['4.4'] : []), ...(options.fault ? [options.fault] : [])].join('-');
    return writeRehearsalReport(outDir, name, report, say);
  } finally {
    await tearDownPerServer(servers, moto, work);
  }
}
