/**
 * In AWS a Map whose iteration fails stops its other iterations; aws-local-stepfunctions rejects the Map
 * (its Catch runs) but keeps running the queued iterations in the background, where they would upgrade
 * servers under the rollback's feet. The harness tells from each nested task's Retry whether its error
 * leaves the iteration (not retried, or retries spent) and then refuses every later task of THAT Map, as
 * AWS would never have started it. Another Map (a rollback's Map of groups, run after the Catch) is not
 * affected. An executor adaptation, reported as such.
 */
import { AslState, MachineModel, allStates, topLevelContainers } from './definition';

export const MAP_ABORT_ADAPTATION = {
  what: 'after a Map iteration fails, that Map\'s later iterations are refused before their tasks run (map-abort.ts)',
  why: 'AWS stops a Map\'s other iterations when one fails; aws-local-stepfunctions keeps running the queued ones after the Map\'s Catch',
};

export class MapAbort {
  /** The top-level Maps one of whose iterations failed. */
  private readonly failed = new Set<string>();
  private readonly attempts = new Map<string, number>();
  private readonly states = new Map<string, { state: AslState; container: string }>();

  constructor(model: MachineModel) {
    const topOf = topLevelContainers(model.definition);
    for (const [name, state, nested] of allStates(model.definition)) {
      if (nested) this.states.set(name, { state, container: topOf.get(name)! });
    }
  }

  /** Throws when a nested task runs after an iteration of its own Map already failed. */
  public checkBefore(stateName: string): void {
    const nested = this.states.get(stateName);
    if (nested && this.failed.has(nested.container)) {
      const e = new Error(`"${stateName}" would not run in AWS: an earlier iteration of its Map "${nested.container}" failed`);
      e.name = 'States.MapIterationAborted';
      throw e;
    }
  }

  /** Records a nested task's success: the attempts of the iteration's `item` at that state start again. */
  public noteSuccess(stateName: string, item: string): void {
    this.attempts.delete(`${stateName}|${item}`);
  }

  /** Records a nested task's error; its Map has failed when the state's Retry does not take it (any more). */
  public noteError(stateName: string, item: string, errorName: string): void {
    const nested = this.states.get(stateName);
    if (!nested) return;
    const key = `${stateName}|${item}`;
    const attempt = (this.attempts.get(key) ?? 0) + 1;
    this.attempts.set(key, attempt);
    const retrier = (nested.state.Retry ?? []).find((r) => r.ErrorEquals.includes(errorName) || r.ErrorEquals.includes('States.ALL'));
    if (!retrier || attempt > (retrier.MaxAttempts ?? 3)) this.failed.add(nested.container);
  }
}

/**
 * The task handlers, each refused once an iteration of its Map failed and telling MapAbort its errors and
 * successes. The iteration is not known to a local handler: with MaxConcurrency 1 (the per-server roll) a
 * state's attempts are those since its last success, which is exact; with more, a conservative count.
 */
export function withMapAbort<H extends (input: unknown) => Promise<unknown>>(handlers: Record<string, H>, mapAbort: MapAbort): Record<string, H> {
  return Object.fromEntries(Object.entries(handlers).map(([stateName, handler]) => [stateName, (async (input: unknown) => {
    mapAbort.checkBefore(stateName);
    try {
      const output = await handler(input);
      mapAbort.noteSuccess(stateName, '');
      return output;
    } catch (e) {
      mapAbort.noteError(stateName, '', (e as Error).name);
      throw e;
    }
  }) as H]));
}
