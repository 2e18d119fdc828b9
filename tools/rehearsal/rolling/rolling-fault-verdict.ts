/**
 * What every run of the rolling fault matrix must leave (pure): the outcome expected, no volume or snapshot
 * deleted, every server's effective image (its stack parameters) and the version its real Neo4j runs as the
 * outcome implies (the target after a success, the starting one after a rollback or refusal), every server
 * up, at most one server down at any moment, the lock released (kept only by a failed rollback), every
 * acknowledged client write present and no client transaction lost, and the run's fault fired.
 */
import type { ArangoOutcome } from '../arango/arango-verdict';

export interface RollingRunLook {
  readonly outcome: ArangoOutcome;
  readonly expected: readonly ArangoOutcome[];
  readonly volumesDeleted: readonly string[];
  readonly snapshotsDeleted: readonly string[];
  readonly lockHeldAtEnd: boolean;
  /** Per server: its effective image after the run (from the stack parameters). */
  readonly images: Record<number, string>;
  /** Per server: the version its real Neo4j runs, undefined when it is down. */
  readonly versions: Record<number, string | undefined>;
  readonly maxDownAtOnce: number;
  readonly client: { lost: number; acknowledgedMissing: number; committedWrites: number };
  /** Why the run's faults did not fire as needed (task-state-faults.ts faultFiringProblem), undefined when they did. */
  readonly faultFiring?: string;
  /** For the world fault: the gate saw the database `starting`, and the server's rollback released it. */
  readonly stuck?: { answers: number; released: boolean };
  readonly worldErrors: readonly string[];
}

export interface RollingVersions {
  readonly fromImage: string;
  readonly toImage: string;
  readonly fromVersion: string;
  readonly toVersion: string;
}

export function rollingRunProblems(look: RollingRunLook, v: RollingVersions): string[] {
  const problems: string[] = [];
  if (!look.expected.includes(look.outcome)) problems.push(`ended ${look.outcome}, expected ${look.expected.join(' or ')}`);
  if (look.volumesDeleted.length) problems.push(`volumes deleted: ${look.volumesDeleted.join(', ')}`);
  if (look.snapshotsDeleted.length) problems.push(`snapshots deleted: ${look.snapshotsDeleted.join(', ')}`);
  if (look.outcome === 'rollback-failed') {
    if (!look.lockHeldAtEnd) problems.push('a failed rollback released the lock; it must stay for an operator');
  } else {
    if (look.lockHeldAtEnd) problems.push('the lock is still held');
    const succeeded = look.outcome === 'succeeded';
    const [image, version] = succeeded ? [v.toImage, v.toVersion] : [v.fromImage, v.fromVersion];
    for (const [server, effective] of Object.entries(look.images)) {
      if (effective !== image) problems.push(`server ${server}'s effective image is ${effective || '(none)'}, expected ${image} after a ${look.outcome} run`);
    }
    for (const [server, running] of Object.entries(look.versions)) {
      if (running !== version) problems.push(`server ${server} runs ${running ?? 'nothing (down)'}, expected ${version}`);
    }
  }
  if (look.maxDownAtOnce > 1) problems.push(`${look.maxDownAtOnce} servers down at the same moment`);
  if (look.client.lost > 0 || look.client.acknowledgedMissing > 0) {
    problems.push(`client: ${look.client.lost} transactions lost after retries, ${look.client.acknowledgedMissing} acknowledged writes missing`);
  }
  if (look.client.committedWrites === 0) problems.push('the client committed no write during the run');
  if (look.faultFiring) problems.push(look.faultFiring);
  if (look.stuck) {
    if (look.stuck.answers === 0) problems.push('no gate saw the database `starting`');
    if (!look.stuck.released) problems.push('the server whose database stayed `starting` was never rolled back');
  }
  problems.push(...look.worldErrors);
  return problems;
}
