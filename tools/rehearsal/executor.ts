/**
 * Runs one execution of the synthesized state machine with aws-local-stepfunctions: every Task state runs
 * the real handler logic in-process (lambda/<name>/logic.ts) with real SDK v3 clients pointed at moto; the
 * simulated parts reach the handlers only through their deps; retry intervals are overridden to zero.
 */
import './polyfill';
import { StateMachine } from 'aws-local-stepfunctions';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { connectBolt, BoltConnect } from '../../lambda/shared/bolt';
import { PreconditionFailedError } from '../../lambda/shared/errors';
import { jsonLogger } from '../../lambda/shared/log';
import { ApiCallCounter, CallHooks, CallInfo, ClientSet, MOTO_ACCOUNT } from './aws-clients';
import { LOCAL_TIMEOUT_FIELD, MachineModel, TaskInfo, allStates, localDefinition } from './definition';
import { handlerExport, loadLogic } from './handlers';
import { ClusterInventory, inventory, diffInventories } from './inventory';
import { CompletionLatency } from './latency';
import { imageVersion } from './neo4j-player';
import { ExecutionReport, FaultSpec, Outcome, StageReport } from './types';
import { World } from './world';

export type ApprovalDecision = 'approve' | 'reject' | 'timeout';

export interface ExecutionSetup {
  readonly root: string;
  readonly name: string;
  readonly model: MachineModel;
  readonly world: World;
  readonly endpoint: string;
  readonly region: string;
  readonly stateMachineArn: string;
  readonly input: Record<string, unknown>;
  readonly faults: FaultSpec[];
  readonly decide: (request: { token: string; parameterName?: string }) => Promise<ApprovalDecision>;
  /** Runs once, right after this execution took the upgrade lock: the lock-contention probe. */
  readonly whileLockHeld?: () => Promise<void>;
  readonly progress: (line: string) => void;
  readonly logDir: string;
  readonly counter: ApiCallCounter;
  readonly harness: ClientSet;
  readonly regions: string[];
  /** Quiet: no progress lines (the lock-contention probe). */
  readonly quiet?: boolean;
}

export interface ExecutionResult {
  readonly report: ExecutionReport;
  readonly fired: FaultSpec[];
  readonly before: ClusterInventory;
  readonly after: ClusterInventory;
}

interface EventLike {
  type: string;
  timestamp: number;
  index?: number;
  state?: { name: string; type: string; output?: unknown };
  Error?: string;
  Cause?: unknown;
  catch?: { catcher: { Next: string } };
}

const STATUS_REWRITE_WAIT_MS = 20_000;

function errorOf(e: unknown): { name: string; message: string } {
  const err = e as { name?: string; message?: string; cause?: { name?: string; message?: string } };
  const inner = err?.cause && typeof err.cause === 'object' ? err.cause : err;
  return { name: String(inner?.name ?? 'Error'), message: String(inner?.message ?? e) };
}

/** The Enterprise cluster a health gate would see, derived from moto's Auto Scaling state and the modes. */
export interface SimulatedCluster {
  readonly members: Array<{ id: string; address: string; role: 'primary' | 'secondary'; writer: boolean }>;
  readonly leaderAddress: string;
  /** The edition the image names (the embedded server is Community). */
  readonly edition?: string;
}

/**
 * A BoltConnect to the real local Neo4j that answers, in addition, what a standalone Community server
 * cannot: cluster membership (SHOW SERVERS, and SHOW DATABASES per member, the real server's database
 * statuses copied to every member), the leader's address, and the edition the image names.
 */
function simulatedConnect(world: World, cluster: SimulatedCluster): BoltConnect {
  return (uri, credentials, options) => {
    const real = connectBolt(uri, credentials, options);
    const local = (a: unknown) => typeof a === 'string' && /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(a);
    return {
      async serverInfo() {
        const info = await real.serverInfo();
        if (!local(info.address)) return info;
        world.note('leader');
        return { ...info, address: cluster.leaderAddress };
      },
      async query(cypher, params, database) {
        if (/^\s*SHOW\s+SERVERS\b/i.test(cypher)) {
          world.note('membership');
          return cluster.members.map((m) => ({
            name: m.id, address: m.address, state: 'Enabled', health: 'Available',
            hosting: ['neo4j', 'system'], requestedHosting: ['neo4j', 'system'],
          }));
        }
        const rows = await real.query(cypher, params, database);
        if (/^\s*SHOW\s+DATABASES\b/i.test(cypher)) {
          world.note('membership');
          return cluster.members.flatMap((m) => rows.map((row) => ({
            ...row,
            address: m.address,
            role: m.role,
            writer: row.writer === true && m.writer,
          })));
        }
        return rows.map((row) => {
          const out = { ...row };
          if (local(out.address)) {
            out.address = cluster.leaderAddress;
            world.note('leader');
          }
          if (cluster.edition && /dbms\.components/i.test(cypher) && String(out.edition).toLowerCase() === 'community' && cluster.edition !== 'community') {
            out.edition = cluster.edition;
            world.note('edition');
          }
          return out;
        });
      },
      close: () => real.close(),
    };
  };
}

export async function runExecution(setup: ExecutionSetup): Promise<ExecutionResult> {
  const { model, world, name } = setup;
  const say = (line: string) => { if (!setup.quiet) setup.progress(line); };
  const t0 = Date.now();
  const startedAt = new Date(t0).toISOString();
  const executionArn = `${setup.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  const lockParameterName = String(model.baked.settings.lockParameterName ?? '');
  const cluster = model.baked.cluster as { dataVolumeName: string; environmentName: string; parameterNames: Record<string, string> };
  const parametersBefore = await world.recordParameters();
  const before = await inventory(setup.harness, setup.regions, cluster.environmentName, lockParameterName);
  fs.mkdirSync(setup.logDir, { recursive: true });
  const handlerLogFile = path.join(setup.logDir, `${name}.handlers.jsonl`);
  const handlerLog = fs.createWriteStream(handlerLogFile, { flags: 'a' });
  const fired: FaultSpec[] = [];
  const invocations = new Map<string, number>();
  const taskByState = new Map(model.tasks.map((t) => [t.stateName, t]));
  let beforeLastUpdate: Record<string, string> | undefined;
  const lastError = new Map<string, string>();
  let probed = false;

  const latency = new CompletionLatency();
  const runLevelHooks = (extra: Partial<CallHooks> & { handler?: string; inProgress?: boolean; desired?: Record<string, number> } = {}): CallHooks => ({
    throttleFirstCall: extra.throttleFirstCall,
    onThrottled: extra.onThrottled,
    answer: (call: CallInfo) => {
      if (call.service !== 'CloudFormation' || !/Drift/.test(call.operation)) return undefined;
      world.note('drift');
      switch (call.operation) {
        case 'DescribeStackResourceDrifts':
          return { StackResourceDrifts: [] };
        case 'DetectStackDrift':
          return { StackDriftDetectionId: `rehearsal-drift-${Date.now()}` };
        case 'DescribeStackDriftDetectionStatus':
          return {
            StackId: world.cluster.stackId, StackDriftDetectionId: call.input.StackDriftDetectionId,
            StackDriftStatus: 'IN_SYNC', DetectionStatus: 'DETECTION_COMPLETE', DriftedStackResourceCount: 0, Timestamp: new Date(),
          };
        default:
          return undefined;
      }
    },
    rewrite: (call: CallInfo, output: Record<string, unknown>) => {
      // update-stack executes a reviewed change set; the harness's own revert still calls UpdateStack.
      if (call.service === 'CloudFormation' && /^(UpdateStack|ExecuteChangeSet)$/.test(call.operation)) {
        world.statusOverride = undefined;
        latency.stackUpdated();
      }
      const observed = latency.count;
      output = latency.rewrite(extra.handler ?? '', call, output);
      if (latency.count > observed) world.note('latency', latency.count - observed);
      if (call.service === 'CloudFormation' && call.operation === 'DescribeStacks') {
        const stacks = (output.Stacks ?? []) as Array<Record<string, unknown>>;
        const status = extra.inProgress ? { status: 'UPDATE_IN_PROGRESS', reason: 'rehearsal: nodes booting / ECS rolling' } : world.statusOverride;
        if (status && stacks[0]) {
          stacks[0].StackStatus = status.status;
          stacks[0].StackStatusReason = status.reason;
        }
      }
      if (call.service === 'ECS' && call.operation === 'DescribeServices' && extra.desired) {
        for (const s of (output.services ?? []) as Array<Record<string, unknown>>) {
          const n = extra.desired[String(s.serviceName)];
          if (n !== undefined && s.schedulingStrategy !== 'REPLICA_EXPLICIT') {
            s.desiredCount = n;
            world.note('daemonDesired');
          }
        }
      }
      return output;
    },
  });

  const override = (task: TaskInfo) => async (params: Record<string, unknown>): Promise<unknown> => {
    const n = (invocations.get(task.stateName) ?? 0) + 1;
    invocations.set(task.stateName, n);
    const rest = { ...params };
    delete rest[LOCAL_TIMEOUT_FIELD];
    const payload = (rest.Payload ?? rest) as Record<string, unknown>;
    const faults = setup.faults.filter((f) => f.state === task.stateName && !fired.includes(f));
    const fire = (f: FaultSpec) => { fired.push(f); say(`  ! fault ${f.kind} injected into "${task.stateName}"`); };

    const handlerError = faults.find((f) => f.kind === 'handler-error');
    if (handlerError) {
      fire(handlerError);
      throw new PreconditionFailedError(`rehearsal fault (a): ${task.handler} failed in "${task.stateName}" (injected, not retryable)`);
    }
    const throttle = faults.find((f) => f.kind === 'throttle');
    const extra: Parameters<typeof runLevelHooks>[0] = { handler: task.handler };
    if (throttle) {
      extra.throttleFirstCall = true;
      extra.onThrottled = () => fire(throttle);
    }
    const deps: Record<string, unknown> = {
      region: setup.region,
      now: () => new Date(),
      log: jsonLogger({ handler: task.handler, state: task.stateName, execution: name }, (l) => handlerLog.write(l + '\n')),
    };

    if (task.handler === 'stack-status') {
      const rollback = faults.find((f) => f.kind === 'stack-rollback');
      if (rollback) {
        await world.settle(600_000);
        const revertTo = beforeLastUpdate ?? parametersBefore;
        say(`  ! fault stack-rollback: CloudFormation "rolls back" the update (parameters put back) and reports UPDATE_ROLLBACK_COMPLETE`);
        await revertStack(setup.harness, world, revertTo);
        world.statusOverride = { status: 'UPDATE_ROLLBACK_COMPLETE', reason: 'rehearsal fault (c): the update failed and CloudFormation rolled it back' };
        world.note('rollbackStatus');
        fire(rollback);
      } else if (!(await world.settle(STATUS_REWRITE_WAIT_MS))) {
        extra.inProgress = true;
        world.note('inProgress');
      }
    }
    if (task.handler === 'ecs-services-steady') {
      const view = await world.ecsView();
      extra.desired = view.desired;
      deps.observedRunningCounts = view.running;
      world.note('observed');
    }
    if (task.handler === 'health-gate') {
      const image = String(payload.dockerImage ?? '');
      const edition = /-(enterprise|community)\b/.exec(image.split(':').pop() ?? '')?.[1];
      const members = await world.members(cluster.parameterNames);
      deps.connect = simulatedConnect(world, { ...members, ...(edition && { edition }) });
      if (imageVersion(image) && world.neo4j?.runningVersion && imageVersion(image) !== world.neo4j.runningVersion) {
        say(`  (health gate expects ${image}; the real Neo4j runs ${world.neo4j.runningVersion})`);
      }
    }

    if (task.handler === 'validate-migration' || task.handler === 'run-migrations') {
      // The validator and the Cypher migrations use the real local Neo4j with the validator's driver: nothing simulated.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      deps.connect = (require(path.join(setup.root, 'validator', 'connect')) as { connect: (...a: unknown[]) => unknown }).connect;
    }

    const clients = new ClientSet({ endpoint: setup.endpoint, region: setup.region, counter: setup.counter }, task.handler, runLevelHooks(extra));
    for (const key of ['cfn', 'ssm', 'ec2', 'autoScaling', 'ecs', 'secrets', 'sns'] as const) {
      Object.defineProperty(deps, key, { get: () => clients[key], enumerable: true });
    }
    deps.ec2ForRegion = clients.ec2ForRegion;

    if (task.handler === 'update-stack') {
      // The previous update's boots finish first (in AWS the update they belong to would still be running).
      await world.settle(STATUS_REWRITE_WAIT_MS);
      beforeLastUpdate = await world.parameters();
    }
    const logic = loadLogic(setup.root, task.handler);
    const record = (fields: Record<string, unknown>) => handlerLog.write(JSON.stringify({
      time: new Date().toISOString(), state: task.stateName, handler: task.handler, attempt: n, ...fields,
    }) + '\n');
    record({ event: 'invoke', input: payload });
    let output: unknown;
    try {
      output = await logic(deps, payload);
    } catch (e) {
      record({ event: 'error', errorName: (e as Error).name, errorMessage: (e as Error).message });
      lastError.set(task.stateName, `${(e as Error).name}: ${(e as Error).message}`);
      throw e;
    }
    record({ event: 'output', output });
    const lock = output as { action?: string; outcome?: string };
    if (setup.whileLockHeld && !probed && lock.action === 'acquire' && (lock.outcome === 'created' || lock.outcome === 'taken-over')) {
      probed = true;
      await setup.whileLockHeld();
    }
    if (task.handler === 'update-stack' && (output as { changed?: boolean }).changed) {
      const after = await world.recordParameters();
      world.afterStackChange(beforeLastUpdate as Record<string, string>, after);
    }
    if (!task.waitsForTaskToken) return { Payload: output, StatusCode: 200, ExecutedVersion: '$LATEST' };

    // .waitForTaskToken: the operator finds the token where request-approval put it, then decides.
    const token = String(payload.taskToken ?? '');
    const parameterName = typeof payload.parameterName === 'string' ? payload.parameterName : undefined;
    if (parameterName) {
      const stored = await setup.harness.ssm.send(new GetParameterCommand({ Name: parameterName }));
      const record = JSON.parse(stored.Parameter?.Value ?? '{}') as { taskToken?: string };
      if (record.taskToken !== token) throw new Error(`approval parameter ${parameterName} holds another token than the task's`);
    }
    const approvalFault = faults.find((f) => f.kind === 'approval-reject' || f.kind === 'approval-timeout');
    const decision: ApprovalDecision = approvalFault
      ? (approvalFault.kind === 'approval-reject' ? 'reject' : 'timeout')
      : await setup.decide({ token, parameterName });
    if (approvalFault) fire(approvalFault);
    say(`  operator: ${decision} (task token ${token})`);
    if (decision === 'approve') return { approved: true, by: 'rehearsal operator', stage: payload.stage };
    if (decision === 'reject') {
      // What `aws stepfunctions send-task-failure --error <APPROVAL_REJECTED_ERROR>` gives the task.
      const err = new Error('rejected by the rehearsal operator');
      err.name = String(handlerExport(setup.root, task.handler, 'APPROVAL_REJECTED_ERROR') ?? 'ApprovalRejected');
      throw err;
    }
    return new Promise(() => undefined); // nobody answers: the task's TimeoutSecondsPath fires
  };

  const taskResourceLocalHandlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  const retryIntervalOverrides: Record<string, number> = {};
  for (const task of model.tasks) taskResourceLocalHandlers[task.stateName] = override(task) as (input: unknown) => Promise<unknown>;
  for (const [stateName, state] of allStates(model.definition)) if ((state.Retry ?? []).length > 0) retryIntervalOverrides[stateName] = 0;

  let tokens = 0;
  const context = {
    Execution: { Id: executionArn, Name: name, RoleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/rehearsal` },
    StateMachine: { Id: setup.stateMachineArn, Name: setup.stateMachineArn.split(':').pop() },
    State: { get EnteredTime() { return new Date().toISOString(); }, Name: '', RetryCount: 0 },
    Task: { get Token() { return `${name}-task-token-${++tokens}`; } },
  };

  // Validated once by aslFindings (reported); run it even when AWS would refuse it, to rehearse the rest.
  const machine = new StateMachine(localDefinition(model.definition) as never, { validationOptions: { noValidate: true } });
  const execution = machine.run(setup.input as never, {
    overrides: { taskResourceLocalHandlers, retryIntervalOverrides } as never,
    context: context as never,
  });

  // Events: transitions, stages, progress.
  const stages: StageReport[] = model.stages.map((s) => ({ key: s.key, name: s.name, seedStep: s.seedStep, status: 'not-started' }));
  const stageByBegin = new Map(model.stages.map((s, i) => [s.beginState, i]));
  const stageByDone = new Map(model.stages.filter((s) => s.doneState).map((s, i) => [s.doneState as string, model.stages.indexOf(s) ?? i]));
  let current: number | undefined;
  let transitions = 0;
  let retries = 0;
  let caught = 0;
  let endState: string | undefined;
  let pastPointOfNoReturn = false;
  let failedState: string | undefined;
  const parametersAfterStage: Record<string, Record<string, string>> = {};
  const stageDoneTimes: Array<[string, number]> = [];
  const failStates = new Set(model.failStates);
  const consume = (async () => {
    for await (const raw of execution.eventLogs) {
      const ev = raw as unknown as EventLike;
      const top = ev.index === undefined;
      if (ev.type === 'StateEntered' && ev.state) {
        transitions++;
        if (!top) continue;
        const name = ev.state.name;
        if (name === model.pointOfNoReturn) pastPointOfNoReturn = true;
        if (ev.state.type === 'Fail' || ev.state.type === 'Succeed') endState = name;
        const b = stageByBegin.get(name);
        if (b !== undefined) {
          current = b;
          stages[b].status = 'running';
          stages[b].startedAt = new Date(ev.timestamp).toISOString();
        }
        const d = stageByDone.get(name);
        if (d !== undefined) {
          const s = stages[d];
          s.status = 'succeeded';
          s.endedAt = new Date(ev.timestamp).toISOString();
          s.durationMs = ev.timestamp - Date.parse(s.startedAt ?? s.endedAt);
          stageDoneTimes.push([s.key, ev.timestamp]);
          say(`  ✔ ${s.name} (${s.seedStep}) succeeded in ${(s.durationMs / 1000).toFixed(1)} s`);
          current = undefined;
        }
        if (failStates.has(name) && !setup.quiet) say(`  → ${name}`);
      } else if (ev.type === 'StateRetried') {
        // Step Functions bills each retry as a state transition.
        retries++;
        transitions++;
      } else if (ev.type === 'StateCaught' && ev.state) {
        caught++;
        failedState ??= ev.state.name;
        if (current !== undefined && top) {
          const s = stages[current];
          s.status = 'failed';
          s.endedAt = new Date(ev.timestamp).toISOString();
          s.durationMs = ev.timestamp - Date.parse(s.startedAt ?? s.endedAt);
          say(`  ✘ ${s.name} (${s.seedStep}) failed after ${(s.durationMs / 1000).toFixed(1)} s in "${ev.state.name}" -> ${ev.catch?.catcher.Next}`);
          if (lastError.has(ev.state.name)) say(`    last error: ${lastError.get(ev.state.name)?.slice(0, 600)}`);
          current = undefined;
        } else if (top) {
          say(`  ✘ "${ev.state.name}" failed -> ${ev.catch?.catcher.Next}`);
          if (lastError.has(ev.state.name)) say(`    last error: ${lastError.get(ev.state.name)?.slice(0, 600)}`);
        }
      } else if (ev.type === 'StateFailed' && ev.state && top && !setup.quiet) {
        const cause = typeof ev.Cause === 'string' ? ev.Cause : (ev.Cause as { message?: string })?.message ?? '';
        if (!taskByState.get(ev.state.name)?.hasRetry || !/StillInProgress|HealthGate|Throttling/.test(String(ev.Error))) {
          setup.progress(`    ${ev.state.name}: ${ev.Error}: ${String(cause).slice(0, 300)}`);
        }
      }
    }
  })();

  let status: 'SUCCEEDED' | 'FAILED' = 'SUCCEEDED';
  let error: { name: string; message: string } | undefined;
  try {
    await execution.result;
  } catch (e) {
    status = 'FAILED';
    error = errorOf(e);
  }
  await consume;
  if (current !== undefined && stages[current].status === 'running') {
    const s = stages[current];
    s.status = 'failed';
    s.endedAt = new Date().toISOString();
    s.durationMs = Date.parse(s.endedAt) - Date.parse(s.startedAt ?? s.endedAt);
    say(`  ✘ ${s.name} (${s.seedStep}) failed after ${(s.durationMs / 1000).toFixed(1)} s: ${error?.name}: ${error?.message.slice(0, 300)}`);
  }
  await world.idle();
  handlerLog.end();
  for (const [key, at] of stageDoneTimes) {
    const p = world.parametersAt(at);
    if (p) parametersAfterStage[key] = p;
  }
  const finalParameters = await world.recordParameters();
  const after = await inventory(setup.harness, setup.regions, cluster.environmentName, lockParameterName);
  const diff = diffInventories(before, after, cluster.dataVolumeName, executionArn);

  // Restore check: past the point of no return, a claimable volume per pre-upgrade snapshot.
  let restore: ExecutionReport['restore'];
  if (pastPointOfNoReturn && status === 'FAILED') {
    const pre = diff.snapshots.preUpgrade;
    const claimable = after.volumes.filter((v) => v.tags.Name === cluster.dataVolumeName && v.tags.Environment === cluster.environmentName);
    const missing = pre.filter((s) => !claimable.some((v) => v.snapshotId === s.snapshotId)).map((s) => s.snapshotId);
    const restoredIds = new Set(claimable.filter((v) => pre.some((s) => s.snapshotId === v.snapshotId)).map((v) => v.volumeId));
    const claimedByNewNodes = world.fleet.boots.filter((b) => b.ok && b.volumeId && restoredIds.has(b.volumeId)).length;
    restore = { snapshots: pre.length, restoredClaimable: pre.length - missing.length, missing, claimedByNewNodes };
  }

  const problems: string[] = [...world.worldErrors];
  const sameParameters = Object.keys(parametersBefore).every((k) => parametersBefore[k] === finalParameters[k]);
  if (diff.volumes.deleted.length > 0) problems.push(`${diff.volumes.deleted.length} data volume(s) deleted: ${diff.volumes.deleted.map((v) => v.volumeId).join(', ')}`);
  if (diff.snapshots.deleted.length > 0) problems.push(`${diff.snapshots.deleted.length} snapshot(s) deleted`);
  if (diff.lock.heldAtEnd) problems.push(`lock ${lockParameterName} still held at the end (by ${diff.lock.holder})`);
  if (restore && restore.missing.length > 0) problems.push(`past the point of no return, no claimable volume restored from ${restore.missing.join(', ')}`);
  let outcome: Outcome;
  if (status === 'SUCCEEDED') {
    outcome = problems.length === 0 ? 'succeeded' : 'unsafe';
  } else {
    if (!sameParameters) {
      const changed = Object.keys(parametersBefore).filter((k) => parametersBefore[k] !== finalParameters[k]);
      problems.push(`parameters not back to the pre-upgrade values: ${changed.map((k) => `${k}=${finalParameters[k]} (was ${parametersBefore[k]})`).join(', ')}`);
    }
    // Refused: the stack never changed and no volume was touched (snapshots are backups, not changes).
    const stackChanged = world.timeline.some((t) => t.at >= t0 && Object.keys(parametersBefore).some((k) => t.parameters[k] !== parametersBefore[k]));
    const touched = diff.volumes.renamed.length > 0 || diff.volumes.created.length > 0;
    outcome = problems.length > 0 ? 'unsafe' : stackChanged || touched ? 'rolled-back' : 'refused';
  }
  const counts = {
    stateTransitions: transitions,
    retries,
    caught,
    awsApiCalls: setup.counter.total,
    awsApiCallsByHandler: { ...setup.counter.byCaller },
    awsApiCallsByOperation: { ...setup.counter.byOperation },
  };
  const report: ExecutionReport = {
    name,
    executionArn,
    status,
    ...(endState && { endState }),
    ...(failedState && { failedState }),
    ...(error && { error }),
    startedAt,
    endedAt: new Date().toISOString(),
    durationMs: Date.now() - t0,
    stages,
    parametersBefore,
    parametersAfterStage,
    finalParameters,
    volumes: { before: before.volumes.length, after: after.volumes.length, ...diff.volumes },
    snapshots: diff.snapshots,
    lock: diff.lock,
    pastPointOfNoReturn,
    ...(restore && { restore }),
    counts,
    outcome,
    problems,
    bootedNodes: world.fleet.boots.filter((b) => b.ok).length,
  };
  return { report, fired, before, after };
}

/** What CloudFormation does when an update fails: every parameter back to its value before the update. */
async function revertStack(harness: ClientSet, world: World, parameters: Record<string, string>): Promise<void> {
  const { UpdateStackCommand } = await import('@aws-sdk/client-cloudformation');
  const current = await world.parameters();
  await harness.cfn.send(new UpdateStackCommand({
    StackName: world.cluster.stackName,
    UsePreviousTemplate: true,
    Parameters: Object.keys(current).map((k) => ({ ParameterKey: k, ParameterValue: parameters[k] ?? current[k] })),
    Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'],
  })).catch((e: Error) => {
    if (!/No updates are to be performed/.test(e.message)) throw e;
  });
  const after = await world.recordParameters();
  world.afterStackChange(current, after);
  await world.idle();
}
