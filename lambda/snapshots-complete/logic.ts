import { DescribeSnapshotsCommand, EC2Client, Snapshot } from '@aws-sdk/client-ec2';
import { describeOwner, ownedBy } from '../shared/cluster-ownership';
import { ClusterContext, TAG_KEYS } from '../shared/context';
import { tagMap } from '../shared/ec2-tags';
import { InvalidInputError, PreconditionFailedError, SnapshotFailedError, StillInProgressError } from '../shared/errors';
import { optionalString, requireArray, requireString } from '../shared/input-checks';
import { Logger } from '../shared/log';
import { LookClock, LookOptions, lookOptions, lookUntilDone } from '../shared/look-until-done';

export interface SnapshotsCompleteInput {
  readonly cluster?: ClusterContext;
  /** The snapshots to wait for; either this or `snapshots` (e.g. snapshot-volumes' output list). */
  readonly snapshotIds?: string[];
  readonly snapshots?: ReadonlyArray<{ readonly snapshotId: string }>;
  /** Region the snapshots are in; default the home region (cross-region copies name theirs). */
  readonly region?: string;
  /** Look again every second within this invocation (written by the state machine); absent: one look. */
  readonly poll?: LookOptions;
}

export interface CompletedSnapshot {
  readonly snapshotId: string;
  readonly sizeGiB: number;
  readonly encrypted: boolean;
}

export interface SnapshotsCompleteOutput {
  readonly region: string;
  readonly snapshots: CompletedSnapshot[];
}

export interface SnapshotsCompleteDeps extends LookClock {
  readonly region: string;
  readonly ec2: EC2Client;
  readonly ec2ForRegion: (region: string) => EC2Client;
  readonly log: Logger;
}

function snapshotIds(input: SnapshotsCompleteInput): string[] {
  const ids = input?.snapshotIds !== undefined
    ? requireArray(input.snapshotIds, 'snapshotIds', 1).map((id, i) => requireString(id, `snapshotIds[${i}]`))
    : requireArray<{ snapshotId: string }>(input?.snapshots, 'snapshotIds or snapshots', 1)
      .map((s, i) => requireString(s?.snapshotId, `snapshots[${i}].snapshotId`));
  if (new Set(ids).size !== ids.length) throw new InvalidInputError(`snapshot ids repeat: ${ids.join(', ')}`);
  return ids;
}

async function describe(ec2: EC2Client, ids: string[]): Promise<Snapshot[]> {
  try {
    const out = await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: ids }));
    return out.Snapshots ?? [];
  } catch (err) {
    // A snapshot created moments ago may not be visible yet (EC2 is eventually consistent): poll again.
    if ((err as Error).name === 'InvalidSnapshot.NotFound') {
      throw new StillInProgressError(`not all of ${ids.join(', ')} are visible (yet): ${(err as Error).message}`, { cause: err });
    }
    throw err;
  }
}

/**
 * One look at the snapshots' state (or one every `poll.everySeconds` within `poll.withinSeconds`). With
 * `cluster`, a snapshot with another cluster's identity tag is refused (PreconditionFailedError): what is
 * waited for is then restored or cloned as this cluster's. `pending` (or `recovering`) => StillInProgressError: the state's
 * Retry (with backoff) is the wait loop. `error` => SnapshotFailedError (not retryable). A snapshot
 * moved to the Recycle Bin (`recoverable`) => PreconditionFailedError. All `completed` => output.
 */
export async function logic(deps: SnapshotsCompleteDeps, input: SnapshotsCompleteInput): Promise<SnapshotsCompleteOutput> {
  const ids = snapshotIds(input);
  const region = optionalString(input.region, 'region') ?? deps.region;
  const ec2 = region === deps.region ? deps.ec2 : deps.ec2ForRegion(region);
  const poll = lookOptions(input.poll);
  return lookUntilDone(deps, poll, (e) => e instanceof StillInProgressError, () => look(deps, ec2, ids, region, input.cluster));
}

async function look(
  deps: SnapshotsCompleteDeps, ec2: EC2Client, ids: string[], region: string, cluster: ClusterContext | undefined,
): Promise<SnapshotsCompleteOutput> {
  const found = await describe(ec2, ids);
  const byId = new Map(found.map((s) => [s.SnapshotId ?? '', s]));
  const missing = ids.filter((id) => !byId.has(id));
  if (missing.length > 0) throw new StillInProgressError(`snapshots not visible (yet) in ${region}: ${missing.join(', ')}`);

  const snapshots = ids.map((id) => byId.get(id) as Snapshot);
  const foreign = cluster ? snapshots.filter((s) => !ownedBy(tagMap(s.Tags), cluster)) : [];
  if (cluster && foreign.length > 0) {
    throw new PreconditionFailedError(`snapshot(s) of another cluster (not ${describeOwner(cluster)}): ${
      foreign.map((s) => `${s.SnapshotId} (${tagMap(s.Tags)[TAG_KEYS.cluster]})`).join(', ')}`);
  }
  const failed = snapshots.filter((s) => s.State === 'error');
  if (failed.length > 0) {
    throw new SnapshotFailedError(`snapshot(s) failed in ${region}: ${failed.map((s) => `${s.SnapshotId} (${s.StateMessage ?? 'no message'})`).join(', ')}`);
  }
  const binned = snapshots.filter((s) => s.State === 'recoverable');
  if (binned.length > 0) {
    throw new PreconditionFailedError(`snapshot(s) were deleted to the Recycle Bin in ${region}: ${binned.map((s) => s.SnapshotId).join(', ')}`);
  }
  const waiting = snapshots.filter((s) => s.State !== 'completed');
  if (waiting.length > 0) {
    const progress = waiting.map((s) => `${s.SnapshotId} ${s.State} ${s.Progress ?? ''}`.trim()).join(', ');
    deps.log.info('snapshots not complete', { region, progress });
    throw new StillInProgressError(`snapshots not complete in ${region}: ${progress}`);
  }
  return {
    region,
    snapshots: snapshots.map((s) => ({ snapshotId: s.SnapshotId ?? '', sizeGiB: s.VolumeSize ?? 0, encrypted: s.Encrypted ?? false })),
  };
}
