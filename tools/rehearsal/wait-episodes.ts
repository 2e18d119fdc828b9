/**
 * The waits of one execution, each with its own clock. moto completes snapshots and stack updates at once
 * and the harness's cluster is steady and healthy soon after; in AWS each takes its time. So every wait
 * (stack-status, ecs-services-steady, health-gate, snapshots-complete until they answer "done") completes
 * at a random moment of its own timeline (seeded; never on the first or second look of either polling
 * approach), and the waiting handler sees "in progress" until then (the call and Bolt seams rewrite what
 * it reads). Time the harness does not spend for real is played on the wait's clock: the handler's
 * sleeps (its `sleep` dep) and the Retry intervals Step Functions would wait (the local executor retries at
 * once). Real time (the looks themselves, the nodes' boots, the Neo4j restart) passes on it too.
 * A wait's detection lag is then: its clock when the next state started, minus its clock when the
 * condition became true.
 */
import { AslDefinition, AslState, allStates } from './definition';

/** The handlers whose answer "done" ends a wait, by the kind of wait. */
export const WAIT_KINDS: Readonly<Record<string, string>> = {
  'stack-status': 'stack update',
  'ecs-services-steady': 'ECS services steady',
  'health-gate': 'health gate',
  'snapshots-complete': 'snapshots',
};

/** Errors that mean "not yet" (the Retry polls on them). */
const NOT_YET = new Set(['StillInProgressError', 'HealthGateError']);

/** When each wait's condition becomes true on its own clock: uniform in [minSeconds, maxSeconds]. */
export interface WaitCompletionModel {
  readonly minSeconds: number;
  readonly maxSeconds: number;
  readonly seed: number;
}

/** Past the second look of both approaches (Retry backoff: 3 s or 5 s; in-invocation: 1 s). */
export const DEFAULT_WAIT_COMPLETION: WaitCompletionModel = { minSeconds: 8, maxSeconds: 60, seed: 16 };

/**
 * Fault runs measure no lag: their waits complete after a few seconds of their clocks, so the polling loops
 * still run (every look of a wait costs real time, and the matrix has many runs).
 */
export const FAULT_RUN_WAIT_COMPLETION: WaitCompletionModel = { minSeconds: 1.5, maxSeconds: 3, seed: 16 };

/** A small seeded generator (mulberry32): the same seed draws the same completion moments. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class WaitEpisode {
  /** Played time (sleeps, Retry intervals) added to the real clock. */
  private played = 0;
  /** Local time (ms since the wait began) at which the condition was last seen false for a real reason. */
  private realNotYetAt = 0;
  public invocations = 0;
  public looks = 0;
  public endedAt: number | undefined;
  public outcome: 'done' | 'failed' | undefined;

  constructor(
    public readonly state: string,
    public readonly handler: string,
    /** Real time (ms) the wait began. */
    public readonly startedAt: number,
    /** Local time (ms) the modelled work completes. */
    public readonly completesAfter: number,
  ) {}

  /** The wait's clock as wall time (ms). */
  public now(): number {
    return Date.now() + this.played;
  }

  /** Local time (ms since the wait began) of real time `at`, with the time played so far. */
  public local(at = Date.now()): number {
    return at - this.startedAt + this.played;
  }

  /** Whether the modelled work is still running: the seams answer "in progress". */
  public pending(): boolean {
    return this.local() < this.completesAfter;
  }

  /** The handler's sleep dep: the pause passes on this clock only. */
  public async sleep(ms: number): Promise<void> {
    this.notYet();
    this.played += ms;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  /** A step Functions Retry interval, played. */
  public wait(ms: number): void {
    this.played += ms;
  }

  /** A look ended "not yet": past the modelled moment, the condition was still false for a real reason. */
  public notYet(): void {
    this.looks++;
    if (!this.pending()) this.realNotYetAt = this.local();
  }

  /** The condition was false for a real reason until real time `at` (the harness's boots ended then). */
  public falseUntil(at: number): void {
    if (at > this.startedAt) this.realNotYetAt = Math.max(this.realNotYetAt, this.local(at));
  }

  /** When the condition became true (local ms): the modelled moment, or after the last look that saw it false. */
  public trueAt(): number {
    return Math.max(this.completesAfter, this.realNotYetAt);
  }

  /** Played time so far (for a Lambda invocation's billed duration). */
  public playedMs(): number {
    return this.played;
  }
}

export class WaitEpisodes {
  public readonly closed: WaitEpisode[] = [];
  private readonly open = new Map<string, WaitEpisode>();
  private readonly random: () => number;
  private readonly states: Map<string, AslState>;

  constructor(definition: AslDefinition, private readonly model: WaitCompletionModel = DEFAULT_WAIT_COMPLETION) {
    this.random = seeded(model.seed);
    this.states = new Map(allStates(definition).map(([name, state]) => [name, state]));
  }

  /** Every wait so far, open or closed (the client workload reads the world's state from them). */
  public all(): WaitEpisode[] {
    return [...this.closed, ...this.open.values()];
  }

  /**
   * The wait this invocation belongs to (a retried task gets the same input: the same wait), or undefined
   * when the handler does not wait. A retry first plays the Retry interval Step Functions would wait.
   */
  public begin(state: string, handler: string, payload: unknown): WaitEpisode | undefined {
    if (!(handler in WAIT_KINDS)) return undefined;
    const key = `${state}\n${JSON.stringify(payload)}`;
    let episode = this.open.get(key);
    if (episode) {
      episode.wait(this.retryIntervalMs(state, episode.invocations));
    } else {
      // A stack-status after an update that changed nothing has nothing to wait for.
      const nothingStarted = handler === 'stack-status' && (payload as { update?: { changed?: boolean } })?.update?.changed === false;
      const span = this.model.maxSeconds - this.model.minSeconds;
      const completesAfter = nothingStarted ? 0 : Math.round((this.model.minSeconds + this.random() * span) * 1000);
      episode = new WaitEpisode(state, handler, Date.now(), completesAfter);
      this.open.set(key, episode);
    }
    episode.invocations++;
    return episode;
  }

  /** The invocation ended: done, "not yet" (the Retry comes back), or failed. */
  public ended(episode: WaitEpisode, errorName: string | undefined): void {
    if (errorName !== undefined && NOT_YET.has(errorName)) {
      episode.notYet();
      return;
    }
    episode.looks++;
    episode.endedAt = Date.now();
    episode.outcome = errorName === undefined ? 'done' : 'failed';
    for (const [key, e] of this.open) if (e === episode) this.open.delete(key);
    this.closed.push(episode);
  }

  /** The pause Step Functions takes before retry `attempt` (1-based) of `state` on "not yet". */
  private retryIntervalMs(state: string, attempt: number): number {
    const retrier = (this.states.get(state)?.Retry ?? []).find((r) => r.ErrorEquals.some((e) => NOT_YET.has(e)));
    if (!retrier) return 0;
    const pause = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** (attempt - 1);
    return Math.min(pause, retrier.MaxDelaySeconds ?? Infinity) * 1000;
  }
}
