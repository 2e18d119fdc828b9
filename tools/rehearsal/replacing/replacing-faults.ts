/**
 * The fault matrix of the roll with replaceable resources (NEW_MEMBER_FIRST), built from the synthesized
 * definition (no state name is known in advance). The definition has two Maps of one replacement at a time:
 * the forward one and the rollback's (on the failure path: it replaces back every server not at the
 * pre-upgrade image). Runs:
 * - every forward task state x a non-retryable error on its FIRST entry (the first replacement), expected to
 *   end as its Catch says: refused (before the lock), refused after the lock, rolled back (after the lock:
 *   nothing replaced forward before the Map or when the first replacement is undone inside its iteration,
 *   before its point of no return; the first server replaced forward then back when its FINISH path ran,
 *   from the point of no return on; every server replaced forward then back after the Map), or SUCCEEDED (a
 *   Catch into a Succeed state);
 * - an undo step inside the iteration is reached only through a failure: its run fails the last step before
 *   the point of no return first (so the new member is found and the whole undo runs), then the undo step;
 *   it ends "not undone";
 * - a finish step likewise: the first step after the point of no return fails first, then the finish step;
 *   it ends "not undone";
 * - the rollback pass's own task states (its top-level steps and its iteration's forward steps): the first
 *   step after the point of no return fails (so one server is to be replaced back), then the rollback's step;
 *   each ends as its Catch says ("rollback failed");
 * - one ThrottlingException on the first AWS call of every forward state (must still succeed), on every
 *   undo and failure-path state after a failure before the point of no return (must still roll back, nothing
 *   to replace back), and on every finish and failure-path state after a failure at the point of no return
 *   (the first server finished, then replaced back: must still roll back);
 * - the world fault "a replacement that never joins" (rolled back, nothing replaced).
 * `resettable`: the run is expected to leave the cluster as it found it (nothing replaced forward and not
 * left "not undone"), so the next run can share its world; the others run afterwards, each in a world of its own.
 */
import { AslDefinition, failurePathOf, MachineModel } from '../definition';
import { slug } from '../task-state-faults';
import { FaultSpec } from '../types';
import { ReplacingOutcome, replacingOutcomeOf } from './replacing-fault-verdict';

/**
 * How many servers the run replaces forward: none, the first (left in progress by "not undone", or replaced
 * back by the rollback), or every one (kept by a success, replaced back by the rollback).
 */
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

/** Where a forward iteration state's Catch leads: the undo (the iteration ends "undone"), the finish (the old member's retirement completed), or straight to "not undone". */
type CatchPath = 'undo' | 'finish' | 'not-undone';

interface ReplacementMap {
  readonly name: string;
  readonly iteration: AslDefinition;
  /** The iteration's states reached only through a Catch (undo, finish, "not undone"). */
  readonly failure: Set<string>;
  /** The iteration's forward task states, in order, with where their failure goes. */
  readonly forward: Array<{ state: string; path: CatchPath }>;
  /** The states of the undo path and of the finish path. */
  readonly undo: Set<string>;
  readonly finish: Set<string>;
}

/** A run's name from its state: `Stage 1 <title>: ` shortened to `s1-`, the rollback's iteration prefix to `rb-`, so the slug keeps what tells states apart. */
const runName = (state: string, rollbackPrefix?: string) =>
  `a-${slug((rollbackPrefix && state.startsWith(rollbackPrefix) ? `rb ${state.slice(rollbackPrefix.length)}` : state).replace(/^Stage (\d+) [^:]+: /, 's$1 '))}`;

/** The states reached from `start` following Next/Default/Choices (not Catch). */
function reachable(def: AslDefinition, start: string | undefined): string[] {
  const seen: string[] = [];
  const stack = start ? [start] : [];
  while (stack.length > 0) {
    const n = stack.pop() as string;
    const s = def.States[n];
    if (!s || seen.includes(n)) continue;
    seen.push(n);
    stack.push(...[s.Next, s.Default, ...(s.Choices ?? []).map((c) => c.Next)].filter((x): x is string => !!x).reverse());
  }
  return seen;
}

/** Where a Catch into `start` ends: a Fail whose name does not say "undone" (the finish), one that says "undone" but not "not undone" (the undo), or neither. */
function catchPath(def: AslDefinition, start: string | undefined): CatchPath {
  const fails = reachable(def, start).filter((n) => def.States[n].Type === 'Fail');
  if (fails.some((n) => !/undone/.test(n))) return 'finish';
  if (fails.some((n) => !/not undone/.test(n))) return 'undo';
  return 'not-undone';
}

/** The first Fail state (or Succeed) reached from `start`, a Choice followed by its Default. */
function endOf(def: AslDefinition, start: string | undefined): { name: string; type: string } | undefined {
  let n = start;
  const seen = new Set<string>();
  while (n && def.States[n] && !seen.has(n)) {
    seen.add(n);
    const s = def.States[n];
    if (s.Type === 'Fail' || s.Type === 'Succeed') return { name: n, type: s.Type };
    n = s.Next ?? s.Default;
  }
  return undefined;
}

function replacementMap(model: MachineModel, name: string): ReplacementMap {
  const state = model.definition.States[name];
  const iteration = (state.ItemProcessor ?? state.Iterator) as AslDefinition;
  const failure = failurePathOf(iteration);
  const order = model.tasks.filter((t) => t.nested && iteration.States[t.stateName] && !failure.has(t.stateName)).map((t) => t.stateName);
  const forward = order.map((s) => ({ state: s, path: catchPath(iteration, iteration.States[s].Catch?.[0]?.Next) }));
  const entries = (path: CatchPath) => new Set(forward.filter((f) => f.path === path).flatMap((f) => reachable(iteration, iteration.States[f.state].Catch?.[0]?.Next)));
  return { name, iteration, failure, forward, undo: entries('undo'), finish: entries('finish') };
}

/** The forward Map (on the forward path) and the rollback's (on the failure path, if any). */
function replacementMaps(model: MachineModel): { forward: ReplacementMap; rollback?: ReplacementMap } {
  const failure = failurePathOf(model.definition);
  const maps = Object.entries(model.definition.States).filter(([, s]) => s.Type === 'Map' && (s.ItemProcessor ?? s.Iterator)).map(([n]) => n);
  const forward = maps.filter((n) => !failure.has(n));
  const back = maps.filter((n) => failure.has(n));
  if (forward.length !== 1 || back.length > 1) {
    throw new Error(`expected one forward Map and at most one rollback Map (one replacement at a time) in the definition, found ${forward.length} and ${back.length}`);
  }
  return { forward: replacementMap(model, forward[0]), ...(back.length === 1 && { rollback: replacementMap(model, back[0]) }) };
}

/** How a failure in the rollback pass's `state` ends: its Catch's end (inside the rollback's iteration: the rollback Map's). */
function rollbackExpectation(model: MachineModel, rollback: ReplacementMap, state: string): ReplacingOutcome {
  const top = model.definition.States[state] ?? model.definition.States[rollback.name];
  const end = endOf(model.definition, top.Catch?.[0]?.Next);
  return end?.type === 'Succeed' ? 'succeeded' : replacingOutcomeOf('FAILED', end?.name);
}

export function buildReplacingFaultMatrix(model: MachineModel): ReplacingFaultRun[] {
  const { forward: map, rollback } = replacementMaps(model);
  const forwardTop = model.order.filter((n) => model.definition.States[n]?.Type === 'Task' && !model.tasks.find((t) => t.stateName === n)?.onFailurePath);
  const afterMap = new Set(model.order.slice(model.order.indexOf(map.name) + 1));
  // The last forward step whose failure is undone: failing it first, the whole undo runs (the new member found).
  const undoTrigger = [...map.forward].reverse().find((f) => f.path === 'undo')?.state;
  // The point of no return: the first forward step whose failure finishes the old member's retirement.
  const finishTrigger = map.forward.find((f) => f.path === 'finish')?.state;
  const runs: ReplacingFaultRun[] = [];
  let lockTaken = false;
  const fail = (state: string): FaultSpec => ({ kind: 'handler-error', state });
  for (const state of forwardTop) {
    if (state === map.name) continue;
    const catchNext = model.definition.States[state].Catch?.[0]?.Next;
    const succeeds = catchNext !== undefined && model.definition.States[catchNext]?.Type === 'Succeed';
    const expect: ReplacingOutcome = succeeds ? 'succeeded' : !lockTaken ? 'refused' : REFUSED_AFTER_LOCK.test(catchNext ?? '') ? 'refused-after-lock' : 'rolled-back';
    const replaced: ReplacedAtEnd = succeeds || afterMap.has(state) ? 'all' : 'none';
    runs.push({ name: runName(state), faults: [fail(state)], expect, replaced, resettable: replaced === 'none' });
    if (model.tasks.find((t) => t.stateName === state)?.handler === 'upgrade-lock') lockTaken = true;
  }
  for (const { state, path } of map.forward) {
    if (path === 'undo') runs.push({ name: runName(state), faults: [fail(state)], expect: 'rolled-back', replaced: 'none', resettable: true });
    else runs.push({ name: runName(state), faults: [fail(state)], expect: path === 'finish' ? 'rolled-back' : 'not-undone', replaced: 'first', resettable: false });
  }
  const tasksIn = (states: Set<string>) => model.tasks.filter((t) => t.nested && states.has(t.stateName)).map((t) => t.stateName);
  if (undoTrigger) {
    for (const state of tasksIn(map.undo)) {
      runs.push({ name: runName(state), faults: [fail(undoTrigger), fail(state)], expect: 'not-undone', replaced: 'none', resettable: false });
    }
    const failurePath = model.tasks.filter((t) => t.onFailurePath || map.failure.has(t.stateName)).map((t): FaultSpec => ({ kind: 'throttle', state: t.stateName }));
    runs.push({ name: 'b-throttle-undo-and-failure-path', faults: [fail(undoTrigger), ...failurePath], expect: 'rolled-back', replaced: 'none', resettable: true });
  }
  if (finishTrigger) {
    for (const state of tasksIn(map.finish)) {
      runs.push({ name: runName(state), faults: [fail(finishTrigger), fail(state)], expect: 'not-undone', replaced: 'first', resettable: false });
    }
  }
  runs.push({ name: 'w-never-joins', faults: [], expect: 'rolled-back', replaced: 'none', resettable: true, world: 'never-joins' });
  const forward = model.tasks.filter((t) => !t.onFailurePath && !map.failure.has(t.stateName) && t.retriesThrottling);
  runs.push({ name: 'b-throttle-every-forward-state', faults: forward.map((t) => ({ kind: 'throttle', state: t.stateName })), expect: 'succeeded', replaced: 'all', resettable: false });
  const rollbackRuns: ReplacingFaultRun[] = [];
  const last: ReplacingFaultRun[] = [];
  if (finishTrigger) {
    // Past the point of no return the finish path and the rollback's replacement back run: each throttled once.
    const pastPoint = model.tasks.filter((t) => t.onFailurePath || map.finish.has(t.stateName)).map((t): FaultSpec => ({ kind: 'throttle', state: t.stateName }));
    last.push({ name: 'b-throttle-finish-and-rollback', faults: [fail(finishTrigger), ...pastPoint], expect: 'rolled-back', replaced: 'first', resettable: false });
  }
  if (rollback && finishTrigger) {
    // The rollback pass as a failure after the point of no return runs it (one server to replace back): its
    // top-level steps from the forward Map's Catch on, its iteration's forward steps where its Map is.
    const prefix = rollback.name.slice(0, rollback.name.lastIndexOf(': ') + 2);
    const chain = reachable(model.definition, model.definition.States[map.name].Catch?.[0]?.Next)
      .flatMap((n) => (n === rollback.name ? rollback.forward.map((f) => f.state) : model.definition.States[n].Type === 'Task' ? [n] : []));
    for (const state of chain) {
      rollbackRuns.push({ name: runName(state, prefix), faults: [fail(finishTrigger), fail(state)], expect: rollbackExpectation(model, rollback, state), replaced: 'first', resettable: false });
    }
  }
  // The runs that leave the world as they found it first: they share one world; each other one gets its own.
  // Among the others: "not undone" first (the path with no automatic way back), the success last, then the
  // rollback pass's own failures, and the finish and rollback throttled (last: the numbers before it stay).
  const rank = (r: ReplacingFaultRun) => (r.resettable ? 0 : r.expect === 'not-undone' ? (r.replaced === 'first' && r.faults.length === 1 ? 1 : 2) : r.faults.length === 1 ? 3 : 4);
  const ordered = [...[...runs].sort((a, b) => rank(a) - rank(b)), ...rollbackRuns, ...last];
  return ordered.map((r, i) => ({ ...r, name: `${String(i + 1).padStart(2, '0')}-${r.name}` }));
}
