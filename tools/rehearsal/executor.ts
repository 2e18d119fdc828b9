/**
 * Runs one execution of the synthesized state machine with aws-local-stepfunctions under Step Functions'
 * quotas (limited-machine.ts): every Task state runs the real handler logic in-process (task-runner.ts)
 * with real SDK v3 clients pointed at moto, the emulator adaptations (adaptations.ts) and the planned
 * faults (fault-injector.ts) acting only inside the client and Bolt seams. The events make the stage
 * reports (stage-tracker.ts); the inventories before and after make the verdict (execution-verdict.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MACHINE_ADAPTATIONS } from './adaptations';
import { ApiCallCounter, ClientSet, MOTO_ACCOUNT } from './aws-clients';
import { MachineModel } from './definition';
import { ExecutionMirror } from './execution-mirror';
import { judgeExecution } from './execution-verdict';
import { ApprovalDecision, FaultInjector } from './fault-injector';
import { ClusterInventory, inventory } from './inventory';
import { runWithLimits } from './limited-machine';
import { StageTracker } from './stage-tracker';
import { TaskRunner } from './task-runner';
import { detectionLags } from './detection-lag';
import { DEFAULT_WAIT_COMPLETION, WaitCompletionModel, WaitEpisodes } from './wait-episodes';
import { ExecutionReport, FaultSpec } from './types';
import { World } from './world';
import { readJsonParameter } from '../../lambda/shared/ssm-json';

export type { ApprovalDecision };

export interface ExecutionSetup {
  readonly root: string;
  readonly name: string;
  readonly model: MachineModel;
  readonly world: World;
  readonly endpoint: string;
  readonly region: string;
  readonly stateMachineArn: string;
  /** The execution input as given (not necessarily an object: validate-input must refuse what is not). */
  readonly input: unknown;
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
  /** When each wait's condition becomes true. Default DEFAULT_WAIT_COMPLETION. */
  readonly waitCompletion?: WaitCompletionModel;
  /** Each function's memory (MiB) by logical id. */
  readonly memoryMb: ReadonlyMap<string, number>;
}

export interface ExecutionResult {
  readonly report: ExecutionReport;
  readonly fired: FaultSpec[];
  readonly before: ClusterInventory;
  readonly after: ClusterInventory;
}

function errorOf(e: unknown): { name: string; message: string } {
  const err = e as { name?: string; message?: string; cause?: { name?: string; message?: string } };
  const inner = err?.cause && typeof err.cause === 'object' ? err.cause : err;
  return { name: String(inner?.name ?? 'Error'), message: String(inner?.message ?? e) };
}

/** The context object Step Functions gives a run (aws-local-stepfunctions only fills $$.Execution.Input/StartTime). */
function contextFor(name: string, executionArn: string, stateMachineArn: string): Record<string, unknown> {
  let tokens = 0;
  return {
    Execution: { Id: executionArn, Name: name, RoleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/rehearsal` },
    StateMachine: { Id: stateMachineArn, Name: stateMachineArn.split(':').pop() },
    State: { get EnteredTime() { return new Date().toISOString(); }, Name: '', RetryCount: 0 },
    Task: { get Token() { return `${name}-task-token-${++tokens}`; } },
  };
}

export async function runExecution(setup: ExecutionSetup): Promise<ExecutionResult> {
  const { model, world, name } = setup;
  const say = (line: string) => { if (!setup.quiet) setup.progress(line); };
  const t0 = Date.now();
  const executionArn = `${setup.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  const lockParameterName = String(model.baked.settings.lockParameterName ?? '');
  const abortParameterName = String(model.baked.settings.abortParameterName ?? `${lockParameterName}/abort`);
  const cluster = model.baked.cluster as { dataVolumeName: string; environmentName: string; parameterNames: Record<string, string> };
  const parametersBefore = await world.recordParameters();
  const before = await inventory(setup.harness, setup.regions, cluster.environmentName, lockParameterName);
  fs.mkdirSync(setup.logDir, { recursive: true });
  const handlerLog = fs.createWriteStream(path.join(setup.logDir, `${name}.handlers.jsonl`), { flags: 'a' });

  const mirror = await ExecutionMirror.start(setup.harness, setup.stateMachineArn, name, setup.input);
  if (mirror.executionArn !== executionArn) throw new Error(`moto named the mirrored execution ${mirror.executionArn}, not ${executionArn}`);
  const faults = new FaultInjector(setup.faults, say);
  const waitModel = setup.waitCompletion ?? DEFAULT_WAIT_COMPLETION;
  const waits = new WaitEpisodes(model.definition, waitModel);
  world.waitSets.add(waits);
  const runner = new TaskRunner({
    root: setup.root, execution: name, world, endpoint: setup.endpoint, region: setup.region, counter: setup.counter,
    harness: setup.harness, faults, decide: setup.decide, whileLockHeld: setup.whileLockHeld,
    parameterNames: cluster.parameterNames ?? {}, parametersBefore, say, executionArn, abortParameterName, log: (line) => handlerLog.write(line + '\n'),
    waits, memoryMb: setup.memoryMb,
  });
  const tracker = new StageTracker(model, runner.lastError, say);
  // Validated once by aslFindings (reported); run even when AWS would refuse it, to rehearse the rest.
  const run = runWithLimits(MACHINE_ADAPTATIONS.timeoutSecondsPath.apply(model.definition), setup.input, {
    taskResourceLocalHandlers: runner.handlers(model.tasks),
    retryIntervalOverrides: MACHINE_ADAPTATIONS.zeroRetryIntervals.apply(model.definition),
    context: contextFor(name, executionArn, setup.stateMachineArn),
  });
  const consumed = tracker.consume(run.eventLogs);

  let status: 'SUCCEEDED' | 'FAILED' = 'SUCCEEDED';
  let error: { name: string; message: string } | undefined;
  try {
    await run.result;
  } catch (e) {
    status = 'FAILED';
    error = errorOf(e);
  }
  await consumed;
  await mirror.stop();
  tracker.finish(error);
  await world.idle();
  handlerLog.end();

  const parametersAfterStage: Record<string, Record<string, string>> = {};
  for (const [key, at] of tracker.stageDoneTimes) {
    const p = world.parametersAt(at);
    if (p) parametersAfterStage[key] = p;
  }
  const finalParameters = await world.recordParameters();
  const after = await inventory(setup.harness, setup.regions, cluster.environmentName, lockParameterName);
  const { outcome, problems, diff, restore } = judgeExecution({
    status, pastPointOfNoReturn: tracker.pastPointOfNoReturn, before, after, parametersBefore, finalParameters, world, cluster,
    executionArn, lockParameterName, startedAt: t0,
  });
  const report: ExecutionReport = {
    name,
    executionArn,
    status,
    ...(tracker.endState && { endState: tracker.endState }),
    ...(tracker.failedState && { failedState: tracker.failedState }),
    ...(error && { error }),
    startedAt: new Date(t0).toISOString(),
    endedAt: new Date().toISOString(),
    durationMs: Date.now() - t0,
    stages: tracker.stages,
    parametersBefore,
    parametersAfterStage,
    finalParameters,
    volumes: { before: before.volumes.length, after: after.volumes.length, ...diff.volumes },
    snapshots: diff.snapshots,
    inventory: {
      before: { volumes: before.volumes, snapshots: before.snapshots },
      after: { volumes: after.volumes, snapshots: after.snapshots },
    },
    lock: diff.lock,
    ...(runner.abortRequestedBefore && {
      abortRequest: {
        parameterName: abortParameterName, requestedBefore: runner.abortRequestedBefore,
        leftAtEnd: (await readJsonParameter(setup.harness.ssm, abortParameterName)) !== undefined,
      },
    }),
    pastPointOfNoReturn: tracker.pastPointOfNoReturn,
    ...(restore && { restore }),
    counts: {
      stateTransitions: tracker.transitions,
      retries: tracker.retries,
      caught: tracker.caught,
      awsApiCalls: setup.counter.total,
      awsApiCallsByHandler: { ...setup.counter.byCaller },
      awsApiCallsByOperation: { ...setup.counter.byOperation },
      largestStateBytes: run.usage.largestStateBytes,
      ...(run.usage.largestState && { largestState: run.usage.largestState }),
      historyEvents: run.usage.historyEvents,
      mapConcurrency: run.usage.mapConcurrency,
      lambda: { ...runner.lambda, gbSeconds: Math.round(runner.lambda.gbSeconds * 1000) / 1000 },
    },
    detectionLag: detectionLags(waits.closed, tracker.statesEntered, waitModel),
    outcome,
    problems,
    bootedNodes: world.fleet.boots.filter((b) => b.ok).length,
  };
  return { report, fired: faults.fired, before, after };
}
