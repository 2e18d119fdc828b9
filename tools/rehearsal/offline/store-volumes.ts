/**
 * The harness's seam between moto's volumes and the real servers' stores: every data volume is a store
 * directory. The volumes the nodes claimed at deploy are the directories the servers started on; a volume
 * made from a snapshot (the offline upgrade's copies) becomes a COPY of the store of the snapshot's source
 * volume, made when a node first claims it. That is the snapshot's content only while the source store is
 * at rest from the snapshot to the copy: the copy records when its source's server last stopped and the
 * verdict checks it against the snapshot's start. Only the volume's part of a server's home is copied
 * (`data/`, the container's /data); logs start anew, as a new container's do.
 */
import { DescribeSnapshotsCommand, DescribeVolumesCommand } from '@aws-sdk/client-ec2';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ClientSet } from '../aws-clients';

export interface StoreCopy {
  readonly volumeId: string;
  readonly snapshotId: string;
  readonly snapshotStartedAt: number;
  readonly sourceVolumeId: string;
  readonly sourceDir: string;
  readonly dir: string;
  readonly copiedAt: number;
}

export class StoreVolumes {
  private readonly dirs = new Map<string, string>();
  public readonly copies: StoreCopy[] = [];

  constructor(private readonly harness: ClientSet, private readonly root: string) {}

  /** A volume whose store is already a directory (a server's first store). */
  public adopt(volumeId: string, dir: string): void {
    this.dirs.set(volumeId, dir);
  }

  public has(volumeId: string): boolean {
    return this.dirs.has(volumeId);
  }

  /** Every volume with its store directory. */
  public all(): Array<{ volumeId: string; dir: string }> {
    return [...this.dirs].map(([volumeId, dir]) => ({ volumeId, dir }));
  }

  /** The store directory of `volumeId`, copied from its snapshot's source volume on first use. */
  public async dirFor(volumeId: string): Promise<string> {
    const known = this.dirs.get(volumeId);
    if (known) return known;
    const volume = (await this.harness.ec2.send(new DescribeVolumesCommand({ VolumeIds: [volumeId] }))).Volumes?.[0];
    const snapshotId = volume?.SnapshotId;
    if (!snapshotId) throw new Error(`volume ${volumeId} was claimed but is neither a server's first store nor made from a snapshot`);
    const snapshot = (await this.harness.ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] }))).Snapshots?.[0];
    const sourceVolumeId = snapshot?.VolumeId ?? '';
    const sourceDir = this.dirs.get(sourceVolumeId);
    if (!sourceDir) throw new Error(`volume ${volumeId} is made from ${snapshotId} of ${sourceVolumeId || 'an unknown volume'}, whose store the harness does not know`);
    const dir = path.join(this.root, volumeId, 'neo4j');
    fs.mkdirSync(dir, { recursive: true });
    fs.cpSync(path.join(sourceDir, 'data'), path.join(dir, 'data'), { recursive: true });
    this.dirs.set(volumeId, dir);
    this.copies.push({
      volumeId, snapshotId, snapshotStartedAt: snapshot?.StartTime?.getTime() ?? 0, sourceVolumeId, sourceDir, dir, copiedAt: Date.now(),
    });
    return dir;
  }
}
