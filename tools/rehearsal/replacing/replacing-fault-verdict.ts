/**
 * What every run of the replacing fault matrix must leave (pure): the outcome its failure path predicts, no
 * volume or snapshot deleted (old volumes renamed -old, undone surges -failed), never fewer than N Enabled
 * members hosting the database and never more than N + 1 members, the lock released except on the "not
 * undone" and "rollback failed" paths, the run's faults fired, no client transaction lost after retries; and
 * what the operator is left with, per outcome:
 * - nothing replaced (refused, refused after the lock, rolled back with nothing replaced forward: refused
 *   before the Map or undone in the first iteration; "not undone" from an undo step): every original server
 *   still a member at the starting version, no old volume renamed;
 * - the first replacement in progress ("not undone" from a step of the first replacement's finish path): the
 *   new member running at the target, Enabled, and once an old server was deallocated hosting the database
 *   with its data; the old servers not reached still members at the starting version; the lock kept; where the
 *   first old server is (its membership state, running or retired) is reported;
 * - rolled back after servers were replaced forward (a failure after the first replacement's point of no
 *   return, its finish path done, or after the Map): the rollback replaced each of them back, so N members at
 *   the end (new slots, not the originals) every one at the starting version with the data, none at the
 *   target, and twice as many volumes renamed -old as servers replaced forward (the old one's, then the one
 *   replaced back);
 * - everything replaced (SUCCEEDED): N members at the end, none of them an original, all at the target with
 *   the data, every old volume renamed -old;
 * - the rollback failed (a fault in the rollback pass): the lock kept (unless the rollback had released it
 *   before the failing step); where the members are is reported, not judged.
 * A Neo4j 4.4 causal cluster (family '4.4') has no server states: a member listed in the overview
 * (MEMBER_LISTED) is a member, one that left is not listed; "Enabled" reads "listed", "Enabled hosting neo4j"
 * reads "listed with neo4j online", and an old server "deallocated" is one that left the overview.
 */
import { outcomeOf } from '../arango/arango-verdict';
import type { ReplacedAtEnd } from './replacing-faults';
import type { ReplacingFigures } from './replacing-verdict';
import type { ReplacingFamily } from './replacing-world';

export type ReplacingOutcome = 'succeeded' | 'refused' | 'refused-after-lock' | 'rolled-back' | 'rollback-failed' | 'not-undone' | 'failed';

/** The end only NEW_MEMBER_FIRST has (the definition's Fail state); the others are every procedure's (`outcomeOf`). */
export const REPLACEMENT_NOT_UNDONE = 'Replacement not undone: lock kept for an operator';

export function replacingOutcomeOf(status: string, endState: string | undefined): ReplacingOutcome {
  if (status !== 'SUCCEEDED' && endState === REPLACEMENT_NOT_UNDONE) return 'not-undone';
  const outcome = outcomeOf(status, endState);
  // No write freeze in this procedure: that end would be a failure of the reading, not an outcome.
  return outcome === 'upgraded-writes-frozen' ? 'failed' : outcome;
}

/** A 4.4 member's state at the end: listed in `dbms.cluster.overview()` (4.4 has no server states). */
export const MEMBER_LISTED = 'Listed';

/** A server as the cluster lists it at the end (5.x: SHOW SERVERS; 4.4: the overview) and whether its real Neo4j runs. */
export interface MemberAtEnd {
  readonly server: number;
  readonly state: string;
  readonly running: boolean;
  readonly hosting: readonly string[];
}

export interface ReplacingRunLook {
  readonly outcome: ReplacingOutcome;
  readonly volumesDeleted: readonly string[];
  readonly snapshotsDeleted: readonly string[];
  /** Volumes renamed (or created) during the run, by the suffix their name ends with. */
  readonly renamed: { old: number; failed: number };
  readonly lockHeldAtEnd: boolean;
  /** This run's slice of the replacing figures (events, samples, final stores, client). */
  readonly figures: ReplacingFigures;
  readonly members: readonly MemberAtEnd[];
  readonly faultFiring?: string;
}

export interface ReplacingRunExpectation {
  readonly outcome: ReplacingOutcome;
  readonly replaced: ReplacedAtEnd;
  readonly original: readonly number[];
  readonly from: string;
  readonly to: string;
  readonly markers: number;
  /** Default '5'. */
  readonly family?: ReplacingFamily;
}

/** The ends that keep the lock for an operator, and what the problem calls them. */
const LOCK_KEEPING: Partial<Record<ReplacingOutcome, string>> = { 'not-undone': 'not undone', 'rollback-failed': 'rollback failed' };

export function replacingRunProblems(look: ReplacingRunLook, x: ReplacingRunExpectation): string[] {
  const problems: string[] = [];
  const f = look.figures;
  const n = x.original.length;
  if (look.outcome !== x.outcome) problems.push(`ended ${look.outcome}, expected ${x.outcome}`);
  if (look.volumesDeleted.length) problems.push(`volumes deleted: ${look.volumesDeleted.join(', ')}`);
  if (look.snapshotsDeleted.length) problems.push(`snapshots deleted: ${look.snapshotsDeleted.join(', ')}`);
  const keeping = LOCK_KEEPING[look.outcome];
  const kept = keeping !== undefined;
  if (kept && !look.lockHeldAtEnd) problems.push(`"${keeping ?? look.outcome}" released the lock; it must stay for an operator`);
  if (!kept && look.lockHeldAtEnd) problems.push('the lock is still held');
  if (f.minEnabledHosting !== undefined && f.minEnabledHosting < n) problems.push(`only ${f.minEnabledHosting} Enabled members hosted the database at one moment, never fewer than ${n} allowed`);
  if (f.maxMembers !== undefined && f.maxMembers > n + 1) problems.push(`${f.maxMembers} members at one moment, at most ${n + 1} allowed`);
  const lost = f.client.writes.lost + f.client.reads.lost;
  if (lost > 0 || f.client.acknowledgedMissing > 0) problems.push(`client: ${lost} transactions lost after retries, ${f.client.acknowledgedMissing} acknowledged writes missing`);
  if (look.faultFiring) problems.push(look.faultFiring);
  problems.push(...leftWithProblems(look, x), ...f.worldErrors);
  return problems;
}

/** What the operator is left with, against what the expected end leaves. */
function leftWithProblems(look: ReplacingRunLook, x: ReplacingRunExpectation): string[] {
  const problems: string[] = [];
  const stores = new Map(look.figures.finalStores.map((s) => [s.server, s]));
  const holds = (server: number, version: string, what: string) => {
    const s = stores.get(server);
    if (!s) problems.push(`${what} ${server} is not running at the end`);
    else {
      if (s.version !== version) problems.push(`${what} ${server} runs ${s.version ?? 'nothing'}, expected ${version}`);
      if (s.markers !== x.markers) problems.push(`${what} ${server}'s store holds ${s.markers} of ${x.markers} marker nodes`);
    }
  };
  const replaced = look.figures.replacements;
  const causal = x.family === '4.4';
  // 5.x: a new member serves once Enabled; 4.4: once listed in the overview.
  const serving = causal ? MEMBER_LISTED : 'Enabled';
  // Where a failed rollback left the members depends on the step that failed: reported (leftWith), not judged.
  if (x.outcome === 'rollback-failed') return problems;
  if (x.replaced === 'none') {
    for (const server of x.original) holds(server, x.from, 'original server');
    const touched = replaced.filter((r) => r.deallocatedAtMs !== undefined || r.droppedAtMs !== undefined || r.retiredAtMs !== undefined);
    if (touched.length) problems.push(`old servers deallocated, dropped or retired though nothing was to be replaced: ${touched.map((r) => r.old).join(', ')}`);
    if (look.renamed.old > 0) problems.push(`${look.renamed.old} volumes renamed -old though no old server was retired`);
    if (look.outcome === 'rolled-back') {
      const extra = look.members.filter((m) => !x.original.includes(m.server) && m.running);
      if (extra.length) problems.push(`the undone surge still runs: server ${extra.map((m) => `${m.server} (${m.state})`).join(', ')}`);
    }
  } else if (x.outcome === 'rolled-back') {
    // Each server replaced forward was replaced back: new slots at the starting version, its volume renamed -old too.
    const forward = x.replaced === 'first' ? 1 : x.original.length;
    if (look.figures.finalStores.length !== x.original.length) problems.push(`${look.figures.finalStores.length} members at the end, expected ${x.original.length}`);
    for (const s of look.figures.finalStores) {
      holds(s.server, x.from, 'member');
      const member = look.members.find((m) => m.server === s.server);
      if (member?.state !== serving || !member.hosting.includes('neo4j')) {
        problems.push(`member ${s.server} is ${member ? `${member.state} hosting ${member.hosting.join(', ') || 'nothing'}` : 'not listed'}, expected ${serving} hosting neo4j`);
      }
    }
    if (look.renamed.old !== 2 * forward) {
      problems.push(`${look.renamed.old} volumes renamed -old, expected ${2 * forward} (${forward} replaced forward, each then replaced back)`);
    }
  } else if (x.replaced === 'first') {
    // The deallocation itself may be the step that failed: then no old server moved, and the new member,
    // Enabled, hosts nothing yet (its store stays empty); once one was deallocated the new one holds the data.
    const deallocated = replaced.find((r) => r.deallocatedAtMs !== undefined);
    const first = deallocated ?? replaced[0];
    if (first?.new === undefined) problems.push('no new member joined before the old one was to be deallocated');
    else {
      const member = look.members.find((m) => m.server === first.new);
      if (deallocated) {
        // While the old server still hosts the database (Deallocating), Neo4j keeps its copy until the new one
        // has started: the data may be on either. The harness's copy runs only when a handler looks (SIMULATED).
        const old = look.members.find((m) => m.server === deallocated.old);
        const oldHolds = old?.running && old.hosting.includes('neo4j') && stores.get(deallocated.old)?.markers === x.markers;
        if (oldHolds && stores.get(first.new)?.markers !== x.markers) holds(deallocated.old, x.from, 'old server still hosting the data');
        else holds(first.new, x.to, 'new member');
        if (member?.state !== serving || !member.hosting.includes('neo4j')) problems.push(`new member ${first.new} is ${member ? `${member.state} hosting ${member.hosting.join(', ') || 'nothing'}` : 'not listed'}, expected ${serving} hosting neo4j`);
      } else {
        if (stores.get(first.new)?.version !== x.to) problems.push(`new member ${first.new} runs ${stores.get(first.new)?.version ?? 'nothing'}, expected ${x.to}`);
        if (member?.state !== serving) problems.push(`new member ${first.new} is ${member?.state ?? 'not listed'}, expected ${serving}`);
      }
    }
    for (const server of x.original.filter((s) => s !== deallocated?.old)) holds(server, x.from, 'old server not reached');
  } else {
    if (look.figures.finalStores.length !== x.original.length) problems.push(`${look.figures.finalStores.length} members at the end, expected ${x.original.length}`);
    for (const s of look.figures.finalStores) {
      if (x.original.includes(s.server) && !replaced.some((r) => r.new === s.server)) problems.push(`old server ${s.server} is still a member at the end`);
      holds(s.server, x.to, 'member');
    }
    if (look.renamed.old < x.original.length) problems.push(`${look.renamed.old} old volumes renamed -old, expected ${x.original.length}`);
  }
  return problems;
}

/** One line on what the operator is left with (the report's "left with"). */
export function leftWith(look: Pick<ReplacingRunLook, 'members' | 'lockHeldAtEnd' | 'renamed'>): string {
  const members = look.members.map((m) => `${m.server} ${m.state}${m.running ? '' : ' (stopped)'}${m.hosting.length ? ` hosting ${m.hosting.join('+')}` : ''}`).join('; ');
  return `members: ${members || 'none'}; lock ${look.lockHeldAtEnd ? 'HELD' : 'free'}; volumes renamed -old ${look.renamed.old}, -failed ${look.renamed.failed}`;
}
