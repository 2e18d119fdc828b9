/**
 * The local rehearsal of a staged upgrade: synthesizes a CDK app, deploys its REAL template into
 * moto_server, boots the nodes with the library's claim script, and runs the upgrade state machine taken
 * from the template with aws-local-stepfunctions, its Lambda tasks running the real handler logic
 * in-process against moto, its health gates against a real Neo4j that is upgraded in place when the
 * image rolls. Optionally a fault matrix. Writes rehearsal/report.json.
 *
 *   const report = await rehearse({ app: 'tools/rehearsal/example-app.ts', faults: 'all' });
 */
import './polyfill';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from '../free-port';
import { MotoServer } from '../moto';
import { NEO4J_NEWEST_VERSION } from '../neo4j-embedded';
import { ApiCallCounter, ClientSet, MOTO_ACCOUNT } from './aws-clients';
import { EXECUTOR_ADAPTATIONS } from './adaptations';
import { aslFindings, buildModel, MachineModel } from './definition';
import { contractFindings } from './contracts';
import { Adaptation, DeployedStack, deployStack, resetMoto, resolveCrossStackReferences } from './emulator';
import { ExecutionResult, runExecution } from './executor';
import { buildFaultMatrix } from './faults';
import { handlerNames } from './handlers';
import { ResolveContext } from './intrinsics';
import { startRehearsalMoto } from './moto-server';
import { Neo4jPlayer } from './neo4j-player';
import { BootRecord, NodeFleet, groupsOf } from './nodes';
import { printSummary, happyVerdict, faultRunReport } from './report';
import { membersFromProbe, splitUnentered } from './unentered-probe';
import { RehearsalSession } from './session';
import { synthesize, SynthResult } from './synth';
import { upgradedCluster } from './upgraded-cluster';
import {
  ExecutionReport, FaultRun, FaultRunReport, RehearsalOptions, RehearsalReport, Simulated,
} from './types';
import { FAULT_RUN_WAIT_COMPLETION } from './wait-episodes';
import { ClusterView, SettingsSource, World } from './world';
import { ClientWorkload, WorkloadResult } from './workload/client-workload';
import { clientWorkloadReport } from './workload/workload-report';
import { WorldRouting } from './workload/world-routing';

export * from './types';

/** What a running rehearsal must stop if the process is interrupted (see stopRehearsals). */
const running = new Set<() => Promise<void>>();

/** Stops every moto_server and Neo4j that running rehearsals started (for SIGINT/SIGTERM handlers). */
export async function stopRehearsals(): Promise<void> {
  await Promise.all([...running].map((stop) => stop().catch(() => undefined)));
}
export { buildFaultMatrix } from './faults';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const DEFAULT_APP = path.join(__dirname, 'example-app.ts');
export const DEFAULT_INPUT = { dockerImage: `neo4j:${NEO4J_NEWEST_VERSION}-enterprise` };
const REGION = 'us-east-1';

export interface Deployment {
  readonly moto: MotoServer;
  /** The stack holding the state machine. */
  readonly deployed: DeployedStack;
  /** The stack holding the cluster (its parameters are the ones the upgrade changes); may be `deployed`. */
  readonly clusterStack: DeployedStack;
  /** Every stack of the app, in the order deployed. */
  readonly stacks: DeployedStack[];
  readonly model: MachineModel;
  readonly world: World;
  readonly harness: ClientSet;
  readonly harnessCounter: ApiCallCounter;
  readonly stateMachineArn: string;
  /** Each function's memory (MiB) by logical id. */
  readonly memoryMb: ReadonlyMap<string, number>;
}

/** Secret values generated once per rehearsal (every redeploy gets the same admin password). */
export function secretValuesFor(synth: SynthResult): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const [id, r] of synth.stacks.flatMap((st) => Object.entries(st.template.Resources))) {
    if (r.Type !== 'AWS::SecretsManager::Secret') continue;
    const g = (r.Properties?.GenerateSecretString ?? {}) as Record<string, unknown>;
    const value = JSON.parse(String(g.SecretStringTemplate ?? '{}')) as Record<string, string>;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    value[String(g.GenerateStringKey ?? 'password')] = Array.from(crypto.randomBytes(Number(g.PasswordLength ?? 32)), (b) => alphabet[b % alphabet.length]).join('');
    out[id] = value;
  }
  return out;
}

/** Builds the harness's world for a deployment (the per-server rehearsal builds its own, rolling/rolling-world.ts). */
export type WorldFactory = (
  fleet: NodeFleet, harness: ClientSet, cluster: ClusterView, log: (line: string) => void, settings: SettingsSource, baked: Record<string, unknown>,
) => World;

/** Deploys every stack of the app into moto, boots the nodes and builds the world around them. */
export async function deploy(
  moto: MotoServer, synth: SynthResult, workDir: string, secretValues: Record<string, Record<string, string>>,
  neo4j: Neo4jPlayer | undefined, log: (line: string) => void, makeWorld?: WorldFactory,
): Promise<Deployment> {
  const harnessCounter = new ApiCallCounter();
  const harness = new ClientSet({ endpoint: moto.endpoint, region: REGION, counter: harnessCounter }, 'harness');
  // Every stack of the app, each after the ones it references (a cluster stack before its upgrade stack).
  const stacks: DeployedStack[] = [];
  for (const stack of synth.stacks) {
    stacks.push(await deployStack({ endpoint: moto.endpoint, clients: harness, synth: stack, workDir, secretValues, producers: [...stacks] }));
  }
  const contextOf = (d: DeployedStack): ResolveContext => ({
    region: REGION, account: MOTO_ACCOUNT, resources: d.resources, parameters: d.parameters, substitutes: d.substitutes,
  });
  const deployed = stacks.find((d) => d.stackName === synth.stackName) as DeployedStack;
  const ctx = contextOf(deployed);
  const machineTemplate = resolveCrossStackReferences(synth.template, stacks).template;
  const model = buildModel(machineTemplate, ctx, handlerNames(synth.template));
  const c = model.baked.cluster as Record<string, unknown> & { parameterNames: Record<string, string> };
  const clusterStack = stacks.find((d) => d.stackName === String(c.stackName)) ?? deployed;
  const cluster: ClusterView = {
    stackName: String(c.stackName),
    stackId: clusterStack.stackId,
    mainAutoScalingGroupName: String(c.mainAutoScalingGroupName),
    slaveAutoScalingGroupName: String(c.slaveAutoScalingGroupName),
    mainServiceName: String(c.mainServiceName),
    slaveServiceName: String(c.slaveServiceName),
    dockerImageParameter: String(c.parameterNames?.dockerImage ?? 'DockerImage'),
  };
  const groups = synth.stacks.flatMap((st, i) => groupsOf(st.template, contextOf(stacks[i])));
  const fleet = new NodeFleet({ clients: harness, groups, awsEnv: moto.env, region: REGION, log });
  const credentials = upgradedCredentials(synth, secretValues);
  // The task definitions (the containers' settings) live in the cluster's stack.
  const clusterTemplate = synth.stacks.find((st) => st.stackName === clusterStack.stackName)?.template ?? synth.template;
  const settings: SettingsSource = {
    template: clusterTemplate,
    secrets: { NEO4J_ADMIN_USER: credentials.username ?? 'neo4j', NEO4J_ADMIN_PASSWORD: credentials.password ?? 'rehearsal-password' },
  };
  const world = makeWorld ? makeWorld(fleet, harness, cluster, log, settings, c) : new World(fleet, neo4j, harness, cluster, log, settings);
  await fleet.bootNewInstances();
  const machine = [...deployed.resources.values()].find((r) => r.type === 'AWS::StepFunctions::StateMachine');
  const stateMachineArn = machine?.physicalId.startsWith('arn:')
    ? machine.physicalId
    : `arn:aws:states:${REGION}:${MOTO_ACCOUNT}:stateMachine:${machine?.physicalId ?? 'rehearsal'}`;
  return { moto, deployed, clusterStack, stacks, model, world, harness, harnessCounter, stateMachineArn, memoryMb: functionMemory(synth) };
}

/** Every Lambda function's MemorySize (MiB; CloudFormation's default 128) by logical id. */
function functionMemory(synth: SynthResult): Map<string, number> {
  return new Map(synth.stacks.flatMap((st) => Object.entries(st.template.Resources))
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
    .map(([id, r]) => [id, Number((r.Properties as Record<string, unknown> | undefined)?.MemorySize ?? 128)]));
}

/**
 * The admin credentials of the cluster the state machine upgrades (an app may hold several clusters, each
 * with its own secret): the player's password and the containers' injected secrets both come from here.
 */
export function upgradedCredentials(synth: SynthResult, secretValues: Record<string, Record<string, string>>): Record<string, string> {
  const { secretLogicalId } = upgradedCluster(synth.template);
  return (secretLogicalId ? secretValues[secretLogicalId] : undefined) ?? Object.values(secretValues).find((v) => v.password) ?? {};
}

function regionsOf(model: MachineModel, input: unknown): string[] {
  const given = inputFields(input).cloneRegions;
  const extra = [...((model.baked.defaults.cloneRegions as string[] | undefined) ?? []), ...(Array.isArray(given) ? given.map(String) : [])];
  return [REGION, ...new Set(extra.filter((r) => r !== REGION))];
}

/** The same adaptation made for several stacks is reported once. */
function uniqueAdaptations(all: Adaptation[]): Adaptation[] {
  return all.filter((a, i) => all.findIndex((b) => b.what === a.what) === i);
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The input's fields for the harness's own look-ups (regions, target version); none when it is no object. */
function inputFields(input: unknown): Record<string, unknown> {
  return isJsonObject(input) ? input : {};
}

function mergeSimulated(into: Map<string, Simulated>, from: Map<string, Simulated>): void {
  for (const [k, v] of from) {
    const e = into.get(k) ?? { what: v.what, why: v.why, count: 0 };
    e.count += v.count;
    into.set(k, e);
  }
}

export async function rehearse(options: RehearsalOptions = {}): Promise<RehearsalReport> {
  const t0 = Date.now();
  const progress = options.progress ?? ((line: string) => console.log(line));
  const app = path.resolve(options.app ?? DEFAULT_APP);
  // Only an absent input gets the default: null, a string or an array go to the execution as given.
  const input = (options.input === undefined ? { ...DEFAULT_INPUT } : options.input) as Record<string, unknown>;
  const fields = inputFields(input);
  const outDir = path.resolve(options.outDir ?? path.join(REPO_ROOT, 'rehearsal'));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rehearsal-'));
  const logDir = path.join(outDir, 'logs');
  fs.mkdirSync(logDir, { recursive: true });
  const log = (line: string) => progress(`    ${line}`);
  const motos: MotoServer[] = [];
  let neo4j: Neo4jPlayer | undefined;
  const simulated = new Map<string, Simulated>();
  const stopAll = async () => {
    await neo4j?.stop().catch(() => undefined);
    for (const m of motos) await m.stop().catch(() => undefined);
  };
  running.add(stopAll);
  try {
    progress(`rehearsal: ${path.relative(process.cwd(), app) || app}`);
    const boltPort = await freePort();
    const context = { ...options.context, neo4jBoltUri: `bolt://127.0.0.1:${boltPort}` };
    const synth = await synthesize({ root: REPO_ROOT, app, context, outdir: path.join(work, 'cdk.out'), log });
    progress(`  synthesized ${synth.stacks.map((st) => st.stackName).join(' + ')} in ${(synth.durationMs / 1000).toFixed(1)} s`);
    const secretValues = secretValuesFor(synth);
    // The upgraded cluster's own secret (an app may hold several clusters, each with its own).
    const upgrades = upgradedCluster(synth.template);
    const password = upgradedCredentials(synth, secretValues).password ?? 'rehearsal-password';
    progress(`  the state machine upgrades cluster "${upgrades.environmentName ?? '?'}" (stack ${upgrades.stackName ?? synth.stackName}), `
      + `admin secret ${upgrades.secretLogicalId ?? 'not in this template: the first generated secret plays it'}`);

    const moto = await startRehearsalMoto();
    motos.push(moto);
    neo4j = new Neo4jPlayer({ dataDir: path.join(work, 'neo4j'), port: boltPort, password, log });
    const tDeploy = Date.now();
    const first = await deploy(moto, synth, path.join(work, 'assets'), secretValues, neo4j, log);
    const deployMs = Date.now() - tDeploy;
    progress(`  deployed into moto (${moto.endpoint}) and booted ${first.world.fleet.boots.length} nodes in ${(deployMs / 1000).toFixed(1)} s`);
    const initialImage = first.clusterStack.parameters[first.world.cluster.dockerImageParameter];
    await neo4j.play(initialImage, await first.world.containerSettings(first.clusterStack.parameters));
    const model = first.model;
    const regions = regionsOf(model, fields);
    const findings = [...aslFindings(model.definition), ...contractFindings(REPO_ROOT, model)];
    for (const f of findings) progress(`  contract: ${f}`);

    let happy: ExecutionResult | undefined;
    let lockContention: RehearsalReport['lockContention'];
    let workloadResult: WorkloadResult | undefined;
    const handlerCounter = new ApiCallCounter();
    if (options.operate) {
      await options.operate(await openSession(first, synth, work, secretValues, neo4j, regions, logDir, progress, simulated));
    } else if (!options.skipHappyPath) {
      progress('happy path:');
      const name = `happy-${Date.now()}`;
      const counter = handlerCounter;
      // A client writes and reads through the whole upgrade, routed by the world (workload/).
      const routing = new WorldRouting(first.world, (model.baked.cluster.parameterNames ?? {}) as Record<string, string>);
      const tWorkload = Date.now();
      await routing.start();
      const workload = new ClientWorkload({ uri: neo4j.boltUri, password, router: routing });
      const startMs = Date.now() - tWorkload;
      try {
        happy = await runExecution({
          root: REPO_ROOT, name, model, world: first.world, endpoint: moto.endpoint, region: REGION, stateMachineArn: first.stateMachineArn,
          input, faults: [], decide: async () => 'approve', progress, logDir, counter, harness: first.harness, regions,
          memoryMb: first.memoryMb, waitCompletion: options.waitCompletion,
          whileLockHeld: options.lockContention === false ? undefined : async () => {
            lockContention = await probeLock(first, input, regions, logDir, progress);
          },
        });
      } finally {
        const tStop = Date.now();
        workloadResult = await workload.stop().catch((e: Error) => { progress(`  client workload: ${e.message}`); return undefined; });
        await routing.stop();
        progress(`  client workload: started in ${startMs} ms, stopped and read back in ${Date.now() - tStop} ms`);
      }
      mergeSimulated(simulated, first.world.simulated);
    }

    let faultsReport: RehearsalReport['faults'];
    if (options.faults) {
      const matrix = buildFaultMatrix(model);
      const runs = options.faults === 'all' ? matrix : typeof options.faults === 'function' ? options.faults(matrix) : options.faults;
      const tf = Date.now();
      progress(`fault matrix: ${runs.length} runs, ${runs.reduce((n, r) => n + r.faults.length, 0)} faults armed, ${options.workers ?? 2} workers`);
      const results: FaultRunReport[] = [];
      const unentered = splitUnentered(runs, happy?.report.status === 'SUCCEEDED' ? new Set(happy.statesEntered) : undefined);
      const queue = [...(unentered.probe ? [unentered.probe] : []), ...unentered.rest];
      let drainedNow: () => void = () => undefined;
      const drained = new Promise<void>((resolve) => { drainedNow = resolve; });
      const workers = Math.max(1, Math.min(options.workers ?? 2, runs.length));
      // Until the real store upgrade has happened (the happy path does it; without it, the first run that
      // rolls the image), runs go one at a time: a Neo4j restart must not pull the server from under a
      // parallel run's health gate or validator.
      const target = Neo4jPlayer.versionFor(String(fields.dockerImage)).version;
      let upgraded: () => void = () => undefined;
      const storeUpgraded = new Promise<void>((resolve) => { upgraded = resolve; });
      if (neo4j.runningVersion === target) upgraded();
      await Promise.all(Array.from({ length: workers }, async (_, w) => {
        const server = w === 0 ? moto : await startRehearsalMoto();
        if (w !== 0) motos.push(server);
        if (w !== 0) await Promise.race([storeUpgraded, drained]);
        for (let run = queue.shift(); run; run = queue.shift()) {
          const r = await faultRun(run, server, synth, work, secretValues, neo4j as Neo4jPlayer, input, regions, logDir, progress, simulated);
          if (run === unentered.probe) {
            const stoodFor = membersFromProbe(unentered.members, r);
            if (stoodFor) results.push(...stoodFor);
            else queue.push(...unentered.members);
            progress(`  ${stoodFor ? `the probe stands for ${stoodFor.length} runs (none of their states ran)` : 'the probe does not stand for its runs: each runs on its own'}: ${unentered.members.map((m) => m.name).join(', ')}`);
          } else {
            results.push(r);
          }
          if (neo4j?.runningVersion === target) upgraded();
        }
        if (w === 0) drainedNow();
      }));
      results.sort((a, b) => runs.findIndex((r) => r.name === a.name) - runs.findIndex((r) => r.name === b.name));
      const fired = results.reduce((n, r) => n + r.fired, 0);
      faultsReport = {
        injected: fired,
        survived: results.filter((r) => r.survived).reduce((n, r) => n + r.fired, 0),
        volumesLost: results.reduce((n, r) => n + r.volumesLost, 0),
        snapshotsLost: results.reduce((n, r) => n + r.snapshotsLost, 0),
        runs: results.length,
        asExpected: results.filter((r) => r.asExpected).length,
        unexpected: results.filter((r) => !r.asExpected || !r.survived).map((r) => ({ run: r.name, outcome: r.outcome, endState: r.endState, problems: r.problems })),
        durationMs: Date.now() - tf,
        results,
      };
    }

    const h = happy?.report;
    const verdict: string[] = [];
    verdict.push(...aslFindings(model.definition).map((f) => `AWS would refuse the state machine: ${f}`));
    if (h) verdict.push(...happyVerdict(h, model, fields));
    const clientWorkload = h && workloadResult ? clientWorkloadReport(workloadResult, h.stages) : undefined;
    if (clientWorkload?.readBack.acknowledgedMissing.length) verdict.push(`client writes acknowledged but missing from the upgraded store: seq ${clientWorkload.readBack.acknowledgedMissing.slice(0, 20).join(', ')}`);
    if (faultsReport) {
      for (const u of faultsReport.unexpected) verdict.push(`fault run ${u.run}: ${u.outcome}${u.endState ? ` at "${u.endState}"` : ''}${u.problems.length ? `: ${u.problems.join('; ')}` : ''}`);
    }
    if (lockContention?.ran && lockContention.changedAnything) verdict.push(`the second execution changed something: ${(lockContention.details ?? []).join('; ')}`);
    const report: RehearsalReport = {
      version: 1,
      app: path.relative(REPO_ROOT, app),
      stackName: synth.stackName,
      stacks: synth.stacks.map((st) => st.stackName),
      startedAt: new Date(t0).toISOString(),
      endedAt: new Date().toISOString(),
      durationMs: Date.now() - t0,
      ok: verdict.length === 0,
      verdict,
      input,
      synth: { command: synth.command, durationMs: synth.durationMs, context },
      deploy: { durationMs: deployMs },
      emulatorAdaptations: [
        ...uniqueAdaptations(first.stacks.flatMap((d) => d.adaptations)),
        { what: 'moto_server runs behind tools/rehearsal/moto_server_patched.py: Auto Scaling groups update in place on UpdateStack (rolling replacement when the launch template version changes), updates follow changed launch templates/task definitions, instances spread over the group\'s AZs', why: 'moto 5.2.1 replaces a group (new name, all-new instances) on any stack update, re-applies only resources that name a changed parameter, and puts every instance in the first subnet' },
        { what: 'moto_server_patched.py section 7: a change set on the previous template lists the changes its parameters cause, with Replacement/Details from a small table of replace-only properties (ECS cluster/service names, ASG and launch template names, secret names, KMS key spec, task definitions); ExecuteChangeSet applies it through the UpdateStack code', why: 'moto 5.2.1 lists no change for a parameter-only change set, never reports Replacement, and leaves the stack\'s parameters stale after ExecuteChangeSet' },
        ...EXECUTOR_ADAPTATIONS,
      ],
      simulated: [...simulated.values()],
      neo4j: { played: neo4j.played, storeChecks: neo4j.storeChecks },
      stateMachine: { upgrades, taskStates: model.tasks.length, stages: model.stages.map((s) => `${s.seedStep} ${s.name}`), ...(model.pointOfNoReturn && { pointOfNoReturn: model.pointOfNoReturn }) },
      contractFindings: findings,
      ...(h && {
        stages: h.stages,
        parametersAfterStage: h.parametersAfterStage,
        finalParameters: h.finalParameters,
        volumes: h.volumes,
        snapshots: h.snapshots,
        counts: {
          stateTransitions: h.counts.stateTransitions,
          awsApiCalls: h.counts.awsApiCalls,
          retries: h.counts.retries,
          awsApiCallsByHandler: h.counts.awsApiCallsByHandler,
          awsApiCallsByOperation: h.counts.awsApiCallsByOperation,
          harnessApiCalls: first.harnessCounter.total,
        },
        happyPath: h,
      }),
      ...(clientWorkload && { clientWorkload }),
      ...(lockContention && { lockContention }),
      ...(faultsReport && { faults: faultsReport }),
    };
    fs.mkdirSync(outDir, { recursive: true });
    fs.writeFileSync(path.join(outDir, 'report.json'), JSON.stringify(report, null, 2) + '\n');
    printSummary(report, progress, path.join(outDir, 'report.json'));
    return report;
  } finally {
    await stopAll();
    running.delete(stopAll);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** A second execution while the first holds the lock: it must stop at the lock and change nothing. */
async function probeLock(
  d: Deployment, input: unknown, regions: string[], logDir: string, progress: (line: string) => void,
): Promise<RehearsalReport['lockContention']> {
  const name = `second-${Date.now()}`;
  progress(`  lock contention: starting a second execution (${name}) with the same input while the first holds the lock`);
  const counter = new ApiCallCounter();
  const r = await runExecution({
    root: REPO_ROOT, name, model: d.model, world: d.world, endpoint: d.moto.endpoint, region: REGION, stateMachineArn: d.stateMachineArn,
    input, faults: [], decide: async () => 'reject', progress, logDir, counter, harness: d.harness, regions, quiet: true, memoryMb: d.memoryMb,
  });
  const details: string[] = [];
  const b = r.before;
  const a = r.after;
  if (JSON.stringify(r.report.parametersBefore) !== JSON.stringify(r.report.finalParameters)) details.push('stack parameters changed');
  if (r.report.volumes.created.length || r.report.volumes.renamed.length || r.report.volumes.deleted.length) details.push('data volumes changed');
  if (r.report.snapshots.preUpgrade.length || r.report.snapshots.clones.length || r.report.snapshots.postUpgrade.length || r.report.snapshots.deleted.length) details.push('snapshots created or deleted');
  if (b.lockHolder !== a.lockHolder) details.push(`lock holder changed from ${b.lockHolder} to ${a.lockHolder}`);
  if (r.report.status !== 'FAILED') details.push(`the second execution ${r.report.status}`);
  progress(`  lock contention: second execution ${r.report.status} at "${r.report.endState}" (${r.report.error?.name ?? ''}); ${details.length ? `CHANGED: ${details.join(', ')}` : 'nothing changed'}`);
  return {
    ran: true, status: r.report.status, ...(r.report.endState && { endState: r.report.endState }), ...(r.report.error && { error: r.report.error }),
    changedAnything: details.length > 0, details,
  };
}

/** Per moto_server: the deployment the fault runs start from, kept as a moto state snapshot. */
interface Baseline {
  readonly deployment: Deployment;
  readonly boots: BootRecord[];
  snapshots: boolean;
}
const baselines = new WeakMap<MotoServer, Baseline>();

async function motoApi(moto: MotoServer, action: 'snapshot' | 'restore', name: string): Promise<string | undefined> {
  const res = await fetch(`${moto.endpoint}/rehearsal-api/${action}?name=${encodeURIComponent(name)}`, { method: 'POST' });
  return res.ok ? undefined : `${res.status} ${await res.text()}`;
}

/**
 * A fresh "stack deployed, nodes booted" state for one fault run: the first run on a server resets moto,
 * deploys and boots (the real path) and snapshots moto's state; later runs restore that snapshot (checked:
 * same stack, same instances) and start a new harness world on it. Falls back to reset + redeploy.
 */
async function freshDeployment(
  moto: MotoServer, synth: SynthResult, work: string, secretValues: Record<string, Record<string, string>>,
  neo4j: Neo4jPlayer, log: (line: string) => void,
): Promise<{ deployment: Deployment; restored: boolean }> {
  const base = baselines.get(moto);
  if (base?.snapshots) {
    const failed = await motoApi(moto, 'restore', 'baseline');
    if (!failed) {
      const d = base.deployment;
      const harnessCounter = new ApiCallCounter();
      const harness = new ClientSet({ endpoint: moto.endpoint, region: REGION, counter: harnessCounter }, 'harness');
      const fleet = new NodeFleet({ clients: harness, groups: d.world.fleet.groups, awsEnv: moto.env, region: REGION, log });
      fleet.preload(base.boots);
      const running = [...(await fleet.inService()).values()].flat().map((i) => i.instanceId).sort();
      if (JSON.stringify(running) === JSON.stringify(base.boots.map((b) => b.instanceId).sort())) {
        const world = new World(fleet, neo4j, harness, d.world.cluster, log, d.world.settingsSource);
        return { deployment: { ...d, world, harness, harnessCounter }, restored: true };
      }
      log(`moto snapshot restore gave other instances (${running.join(', ')}); redeploying instead`);
    } else {
      log(`moto snapshot restore failed (${failed}); redeploying instead`);
    }
    base.snapshots = false;
  }
  await resetMoto(moto.endpoint);
  const deployment = await deploy(moto, synth, path.join(work, 'assets'), secretValues, neo4j, log);
  if (!base) {
    const failed = await motoApi(moto, 'snapshot', 'baseline');
    if (failed) log(`moto state snapshot failed (${failed}); every fault run redeploys`);
    baselines.set(moto, { deployment, boots: [...deployment.world.fleet.boots], snapshots: !failed });
  }
  return { deployment, restored: false };
}

async function faultRun(
  run: FaultRun, moto: MotoServer, synth: SynthResult, work: string, secretValues: Record<string, Record<string, string>>,
  neo4j: Neo4jPlayer, baseInput: unknown, regions: string[], logDir: string, progress: (line: string) => void,
  simulated: Map<string, Simulated>,
): Promise<FaultRunReport> {
  const t0 = Date.now();
  const lines: string[] = [];
  const buffered = (line: string) => lines.push(line);
  const { deployment: d, restored } = await freshDeployment(moto, synth, work, secretValues, neo4j, buffered);
  const input = isJsonObject(baseInput) ? { ...baseInput, ...(run.input ?? {}) } : baseInput;
  const counter = new ApiCallCounter();
  const result = await runExecution({
    root: REPO_ROOT, name: `f-${run.name}`.slice(0, 80), model: d.model, world: d.world, endpoint: moto.endpoint, region: REGION,
    stateMachineArn: d.stateMachineArn, input, faults: run.faults, decide: async () => 'approve', progress: buffered, logDir, counter,
    harness: d.harness, regions, memoryMb: d.memoryMb, waitCompletion: FAULT_RUN_WAIT_COMPLETION,
  });
  mergeSimulated(simulated, d.world.simulated);
  const r = faultRunReport(run, result.report, result.fired.length, Date.now() - t0, restored);
  progress(`  ${r.asExpected && r.survived ? '✔' : '✘'} ${run.name}: ${r.reached ? r.outcome : 'not reached'}${r.endState ? ` at "${r.endState}"` : ''} (${r.fired}/${r.injected} faults fired, ${(r.durationMs / 1000).toFixed(0)} s, ${restored ? 'from snapshot' : 'deployed'})${r.problems.length ? ` - ${r.problems.join('; ')}` : ''}`);
  if (!r.asExpected || !r.survived) for (const l of lines.slice(-15)) progress(`      ${l.trim()}`);
  return r;
}

/**
 * The deployment kept open for RehearsalOptions.operate: `run` on the deployment as it is, `reset` back
 * to its "deployed, booted" moto state snapshot (taken here, before any execution).
 */
async function openSession(
  first: Deployment, synth: SynthResult, work: string, secretValues: Record<string, Record<string, string>>,
  neo4j: Neo4jPlayer, regions: string[], logDir: string, progress: (line: string) => void, simulated: Map<string, Simulated>,
): Promise<RehearsalSession> {
  const failed = await motoApi(first.moto, 'snapshot', 'baseline');
  if (failed) progress(`  moto state snapshot failed (${failed}); reset redeploys`);
  baselines.set(first.moto, { deployment: first, boots: [...first.world.fleet.boots], snapshots: !failed });
  let d = first;
  return {
    region: REGION, motoEndpoint: first.moto.endpoint, stackName: first.deployed.stackName, stateMachineArn: first.stateMachineArn, model: first.model,
    harness: () => d.harness,
    run: async (spec) => {
      const result = await runExecution({
        root: REPO_ROOT, model: d.model, world: d.world, endpoint: d.moto.endpoint, region: REGION, stateMachineArn: d.stateMachineArn,
        progress, logDir, counter: new ApiCallCounter(), harness: d.harness, regions, memoryMb: d.memoryMb, ...spec,
      });
      mergeSimulated(simulated, d.world.simulated);
      return result;
    },
    reset: async () => {
      d = (await freshDeployment(first.moto, synth, work, secretValues, neo4j, progress)).deployment;
    },
  };
}

export type { ExecutionReport };
