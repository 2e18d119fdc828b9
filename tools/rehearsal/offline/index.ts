/**
 * The rehearsal of the offline upgrade (issue 10 item 4, docs/offline-upgrade.md): synthesizes
 * tools/rehearsal/apps/offline-app.ts (three servers in the per-server layout at the 5.26 LTS and
 * Neo4jOfflineUpgrade), deploys it into moto with the rolling rehearsal's setup, and runs the synthesized
 * state machine with the shared executor and the real handlers to the newest calendar version in the
 * offline world (offline-world.ts): ONE REAL Neo4j per server, stopped when its node is scaled in, started
 * on the store of the volume its node claims (a copy of the migrated store for the others), while the
 * rolling rehearsal's client workload writes and reads. Writes rehearsal/offline-report.json.
 */
import '../polyfill';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import neo4j from 'neo4j-driver';
import { NEO4J_LTS_VERSION, NEO4J_NEWEST_VERSION } from '../../neo4j-embedded';
import { ApiCallCounter } from '../aws-clients';
import { ExecutionResult, runExecution } from '../executor';
import { REPO_ROOT } from '../index';
import { executionSummary, image, PER_SERVER_REAL, ROLLING_REGION, PerServerReport, setUpRolling, tearDownPerServer, writeRehearsalReport } from '../rolling';
import { ServerSet } from '../rolling/server-set';
import { ClientWorkload } from '../workload/client-workload';
import { offlineFigures, OfflineFigures, offlineProblems } from './offline-verdict';
import { storeAccess } from './database-access';
import { OfflineRouting } from './offline-routing';
import { OfflineWorld, ServerStart } from './offline-world';
import { storeEvidence } from './store-evidence';
import { StoreVolumes } from './store-volumes';
import type { MotoServer } from '../../moto';

export const OFFLINE_APP = path.join(REPO_ROOT, 'tools', 'rehearsal', 'apps', 'offline-app.ts');
/** 5.26 LTS -> the newest calendar version: a path the plan runs offline while the V5 family is on discovery v1. */
export const FROM = NEO4J_LTS_VERSION;
export const TO = NEO4J_NEWEST_VERSION;

export interface OfflineRehearsalReport extends PerServerReport {
  readonly execution: PerServerReport['execution'] & { snapshots: ExecutionResult['report']['snapshots'] };
  readonly figures: OfflineFigures;
  /** Every start of a server's task: its volume, store, unbind mark and what start-neo4j.sh called. */
  readonly starts: ServerStart[];
}

async function markerNodes(uri: string, password: string): Promise<number> {
  const driver = neo4j.driver(uri, neo4j.auth.basic('neo4j', password), { disableLosslessIntegers: true });
  try {
    const session = driver.session({ defaultAccessMode: neo4j.session.READ });
    try {
      return Number((await session.run('MATCH (n:RehearsalMarker) RETURN count(n) AS c')).records[0].get('c'));
    } finally { await session.close(); }
  } finally { await driver.close(); }
}

export async function rehearseOffline(options: { outDir?: string; progress?: (line: string) => void } = {}): Promise<OfflineRehearsalReport> {
  const t0 = Date.now();
  const say = options.progress ?? ((line: string) => console.log(line));
  const outDir = path.resolve(options.outDir ?? path.join(REPO_ROOT, 'rehearsal'));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'offline-rehearsal-'));
  let moto: MotoServer | undefined;
  let servers: ServerSet | undefined;
  try {
    const setup = await setUpRolling(work, say, (...a) => new OfflineWorld(...a), { app: OFFLINE_APP, from: FROM, boltUri: 'bolt://neo4j.offline.internal:7687' });
    ({ moto, servers } = setup);
    const { deployment: d, password, count } = setup;
    const w = setup.world as OfflineWorld;
    const set = servers;
    const stores = new StoreVolumes(d.harness, path.join(work, 'volumes'));
    w.adoptFirstStores(stores, await w.parameters());
    const seededMarkers = set.server(1).player.seededNodes;
    const setupMs = Date.now() - t0;
    say(`  setup ${(setupMs / 1000).toFixed(1)} s; volumes: ${stores.all().map((s) => `${s.volumeId} -> ${s.dir}`).join(', ')}`);

    const routing = new OfflineRouting(w);
    const workload = new ClientWorkload({ uri: set.boltUri(1), password, router: routing, readBackUris: routing.readBackUris() });
    say(`  offline upgrade ${FROM} -> ${TO} with the client workload`);
    const result = await runExecution({
      root: REPO_ROOT, name: `offline-${Date.now()}`, model: d.model, world: w, endpoint: moto.endpoint, region: ROLLING_REGION, stateMachineArn: d.stateMachineArn,
      input: { dockerImage: image(TO) }, faults: [], decide: async () => 'approve', progress: say, logDir: path.join(outDir, 'logs'),
      counter: new ApiCallCounter(), harness: d.harness, regions: [ROLLING_REGION], memoryMb: d.memoryMb,
    });
    await w.idle();
    const workloadResult = await workload.stop();
    const finalServers = await Promise.all(set.servers.map(async (s) => ({
      server: s.index, dataDir: s.dataDir, ...(s.player.runningVersion && { version: s.player.runningVersion }),
      ...(set.isUp(s.index) && { markerNodes: await markerNodes(s.player.boltUri, password) }),
    })));
    const inputs = {
      report: result.report, outages: set.outages, starts: w.starts, copies: stores.copies,
      stores: stores.all().map((s) => ({ volumeId: s.volumeId, evidence: storeEvidence(s.dir) })),
      finalServers, seededMarkers, workload: workloadResult, target: TO, worldErrors: w.worldErrors,
      finalAccess: set.servers.map((s) => ({ server: s.index, access: storeAccess(s.dataDir) })),
    };
    const figures = offlineFigures(inputs);
    const problems = offlineProblems(figures, inputs);
    for (const s of figures.stages) say(`  ${s.name}: ${((s.durationMs ?? NaN) / 1000).toFixed(1)} s; client: ${s.failedWrites} failed write attempts, ${s.failedReads} failed reads, ${s.lostWrites} writes given up`);
    for (const s of figures.servers) say(`  server ${s.server}: down +${(s.downAtMs / 1000).toFixed(1)} s, up ${s.upAtMs === undefined ? 'never' : `+${(s.upAtMs / 1000).toFixed(1)} s (${((s.downMs ?? 0) / 1000).toFixed(1)} s)`} on ${s.image}`);
    say(`  migrations: ${JSON.stringify(figures.migrations)}`);
    say(`  copies: ${JSON.stringify(figures.copies)}`);
    say(`  retained stores: ${JSON.stringify(figures.retainedStores)}; client: ${JSON.stringify(figures.client)}`);
    say(`  write freeze: ${JSON.stringify(figures.freeze)}; access at the end: ${JSON.stringify(figures.finalAccess)}`);
    const report: OfflineRehearsalReport = {
      ok: problems.length === 0, problems, durationMs: Date.now() - t0, setupMs, from: FROM, to: TO,
      execution: { ...executionSummary(result.report), snapshots: result.report.snapshots },
      figures, starts: w.starts, simulated: [...w.simulated.values()],
      real: [
        `${count} embedded Neo4j servers (Community), each on the store of the volume its node claimed; the migrating server restarted at ${TO} on its own store (a real store upgrade), the others started at ${TO} on copies of that store`,
        'the nodes\' boot scripts (claim-data-volume.sh, claim-server-number.sh with the unbind mark) and start-neo4j.sh (stand-in entrypoint) with the aws CLI against moto',
        ...PER_SERVER_REAL,
      ],
    };
    return writeRehearsalReport(outDir, 'offline', report, say);
  } finally {
    await tearDownPerServer(servers, moto, work);
  }
}
