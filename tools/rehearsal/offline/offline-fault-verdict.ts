/**
 * What every run of the offline fault matrix must leave (pure):
 * - the outcome expected, no volume or snapshot deleted, the lock released (kept only by a failed rollback);
 * - every server up on the version the outcome implies (the target after a success, the starting one after
 *   a rollback or refusal), its effective image likewise;
 * - a rollback past the point of no return (the store migrated): every server on a store restored from the
 *   pre-upgrade snapshot of the volume it ran on before the run, a store no other version opened and no
 *   upgrade touched (its own Neo4j log), and every volume the run started with still there (renamed, kept);
 * - the client: no acknowledged write missing, of any kind (the write freeze holds from before the
 *   pre-upgrade snapshots, so a restore loses nothing; the before/after split is a report figure); no
 *   transaction given up outside the downtime the procedure declares (offline-declared-downtime.ts, and the
 *   freeze's window for writes: one given up inside them was never acknowledged, so it is downtime, counted
 *   with its window, not a loss); every server's store takes writes again at the end (thawed);
 * - the run's faults fired and its world fault played out.
 */
import type { ArangoOutcome } from '../arango/arango-verdict';
import { endsUpgraded } from './offline-faults';
import type { StoreEvidence } from './store-evidence';

export interface OfflineRunLook {
  readonly outcome: ArangoOutcome;
  readonly expected: readonly ArangoOutcome[];
  readonly volumesDeleted: readonly string[];
  readonly snapshotsDeleted: readonly string[];
  readonly lockHeldAtEnd: boolean;
  readonly pastPointOfNoReturn: boolean;
  /** Per server: its effective image after the run (stack parameters) and the version its Neo4j runs (undefined: down). */
  readonly images: Record<number, string>;
  readonly versions: Record<number, string | undefined>;
  /** Per server: the volume it ran on when the run began, and the one it runs on at the end with that store's origin. */
  readonly stores: Array<{ server: number; startVolumeId: string; endVolumeId?: string; restoredFrom?: { snapshotId: string; sourceVolumeId: string }; evidence?: StoreEvidence }>;
  readonly preUpgradeSnapshots: readonly string[];
  /** Every volume id that exists after the run. */
  readonly volumesAfter: readonly string[];
  /** givenUpOutsideDowntime: transactions never acknowledged, some attempt outside every declared downtime window (declared-downtime.ts). */
  readonly client: { givenUpOutsideDowntime: number; committedWrites: number; missingBeforeSnapshot: number; missingAfterSnapshot: number };
  /** Servers whose store still holds a user database READ ONLY at the end. */
  readonly frozenAtEnd?: readonly number[];
  readonly faultFiring?: string;
  readonly world?: { fault: string; failedMigrations: number; stuckAnswers: number; released: boolean };
  readonly worldErrors: readonly string[];
}

export interface OfflineVersions {
  readonly fromImage: string;
  readonly toImage: string;
  readonly fromVersion: string;
  readonly toVersion: string;
}

function storeProblems(look: OfflineRunLook, v: OfflineVersions): string[] {
  const problems: string[] = [];
  const pre = new Set(look.preUpgradeSnapshots);
  const after = new Set(look.volumesAfter);
  for (const s of look.stores) {
    if (!after.has(s.startVolumeId)) problems.push(`server ${s.server}'s volume ${s.startVolumeId} from before the run is gone`);
    const r = s.restoredFrom;
    if (!r || !pre.has(r.snapshotId) || r.sourceVolumeId !== s.startVolumeId) {
      problems.push(`server ${s.server} runs on ${s.endVolumeId ?? 'nothing'}, not a restore of the pre-upgrade snapshot of its volume ${s.startVolumeId}${r ? ` (made from ${r.snapshotId} of ${r.sourceVolumeId})` : ''}`);
      continue;
    }
    const e = s.evidence;
    if (!e || e.openedBy.length === 0) problems.push(`server ${s.server}'s restored store ${s.endVolumeId} logged no open`);
    else if (e.openedBy.some((o) => o !== v.fromVersion)) problems.push(`server ${s.server}'s restored store ${s.endVolumeId} was opened by ${e.openedBy.join(', ')}`);
    if (e && e.upgrades.length > 0) problems.push(`server ${s.server}'s restored store ${s.endVolumeId} was upgraded (${e.upgrades.length} upgrade transactions)`);
  }
  return problems;
}

function worldProblems(w: NonNullable<OfflineRunLook['world']>): string[] {
  if (w.fault === 'migration-fails') return w.failedMigrations === 0 ? ['the migration never ran (and so never failed)'] : [];
  const problems: string[] = [];
  if (w.stuckAnswers === 0) problems.push('no gate saw the migrated server\'s database `starting`');
  if (!w.released) problems.push('the server whose database stayed `starting` was never started again');
  return problems;
}

/** Thawed at the end, except where the final thaw failed: then the freeze stays on every server, for an operator. */
function freezeAtEndProblems(look: OfflineRunLook): string[] {
  const frozen = look.frozenAtEnd ?? [];
  if (look.outcome !== 'upgraded-writes-frozen') return frozen.length > 0 ? [`servers ${frozen.join(', ')} still hold a user database READ ONLY (not thawed)`] : [];
  const thawed = Object.entries(look.versions).filter(([, running]) => running !== undefined).map(([server]) => Number(server)).filter((server) => !frozen.includes(server));
  return thawed.length > 0 ? [`servers ${thawed.join(', ')} take writes although the thaw failed (the freeze must stay for an operator)`] : [];
}

export function offlineRunProblems(look: OfflineRunLook, v: OfflineVersions): string[] {
  const problems: string[] = [];
  if (!look.expected.includes(look.outcome)) problems.push(`ended ${look.outcome}, expected ${look.expected.join(' or ')}`);
  if (look.volumesDeleted.length) problems.push(`volumes deleted: ${look.volumesDeleted.join(', ')}`);
  if (look.snapshotsDeleted.length) problems.push(`snapshots deleted: ${look.snapshotsDeleted.join(', ')}`);
  const restores = look.outcome === 'rolled-back' && look.pastPointOfNoReturn;
  if (look.outcome === 'rollback-failed') {
    if (!look.lockHeldAtEnd) problems.push('a failed rollback released the lock; it must stay for an operator');
  } else {
    if (look.lockHeldAtEnd) problems.push('the lock is still held');
    const [image, version] = endsUpgraded(look.outcome) ? [v.toImage, v.toVersion] : [v.fromImage, v.fromVersion];
    for (const [server, effective] of Object.entries(look.images)) {
      if (effective !== image) problems.push(`server ${server}'s effective image is ${effective || '(none)'}, expected ${image} after a ${look.outcome} run`);
    }
    for (const [server, running] of Object.entries(look.versions)) {
      if (running !== version) problems.push(`server ${server} runs ${running ?? 'nothing (down)'}, expected ${version}`);
    }
    if (restores) problems.push(...storeProblems(look, v));
  }
  const c = look.client;
  if (c.givenUpOutsideDowntime > 0) problems.push(`client: ${c.givenUpOutsideDowntime} transactions given up outside the procedure's declared downtime`);
  const missing = c.missingBeforeSnapshot + c.missingAfterSnapshot;
  if (missing > 0) problems.push(`client: ${missing} acknowledged writes missing (${c.missingBeforeSnapshot} acknowledged before the pre-upgrade snapshots began, ${c.missingAfterSnapshot} after)`);
  problems.push(...freezeAtEndProblems(look));
  if (c.committedWrites === 0) problems.push('the client committed no write during the run');
  if (look.faultFiring) problems.push(look.faultFiring);
  if (look.world) problems.push(...worldProblems(look.world));
  problems.push(...look.worldErrors);
  return problems;
}
