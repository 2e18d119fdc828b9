/**
 * What the replacing rehearsal reports and checks (pure): per replacement, when the new member was
 * discovered, enabled, got its store copy, and when the old one was deallocated, drained, dropped and
 * retired, with the client transactions that failed or were retried meanwhile; the membership over time
 * (never fewer than N enabled members hosting the database, at most one extra); the old volumes renamed
 * `-old` (a rollback's surge volume `-failed`), none deleted; the stores at the end; transactions lost.
 * A 4.4 causal cluster (family '4.4') has no server management: a new member serves once it `joined` (listed
 * with every database online, what wait-joined waits for) and an old one is down once retired (its process
 * stopped) and `left` the overview; there is nothing to deallocate, drain or drop.
 */
import { ArangoOutcome, outcomeOf } from '../arango/arango-verdict';
import { ClientTotals, clientTotals } from '../rolling/rolling-verdict';
import type { ExecutionReport } from '../types';
import type { WorkloadResult } from '../workload/client-workload';
import type { MemberEvent } from './member-cluster';
import type { ReplacingFamily } from './replacing-world';

/** One look at the membership (taken whenever a handler asked the cluster). */
export interface MembershipSample {
  readonly at: number;
  /** Servers Enabled or Deallocating, Available, hosting the database online. */
  readonly enabledHosting: number;
  /** Servers listed and Available (any state but Dropped): the members running. */
  readonly members: number;
}

/** A live member's store at the end. */
export interface FinalStore {
  readonly server: number;
  readonly version?: string;
  readonly markers: number;
}

export interface ReplacementFigures {
  readonly old: number;
  readonly new?: number;
  /** ms from the execution's start; absent: it did not happen. */
  readonly discoveredAtMs?: number;
  readonly enabledAtMs?: number;
  /** The copy of `neo4j` (4.4 copies `system` too: nothing to copy there). */
  readonly copyOnlineAtMs?: number;
  readonly deallocatedAtMs?: number;
  readonly drainedAtMs?: number;
  readonly droppedAtMs?: number;
  readonly retiredAtMs?: number;
  /** The first pass of a health gate after the old server was retired. */
  readonly gatePassedAtMs?: number;
  /** The client from the new member's discovery (or the old one's deallocation) to the old one's retirement (or the end). */
  readonly client: { failedAttempts: number; retried: number; lost: number };
}

export interface ReplacingFigures {
  readonly replacements: ReplacementFigures[];
  readonly order: number[];
  readonly minEnabledHosting?: number;
  readonly maxMembers?: number;
  readonly samples: number;
  readonly finalStores: FinalStore[];
  readonly client: ClientTotals;
  readonly worldErrors: string[];
}

export interface ReplacingInputs {
  /** The members before the upgrade. */
  readonly original: readonly number[];
  readonly events: readonly MemberEvent[];
  readonly retired: ReadonlyArray<{ server: number; at: number }>;
  readonly samples: readonly MembershipSample[];
  readonly finalStores: readonly FinalStore[];
  readonly workload: WorkloadResult;
  readonly worldErrors: readonly string[];
  readonly startedAt: number;
  readonly endedAt: number;
  /** When a health-gate state was left successfully (the execution's StateExited events). */
  readonly gatePasses?: ReadonlyArray<{ state: string; at: number }>;
  /** Default '5'. */
  readonly family?: ReplacingFamily;
}

/** The events that mark a new member serving and an old one going (per family). */
function milestones(family: ReplacingFamily | undefined): { serves: MemberEvent['what']; goes: MemberEvent['what'] } {
  return family === '4.4' ? { serves: 'joined', goes: 'left' } : { serves: 'enabled', goes: 'deallocated' };
}

const firstAt = (events: readonly MemberEvent[], server: number | undefined, what: MemberEvent['what'], after = 0) =>
  events.find((e) => e.server === server && e.what === what && e.at >= after && (what !== 'copy-online' || (e.detail ?? 'neo4j') === 'neo4j'))?.at;

export function replacingFigures(i: ReplacingInputs): ReplacingFigures {
  const since = (t: number | undefined) => (t === undefined ? undefined : t - i.startedAt);
  // The old servers in the order they were deallocated (4.4: left), each paired with the member discovered before it.
  const { serves, goes } = milestones(i.family);
  const order = i.events.filter((e) => e.what === goes && i.original.includes(e.server)).map((e) => e.server);
  const newcomers = i.events.filter((e) => e.what === 'discovered').map((e) => ({ server: e.server, at: e.at }));
  const replacements = [...order, ...i.original.filter((s) => !order.includes(s))].map((old, k): ReplacementFigures => {
    const joined = newcomers[k];
    const deallocatedAt = firstAt(i.events, old, goes);
    // 4.4: the retirement stops the process, then the member leaves the overview.
    const retiredAt = i.retired.find((r) => r.server === old && r.at >= (i.family === '4.4' ? joined?.at ?? 0 : deallocatedAt ?? 0))?.at;
    const gatePassedAt = retiredAt === undefined ? undefined : i.gatePasses?.find((g) => g.at >= retiredAt)?.at;
    const start = joined?.at ?? deallocatedAt;
    const end = retiredAt ?? i.endedAt;
    const during = (t: number) => start !== undefined && t >= start && t <= end;
    const txs = i.workload.transactions.filter((t) => during(t.firstAttemptAt) || during(t.lastAttemptEndedAt));
    return {
      old, ...(joined && { new: joined.server, discoveredAtMs: since(joined.at) }),
      ...(joined && { enabledAtMs: since(firstAt(i.events, joined.server, serves, joined.at)) }),
      ...(joined && { copyOnlineAtMs: since(firstAt(i.events, joined.server, 'copy-online', joined.at)) }),
      deallocatedAtMs: since(deallocatedAt), drainedAtMs: since(firstAt(i.events, old, 'drained')),
      droppedAtMs: since(firstAt(i.events, old, 'dropped')), retiredAtMs: since(retiredAt), gatePassedAtMs: since(gatePassedAt),
      client: start === undefined ? { failedAttempts: 0, retried: 0, lost: 0 } : {
        failedAttempts: i.workload.attempts.filter((a) => a.failure && during(a.at)).length,
        retried: txs.filter((t) => t.attempts > 1).length,
        lost: txs.filter((t) => t.outcome === 'lost').length,
      },
    };
  }).filter((r) => r.new !== undefined || r.deallocatedAtMs !== undefined);
  const min = (xs: number[]) => (xs.length === 0 ? undefined : Math.min(...xs));
  return {
    replacements, order,
    minEnabledHosting: min(i.samples.map((s) => s.enabledHosting)),
    maxMembers: i.samples.length === 0 ? undefined : Math.max(...i.samples.map((s) => s.members)),
    samples: i.samples.length,
    finalStores: [...i.finalStores],
    client: clientTotals(i.workload),
    worldErrors: [...i.worldErrors],
  };
}

/** What the run must show. `expected`: a happy path succeeds; "a replacement that never joins" rolls back with nothing old retired. */
export interface ReplacingExpectation {
  readonly outcome: Extract<ArangoOutcome, 'succeeded' | 'rolled-back'>;
  /** The members before the upgrade, and the order the old ones must be replaced in. */
  readonly original: readonly number[];
  readonly order: readonly number[];
  readonly target: string;
  /** Marker nodes every store must hold. */
  readonly markers: number;
  /** Default '5'. */
  readonly family?: ReplacingFamily;
}

export function replacingProblems(
  f: ReplacingFigures, execution: Pick<ExecutionReport, 'status' | 'endState' | 'error' | 'volumes'>, x: ReplacingExpectation,
): string[] {
  const problems: string[] = [];
  const n = x.original.length;
  // "Rolled back" (NEW_MEMBER_FIRST): the failing replacement undone or finished, every server replaced before
  // replaced back, the lock released and ROLLED_BACK published; a replacement that never joins replaces nothing.
  const outcome = outcomeOf(execution.status, execution.endState);
  if (outcome !== x.outcome) {
    problems.push(`the execution ended ${outcome} at "${execution.endState ?? '?'}" (expected ${x.outcome}): ${execution.error?.name ?? ''} ${execution.error?.message?.slice(0, 300) ?? ''}`);
  }
  if (f.samples === 0) problems.push('the cluster was never asked about its members: no membership sample');
  if (f.minEnabledHosting !== undefined && f.minEnabledHosting < n) problems.push(`only ${f.minEnabledHosting} enabled members hosted the database at one moment, never fewer than ${n} allowed`);
  if (f.maxMembers !== undefined && f.maxMembers > n + 1) problems.push(`${f.maxMembers} members ran at one moment, at most ${n + 1} (one extra) allowed`);
  const lost = f.client.writes.lost + f.client.reads.lost;
  if (lost > 0 || f.client.acknowledgedMissing > 0) problems.push(`client transactions lost after retries: ${lost}, acknowledged writes missing: ${f.client.acknowledgedMissing}`);
  if (execution.volumes.deleted.length > 0) problems.push(`data volumes deleted: ${execution.volumes.deleted.map((v) => v.volumeId).join(', ')}`);
  // A volume made during the run (the surge's) is among the created ones, renamed or not.
  const renamed = (suffix: string) => [...execution.volumes.renamed, ...execution.volumes.created].filter((v) => (v.name ?? '').endsWith(suffix)).length;
  if (x.outcome === 'succeeded') {
    if (JSON.stringify(f.order) !== JSON.stringify(x.order)) problems.push(`old servers replaced in the order ${f.order.join(', ') || 'none'}, expected ${x.order.join(', ')}`);
    for (const r of f.replacements) {
      const causal = x.family === '4.4';
      // 4.4: the old member goes when it leaves the overview or its process stops (retired), whichever first; 5.x: when it is deallocated.
      const goneAt = causal ? [r.deallocatedAtMs, r.retiredAtMs].filter((t): t is number => t !== undefined).sort((p, q) => p - q)[0] : r.deallocatedAtMs;
      const [gone, served] = causal ? ['stopped', 'joined'] : ['deallocated', 'was enabled'];
      if (r.new === undefined) problems.push(`server ${r.old} was ${gone} with no new member discovered before it`);
      else if (goneAt !== undefined && (r.enabledAtMs === undefined || r.enabledAtMs > goneAt)) problems.push(`server ${r.old} was ${gone} before its replacement ${r.new} ${served}`);
      if (r.retiredAtMs === undefined) problems.push(`server ${r.old} was never retired`);
      else if (!causal && (r.droppedAtMs === undefined || r.droppedAtMs > r.retiredAtMs)) problems.push(`server ${r.old}'s instance was retired before it was dropped`);
      if (causal && r.deallocatedAtMs === undefined) problems.push(`server ${r.old} never left the cluster overview`);
    }
    if (renamed('-old') < n) problems.push(`${renamed('-old')} old data volumes renamed -old, expected ${n} (every old volume retained)`);
    if (f.finalStores.length !== n) problems.push(`${f.finalStores.length} members at the end, expected ${n}`);
    for (const s of f.finalStores) {
      if (x.original.includes(s.server) && !f.replacements.some((r) => r.new === s.server)) problems.push(`old server ${s.server} is still a member at the end`);
      if (s.version !== x.target) problems.push(`server ${s.server} runs ${s.version ?? 'nothing'}, not ${x.target}`);
      if (s.markers !== x.markers) problems.push(`server ${s.server}'s store holds ${s.markers} of ${x.markers} marker nodes`);
    }
  } else {
    const touched = f.replacements.filter((r) => r.deallocatedAtMs !== undefined || r.droppedAtMs !== undefined || r.retiredAtMs !== undefined);
    if (touched.length > 0) problems.push(`old servers deallocated, dropped or retired in a rollback before the new member joined: ${touched.map((r) => r.old).join(', ')}`);
    if (renamed('-failed') < 1) problems.push('the surge volume was not kept renamed -failed');
    const members = f.finalStores.map((s) => s.server).sort((a, b) => a - b);
    if (JSON.stringify(members) !== JSON.stringify([...x.original].sort((a, b) => a - b))) problems.push(`members at the end ${members.join(', ')}, expected the original ${x.original.join(', ')}`);
  }
  problems.push(...f.worldErrors);
  return problems;
}
