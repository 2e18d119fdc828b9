/**
 * In AWS a Map whose iteration fails stops its other iterations; aws-local-stepfunctions rejects the Map
 * (its Catch runs) but keeps running the queued iterations in the background, where they would upgrade
 * servers under the rollback's feet. The harness tells from each nested task's Retry whether its error
 * leaves the iteration (not retried, or retries spent) and then refuses every later task of THAT Map, as
 * AWS would never have started it. Another Map (a rollback's Map of groups, run after the Catch) is not
 * affected. An executor adaptation, reported as such.
 */
import { AslDefinition, AslState, MachineModel } from '../definition';

export const MAP_ABORT_ADAPTATION = {
  what: 'after a Map iteration fails, that Map\'s later iterations are refused before their tasks run (map-abort.ts)',
  why: 'AWS stops a Map\'s other iterations when one fails; aws-local-stepfunctions keeps running the queued ones after the Map\'s Catch',
};

/** Every nested state, by name: its state and the top-level Map (or Parallel) it runs in. */
function nestedStates(def: AslDefinition): Map<string, { state: AslState; container: string }> {
  const out = new Map<string, { state: AslState; container: string }>();
  const walk = (inner: AslDefinition, container: string) => {
    for (const [name, state] of Object.entries(inner.States)) {
      out.set(name, { state, container });
      for (const deeper of [state.ItemProcessor, state.Iterator, ...(state.Branches ?? [])]) if (deeper) walk(deeper, container);
    }
  };
  for (const [name, state] of Object.entries(def.States)) {
    for (const inner of [state.ItemProcessor, state.Iterator, ...(state.Branches ?? [])]) if (inner) walk(inner, name);
  }
  return out;
}

export class MapAbort {
  /** The top-level Maps one of whose iterations failed. */
  private readonly failed = new Set<string>();
  private readonly attempts = new Map<string, number>();
  private readonly states: Map<string, { state: AslState; container: string }>;

  constructor(model: MachineModel) {
    this.states = nestedStates(model.definition);
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
