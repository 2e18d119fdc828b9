/**
 * The rehearsal of the role-ordered upgrade (issue 12, seed 003): synthesizes tools/rehearsal/apps/arango-app.ts,
 * deploys its REAL template into moto_server, creates each server's data volume, and runs the synthesized
 * state machine with the real handlers against the ArangoDB emulator (tools/arangodb-emulator, a simulated
 * part): the happy path 3.3.23 -> 3.4.2 on 3 agents / 3 DB servers / 2 coordinators, the version guard's
 * refusals, and optionally the fault matrix (task-state faults from the definition plus the emulator's
 * world faults). Each run starts from a moto state snapshot and a fresh emulator. Writes
 * rehearsal/arango-report.json.
 */
import '../polyfill';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FaultRunReport } from '../task-state-faults';
import { CreateVolumeCommand } from '@aws-sdk/client-ec2';
import { SERVER_TAG } from '../../../lambda/shared/role-ordered-context';
import { ArangoEmulator, ServerFaults } from '../../arangodb-emulator';
import { storeVersionOf, parseVersion } from '../../arangodb-emulator/versions';
import { MotoServer } from '../../moto';
import { ApiCallCounter, ClientSet, MOTO_ACCOUNT } from '../aws-clients';
import { aslFindings, buildModel, MachineModel } from '../definition';
import { deployStack } from '../emulator';
import { handlerNames } from '../handlers';
import { inventory } from '../inventory';
import { startRehearsalMoto } from '../moto-server';
import { synthesize } from '../synth';
import { ARANGO_ENVIRONMENT, ARANGO_VOLUME_NAME } from '../apps/arango-app';
import { ArangoExecutionResult, HOOK_PREFIX, runArangoExecution } from './arango-executor';
import { ArangoOutcome, MotoLook, invariantProblems, orderProblems, outcomeOf } from './arango-verdict';
import { imageOf } from './emulator-server-actions';
import { buildArangoFaultMatrix, ArangoFaultRun } from './arango-faults';
import { newHookSwitches } from './hook-player';
import { MAP_ABORT_ADAPTATION } from '../map-abort';
import { ARANGO_FROM, ARANGO_TO } from './rehearsal-versions';

export { ARANGO_FROM, ARANGO_TO };
const REGION = 'us-east-1';
const ROOT = path.resolve(__dirname, '..', '..', '..');
export const ARANGO_APP = path.join(ROOT, 'tools', 'rehearsal', 'apps', 'arango-app.ts');

/** One run's world: emulator options, the input, what it must end as. */
export interface ArangoRunSpec {
  readonly name: string;
  readonly input: Record<string, unknown>;
  readonly faults?: ArangoFaultRun['faults'];
  readonly serverFaults?: Record<string, ServerFaults>;
  readonly maintenanceOnForSeconds?: number;
  readonly expect: ArangoOutcome[];
  /** The error the run must end with (guard runs: the refusal's reason). */
  readonly expectError?: RegExp;
}

export interface ArangoRunReport extends FaultRunReport {
  readonly retries: number;
  readonly emulatorEvents: number;
}

export interface ArangoRehearsalReport {
  readonly ok: boolean;
  readonly durationMs: number;
  readonly synthMs: number;
  readonly deployMs: number;
  readonly taskStates: number;
  readonly contractFindings: string[];
  readonly happyPath?: ArangoRunReport & {
    readonly order: Array<{ position: number; serverId: string; role: string; stoppedAt: string; upgradeRunExit: number | undefined; startedAt: string; gatePassedAt?: string; seconds: number }>;
    readonly maintenance: { onAt?: string; offAt?: string; seconds?: number; aroundServers: string[] };
    readonly stages: ArangoExecutionResult['stages'];
  };
  readonly guard: ArangoRunReport[];
  readonly faults?: { runs: number; asExpected: number; durationMs: number; results: ArangoRunReport[] };
  readonly simulated: Array<{ what: string; why: string }>;
  readonly executorAdaptations: Array<{ what: string; why: string }>;
}

export const ARANGO_ADAPTATIONS = [MAP_ABORT_ADAPTATION];

export const ARANGO_SIMULATED = [
  { what: 'ArangoDB itself: the ArangoDB emulator (tools/arangodb-emulator) answers the HTTP API the handlers call (version, agency config, cluster health, cluster inventory, maintenance with its expiry, auth) and plays process runs with arangod\'s exit codes', why: 'no ArangoDB server can be installed from the registries these machines reach' },
  { what: 'ECS process actions: stop / the one-off auto-upgrade run / start go to the emulator\'s control API (EmulatorServerActions) instead of ECS UpdateService/RunTask (EcsServerActions)', why: 'moto\'s ECS runs no containers; the emulator is what would run' },
  { what: 'the network: the app\'s server addresses (http://agent-1.arango.internal:8531, ...) resolve to the emulator\'s listeners (emulator-network.ts)', why: 'no service discovery in the rehearsal' },
  { what: 'a server starting on a volume restored from its pre-upgrade snapshot gets the store that snapshot holds (the emulator\'s data directory swapped)', why: 'moto volumes hold no data' },
  { what: 'the operator\'s hook functions (DC2DC replication, automatic restarts) are played as switches (hook-player.ts)', why: 'the emulator models neither arangosync nor the starter and systemd' },
];

async function motoLook(clients: ClientSet, lockParameterName: string): Promise<MotoLook> {
  const inv = await inventory(clients, [REGION], ARANGO_ENVIRONMENT, lockParameterName);
  return { volumeIds: inv.volumes.map((v) => v.volumeId), snapshotIds: inv.snapshots.map((s) => s.snapshotId), lockHolder: inv.lockHolder };
}

async function motoState(moto: MotoServer, action: 'snapshot' | 'restore', name: string): Promise<void> {
  const res = await fetch(`${moto.endpoint}/rehearsal-api/${action}?name=${encodeURIComponent(name)}`, { method: 'POST' });
  if (!res.ok) throw new Error(`moto ${action} ${name}: ${res.status} ${await res.text()}`);
}

/** Library handlers by their description; the operator's hook functions (description `arango hook: ...`) as `hook:<logical id>`. */
function taskHandlers(template: Parameters<typeof handlerNames>[0]): Map<string, string> {
  const names = handlerNames(template);
  for (const [id, r] of Object.entries(template.Resources)) {
    if (r.Type === 'AWS::Lambda::Function' && /^arango hook: /.test(String(r.Properties?.Description ?? ''))) names.set(id, `${HOOK_PREFIX}${id}`);
  }
  return names;
}

interface Rig {
  readonly moto: MotoServer;
  readonly model: MachineModel;
  readonly stateMachineArn: string;
  readonly harness: ClientSet;
  readonly credentials: { username: string; password: string; jwtSecret: string };
  readonly storeOfVolume: Map<string, number>;
  readonly volumeOfServer: Map<string, string>;
  readonly lockParameterName: string;
  readonly hookIds: string[];
}

export interface ArangoRehearsalOptions {
  /** Run the fault matrix too (all of it, or the runs a filter keeps). */
  readonly faults?: boolean | ((runs: ArangoRunSpec[]) => ArangoRunSpec[]);
  readonly skipHappyPath?: boolean;
  readonly outDir?: string;
  readonly progress?: (line: string) => void;
}

export async function rehearseArango(options: ArangoRehearsalOptions = {}): Promise<ArangoRehearsalReport> {
  const t0 = Date.now();
  const say = options.progress ?? ((line: string) => console.log(line));
  const outDir = path.resolve(options.outDir ?? path.join(ROOT, 'rehearsal'));
  const logDir = path.join(outDir, 'logs');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'arango-rehearsal-'));
  let moto: MotoServer | undefined;
  try {
    say(`arango rehearsal: ${path.relative(ROOT, ARANGO_APP)}`);
    const synth = await synthesize({ root: ROOT, app: ARANGO_APP, context: {}, outdir: path.join(work, 'cdk.out'), log: (l) => say(`    ${l}`) });
    say(`  synthesized ${synth.stackName} in ${(synth.durationMs / 1000).toFixed(1)} s`);
    moto = await startRehearsalMoto();
    const tDeploy = Date.now();
    const rig = await deploy(moto, synth, work);
    const deployMs = Date.now() - tDeploy;
    say(`  deployed into moto (${moto.endpoint}) with ${rig.volumeOfServer.size} server volumes in ${(deployMs / 1000).toFixed(1)} s; ${rig.model.tasks.length} task states`);
    const findings = aslFindings(rig.model.definition);
    for (const f of findings) say(`  contract: ${f}`);

    const runOne = (spec: ArangoRunSpec, first: boolean) => runSpec(rig, spec, first, logDir, say);
    let happyPath: ArangoRehearsalReport['happyPath'];
    let firstRun = true;
    if (!options.skipHappyPath) {
      say(`happy path: ${ARANGO_FROM} -> ${ARANGO_TO}`);
      const r = await runOne({ name: `happy-${Date.now()}`, input: { image: imageOf(ARANGO_TO) }, expect: ['succeeded'] }, firstRun);
      firstRun = false;
      happyPath = r.happy ?? { ...r.report, order: [], maintenance: { aroundServers: [] }, stages: [] };
      for (const o of happyPath.order) say(`  ${o.position}. ${o.serverId} (${o.role}): stopped ${o.stoppedAt}, upgrade run exit ${o.upgradeRunExit}, gate passed ${o.gatePassedAt ?? '-'} (${o.seconds.toFixed(2)} s)`);
      say(`  maintenance on ${happyPath.maintenance.onAt ?? '-'} (${happyPath.maintenance.seconds ?? '-'} s expiry), off ${happyPath.maintenance.offAt ?? '-'}, around ${happyPath.maintenance.aroundServers.join(', ')}`);
      say(`  ${happyPath.asExpected ? '✔' : '✘'} happy path: ${happyPath.outcome} in ${(happyPath.durationMs / 1000).toFixed(1)} s${happyPath.problems.length ? ` - ${happyPath.problems.join('; ')}` : ''}`);
    }
    const guard: ArangoRunReport[] = [];
    const guards: Array<[string, Record<string, unknown>, RegExp]> = [
      ['downgrade', { image: imageOf('3.2.17') }, /^downgrade refused: 3\.3\.23 -> 3\.2\.17/],
      ['skipped minor', { image: imageOf('3.5.0') }, /^skipped minor refused: 3\.3\.23 -> 3\.5\.0/],
      ['below the minimum patch', { image: imageOf(ARANGO_TO), minimumPatchBeforeMinor: { '3.3': 24 } }, /needs at least 3\.3\.24/],
    ];
    for (const [what, input, expectError] of guards) {
      const spec: ArangoRunSpec = { name: `guard-${what.replace(/ /g, '-')}`, input, expect: ['refused'], expectError };
      const r = await runOne(spec, firstRun);
      firstRun = false;
      guard.push(r.report);
      say(`  ${r.report.asExpected ? '✔' : '✘'} guard ${what}: ${r.report.outcome} (${r.report.error?.message ?? ''})${r.report.problems.length ? ` - ${r.report.problems.join('; ')}` : ''}`);
    }

    let faults: ArangoRehearsalReport['faults'];
    if (options.faults) {
      const all = buildArangoFaultMatrix(rig.model);
      const runs = typeof options.faults === 'function' ? options.faults(all) : all;
      const tf = Date.now();
      say(`fault matrix: ${runs.length} runs`);
      const results: ArangoRunReport[] = [];
      for (const spec of runs) {
        const r = await runOne(spec, firstRun);
        firstRun = false;
        results.push(r.report);
        say(`  ${r.report.asExpected ? '✔' : '✘'} ${spec.name}: ${r.report.outcome}${r.report.endState ? ` at "${r.report.endState}"` : ''} (${r.report.fired}/${r.report.injected} fired, ${(r.report.durationMs / 1000).toFixed(1)} s)${r.report.problems.length ? ` - ${r.report.problems.join('; ')}` : ''}`);
      }
      faults = { runs: results.length, asExpected: results.filter((r) => r.asExpected).length, durationMs: Date.now() - tf, results };
    }
    const ok = findings.length === 0 && (happyPath?.asExpected ?? true) && guard.every((g) => g.asExpected) && (faults ? faults.asExpected === faults.runs : true);
    const report: ArangoRehearsalReport = {
      ok, durationMs: Date.now() - t0, synthMs: synth.durationMs, deployMs, taskStates: rig.model.tasks.length, contractFindings: findings,
      ...(happyPath && { happyPath }), guard, ...(faults && { faults }), simulated: ARANGO_SIMULATED, executorAdaptations: ARANGO_ADAPTATIONS,
    };
    fs.mkdirSync(outDir, { recursive: true });
    fs.writeFileSync(path.join(outDir, 'arango-report.json'), JSON.stringify(report, null, 2) + '\n');
    say(`arango rehearsal ${ok ? 'OK' : 'NOT OK'} in ${((Date.now() - t0) / 1000).toFixed(1)} s; report: ${path.join(outDir, 'arango-report.json')}`);
    return report;
  } finally {
    await moto?.stop().catch(() => undefined);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

async function deploy(moto: MotoServer, synth: Awaited<ReturnType<typeof synthesize>>, work: string): Promise<Rig> {
  const harness = new ClientSet({ endpoint: moto.endpoint, region: REGION, counter: new ApiCallCounter() }, 'harness');
  const credentials = { username: 'root', password: crypto.randomBytes(12).toString('hex'), jwtSecret: crypto.randomBytes(32).toString('hex') };
  const secretId = Object.entries(synth.template.Resources).find(([, r]) => r.Type === 'AWS::SecretsManager::Secret')?.[0] ?? '';
  const deployed = await deployStack({
    endpoint: moto.endpoint, clients: harness, synth, workDir: path.join(work, 'assets'), secretValues: { [secretId]: credentials },
  });
  const model = buildModel(synth.template, {
    region: REGION, account: MOTO_ACCOUNT, resources: deployed.resources, parameters: deployed.parameters, substitutes: deployed.substitutes,
  }, taskHandlers(synth.template));
  const machine = [...deployed.resources.values()].find((r) => r.type === 'AWS::StepFunctions::StateMachine');
  const stateMachineArn = machine?.physicalId.startsWith('arn:') ? machine.physicalId : `arn:aws:states:${REGION}:${MOTO_ACCOUNT}:stateMachine:${machine?.physicalId ?? 'arango'}`;
  const cluster = model.baked.cluster as { servers: Array<{ serverId: string }> };
  const storeOfVolume = new Map<string, number>();
  const volumeOfServer = new Map<string, string>();
  for (const [i, server] of cluster.servers.entries()) {
    const v = await harness.ec2.send(new CreateVolumeCommand({
      AvailabilityZone: `${REGION}${'ab'[i % 2]}`, Size: 20, VolumeType: 'gp3',
      TagSpecifications: [{ ResourceType: 'volume', Tags: [
        { Key: 'Name', Value: ARANGO_VOLUME_NAME }, { Key: 'Environment', Value: ARANGO_ENVIRONMENT }, { Key: SERVER_TAG, Value: server.serverId },
      ] }],
    }));
    storeOfVolume.set(v.VolumeId ?? '', storeVersionOf(parseVersion('from', ARANGO_FROM)));
    volumeOfServer.set(server.serverId, v.VolumeId ?? '');
  }
  await motoState(moto, 'snapshot', 'arango-baseline');
  const hookIds = [...taskHandlers(synth.template).values()].filter((h) => h.startsWith(HOOK_PREFIX)).map((h) => h.slice(HOOK_PREFIX.length));
  return {
    moto, model, stateMachineArn, harness, credentials, storeOfVolume, volumeOfServer, hookIds,
    lockParameterName: String(model.baked.settings.lockParameterName ?? ''),
  };
}

async function runSpec(rig: Rig, spec: ArangoRunSpec, first: boolean, logDir: string, say: (line: string) => void) {
  if (!first) await motoState(rig.moto, 'restore', 'arango-baseline');
  const emulator = await ArangoEmulator.start({
    version: ARANGO_FROM, rootPassword: rig.credentials.password, jwtSecret: rig.credentials.jwtSecret,
    faults: spec.serverFaults, ...(spec.maintenanceOnForSeconds !== undefined && { maintenanceOnForSeconds: spec.maintenanceOnForSeconds }),
  });
  try {
    const hooks = newHookSwitches(rig.hookIds);
    const before = await motoLook(rig.harness, rig.lockParameterName);
    const lines: string[] = [];
    const r = await runArangoExecution({
      root: ROOT, name: spec.name.slice(0, 80), model: rig.model, emulator, endpoint: rig.moto.endpoint, region: REGION,
      stateMachineArn: rig.stateMachineArn, input: spec.input, faults: spec.faults ?? [], hooks, logDir,
      disks: { storeOfVolume: rig.storeOfVolume, mounted: new Map(rig.volumeOfServer), runs: new Map() },
      say: (l) => lines.push(l),
    });
    const after = await motoLook(rig.harness, rig.lockParameterName);
    const outcome = outcomeOf(r.status, r.endState);
    const events = emulator.cluster.events;
    const problems = invariantProblems({ outcome, emulator, hooks, before, after, executionArn: r.executionArn, fromVersion: ARANGO_FROM, toVersion: ARANGO_TO });
    if (outcome === 'refused' && events.some((e) => e.via !== 'control')) problems.push(`refused, but the cluster was changed: ${events.map((e) => e.kind).join(', ')}`);
    if (outcome === 'refused' && after.snapshotIds.length !== before.snapshotIds.length) problems.push('refused, but snapshots were taken');
    const happy = spec.expect.includes('succeeded') && outcome === 'succeeded' && !spec.faults?.length && !spec.serverFaults;
    if (happy) problems.push(...orderProblems(events, ['agents', 'dbServers', 'coordinators']));
    if (spec.expectError && !spec.expectError.test(r.error?.message ?? '')) problems.push(`ended with ${r.error?.name}: ${r.error?.message}, expected an error matching ${spec.expectError}`);
    const report: ArangoRunReport = {
      name: spec.name, outcome, asExpected: spec.expect.includes(outcome) && problems.length === 0, expected: spec.expect,
      ...(r.endState && { endState: r.endState }), ...(r.error && { error: { name: r.error.name, message: r.error.message.slice(0, 400) } }),
      problems, fired: r.fired.length, injected: spec.faults?.length ?? 0, durationMs: r.durationMs, transitions: r.transitions, retries: r.retries,
      emulatorEvents: events.length,
    };
    if (!report.asExpected) for (const l of lines.slice(-12)) say(`      ${l.trim()}`);
    return { report, happy: happy ? happyDetails(report, r, events) : undefined };
  } finally {
    await emulator.close();
  }
}

function happyDetails(report: ArangoRunReport, r: ArangoExecutionResult, events: ArangoEmulator['cluster']['events']): NonNullable<ArangoRehearsalReport['happyPath']> {
  const iso = (ms: number | undefined) => (ms === undefined ? '' : new Date(ms).toISOString());
  const roleName: Record<string, string> = { Agent: 'agents', DBServer: 'dbServers', Coordinator: 'coordinators' };
  const stops = events.filter((e) => e.kind === 'stop');
  const order = stops.map((stop, i) => {
    const run = events.find((e) => e.kind === 'auto-upgrade' && e.serverId === stop.serverId);
    const start = events.find((e) => e.kind === 'start' && e.serverId === stop.serverId && e.exitCode === 0);
    const gate = r.gatePassedAt[stop.serverId ?? ''];
    return {
      position: i + 1, serverId: stop.serverId ?? '', role: roleName[stop.role ?? ''] ?? '', stoppedAt: iso(stop.at), upgradeRunExit: run?.exitCode,
      startedAt: iso(start?.at), ...(gate && { gatePassedAt: iso(gate) }), seconds: ((gate ?? start?.at ?? stop.at) - stop.at) / 1000,
    };
  });
  const on = events.find((e) => e.kind === 'maintenance-on' && e.via === 'api');
  const off = on ? events.find((e) => e.kind === 'maintenance-off' && e.via === 'api' && events.indexOf(e) > events.indexOf(on)) : undefined;
  const around = on && off ? stops.filter((s) => events.indexOf(s) > events.indexOf(on) && events.indexOf(s) < events.indexOf(off)).map((s) => s.serverId ?? '') : [];
  return { ...report, order, maintenance: { onAt: iso(on?.at), offAt: iso(off?.at), seconds: on?.value, aroundServers: around }, stages: r.stages };
}
