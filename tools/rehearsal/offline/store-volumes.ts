/**
 * The harness's seam between moto's volumes and the real servers' stores: every data volume is a store
 * directory. The volumes the nodes claimed at deploy are the directories the servers started on. When moto
 * completes a snapshot of a volume (it answers CreateSnapshot `completed` at once), the harness copies that
 * volume's store AS IT IS AT THAT MOMENT (its `data/`, the container's /data) into a directory of its own:
 * the snapshot's content. A volume made from a snapshot (the offline upgrade's copies, the rollback's
 * restores) becomes a copy of that snapshot's content when a node first claims it. Logs start anew, as a
 * new container's do.
 *
 * What the snapshot captures: a store at rest is copied exactly (the migrated server's, stopped and its
 * volume detached, before the clone-source snapshot). A running server's store (the pre-upgrade snapshots
 * of Preflight: every server up, the client writing) is copied file by file while its Neo4j runs: like
 * EBS, a crash-consistent image that Neo4j recovers from its transaction log when it opens it, with one
 * difference: EBS freezes every block at one instant, the copy takes each file at its own moment (a small
 * store: well under a second).
 *
 * The snapshot directories are the harness's own temp copies, deleted by `dispose` (the volumes' stores
 * stay: they are the procedure's).
 */
import { DescribeVolumesCommand } from '@aws-sdk/client-ec2';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ClientSet } from '../aws-clients';

export interface StoreSnapshot {
  readonly snapshotId: string;
  readonly volumeId: string;
  /** The source volume's store directory then, and where its content was copied. */
  readonly sourceDir: string;
  readonly dir: string;
  /** When the copy began and ended (a write acknowledged before `startedAt` is in it). */
  readonly startedAt: number;
  readonly takenAt: number;
}

export interface StoreCopy {
  readonly volumeId: string;
  readonly snapshotId: string;
  readonly snapshotTakenAt: number;
  readonly sourceVolumeId: string;
  readonly sourceDir: string;
  readonly dir: string;
  readonly copiedAt: number;
}

export class StoreVolumes {
  private readonly dirs = new Map<string, string>();
  private readonly snapshots = new Map<string, StoreSnapshot>();
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

  /** The store directory of a volume, if the harness knows it. */
  public dirOf(volumeId: string): string | undefined {
    return this.dirs.get(volumeId);
  }

  /** Every snapshot the harness captured. */
  public taken(): StoreSnapshot[] {
    return [...this.snapshots.values()];
  }

  /** Moto completed `snapshotId` of `volumeId`: its store's content now is the snapshot's. A snapshot of an unknown volume (another cluster's) is ignored. */
  public snapshotCompleted(snapshotId: string, volumeId: string): void {
    const sourceDir = this.dirs.get(volumeId);
    if (!sourceDir || this.snapshots.has(snapshotId)) return;
    const startedAt = Date.now();
    const dir = path.join(this.root, 'snapshots', snapshotId);
    fs.mkdirSync(dir, { recursive: true });
    if (fs.existsSync(path.join(sourceDir, 'data'))) fs.cpSync(path.join(sourceDir, 'data'), path.join(dir, 'data'), { recursive: true });
    this.snapshots.set(snapshotId, { snapshotId, volumeId, sourceDir, dir, startedAt, takenAt: Date.now() });
  }

  /** The store directory of `volumeId`, a copy of its snapshot's content on first use. */
  public async dirFor(volumeId: string): Promise<string> {
    const known = this.dirs.get(volumeId);
    if (known) return known;
    const volume = (await this.harness.ec2.send(new DescribeVolumesCommand({ VolumeIds: [volumeId] }))).Volumes?.[0];
    const snapshotId = volume?.SnapshotId;
    if (!snapshotId) throw new Error(`volume ${volumeId} was claimed but is neither a server's first store nor made from a snapshot`);
    const snapshot = this.snapshots.get(snapshotId);
    if (!snapshot) throw new Error(`volume ${volumeId} is made from ${snapshotId}, whose content the harness did not capture`);
    const dir = path.join(this.root, volumeId, 'neo4j');
    fs.mkdirSync(dir, { recursive: true });
    fs.cpSync(path.join(snapshot.dir, 'data'), path.join(dir, 'data'), { recursive: true });
    this.dirs.set(volumeId, dir);
    this.copies.push({
      volumeId, snapshotId, snapshotTakenAt: snapshot.takenAt, sourceVolumeId: snapshot.volumeId, sourceDir: snapshot.sourceDir, dir, copiedAt: Date.now(),
    });
    return dir;
  }

  /** Deletes the harness's own snapshot copies (never a volume's store). */
  public dispose(): void {
    fs.rmSync(path.join(this.root, 'snapshots'), { recursive: true, force: true });
    this.snapshots.clear();
  }
}
