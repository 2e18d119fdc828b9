/**
 * The rehearsal of the rolling upgrade with replaceable resources (issue 10 items 2 and 6): synthesizes
 * tools/rehearsal/apps/replacing-app.ts (three servers and a spare slot in the per-server layout,
 * Neo4jRollingUpgrade with `serverReplacement: NEW_MEMBER_FIRST`), deploys it into moto (the shared deploy,
 * real boots) with ONE REAL Neo4j per running server, and runs the synthesized state machine with the real
 * handlers in the replacing world (replacing-world.ts): new members join for real (a real Neo4j on the
 * slot's claimed volume), server management is the emulator driven by the real state (SIMULATED), the store
 * copy is the harness's (SIMULATED), while a client workload writes and reads as a routing driver would.
 * Writes rehearsal/replacing-report.json (or replacing-never-joins-report.json for the world fault).
 */
import '../polyfill';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MotoServer } from '../../moto';
import { ApiCallCounter } from '../aws-clients';
import { runExecution } from '../executor';
import { REPO_ROOT } from '../index';
import {
  FROM, PER_SERVER_REAL, PerServerReport, ROLLING_REGION, TO, executionSummary, image, setUpRolling, tearDownPerServer, writeRehearsalReport,
} from '../rolling/index';
import { expectedOrder } from '../rolling/rolling-verdict';
import { ServerSet } from '../rolling/server-set';
import { ClientWorkload } from '../workload/client-workload';
import { ReplacingRouting } from './replacing-routing';
import { ReplacingFigures, replacingFigures, replacingProblems } from './replacing-verdict';
import { ReplacingWorld } from './replacing-world';

export const REPLACING_APP = path.join(REPO_ROOT, 'tools', 'rehearsal', 'apps', 'replacing-app.ts');
/** The servers the app's cluster runs (its slots: one more, the spare). */
export const REPLACING_SERVERS = 3;

/** The world fault "a replacement instance that never joins": the first new member runs but is never discovered. */
export type ReplacingFault = 'never-joins';

export interface ReplacingRehearsalOptions {
  readonly outDir?: string;
  readonly fault?: ReplacingFault;
  readonly progress?: (line: string) => void;
}

export interface ReplacingRehearsalReport extends PerServerReport {
  readonly fault?: ReplacingFault;
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
  try {
    let password = '';
    // The first new member takes the spare slot: the lowest number no volume holds, N + 1.
    const neverJoins = options.fault === 'never-joins' ? new Set([REPLACING_SERVERS + 1]) : undefined;
    const setup = await setUpRolling(work, say,
      (...a) => new ReplacingWorld(...a, { get password() { return password; }, workDir: path.join(work, 'members'), ...(neverJoins && { neverJoins }) }),
      { app: REPLACING_APP, from: FROM, boltUri: 'bolt://neo4j.replacing.internal:7687', running: REPLACING_SERVERS });
    ({ moto, servers } = setup);
    password = setup.password;
    const w = setup.world as ReplacingWorld;
    const d = setup.deployment;
    const setupMs = Date.now() - t0;
    say(`  setup ${(setupMs / 1000).toFixed(1)} s`);
    await w.formCluster();

    const readBack: string[] = [];
    const workload = new ClientWorkload({ uri: servers.boltUri(1), password, router: new ReplacingRouting(w), readBackUris: readBack });
    say(`  replacing the servers ${FROM} -> ${TO} with the client workload${options.fault ? ` (world fault: ${options.fault})` : ''}`);
    const result = await runExecution({
      root: REPO_ROOT, name: `replacing-${Date.now()}`, model: d.model, world: w, endpoint: moto.endpoint, region: ROLLING_REGION,
      stateMachineArn: d.stateMachineArn, input: { dockerImage: image(TO) }, faults: [], decide: async () => 'approve', progress: say,
      logDir: path.join(outDir, 'logs'), counter: new ApiCallCounter(), harness: d.harness, regions: [ROLLING_REGION], memoryMb: d.memoryMb,
    });
    await w.idle();
    await w.sync(); // retirements the execution's last step made
    readBack.push(...w.liveUris());
    const workloadResult = await workload.stop();
    const figures = replacingFigures({
      original: w.original, events: w.memberCluster.events, retired: servers.retirements, samples: w.samples,
      finalStores: await w.finalStores(), workload: workloadResult, worldErrors: [...w.worldErrors, ...w.memberCluster.errors],
      startedAt: Date.parse(result.report.startedAt), endedAt: Date.now(),
    });
    const problems = replacingProblems(figures, result.report, {
      outcome: options.fault === 'never-joins' ? 'rolled-back' : 'succeeded', original: w.original,
      order: expectedOrder(w.original, w.original[0]), target: TO, markers: 100,
    });
    const s = (ms: number | undefined) => (ms === undefined ? '-' : `+${(ms / 1000).toFixed(1)} s`);
    for (const r of figures.replacements) {
      say(`  server ${r.old} -> ${r.new ?? 'none'}: discovered ${s(r.discoveredAtMs)}, enabled ${s(r.enabledAtMs)}, copy online ${s(r.copyOnlineAtMs)}, ` +
        `deallocated ${s(r.deallocatedAtMs)}, drained ${s(r.drainedAtMs)}, dropped ${s(r.droppedAtMs)}, retired ${s(r.retiredAtMs)}; ` +
        `client meanwhile: ${r.client.failedAttempts} failed attempts, ${r.client.retried} retried, ${r.client.lost} lost`);
    }
    say(`  order ${figures.order.join(', ') || 'none'}; enabled members hosting neo4j >= ${figures.minEnabledHosting ?? '?'}, members <= ${figures.maxMembers ?? '?'} (${figures.samples} samples); client: ${JSON.stringify(figures.client)}`);
    const report: ReplacingRehearsalReport = {
      ok: problems.length === 0, problems, durationMs: Date.now() - t0, setupMs, from: FROM, to: TO,
      ...(options.fault && { fault: options.fault }),
      execution: executionSummary(result.report), figures, copies: w.copies,
      simulated: [...w.simulated.values()],
      real: [
        `${REPLACING_SERVERS} embedded Neo4j servers (Community) at ${FROM}, each its own store and port; each new member a real Neo4j at ${TO} started on the store of the volume its instance claimed`,
        'the nodes\' boot scripts (claim-data-volume.sh, claim-server-number.sh) against moto with the aws CLI, new instances included',
        ...PER_SERVER_REAL,
      ],
    };
    return writeRehearsalReport(outDir, options.fault ? `replacing-${options.fault}` : 'replacing', report, say);
  } finally {
    await tearDownPerServer(servers, moto, work);
  }
}
