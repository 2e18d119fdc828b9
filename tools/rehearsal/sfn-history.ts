/**
 * SIMULATED (part of the Step Functions front): an execution's history as Step Functions' API gives it,
 * built from aws-local-stepfunctions' events: `<Type>StateEntered` / `<Type>StateExited`, for a task
 * TaskScheduled (its resource and evaluated Parameters, as the task runner got them) and TaskStarted, then
 * TaskSucceeded or TaskFailed (a retry schedules it again), Map iterations, and the execution's own
 * Started / Redriven / Succeeded / Failed. Ids count up; previousEventId is the event before.
 * It also keeps the top-level state entered and not left: where a failed execution stopped, with the
 * input it had (what RedriveExecution re-enters).
 */
import { AslDefinition, AslState, allStates } from './definition';

export interface HistoryEvent {
  readonly id: number;
  readonly previousEventId: number;
  readonly timestamp: Date;
  readonly type: string;
  readonly [details: string]: unknown;
}

/** The library's event fields this reads (aws-local-stepfunctions 3 EventLog). */
interface LibraryEvent {
  type: string;
  timestamp: number;
  index?: number;
  state?: { name: string; type: string; input?: unknown; output?: unknown };
  parentState?: { name: string };
  Error?: string;
  Cause?: unknown;
}

/** A top-level state with the input it was entered with. */
export interface EnteredState {
  readonly name: string;
  readonly input: unknown;
}

const json = (v: unknown) => JSON.stringify(v ?? null);
const causeText = (c: unknown) => (typeof c === 'string' ? c : (c as { message?: string } | undefined)?.message ?? json(c));

export class HistoryBuilder {
  public readonly events: HistoryEvent[] = [];
  /** The top-level state entered and not left (set when the execution ended FAILED: the state that failed). */
  public open: EnteredState | undefined;
  /** Where the last attempt failed; undefined while it runs or when it succeeded. */
  public failedAt: EnteredState | undefined;
  private readonly states: Map<string, AslState>;
  private readonly topLevel: Set<string>;
  /** Tasks entered (or retried) whose TaskScheduled waits for their Parameters, and Parameters that came first. */
  private readonly awaiting = new Set<string>();
  private readonly parameters = new Map<string, Record<string, unknown>>();
  private readonly caught = new Set<string>();

  constructor(definition: AslDefinition) {
    this.states = new Map(allStates(definition).map(([name, state]) => [name, state]));
    this.topLevel = new Set(Object.keys(definition.States));
  }

  public executionStarted(input: unknown, at: Date): void {
    this.push(at, 'ExecutionStarted', { executionStartedEventDetails: { input: json(input), inputDetails: { truncated: false } } });
  }

  public executionRedriven(redriveCount: number, at: Date): void {
    this.failedAt = undefined;
    this.push(at, 'ExecutionRedriven', { executionRedrivenEventDetails: { redriveCount } });
  }

  public executionEnded(status: string, at: Date, error?: { name: string; message: string }): void {
    if (status === 'SUCCEEDED') {
      this.push(at, 'ExecutionSucceeded', { executionSucceededEventDetails: {} });
      return;
    }
    this.failedAt = this.open;
    this.push(at, 'ExecutionFailed', { executionFailedEventDetails: { error: error?.name ?? 'States.Runtime', cause: error?.message ?? '' } });
  }

  /** The task runner got the task's evaluated Parameters: TaskScheduled once its state was entered. */
  public scheduled(stateName: string, parameters: Record<string, unknown>): void {
    this.parameters.set(stateName, parameters);
    this.flush(stateName, new Date());
  }

  /** One event of the run (its ExecutionStarted and end are the front's own). */
  public add(raw: unknown): void {
    const ev = raw as LibraryEvent;
    const at = new Date(ev.timestamp);
    const name = ev.state?.name ?? '';
    const state = this.states.get(name);
    const top = ev.index === undefined && this.topLevel.has(name);
    switch (ev.type) {
      case 'StateEntered':
        if (top) this.open = { name, input: ev.state?.input };
        this.push(at, `${ev.state?.type}StateEntered`, { stateEnteredEventDetails: { name, input: json(ev.state?.input), inputDetails: { truncated: false } } });
        if (state?.Type === 'Task') this.awaitSchedule(name, at);
        break;
      case 'StateRetried':
        if (state?.Type === 'Task') this.awaitSchedule(name, at);
        break;
      case 'StateFailed':
        if (state?.Type === 'Task') {
          this.flush(name, at, true);
          this.push(at, 'TaskFailed', { taskFailedEventDetails: { ...resourceOf(state), error: ev.Error, cause: causeText(ev.Cause) } });
        } else if (state?.Type === 'Map') {
          this.push(at, 'MapStateFailed', {});
        }
        break;
      case 'StateCaught':
        this.caught.add(name);
        break;
      case 'StateExited':
        if (state?.Type === 'Task' && !this.caught.delete(name)) {
          this.push(at, 'TaskSucceeded', { taskSucceededEventDetails: { ...resourceOf(state), output: json(ev.state?.output) } });
        }
        this.push(at, `${ev.state?.type}StateExited`, { stateExitedEventDetails: { name, output: json(ev.state?.output) } });
        if (top && this.open?.name === name) this.open = undefined;
        break;
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed': {
        const key = ev.type.charAt(0).toLowerCase() + ev.type.slice(1);
        this.push(at, ev.type, { [`${key}EventDetails`]: { name: ev.parentState?.name, index: ev.index } });
        break;
      }
      default:
        break; // ExecutionStarted/Succeeded/Failed: the front's own; Parallel branches: not in AWS's history
    }
  }

  private awaitSchedule(name: string, at: Date): void {
    this.awaiting.add(name);
    this.flush(name, at);
  }

  /** TaskScheduled + TaskStarted once both the state's entry and its Parameters are known (or it failed first). */
  private flush(name: string, at: Date, failing = false): void {
    if (!this.awaiting.has(name) || (!this.parameters.has(name) && !failing)) return;
    const state = this.states.get(name) as AslState;
    const parameters = this.parameters.get(name) ?? {};
    this.awaiting.delete(name);
    this.parameters.delete(name);
    this.push(at, 'TaskScheduled', { taskScheduledEventDetails: { ...resourceOf(state), region: 'us-east-1', parameters: json(parameters) } });
    this.push(at, 'TaskStarted', { taskStartedEventDetails: resourceOf(state) });
  }

  private push(at: Date, type: string, details: Record<string, unknown>): void {
    const id = this.events.length + 1;
    this.events.push({ id, previousEventId: id - 1, timestamp: at, type, ...details });
  }
}

/** `arn:aws:states:::lambda:invoke.waitForTaskToken` -> resourceType `lambda`, resource `invoke.waitForTaskToken`. */
function resourceOf(state: AslState): { resourceType: string; resource: string } {
  const m = /^arn:aws[a-z-]*:states:::([^:]+):(.+)$/.exec(String(state.Resource ?? ''));
  return m ? { resourceType: m[1], resource: m[2] } : { resourceType: 'lambda', resource: String(state.Resource ?? '') };
}
