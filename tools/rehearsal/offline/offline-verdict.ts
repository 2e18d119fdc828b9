/**
 * What the offline rehearsal reports and checks (pure over what the run recorded): the stages and their
 * durations, per server when it went down and came up and on which store, the store migrated once (the
 * stores' own logs), every other server given an unbound copy that opened WITHOUT an upgrade and holds the
 * marker nodes, the old stores retained, the client's failed writes per stage, nothing acknowledged lost.
 */
import type { ExecutionReport } from '../types';
import type { WorkloadResult } from '../workload/client-workload';
import { refusedByFreeze } from './offline-routing';
import type { ServerStart } from './offline-world';
import type { StoreEvidence } from './store-evidence';
import type { StoreCopy } from './store-volumes';

export interface OfflineInputs {
  readonly report: Pick<ExecutionReport, 'status' | 'endState' | 'error' | 'volumes' | 'stages' | 'startedAt'>;
  readonly outages: ReadonlyArray<{ server: number; image: string; downAt: number; upAt?: number; error?: string }>;
  readonly starts: readonly ServerStart[];
  readonly copies: readonly StoreCopy[];
  /** Every store directory the run knew (first stores and copies), with its evidence. */
  readonly stores: ReadonlyArray<{ volumeId: string; evidence: StoreEvidence }>;
  /** Per server at the end: version, store directory, marker nodes its store holds. */
  readonly finalServers: ReadonlyArray<{ server: number; version?: string; dataDir: string; markerNodes?: number }>;
  readonly seededMarkers: number;
  readonly workload: WorkloadResult;
  readonly target: string;
  readonly worldErrors: readonly string[];
  /** Per server at the end: the access its store holds per user database (database-access.ts). */
  readonly finalAccess: ReadonlyArray<{ server: number; access: Record<string, string> }>;
}

export interface OfflineFigures {
  readonly stages: Array<{ name: string; durationMs?: number; startMs?: number; failedWrites: number; failedReads: number; lostWrites: number }>;
  readonly servers: Array<{ server: number; downAtMs: number; upAtMs?: number; downMs?: number; image: string }>;
  readonly migrations: Array<{ volumeId: string; database: string; from: string; to: string }>;
  readonly copies: Array<{ server: number; volumeId: string; sourceVolumeId: string; unbindMark?: string; unbindCalled: boolean; openedAt: Array<{ database: string; kernel: string }>; upgrades: number; markerNodes?: number }>;
  readonly retainedStores: Array<{ volumeId: string; openedBy: string[] }>;
  readonly client: { writes: { committed: number; lost: number; failedAttempts: number }; reads: { committed: number; lost: number; failedAttempts: number }; acknowledgedMissing: number; lostButStored: number };
  /** The write freeze as the client saw it: its refused attempts, the writes it made the client give up, the write-failure window. */
  readonly freeze: WriteFreezeFigures;
  readonly finalAccess: ReadonlyArray<{ server: number; access: Record<string, string> }>;
}

export interface WriteFreezeFigures {
  readonly refusedAttempts: number;
  /** Writes the client gave up while the freeze held (their retries overlapped the refused attempts): never acknowledged. */
  readonly refusedWritesGivenUp: number;
  /** From the run's start: the first and last refused attempt. */
  readonly firstRefusedMs?: number;
  readonly lastRefusedMs?: number;
  /** From the first failed write attempt (any cause) to the end of the last one: the clients' write downtime. */
  readonly writeFailureWindowMs?: number;
}

/** The write freeze's figures from the client's attempts (pure; also the fault matrix's). */
export function writeFreezeFigures(workload: Pick<WorkloadResult, 'attempts' | 'transactions'>, t0: number): WriteFreezeFigures {
  const refused = workload.attempts.filter((a) => a.op === 'write' && refusedByFreeze(a.error));
  const failedWrites = workload.attempts.filter((a) => a.op === 'write' && a.failure);
  return {
    refusedAttempts: refused.length,
    // Given up while the freeze held (its retries overlapped the refused attempts): never acknowledgeable, write downtime by design.
    refusedWritesGivenUp: refused.length === 0 ? 0 : workload.transactions.filter((t) => t.op === 'write' && t.outcome === 'lost'
      && t.firstAttemptAt <= refused[refused.length - 1].at && t.lastAttemptEndedAt >= refused[0].at).length,
    ...(refused.length > 0 && { firstRefusedMs: refused[0].at - t0, lastRefusedMs: refused[refused.length - 1].at - t0 }),
    ...(failedWrites.length > 0 && { writeFailureWindowMs: Math.max(...failedWrites.map((a) => a.endedAt)) - Math.min(...failedWrites.map((a) => a.at)) }),
  };
}

const at = (iso: string | undefined) => (iso ? Date.parse(iso) : NaN);

export function offlineFigures(i: OfflineInputs): OfflineFigures {
  const t0 = at(i.report.startedAt);
  const stages = i.report.stages.map((s) => {
    const from = at(s.startedAt);
    const to = s.endedAt ? at(s.endedAt) : Date.now();
    const inStage = (t: number) => t >= from && t < to;
    const failed = (op: string) => i.workload.attempts.filter((a) => a.op === op && a.failure && inStage(a.at)).length;
    return {
      name: s.name, ...(s.durationMs !== undefined && { durationMs: s.durationMs }), ...(s.startedAt && { startMs: from - t0 }),
      failedWrites: failed('write'), failedReads: failed('read'),
      lostWrites: i.workload.transactions.filter((t) => t.op === 'write' && t.outcome === 'lost' && inStage(t.lastAttemptEndedAt)).length,
    };
  });
  const servers = [...i.outages].sort((a, b) => a.downAt - b.downAt).map((o) => ({
    server: o.server, downAtMs: o.downAt - t0, image: o.image,
    ...(o.upAt !== undefined && { upAtMs: o.upAt - t0, downMs: o.upAt - o.downAt }),
  }));
  const migrations = i.stores.flatMap((s) => s.evidence.upgrades.map((u) => ({ volumeId: s.volumeId, database: u.database, from: u.from, to: u.to })));
  const copies = i.copies.map((c) => {
    const start = i.starts.find((s) => s.volumeId === c.volumeId);
    const evidence = i.stores.find((s) => s.volumeId === c.volumeId)?.evidence;
    const final = i.finalServers.find((f) => f.dataDir === c.dir);
    return {
      server: start?.server ?? 0, volumeId: c.volumeId, sourceVolumeId: c.sourceVolumeId,
      ...(start?.unbindMark && { unbindMark: start.unbindMark }), unbindCalled: start?.calls.some((call) => /\bunbind\b/.test(call)) ?? false,
      openedAt: evidence?.opened ?? [], upgrades: evidence?.upgrades.length ?? 0, ...(final?.markerNodes !== undefined && { markerNodes: final.markerNodes }),
    };
  });
  const inUse = new Set(i.finalServers.map((f) => f.dataDir));
  const retainedStores = i.stores.filter((s) => !inUse.has(s.evidence.dir)).map((s) => ({ volumeId: s.volumeId, openedBy: s.evidence.openedBy }));
  const count = (op: string) => ({
    committed: i.workload.transactions.filter((t) => t.op === op && t.outcome === 'committed').length,
    lost: i.workload.transactions.filter((t) => t.op === op && t.outcome === 'lost').length,
    failedAttempts: i.workload.attempts.filter((a) => a.op === op && a.failure).length,
  });
  return {
    stages, servers, migrations, copies, retainedStores,
    client: { writes: count('write'), reads: count('read'), acknowledgedMissing: i.workload.readBack.acknowledgedMissing.length, lostButStored: i.workload.readBack.lostButStored.length },
    freeze: writeFreezeFigures(i.workload, t0), finalAccess: i.finalAccess,
  };
}

export function offlineProblems(f: OfflineFigures, i: OfflineInputs): string[] {
  const problems: string[] = [];
  const r = i.report;
  if (r.status !== 'SUCCEEDED') problems.push(`the execution ${r.status} at "${r.endState ?? '?'}": ${r.error?.name ?? ''} ${r.error?.message?.slice(0, 300) ?? ''}`);
  const migratedVolumes = [...new Set(f.migrations.map((m) => m.volumeId))];
  if (migratedVolumes.length !== 1) problems.push(`stores upgraded: ${migratedVolumes.join(', ') || 'none'} (expected exactly one)`);
  for (const db of ['system', 'neo4j']) {
    const n = f.migrations.filter((m) => m.database === db).length;
    if (n > 1) problems.push(`database ${db} upgraded ${n} times`);
  }
  if (!f.migrations.some((m) => m.database === 'system')) problems.push('no store upgrade of the system database was logged');
  // start-neo4j.sh runs `neo4j-admin database migrate` only while AllowUpgrade is true: once, on the migrating server.
  const migrating = i.starts.filter((s) => s.calls.some((c) => /\bdatabase migrate\b/.test(c)));
  if (migrating.length !== 1) problems.push(`start-neo4j.sh called neo4j-admin database migrate on ${migrating.length} starts (servers ${migrating.map((s) => s.server).join(', ') || 'none'}), expected 1`);
  const servers = i.finalServers.length;
  if (f.copies.length !== servers - 1) problems.push(`${f.copies.length} copies of the migrated store, expected ${servers - 1}`);
  for (const c of f.copies) {
    if (!c.unbindMark || !c.unbindCalled) problems.push(`server ${c.server}'s copy ${c.volumeId} started without the unbind (mark ${c.unbindMark ?? 'none'})`);
    if (c.upgrades > 0) problems.push(`server ${c.server}'s copy ${c.volumeId} was upgraded again (${c.upgrades} upgrade transactions)`);
    if (c.openedAt.find((o) => o.database === 'system')?.kernel.startsWith('V5_')) problems.push(`server ${c.server}'s copy opened at kernel ${JSON.stringify(c.openedAt)}`);
  }
  for (const s of i.finalServers) {
    if (s.version !== i.target) problems.push(`server ${s.server} runs ${s.version ?? 'nothing'}, not ${i.target}`);
    if (s.markerNodes !== i.seededMarkers) problems.push(`server ${s.server}'s store holds ${s.markerNodes ?? '?'} of ${i.seededMarkers} marker nodes`);
  }
  for (const s of f.retainedStores) if (s.openedBy.some((v) => v === i.target)) problems.push(`the retained store ${s.volumeId} was opened at ${i.target}`);
  if (r.volumes.deleted.length > 0) problems.push(`data volumes deleted: ${r.volumes.deleted.map((v) => v.volumeId).join(', ')}`);
  if (f.client.acknowledgedMissing > 0) problems.push(`acknowledged writes missing from every store: ${f.client.acknowledgedMissing}`);
  // The freeze ran (the client's writes were refused) and was thawed: every server's store takes writes again.
  if (f.freeze.refusedAttempts === 0) problems.push('the write freeze refused no client write');
  for (const a of f.finalAccess) {
    const frozen = Object.entries(a.access).filter(([, v]) => v !== 'read-write').map(([db]) => db);
    if (frozen.length > 0) problems.push(`server ${a.server}'s store still holds ${frozen.join(', ')} READ ONLY (not thawed)`);
  }
  problems.push(...i.worldErrors);
  return problems;
}
