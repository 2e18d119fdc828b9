/**
 * The fault matrix of the roll with replaceable resources (NEW_MEMBER_FIRST), built from the synthesized
 * definition (no state name is known in advance):
 * - every task state x a non-retryable error on its FIRST entry (the first replacement), expected to end as
 *   its Catch says: refused (before the lock), refused after the lock, "Replacement stopped" (the
 *   in-iteration undo before the deallocation, or a failure after the Map), "Replacement not undone" (from
 *   the deallocation on), or SUCCEEDED (a Catch into a Succeed state);
 * - an undo step inside the iteration is reached only through a failure: its run fails the last step before
 *   the deallocation first (so the new member is found and the whole undo runs), then the undo step;
 * - one ThrottlingException on the first AWS call of every forward state (must still succeed), and on every
 *   undo and failure-path state after a failure before the deallocation (must still end "Replacement stopped");
 * - the world fault "a replacement that never joins".
 * `resettable`: the run is expected to leave the cluster as it found it (the original members, nothing
 * replaced), so the next run can share its world; the others run afterwards, each in a world of its own.
 */
import { AslDefinition, failurePathOf, MachineModel } from '../definition';
import { slug } from '../task-state-faults';
import { FaultSpec } from '../types';
import { ReplacingOutcome } from './replacing-fault-verdict';

/** What the expected end leaves replaced: nothing, the first old server (in progress), or every one. */
export type ReplacedAtEnd = 'none' | 'first' | 'all';

export interface ReplacingFaultRun {
  readonly name: string;
  readonly faults: FaultSpec[];
  readonly expect: ReplacingOutcome;
  readonly replaced: ReplacedAtEnd;
  readonly resettable: boolean;
  readonly world?: 'never-joins';
}

const REFUSED_AFTER_LOCK = /^Preflight failed after the lock/;

/** A run's name from its state: `Stage 1 <title>: ` shortened to `s1-`, so the slug keeps what tells states apart. */
const runName = (state: string) => `a-${slug(state.replace(/^Stage (\d+) [^:]+: /, 's$1 '))}`;

/** The Map whose iteration is one replacement, with the undo states and which states' failures are undone. */
function replacementMap(model: MachineModel): { name: string; iteration: AslDefinition; undo: Set<string>; undoneOnFailure: Set<string> } {
  const maps = Object.entries(model.definition.States).filter(([, s]) => s.Type === 'Map' && (s.ItemProcessor ?? s.Iterator));
  if (maps.length !== 1) throw new Error(`expected one Map (one replacement at a time) in the definition, found ${maps.length}`);
  const [name, state] = maps[0];
  const iteration = (state.ItemProcessor ?? state.Iterator) as AslDefinition;
  const undo = failurePathOf(iteration);
  // A forward state whose Catch enters an undo path that can end in the "undone" Fail (not straight in the "not undone" one).
  const undoneOnFailure = new Set(Object.entries(iteration.States)
    .filter(([n, s]) => !undo.has(n) && s.Type === 'Task' && endsUndone(iteration, s.Catch?.[0]?.Next)).map(([n]) => n));
  return { name, iteration, undo, undoneOnFailure };
}

/** Whether the path from `start` (following Next/Default/Choices) reaches a Fail whose name does not say "not undone". */
function endsUndone(def: AslDefinition, start: string | undefined): boolean {
  const seen = new Set<string>();
  const stack = start ? [start] : [];
  while (stack.length > 0) {
    const n = stack.pop() as string;
    const s = def.States[n];
    if (!s || seen.has(n)) continue;
    seen.add(n);
    if (s.Type === 'Fail' && !/not undone/.test(n)) return true;
    stack.push(...[s.Next, s.Default, ...(s.Choices ?? []).map((c) => c.Next)].filter((x): x is string => !!x));
  }
  return false;
}

export function buildReplacingFaultMatrix(model: MachineModel): ReplacingFaultRun[] {
  const map = replacementMap(model);
  const forwardTop = model.order.filter((n) => model.definition.States[n]?.Type === 'Task' && !model.tasks.find((t) => t.stateName === n)?.onFailurePath);
  const afterMap = new Set(model.order.slice(model.order.indexOf(map.name) + 1));
  // The last forward step whose failure is undone: failing it first, the whole undo runs (the new member found).
  const iterationOrder = model.tasks.filter((t) => t.nested && map.iteration.States[t.stateName] && !map.undo.has(t.stateName)).map((t) => t.stateName);
  const trigger = [...iterationOrder].reverse().find((n) => map.undoneOnFailure.has(n));
  const runs: ReplacingFaultRun[] = [];
  let lockTaken = false;
  const fail = (state: string): FaultSpec => ({ kind: 'handler-error', state });
  for (const state of forwardTop) {
    if (state === map.name) continue;
    const catchNext = model.definition.States[state].Catch?.[0]?.Next;
    const succeeds = catchNext !== undefined && model.definition.States[catchNext]?.Type === 'Succeed';
    const expect: ReplacingOutcome = succeeds ? 'succeeded' : !lockTaken ? 'refused' : REFUSED_AFTER_LOCK.test(catchNext ?? '') ? 'refused-after-lock' : 'stopped';
    const replaced: ReplacedAtEnd = succeeds || afterMap.has(state) ? 'all' : 'none';
    runs.push({ name: runName(state), faults: [fail(state)], expect, replaced, resettable: replaced === 'none' });
    if (model.tasks.find((t) => t.stateName === state)?.handler === 'upgrade-lock') lockTaken = true;
  }
  for (const state of iterationOrder) {
    const undone = map.undoneOnFailure.has(state);
    runs.push({ name: runName(state), faults: [fail(state)], expect: undone ? 'stopped' : 'not-undone', replaced: undone ? 'none' : 'first', resettable: undone });
  }
  const undoTasks = model.tasks.filter((t) => t.nested && map.undo.has(t.stateName)).map((t) => t.stateName);
  if (trigger) {
    for (const state of undoTasks) {
      runs.push({ name: runName(state), faults: [fail(trigger), fail(state)], expect: 'not-undone', replaced: 'none', resettable: false });
    }
    const failurePath = model.tasks.filter((t) => t.onFailurePath || map.undo.has(t.stateName)).map((t): FaultSpec => ({ kind: 'throttle', state: t.stateName }));
    runs.push({ name: 'b-throttle-undo-and-failure-path', faults: [fail(trigger), ...failurePath], expect: 'stopped', replaced: 'none', resettable: true });
  }
  runs.push({ name: 'w-never-joins', faults: [], expect: 'stopped', replaced: 'none', resettable: true, world: 'never-joins' });
  const forward = model.tasks.filter((t) => !t.onFailurePath && !map.undo.has(t.stateName) && t.retriesThrottling);
  runs.push({ name: 'b-throttle-every-forward-state', faults: forward.map((t) => ({ kind: 'throttle', state: t.stateName })), expect: 'succeeded', replaced: 'all', resettable: false });
  // The runs that leave the world as they found it first: they share one world; each other one gets its own.
  // Among the others: "not undone" first (the path with no automatic way back), the success last.
  const rank = (r: ReplacingFaultRun) => (r.resettable ? 0 : r.expect === 'not-undone' ? (r.replaced === 'first' ? 1 : 2) : r.faults.length === 1 ? 3 : 4);
  const ordered = [...runs].sort((a, b) => rank(a) - rank(b));
  return ordered.map((r, i) => ({ ...r, name: `${String(i + 1).padStart(2, '0')}-${r.name}` }));
}
