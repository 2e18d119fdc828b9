/**
 * Reads an execution's events as they come: which stage runs, succeeded or failed (and where), state
 * transitions and retries as Step Functions bills them, Catches taken, the terminal state, whether the
 * point of no return was passed. Prints one progress line per stage.
 */
import { MachineModel } from './definition';
import { EnteredState } from './detection-lag';
import { StageReport } from './types';

interface EventLike {
  type: string;
  timestamp: number;
  index?: number;
  state?: { name: string; type: string; output?: unknown };
  Error?: string;
  Cause?: unknown;
  catch?: { catcher: { Next: string } };
}

export class StageTracker {
  public readonly stages: StageReport[];
  public transitions = 0;
  public retries = 0;
  public caught = 0;
  public endState: string | undefined;
  /** The first state whose failure a Catch took. */
  public failedState: string | undefined;
  public pastPointOfNoReturn = false;
  /** Every state entered, in order (where each wait's next state started). */
  public readonly statesEntered: EnteredState[] = [];
  /** When each stage succeeded (its done state entered), for the parameters in force then. */
  public readonly stageDoneTimes: Array<[string, number]> = [];
  private current: number | undefined;
  private readonly byBegin: Map<string, number>;
  private readonly byDone: Map<string, number>;
  private readonly failStates: Set<string>;

  constructor(
    private readonly model: MachineModel,
    /** The last error each task state's handler threw (printed when its stage fails). */
    private readonly lastError: Map<string, string>,
    private readonly say: (line: string) => void,
  ) {
    this.stages = model.stages.map((s) => ({ key: s.key, name: s.name, seedStep: s.seedStep, status: 'not-started' }));
    this.byBegin = new Map(model.stages.map((s, i) => [s.beginState, i]));
    this.byDone = new Map(model.stages.flatMap((s, i) => (s.doneState ? [[s.doneState, i] as [string, number]] : [])));
    this.failStates = new Set(model.failStates);
  }

  public async consume(events: AsyncIterable<unknown>, observe?: (event: unknown) => void): Promise<void> {
    for await (const raw of events) {
      this.on(raw as EventLike);
      observe?.(raw);
    }
  }

  /** After the run: a stage still running failed with the execution's error. */
  public finish(error: { name: string; message: string } | undefined): void {
    if (this.current === undefined || this.stages[this.current].status !== 'running') return;
    const s = this.end(this.current, 'failed', Date.now());
    this.say(`  ✘ ${s.name} (${s.seedStep}) failed after ${seconds(s.durationMs)} s: ${error?.name}: ${error?.message.slice(0, 300)}`);
  }

  private on(ev: EventLike): void {
    const top = ev.index === undefined;
    if (ev.type === 'StateEntered' && ev.state) {
      this.transitions++;
      this.statesEntered.push({ name: ev.state.name, ...(ev.index !== undefined && { index: ev.index }), at: ev.timestamp });
      if (top) this.entered(ev.state.name, ev.state.type, ev.timestamp);
    } else if (ev.type === 'StateRetried') {
      // Step Functions bills each retry as a state transition.
      this.retries++;
      this.transitions++;
    } else if (ev.type === 'StateCaught' && ev.state) {
      this.caught++;
      this.failedState ??= ev.state.name;
      if (top) this.caughtAt(ev.state.name, ev.catch?.catcher.Next, ev.timestamp);
    } else if (ev.type === 'StateFailed' && ev.state && top) {
      const cause = typeof ev.Cause === 'string' ? ev.Cause : (ev.Cause as { message?: string })?.message ?? '';
      const task = this.model.tasks.find((t) => t.stateName === ev.state?.name);
      if (!task?.hasRetry || !/StillInProgress|HealthGate|Throttling/.test(String(ev.Error))) {
        this.say(`    ${ev.state.name}: ${ev.Error}: ${String(cause).slice(0, 300)}`);
      }
    }
  }

  private entered(name: string, type: string, at: number): void {
    if (name === this.model.pointOfNoReturn) this.pastPointOfNoReturn = true;
    if (type === 'Fail' || type === 'Succeed') this.endState = name;
    const b = this.byBegin.get(name);
    if (b !== undefined) {
      this.current = b;
      this.stages[b].status = 'running';
      this.stages[b].startedAt = new Date(at).toISOString();
    }
    const d = this.byDone.get(name);
    if (d !== undefined) {
      const s = this.end(d, 'succeeded', at);
      this.stageDoneTimes.push([s.key, at]);
      this.say(`  ✔ ${s.name} (${s.seedStep}) succeeded in ${seconds(s.durationMs)} s`);
    }
    if (this.failStates.has(name)) this.say(`  → ${name}`);
  }

  private caughtAt(state: string, next: string | undefined, at: number): void {
    if (this.current !== undefined) {
      const s = this.end(this.current, 'failed', at);
      this.say(`  ✘ ${s.name} (${s.seedStep}) failed after ${seconds(s.durationMs)} s in "${state}" -> ${next}`);
    } else {
      this.say(`  ✘ "${state}" failed -> ${next}`);
    }
    if (this.lastError.has(state)) this.say(`    last error: ${this.lastError.get(state)?.slice(0, 600)}`);
  }

  private end(index: number, status: 'succeeded' | 'failed', at: number): StageReport {
    const s = this.stages[index];
    s.status = status;
    s.endedAt = new Date(at).toISOString();
    s.durationMs = at - Date.parse(s.startedAt ?? s.endedAt);
    this.current = undefined;
    return s;
  }
}

const seconds = (ms: number | undefined) => ((ms ?? 0) / 1000).toFixed(1);
