/**
 * In AWS a Map whose iteration fails stops its other iterations; aws-local-stepfunctions rejects the Map
 * (its Catch runs) but keeps running the queued iterations in the background, where they would upgrade
 * servers under the rollback's feet. The harness tells from each nested task's Retry whether its error
 * leaves the iteration (not retried, or retries spent) and then refuses every later task of THAT Map, as
 * AWS would never have started it. Another Map (a rollback's Map of groups, run after the Catch) is not
 * affected. An executor adaptation, reported as such.
 */
import { AslDefinition, AslState, MachineModel, topLevelContainers } from './definition';

export const MAP_ABORT_ADAPTATION = {
  what: 'after a Map iteration fails, that Map\'s later iterations are refused before their tasks run (map-abort.ts)',
  why: 'AWS stops a Map\'s other iterations when one fails; aws-local-stepfunctions keeps running the queued ones after the Map\'s Catch',
};

export class MapAbort {
  /** The top-level Maps one of whose iterations failed. */
  private readonly failed = new Set<string>();
  private readonly attempts = new Map<string, number>();
  private readonly states = new Map<string, { state: AslState; container: string; siblings: AslDefinition['States'] }>();
  /** Per top-level Map: the only states its failing iteration may still run (the in-iteration Catch's path to a Fail). */
  private readonly endingOnly = new Map<string, Set<string>>();

  constructor(model: MachineModel) {
    const topOf = topLevelContainers(model.definition);
    const visit = (def: AslDefinition, nested: boolean) => {
      for (const [name, state] of Object.entries(def.States)) {
        if (nested) this.states.set(name, { state, container: topOf.get(name)!, siblings: def.States });
        for (const inner of [state.ItemProcessor, state.Iterator, ...(state.Branches ?? [])]) if (inner) visit(inner, true);
      }
    };
    visit(model.definition, false);
  }

  /** Throws when a nested task runs after an iteration of its own Map already failed. */
  public checkBefore(stateName: string): void {
    const nested = this.states.get(stateName);
    const ending = nested && this.endingOnly.get(nested.container);
    if (nested && (this.failed.has(nested.container) || (ending && !ending.has(stateName)))) {
      // A task off the failing iteration's path belongs to a later iteration (MaxConcurrency 1: the failing one
      // has ended): from now on nothing of this Map runs, not even that iteration's own Catch path (its undo
      // would act on a slot AWS never touched).
      this.failed.add(nested.container);
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
    const takes = (equals: string[]) => equals.includes(errorName) || equals.includes('States.ALL');
    const retrier = (nested.state.Retry ?? []).find((r) => takes(r.ErrorEquals));
    if (retrier && attempt <= (retrier.MaxAttempts ?? 3)) return;
    // An in-iteration Catch (an undo inside the iteration): the iteration goes on along that path; when every
    // end of it is a Fail, the iteration fails there, and only that path's states may still run.
    const catcher = (nested.state.Catch ?? []).find((c) => takes(c.ErrorEquals));
    const path = catcher && reachable(catcher.Next, nested.siblings);
    if (!path) this.failed.add(nested.container);
    else if (path.endsInFailOnly) this.endingOnly.set(nested.container, new Set([...(this.endingOnly.get(nested.container) ?? []), ...path.states]));
  }
}

/** The states reached from `start` within one state list, and whether each of its ends is a Fail. */
function reachable(start: string, states: AslDefinition['States']): { states: Set<string>; endsInFailOnly: boolean } {
  const seen = new Set<string>();
  let endsInFailOnly = true;
  const stack = [start];
  while (stack.length > 0) {
    const name = stack.pop() as string;
    const s = states[name];
    if (seen.has(name) || !s) continue;
    seen.add(name);
    if (s.Type === 'Succeed' || (s.End && s.Type !== 'Fail')) endsInFailOnly = false;
    for (const n of [s.Next, s.Default, ...(s.Choices ?? []).map((c) => c.Next), ...(s.Catch ?? []).map((c) => c.Next)]) if (n) stack.push(n);
  }
  return { states: seen, endsInFailOnly };
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
