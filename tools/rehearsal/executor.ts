/**
 * Runs one execution of the synthesized state machine with aws-local-stepfunctions under Step Functions'
 * quotas (limited-machine.ts): every Task state runs the real handler logic in-process (task-runner.ts)
 * with real SDK v3 clients pointed at moto, the emulator adaptations (adaptations.ts) and the planned
 * faults (fault-injector.ts) acting only inside the client and Bolt seams. The events make the stage
 * reports (stage-tracker.ts); the inventories before and after make the verdict (execution-verdict.ts).
 */
import { MACHINE_ADAPTATIONS } from './adaptations';
import { MapAbort, withMapAbort } from './map-abort';
import { ApiCallCounter, ClientSet } from './aws-clients';
import { MachineModel } from './definition';
import { ExecutionMirror } from './execution-mirror';
import { judgeExecution } from './execution-verdict';
import { ApprovalDecision, FaultInjector } from './fault-injector';
import { ClusterInventory, inventory } from './inventory';
import { runWithLimits } from './limited-machine';
import { StageTracker } from './stage-tracker';
import { TaskRunner } from './task-runner';
import { contextFor, openHandlerLog, settle } from './tracked-run';
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
  /** Every event of the run as aws-local-stepfunctions gives it (the Step Functions front's history). */
  readonly observe?: (event: unknown) => void;
  /** Told when a task is scheduled, with its evaluated Parameters. */
  readonly onTask?: (stateName: string, parameters: Record<string, unknown>) => void;
  /** A redrive: re-enter the definition at a state of a run that ended FAILED, instead of StartAt. */
  readonly resume?: ResumePoint;
}

/**
 * Where a redrive re-enters (RedriveExecution: "continues the failed execution from the unsuccessful
 * step and uses the same input"): the top-level state that failed, with the input it had, and what the
 * first attempt knew (the pre-upgrade parameters and inventory the verdict compares with, the point of no return).
 */
export interface ResumePoint {
  readonly state: string;
  readonly stateInput: unknown;
  readonly parametersBefore: Record<string, string>;
  readonly before: ClusterInventory;
  readonly startedAt: number;
  readonly pastPointOfNoReturn: boolean;
}

export interface ExecutionResult {
  readonly report: ExecutionReport;
  readonly fired: FaultSpec[];
  /** Every state the execution entered (nested ones by their own names), once each. */
  readonly statesEntered: string[];
  readonly before: ClusterInventory;
  readonly after: ClusterInventory;
}

export async function runExecution(setup: ExecutionSetup): Promise<ExecutionResult> {
  const { model, world, name } = setup;
  const say = (line: string) => { if (!setup.quiet) setup.progress(line); };
  const t0 = setup.resume?.startedAt ?? Date.now();
  const executionArn = `${setup.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  const lockParameterName = String(model.baked.settings.lockParameterName ?? '');
  const abortParameterName = String(model.baked.settings.abortParameterName ?? `${lockParameterName}/abort`);
  const cluster = model.baked.cluster as { dataVolumeName: string; environmentName: string; parameterNames: Record<string, string> };
  const parametersBefore = setup.resume?.parametersBefore ?? await world.recordParameters();
  const before = setup.resume?.before ?? await inventory(setup.harness, setup.regions, cluster.environmentName, lockParameterName);
  const handlerLog = openHandlerLog(setup.logDir, name);

  // moto has no RedriveExecution: a redriven run keeps the mirror its first attempt stopped (ABORTED).
  const mirror = setup.resume ? undefined : await ExecutionMirror.start(setup.harness, setup.stateMachineArn, name, setup.input);
  if (mirror && mirror.executionArn !== executionArn) throw new Error(`moto named the mirrored execution ${mirror.executionArn}, not ${executionArn}`);
  const faults = new FaultInjector(setup.faults, say);
  const waitModel = setup.waitCompletion ?? DEFAULT_WAIT_COMPLETION;
  const waits = new WaitEpisodes(model.definition, waitModel);
  world.waitSets.add(waits);
  const runner = new TaskRunner({
    root: setup.root, execution: name, world, endpoint: setup.endpoint, region: setup.region, counter: setup.counter,
    harness: setup.harness, faults, decide: setup.decide, whileLockHeld: setup.whileLockHeld,
    parameterNames: cluster.parameterNames ?? {}, parametersBefore, say, executionArn, abortParameterName, log: handlerLog.log,
    waits, memoryMb: setup.memoryMb, onTask: setup.onTask,
  });
  const tracker = new StageTracker(model, runner.lastError, say);
  if (setup.resume?.pastPointOfNoReturn) tracker.pastPointOfNoReturn = true;
  const definition = MACHINE_ADAPTATIONS.timeoutSecondsPath.apply(model.definition);
  // Validated once by aslFindings (reported); run even when AWS would refuse it, to rehearse the rest.
  const run = runWithLimits(setup.resume ? { ...definition, StartAt: setup.resume.state } : definition, setup.resume ? setup.resume.stateInput : setup.input, {
    taskResourceLocalHandlers: withMapAbort(runner.handlers(model.tasks), new MapAbort(model)),
    retryIntervalOverrides: MACHINE_ADAPTATIONS.zeroRetryIntervals.apply(model.definition),
    context: contextFor(name, executionArn, setup.stateMachineArn),
  });
  const consumed = tracker.consume(run.eventLogs, setup.observe);

  const { status, error } = await settle(run.result);
  await consumed;
  await mirror?.stop();
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
  return { report, fired: faults.fired, statesEntered: [...new Set(tracker.statesEntered.map((e) => e.name))], before, after };
}
