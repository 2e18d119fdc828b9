/**
 * The rehearsal of the rolling upgrade on fixed servers (issue 10 item 6): synthesizes
 * tools/rehearsal/apps/rolling-app.ts (three servers in the per-server layout and Neo4jRollingUpgrade),
 * deploys it into moto (the shared deploy: real template, real boots with claim-data-volume.sh and
 * claim-server-number.sh), and runs the synthesized state machine with the shared executor and the real
 * handlers in the per-server world (rolling-world.ts): ONE REAL Neo4j per server, restarted on its own store
 * at the new version when its service's image changes, while a client workload routed as a routing driver
 * would (rolling-routing.ts) writes and reads. Writes rehearsal/rolling-report.json.
 */
import '../polyfill';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NEO4J_LTS_OLDER_PATCH_VERSION, NEO4J_LTS_VERSION } from '../../neo4j-embedded';
import { MotoServer } from '../../moto';
import { ApiCallCounter } from '../aws-clients';
import { ExecutionResult, runExecution } from '../executor';
import { deploy, Deployment, REPO_ROOT, secretValuesFor, upgradedCredentials } from '../index';
import { startRehearsalMoto } from '../moto-server';
import { synthesize, SynthResult } from '../synth';
import { ClientWorkload, WorkloadResult } from '../workload/client-workload';
import { ServerLayout } from './cluster-state';
import { RollingRouting } from './rolling-routing';
import { RollingWorld } from './rolling-world';
import { rollingFigures, RollingFigures, rollingProblems } from './rolling-verdict';
import { ServerSet } from './server-set';

export const ROLLING_APP = path.join(REPO_ROOT, 'tools', 'rehearsal', 'apps', 'rolling-app.ts');
export const ROLLING_REGION = 'us-east-1';
const REGION = ROLLING_REGION;
export const image = (version: string) => `neo4j:${version}-enterprise`;
/** A patch roll within 5.26: the app's cluster starts at FROM; both speak discovery v1 (a rollable pair). */
export const FROM = NEO4J_LTS_OLDER_PATCH_VERSION;
export const TO = NEO4J_LTS_VERSION;

export interface RollingRehearsalOptions {
  readonly outDir?: string;
  /** The version the servers start at (default FROM) and the one they roll to (default TO); a calendar `to` puts the app's cluster on discovery v2. */
  readonly from?: string;
  readonly to?: string;
  readonly progress?: (line: string) => void;
}

/** What every per-server rehearsal's report holds, besides its own figures. */
export interface PerServerReport {
  readonly ok: boolean;
  readonly problems: string[];
  readonly durationMs: number;
  readonly setupMs: number;
  readonly from: string;
  readonly to: string;
  readonly execution: Pick<ExecutionResult['report'], 'status' | 'endState' | 'error' | 'durationMs' | 'volumes' | 'counts'>;
  readonly simulated: Array<{ what: string; why: string; count: number }>;
  readonly real: string[];
}

export interface RollingRehearsalReport extends PerServerReport {
  readonly figures: RollingFigures;
}

/** The servers of the per-server layout from the baked cluster context (groups `server<N>` and their services). */
export function layoutOf(cluster: Record<string, unknown>): ServerLayout[] {
  const groups = (cluster.groups ?? []) as Array<{ role?: string; serviceName?: string; ecsServiceName?: string }>;
  return groups
    .map((g) => ({ n: /^server(\d+)$/.exec(String(g.role ?? ''))?.[1], serviceName: String(g.serviceName ?? g.ecsServiceName ?? '') }))
    .filter((g): g is { n: string; serviceName: string } => g.n !== undefined)
    .map((g) => ({ index: Number(g.n), serviceName: g.serviceName, role: 'primary' as const }))
    .sort((a, b) => a.index - b.index);
}

/** The per-server count the template declares (its `Server<N>Image` parameters), before anything is deployed. */
function serverCount(synth: SynthResult): number {
  return Object.keys(synth.stacks.flatMap((s) => Object.keys(s.template.Parameters ?? {})).reduce((m, k) => (/Server\d+Image$/.test(k) ? { ...m, [k]: 1 } : m), {})).length;
}

/** The per-server world, set up once: the app synthesized, ONE real Neo4j per server at FROM, deployed into moto. */
export interface RollingSetup {
  readonly moto: MotoServer;
  readonly servers: ServerSet;
  readonly deployment: Deployment;
  readonly world: RollingWorld;
  readonly password: string;
  readonly count: number;
  readonly synth: SynthResult;
}

/** The per-server app a rehearsal deploys: its file, the version its servers start at, the gates' Bolt URI. */
export interface PerServerApp {
  readonly app: string;
  readonly from: string;
  readonly boltUri: string;
  /** More CDK context for the app (e.g. `neo4jDiscoveryVersion`). */
  readonly context?: Record<string, string>;
  /** How many servers run at the start (slots 1..n); default every slot (a spare slot starts empty). */
  readonly running?: number;
  /** The app as already synthesized (a fault matrix's next world; its cdk.out must outlive that world): not synthesized again. */
  readonly synthesized?: SynthResult;
}
const ROLLING: PerServerApp = { app: ROLLING_APP, from: FROM, boltUri: 'bolt://neo4j.rolling.internal:7687' };

/** Makes the world of the deployment (RollingWorld, or one that plays world faults). */
export type RollingWorldFactory = (...args: ConstructorParameters<typeof RollingWorld>) => RollingWorld;

/** Synthesizes, starts the servers and moto, deploys. On failure it stops what it started; else the caller stops `moto` and `servers`. */
export async function setUpRolling(
  work: string, say: (line: string) => void, makeWorld: RollingWorldFactory = (...a) => new RollingWorld(...a), app: PerServerApp = ROLLING,
): Promise<RollingSetup> {
  const log = (line: string) => say(`    ${line}`);
  const context = { neo4jBoltUri: app.boltUri, neo4jFromVersion: app.from, ...app.context };
  const synth = app.synthesized ?? await synthesize({ root: REPO_ROOT, app: app.app, context, outdir: path.join(work, 'cdk.out'), log });
  if (!app.synthesized) say(`  synthesized ${synth.stackName} in ${(synth.durationMs / 1000).toFixed(1)} s`);
  const secretValues = secretValuesFor(synth);
  const password = upgradedCredentials(synth, secretValues).password ?? 'rehearsal-password';
  const count = serverCount(synth);
  // moto first, then the servers: started together on a loaded machine, moto missed its 60 s start budget.
  const moto = await startRehearsalMoto();
  const servers = await ServerSet.start(app.running ?? count, image(app.from), work, password, log).catch(async (e: Error) => {
    await moto.stop().catch(() => undefined);
    throw e;
  });
  try {
    say(`  ${app.running ?? count} real Neo4j ${app.from} servers up (one store each)`);
    let world: RollingWorld | undefined;
    const deployment = await deploy(moto, synth, path.join(work, 'assets'), secretValues, undefined, log, (fleet, harness, cluster, l, settings, baked) => {
      const layout = layoutOf(baked);
      if (layout.length !== count) throw new Error(`the state machine's cluster has servers ${JSON.stringify(layout)}, the template ${count} image parameters`);
      world = makeWorld(fleet, harness, cluster, l, servers, layout, settings);
      return world;
    });
    say(`  deployed into moto, ${deployment.world.fleet.boots.filter((b) => b.ok).length} nodes booted (servers ${deployment.world.fleet.boots.map((b) => b.server).join(', ')})`);
    return { moto, servers, deployment, world: world as unknown as RollingWorld, password, count, synth };
  } catch (e) {
    await servers.stop();
    await moto.stop().catch(() => undefined);
    throw e;
  }
}

export async function rehearseRolling(options: RollingRehearsalOptions = {}): Promise<RollingRehearsalReport> {
  const t0 = Date.now();
  const from = options.from ?? FROM;
  const to = options.to ?? TO;
  const say = options.progress ?? ((line: string) => console.log(line));
  const outDir = path.resolve(options.outDir ?? path.join(REPO_ROOT, 'rehearsal'));
  const logDir = path.join(outDir, 'logs');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rolling-rehearsal-'));
  let moto: MotoServer | undefined;
  let servers: ServerSet | undefined;
  try {
    // 5.26 rolls to a calendar version only on discovery v2: the app's cluster is built with it for such a roll.
    const discovery: Record<string, string> = /^20\d\d\./.test(to) ? { neo4jDiscoveryVersion: 'V2' } : {};
    const setup = await setUpRolling(work, say, undefined, { ...ROLLING, from, context: discovery });
    ({ moto, servers } = setup);
    const { deployment: d, world: w, password, count } = setup;
    const set = servers;
    const setupMs = Date.now() - t0;
    say(`  setup ${(setupMs / 1000).toFixed(1)} s`);

    const routing = new RollingRouting(w);
    const workload = new ClientWorkload({ uri: set.boltUri(1), password, router: routing, readBackUris: routing.readBackUris() });
    const gatePasses: Array<{ state: string; at: number }> = [];
    const gateStates = new Set(d.model.tasks.filter((t) => t.handler === 'health-gate').map((t) => t.stateName));
    const name = `rolling-${Date.now()}`;
    say(`  rolling ${from} -> ${to} with the client workload`);
    const result = await runExecution({
      root: REPO_ROOT, name, model: d.model, world: w, endpoint: moto.endpoint, region: REGION, stateMachineArn: d.stateMachineArn,
      input: { dockerImage: image(to) }, faults: [], decide: async () => 'approve', progress: say, logDir,
      counter: new ApiCallCounter(), harness: d.harness, regions: [REGION], memoryMb: d.memoryMb,
      observe: (e) => {
        const ev = e as { type?: string; state?: { name: string }; timestamp?: number };
        if (ev.type === 'StateExited' && ev.state && gateStates.has(ev.state.name)) gatePasses.push({ state: ev.state.name, at: ev.timestamp ?? Date.now() });
      },
    });
    const workloadResult: WorkloadResult = await workload.stop();
    const figures = rollingFigures({ servers: set, world: w, gatePasses, workload: workloadResult, startedAt: Date.parse(result.report.startedAt) });
    const problems = rollingProblems(figures, result.report, to);
    for (const s of figures.servers) {
      say(`  server ${s.server}${s.leaderAtStart ? ' (leader)' : ''}: down +${(s.downAtMs / 1000).toFixed(1)} s for ${(s.downMs / 1000).toFixed(1)} s, gate passed +${((s.gatePassedAtMs ?? NaN) / 1000).toFixed(1)} s, ${s.version}; client meanwhile: ${s.client.failedAttempts} failed attempts, ${s.client.retried} retried, ${s.client.lost} lost`);
    }
    say(`  order ${figures.order.join(', ')} (expected ${figures.expectedOrder.join(', ')}), at most ${figures.maxDownAtOnce} down at once; client: ${JSON.stringify(figures.client)}`);
    const report: RollingRehearsalReport = {
      ok: problems.length === 0, problems, durationMs: Date.now() - t0, setupMs, from, to,
      execution: executionSummary(result.report),
      figures,
      simulated: [...w.simulated.values()],
      real: [
        `${count} embedded Neo4j servers (Community), each its own store and port, restarted one by one at ${to} on its own store (marker nodes read back)`,
        'the nodes\' boot scripts (claim-data-volume.sh, claim-server-number.sh) against moto with the aws CLI',
        ...PER_SERVER_REAL,
      ],
    };
    return writeRehearsalReport(outDir, 'rolling', report, say);
  } finally {
    await tearDownPerServer(servers, moto, work);
  }
}

/** What is real in every per-server rehearsal, besides its servers and boots. */
export const PER_SERVER_REAL = [
  'the synthesized state machine and its handlers (aws-local-stepfunctions, logic in-process) against moto_server',
  'the client\'s Bolt transactions, against the real servers',
];

/** The execution's outcome and counts, as the per-server reports give them. */
export function executionSummary(r: ExecutionResult['report']): RollingRehearsalReport['execution'] {
  return {
    status: r.status, ...(r.endState && { endState: r.endState }), ...(r.error && { error: r.error }),
    durationMs: r.durationMs, volumes: r.volumes, counts: r.counts,
  };
}

/** Writes `<outDir>/<kind>-report.json` and says how the rehearsal ended. */
export function writeRehearsalReport<R extends { ok: boolean; problems: string[]; durationMs: number }>(outDir: string, kind: string, report: R, say: (line: string) => void): R {
  const file = path.join(outDir, `${kind}-report.json`);
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  say(`${kind} rehearsal ${report.ok ? 'OK' : `NOT OK: ${report.problems.join('; ')}`} in ${(report.durationMs / 1000).toFixed(1)} s; report: ${file}`);
  return report;
}

/** Stops what setUpRolling started (either may be absent: the setup failed) and removes the work directory. */
export async function tearDownPerServer(servers: ServerSet | undefined, moto: MotoServer | undefined, work: string): Promise<void> {
  await servers?.stop();
  await moto?.stop().catch(() => undefined);
  fs.rmSync(work, { recursive: true, force: true });
}
