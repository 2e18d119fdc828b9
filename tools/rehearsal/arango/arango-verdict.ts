/**
 * What every run of the role-ordered procedure must leave, asserted from the emulator's record and state,
 * the played hooks and moto: maintenance off, every hook restored, every server running one consistent
 * version on a store of that version, no volume or snapshot deleted, the lock released. The happy path
 * also: the seed's order, one server at a time, maintenance on only around the DB servers.
 */
import type { ClusterEvent } from '../../arangodb-emulator/cluster';
import type { ArangoEmulator } from '../../arangodb-emulator';
import { HookSwitches } from './hook-player';
import { THAW_FAILED_END } from '../../../lib/private/procedure-payloads';
import { ROLLED_BACK_END, ROLLED_BACK_NOT_PUBLISHED_END } from '../../../lib/private/rolled-back-end';

export interface MotoLook {
  readonly volumeIds: string[];
  readonly snapshotIds: string[];
  /** The lock parameter's holder, or undefined when released. */
  readonly lockHolder?: string;
}

export type ArangoOutcome = 'succeeded' | 'upgraded-writes-frozen' | 'rolled-back' | 'rollback-failed' | 'refused' | 'refused-after-lock' | 'failed';

/** The end of a rollback that itself failed (RoleOrderedRollback): the lock stays for an operator. */
export const ROLLBACK_FAILED_END = 'Rollback failed: lock kept for an operator';

export function outcomeOf(status: string, endState: string | undefined): ArangoOutcome {
  if (status === 'SUCCEEDED') return 'succeeded';
  // The second: the failure's publication failed after the lock's release (as rolled back as the first).
  if (endState === ROLLED_BACK_END || endState === ROLLED_BACK_NOT_PUBLISHED_END) return 'rolled-back';
  // Read from the events: the local executor cannot evaluate this Fail state's States.JsonToString cause.
  if (endState === ROLLBACK_FAILED_END) return 'rollback-failed';
  if (endState === THAW_FAILED_END) return 'upgraded-writes-frozen';
  // 'Refused before any change' (preflight) and 'Refused: the execution input is too large' (the input-size
  // guard, whose Fail also ends a failure of its own handler): nothing was changed.
  if (endState?.startsWith('Refused')) return 'refused';
  if (endState === 'Preflight failed after the lock') return 'refused-after-lock';
  return 'failed';
}

const storeOf = (version: string) => version.split('.').map(Number).reduce((n, part, i) => n + part * [10000, 100, 1][i], 0);

/** The problems a finished run left (empty: every invariant holds). */
export function invariantProblems(args: {
  outcome: ArangoOutcome; emulator: ArangoEmulator; hooks: HookSwitches; before: MotoLook; after: MotoLook;
  executionArn: string; fromVersion: string; toVersion: string;
}): string[] {
  const { emulator, hooks, before, after, outcome } = args;
  const problems: string[] = [];
  if (emulator.cluster.maintenance.active) problems.push('supervision maintenance is still on');
  const lostVolumes = before.volumeIds.filter((v) => !after.volumeIds.includes(v));
  const lostSnapshots = before.snapshotIds.filter((v) => !after.snapshotIds.includes(v));
  if (lostVolumes.length) problems.push(`volumes deleted: ${lostVolumes.join(', ')}`);
  if (lostSnapshots.length) problems.push(`snapshots deleted: ${lostSnapshots.join(', ')}`);
  if (outcome === 'rollback-failed') {
    // Left to the operator by design: the lock (so no other upgrade starts), the servers and hooks as the
    // failure left them. Only maintenance (above) is switched off again, and nothing may be deleted.
    if (after.lockHolder !== args.executionArn) problems.push('a failed rollback released the lock; it must stay for an operator');
    return problems;
  }
  for (const [hook, state] of Object.entries(hooks.state)) if (state !== 'running') problems.push(`hook ${hook} left ${state}`);
  if (after.lockHolder === args.executionArn) problems.push('the lock is still held by the execution');
  const expected = outcome === 'succeeded' ? args.toVersion : args.fromVersion;
  for (const s of emulator.cluster.servers) {
    if (s.status !== 'running') problems.push(`${s.id} is ${s.status}`);
    if (s.version !== expected) problems.push(`${s.id} runs ${s.version}, expected ${expected} after a ${outcome} run`);
    if (s.storeVersion !== storeOf(expected)) problems.push(`${s.id}'s store is ${s.storeVersion}, expected ${storeOf(expected)}`);
  }
  if (outcome === 'failed') problems.push('the run ended neither succeeded nor rolled back nor refused');
  return problems;
}

/** The seed's order, one server at a time, maintenance only around the DB servers: from the emulator's record. */
export function orderProblems(events: readonly ClusterEvent[], roleOrder: readonly string[]): string[] {
  const problems: string[] = [];
  const roleRank: Record<string, number> = { Agent: 0, DBServer: 1, Coordinator: 2 };
  const stops = events.filter((e) => e.kind === 'stop');
  const starts = events.filter((e) => e.kind === 'start' && e.exitCode === 0);
  const ranks = stops.map((e) => roleRank[e.role ?? '']);
  if (ranks.some((r, i) => i > 0 && r < ranks[i - 1])) problems.push(`servers were not stopped in role order (${roleOrder.join(', ')}): ${stops.map((e) => e.serverId).join(', ')}`);
  // One at a time: every stop after the previous server's start.
  for (let i = 1; i < stops.length; i++) {
    const previousStart = starts.find((e) => e.serverId === stops[i - 1].serverId);
    if (!previousStart || events.indexOf(previousStart) > events.indexOf(stops[i])) problems.push(`${stops[i].serverId} went down before ${stops[i - 1].serverId} was back`);
  }
  const on = events.filter((e) => e.kind === 'maintenance-on' && e.via === 'api');
  const off = events.filter((e) => e.kind === 'maintenance-off' && e.via === 'api');
  const idx = (e: ClusterEvent | undefined) => (e ? events.indexOf(e) : -1);
  const lastAgentStart = starts.filter((e) => e.role === 'Agent').pop();
  const firstDbStop = stops.find((e) => e.role === 'DBServer');
  const lastDbStart = starts.filter((e) => e.role === 'DBServer').pop();
  const firstCoordinatorStop = stops.find((e) => e.role === 'Coordinator');
  if (on.length !== 1) problems.push(`maintenance was switched on ${on.length} times through the API, expected once`);
  else if (!(idx(lastAgentStart) < idx(on[0]) && idx(on[0]) < idx(firstDbStop))) problems.push('maintenance was not switched on between the last agent and the first DB server');
  const offAfterDb = off.filter((e) => idx(e) > idx(on[0]));
  if (offAfterDb.length === 0 || !(idx(lastDbStart) < idx(offAfterDb[0]) && idx(offAfterDb[0]) < idx(firstCoordinatorStop))) {
    problems.push('maintenance was not switched off between the last DB server and the first coordinator');
  }
  return problems;
}
