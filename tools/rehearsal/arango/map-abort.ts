/**
 * In AWS a Map whose iteration fails stops its other iterations; aws-local-stepfunctions rejects the Map
 * (its Catch runs) but keeps running the queued iterations in the background, where they would upgrade
 * servers under the rollback's feet. The harness tells from each nested task's Retry whether its error
 * leaves the iteration (not retried, or retries spent) and then refuses every later nested task, as AWS
 * would never have started it. An executor adaptation, reported as such.
 */
import { AslState, allStates, MachineModel } from '../definition';

export const MAP_ABORT_ADAPTATION = {
  what: 'after a Map iteration fails, the Map\'s later iterations are refused before their tasks run (map-abort.ts)',
  why: 'AWS stops a Map\'s other iterations when one fails; aws-local-stepfunctions keeps running the queued ones after the Map\'s Catch',
};

export class MapAbort {
  private failed = false;
  private readonly attempts = new Map<string, number>();
  private readonly states: Map<string, AslState>;

  constructor(model: MachineModel) {
    this.states = new Map(allStates(model.definition).filter(([, , nested]) => nested).map(([name, state]) => [name, state]));
  }

  /** Throws when a nested task runs after its Map already failed. */
  public checkBefore(stateName: string): void {
    if (this.failed && this.states.has(stateName)) {
      const e = new Error(`"${stateName}" would not run in AWS: an earlier iteration of its Map failed`);
      e.name = 'States.MapIterationAborted';
      throw e;
    }
  }

  /** Records a nested task's error; the Map has failed when the state's Retry does not take it (any more). */
  public noteError(stateName: string, item: string, errorName: string): void {
    const state = this.states.get(stateName);
    if (!state) return;
    const key = `${stateName}|${item}`;
    const attempt = (this.attempts.get(key) ?? 0) + 1;
    this.attempts.set(key, attempt);
    const retrier = (state.Retry ?? []).find((r) => r.ErrorEquals.includes(errorName) || r.ErrorEquals.includes('States.ALL'));
    if (!retrier || attempt > (retrier.MaxAttempts ?? 3)) this.failed = true;
  }
}
