/**
 * aws-local-stepfunctions with Step Functions' and Lambda's quotas applied, failing a run the way AWS
 * does: a state input, output or task result over 256 KiB stops the execution with
 * States.DataLimitExceeded (States.ALL does not catch it), a Lambda response over 6 MB is the function
 * error Lambda gives, the 25,000th history event that is not ExecutionSucceeded fails the execution
 * (States.Runtime), an execution input over 256 KiB is refused at StartExecution, a path-given task
 * timeout must lie within a year. It also measures each run: its largest payload, its history length, the
 * peak concurrency of each Map.
 *
 * Why it reaches into the library: AWS checks a state's output between the state's end and the next
 * state's start, and the library has no hook there. Its StateMachine.execute loop calls the run's
 * EventLogger synchronously at exactly those points (StateEntered before a state runs, StateExited after
 * it and its Retry/Catch ended, StateFailed before Retry/Catch decide), and an error thrown from those
 * calls fails the execution at that state. So StateMachine.prototype.execute is wrapped once: for a run
 * started here (marked in its run options, which Map and Parallel pass on to their iterations), the
 * run's EventLogger is instrumented; any other run of the library is left alone.
 */
import './polyfill';
import { StateMachine } from 'aws-local-stepfunctions';
import { AslDefinition, AslState, allStates } from './definition';
import {
  SERVICE_LIMITS, ServiceLimitError, ServiceLimits, dataLimitExceeded, historyLimitReached, lambdaResponseOf,
  lambdaResponseTooLarge, payloadBytes, runtimeRangeError,
} from './service-limits';

export interface LimitUsage {
  /** The largest state input, state output or task result of the run (UTF-8 bytes of its JSON). */
  largestStateBytes: number;
  /** Where it was, e.g. `Stage 1 (output)`. */
  largestState?: string;
  /** History events as Step Functions would have logged them (ExecutionStarted/…Entered/Scheduled/Started/Succeeded/Exited, retries, Map iterations). */
  historyEvents: number;
  /** Per Map state: its MaxConcurrency and the most iterations one of its runs had in flight. */
  mapConcurrency: Record<string, { maxConcurrency?: number; peak: number }>;
}

type TaskHandler = (input: unknown) => Promise<unknown>;

export interface LimitedRunOptions {
  readonly taskResourceLocalHandlers?: Record<string, TaskHandler>;
  readonly retryIntervalOverrides?: Record<string, number>;
  /** Wait states' times in milliseconds, by state name (a test shortens a long Wait). */
  readonly waitTimeOverrides?: Record<string, number>;
  readonly context?: Record<string, unknown>;
  /** Default SERVICE_LIMITS (a test may lower one). */
  readonly limits?: Partial<ServiceLimits>;
}

export interface LimitedRun {
  readonly result: Promise<unknown>;
  readonly eventLogs: AsyncIterable<unknown>;
  readonly abort: () => void;
  /** Filled while the run goes; final once `result` settled. */
  readonly usage: LimitUsage;
}

/** The library's run-private logger methods this layer instruments (aws-local-stepfunctions 3). */
interface EventLoggerLike {
  dispatchExecutionStartedEvent(input: unknown): void;
  dispatchExecutionSucceededEvent(output: unknown): void;
  dispatchExecutionFailedEvent(error: unknown): void;
  dispatchStateEnteredEvent(name: string, type: string, input: unknown): void;
  dispatchStateExitedEvent(name: string, type: string, input: unknown, output: unknown): void;
  dispatchStateFailedEvent(name: string, type: string, input: unknown, error: unknown): void;
  dispatchStateRetriedEvent(name: string, type: string, ...rest: unknown[]): void;
  dispatchStateCaughtEvent(name: string, type: string, ...rest: unknown[]): void;
}

interface MachineInternals {
  definition: AslDefinition;
  execute(input: unknown, options: { runOptions?: Record<PropertyKey, unknown>; eventLogger: EventLoggerLike }, cleanup: () => void): Promise<unknown>;
}

const GUARD = Symbol('rehearsal service limits');

/** History events per library event, by state type (a `.waitForTaskToken` task adds TaskSubmitted). */
function historyOf(event: 'entered' | 'exited' | 'failed' | 'retried', state: AslState, caught: boolean): number {
  const task = state.Type === 'Task';
  const token = task && String(state.Resource ?? '').endsWith('.waitForTaskToken') ? 1 : 0;
  const nested = state.Type === 'Map' || state.Type === 'Parallel';
  switch (event) {
    case 'entered': return task ? 3 + token : nested ? 2 : 1; // Entered (+Scheduled, Started | +MapStateStarted)
    case 'exited': return state.Type === 'Fail' ? 0 : (task || nested) && !caught ? 2 : 1; // (Succeeded +) Exited
    case 'failed': return task || nested ? 1 : 0; // TaskFailed / TaskTimedOut / MapStateFailed
    case 'retried': return task ? 2 + token : nested ? 1 : 0; // Scheduled, Started again
  }
}

/** One run's quotas and measurements, shared by its root machine and every Map/Parallel iteration. */
class LimitGuard {
  public readonly usage: LimitUsage = { largestStateBytes: 0, historyEvents: 0, mapConcurrency: {} };
  private tripped: ServiceLimitError | undefined;
  /** Iteration definitions -> their Map state (Parallel branches are not Map iterations). */
  private readonly mapOf = new Map<AslDefinition, { name: string; maxConcurrency?: number }>();
  private readonly inFlight = new WeakMap<object, number>();

  constructor(public readonly root: AslDefinition, public readonly limits: ServiceLimits) {
    for (const [name, state] of allStates(root)) {
      const inner = state.ItemProcessor ?? state.Iterator;
      if (state.Type === 'Map' && inner) {
        this.mapOf.set(inner, { name, ...(typeof state.MaxConcurrency === 'number' && { maxConcurrency: state.MaxConcurrency }) });
      }
    }
  }

  /** Counts history events; the one that would be number `historyEvents` fails the run (unless it ends it successfully). */
  public add(events: number, succeeding = false): void {
    if (this.tripped) throw this.tripped;
    if (!succeeding && this.usage.historyEvents + events >= this.limits.historyEvents) {
      this.tripped = historyLimitReached(this.limits.historyEvents);
      throw this.tripped;
    }
    this.usage.historyEvents += events;
  }

  /** Records a payload; over the quota it is States.DataLimitExceeded. */
  public measure(stateName: string, what: 'input' | 'output' | 'result', value: unknown): ServiceLimitError | undefined {
    const bytes = payloadBytes(value);
    if (bytes > this.usage.largestStateBytes) {
      this.usage.largestStateBytes = bytes;
      this.usage.largestState = `${stateName} (${what})`;
    }
    return bytes > this.limits.payloadBytes ? dataLimitExceeded(stateName, what, bytes, this.limits.payloadBytes) : undefined;
  }

  /** Wraps the logger of one machine run (the root run or one iteration). */
  public instrument(machine: MachineInternals, logger: EventLoggerLike): void {
    const states = machine.definition.States;
    const iteration = this.mapOf.get(machine.definition);
    const isRoot = machine.definition === this.root;
    /** States of this run whose error a Catch took: their exit logs no Succeeded event. */
    const caught = new Set<string>();
    const original = {
      started: logger.dispatchExecutionStartedEvent.bind(logger),
      succeeded: logger.dispatchExecutionSucceededEvent.bind(logger),
      failed: logger.dispatchExecutionFailedEvent.bind(logger),
      entered: logger.dispatchStateEnteredEvent.bind(logger),
      exited: logger.dispatchStateExitedEvent.bind(logger),
      stateFailed: logger.dispatchStateFailedEvent.bind(logger),
      retried: logger.dispatchStateRetriedEvent.bind(logger),
      caught: logger.dispatchStateCaughtEvent.bind(logger),
    };
    const endIteration = () => {
      if (!iteration) return;
      this.inFlight.set(machine, (this.inFlight.get(machine) ?? 1) - 1);
      this.usage.historyEvents++; // MapIterationSucceeded / MapIterationFailed
    };
    logger.dispatchExecutionStartedEvent = (input) => {
      if (isRoot) this.add(1);
      if (iteration) {
        // One iterator machine per Map run: its in-flight runs are that Map run's concurrency.
        const n = (this.inFlight.get(machine) ?? 0) + 1;
        this.inFlight.set(machine, n);
        const seen = this.usage.mapConcurrency[iteration.name] ?? { ...(iteration.maxConcurrency !== undefined && { maxConcurrency: iteration.maxConcurrency }), peak: 0 };
        seen.peak = Math.max(seen.peak, n);
        this.usage.mapConcurrency[iteration.name] = seen;
        this.add(1); // MapIterationStarted
      }
      original.started(input);
    };
    logger.dispatchExecutionSucceededEvent = (output) => {
      if (isRoot) this.usage.historyEvents++;
      endIteration();
      original.succeeded(output);
    };
    logger.dispatchExecutionFailedEvent = (error) => {
      if (isRoot) this.usage.historyEvents++;
      endIteration();
      original.failed(error);
    };
    logger.dispatchStateEnteredEvent = (name, type, input) => {
      const state = states[name];
      this.add(historyOf('entered', state, false));
      const tooLarge = this.measure(name, 'input', input);
      if (tooLarge) throw tooLarge;
      original.entered(name, type, input);
    };
    logger.dispatchStateExitedEvent = (name, type, input, output) => {
      const state = states[name];
      this.add(historyOf('exited', state, caught.delete(name)));
      // The state is over (its Retry/Catch had their turn): an output over the quota ends the execution here.
      const tooLarge = this.measure(name, 'output', output);
      if (tooLarge) throw tooLarge;
      original.exited(name, type, input, output);
    };
    logger.dispatchStateFailedEvent = (name, type, input, error) => {
      const state = states[name];
      if (error instanceof ServiceLimitError) error.armFor(state);
      original.stateFailed(name, type, input, error);
      this.add(historyOf('failed', state, false));
    };
    logger.dispatchStateRetriedEvent = (name, type, ...rest) => {
      this.add(historyOf('retried', states[name], false));
      original.retried(name, type, ...rest);
    };
    logger.dispatchStateCaughtEvent = (name, type, ...rest) => {
      caught.add(name);
      original.caught(name, type, ...rest);
    };
  }

  /** A task handler with the quotas AWS applies around a task: its effective input, the Lambda response, its result. */
  public task(stateName: string, state: AslState, handler: TaskHandler): TaskHandler {
    return async (input) => {
      const tooLarge = this.measure(stateName, 'input', input);
      if (tooLarge) throw tooLarge;
      const path = typeof state.TimeoutSecondsPath === 'string' && /^\$(\.[A-Za-z0-9_]+)+$/.test(state.TimeoutSecondsPath) ? state.TimeoutSecondsPath : undefined;
      if (path) {
        // Resolved against the effective input, as the library does (AWS: the state input; see localDefinition).
        const seconds = path.split('.').slice(1).reduce<unknown>((o, k) => (o as Record<string, unknown> | null)?.[k], input);
        if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 1 || seconds > this.limits.maxSeconds) {
          throw runtimeRangeError(stateName, 'TimeoutSecondsPath', seconds, this.limits);
        }
      }
      const result = await handler(input);
      const lambda = lambdaResponseOf(state, result);
      if (lambda) {
        const bytes = payloadBytes(lambda.response);
        if (bytes > this.limits.lambdaResponseBytes) throw lambdaResponseTooLarge(bytes, this.limits.lambdaResponseBytes);
      }
      const resultTooLarge = this.measure(stateName, 'result', result);
      if (resultTooLarge) throw resultTooLarge;
      return result;
    };
  }
}

let installed = false;

function installHook(): void {
  if (installed) return;
  const proto = StateMachine.prototype as unknown as MachineInternals;
  if (typeof proto.execute !== 'function') {
    throw new Error('aws-local-stepfunctions no longer has StateMachine.prototype.execute(input, options, cleanup): tools/rehearsal/limited-machine.ts needs updating');
  }
  const original = proto.execute;
  proto.execute = function execute(this: MachineInternals, input, options, cleanup) {
    const guard = options.runOptions?.[GUARD] as LimitGuard | undefined;
    if (guard) {
      if (typeof options.eventLogger?.dispatchStateExitedEvent !== 'function') {
        throw new Error('aws-local-stepfunctions changed its EventLogger: tools/rehearsal/limited-machine.ts needs updating');
      }
      guard.instrument(this, options.eventLogger);
    }
    return original.call(this, input, options, cleanup);
  };
  installed = true;
}

/** Runs `definition` (as aws-local-stepfunctions runs it, unvalidated) under Step Functions' quotas. */
export function runWithLimits(definition: AslDefinition, input: unknown, options: LimitedRunOptions = {}): LimitedRun {
  installHook();
  const limits: ServiceLimits = { ...SERVICE_LIMITS, ...options.limits };
  const guard = new LimitGuard(definition, limits);
  const inputBytes = payloadBytes(input);
  if (inputBytes > limits.payloadBytes) {
    // StartExecution refuses it: no execution, no history.
    const refused = new ServiceLimitError('ValidationException', `StartExecution: input is ${inputBytes} bytes, the limit is ${limits.payloadBytes}`, 'none');
    guard.usage.largestStateBytes = inputBytes;
    guard.usage.largestState = 'execution input';
    return { result: Promise.reject(refused), eventLogs: (async function* () { /* no events */ })(), abort: () => undefined, usage: guard.usage };
  }
  const states = new Map(allStates(definition).map(([name, state]) => [name, state]));
  const taskResourceLocalHandlers: Record<string, TaskHandler> = {};
  for (const [name, handler] of Object.entries(options.taskResourceLocalHandlers ?? {})) {
    const state = states.get(name);
    if (!state) throw new Error(`a local handler is given for "${name}", which is no state of the definition`);
    taskResourceLocalHandlers[name] = guard.task(name, state, handler);
  }
  const machine = new StateMachine(definition as never, { validationOptions: { noValidate: true } });
  const execution = machine.run(input as never, {
    overrides: { taskResourceLocalHandlers, retryIntervalOverrides: options.retryIntervalOverrides, waitTimeOverrides: options.waitTimeOverrides } as never,
    ...(options.context && { context: options.context as never }),
    [GUARD]: guard,
  } as never);
  return { result: execution.result, eventLogs: execution.eventLogs, abort: execution.abort, usage: guard.usage };
}
