/**
 * The rehearsal's implementation of the server actions (lambda/shared/server-actions.ts): the emulator's
 * control API plays what ECS does to the processes. Its data-volume seam: a server starts on whatever
 * volume is claimable for it in moto; when that is a volume restored from a pre-upgrade snapshot, the
 * emulator's data directory is swapped for the store the snapshot holds (the version its source volume
 * had when the harness created it).
 */
import { DescribeSnapshotsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { TAG_KEYS } from '../../../lambda/shared/context';
import { findVolumes } from '../../../lambda/shared/data-volumes';
import { tagFilters, tagMap } from '../../../lambda/shared/ec2-tags';
import { RoleOrderedServer, SERVER_TAG } from '../../../lambda/shared/role-ordered-context';
import { ServerActions, ServerRun } from '../../../lambda/shared/server-actions';
import type { ArangoEmulator } from '../../arangodb-emulator';

export const ARANGO_IMAGE = 'arangodb/arangodb';
export const imageOf = (version: string) => `${ARANGO_IMAGE}:${version}`;
const versionOf = (image: string) => image.slice(image.lastIndexOf(':') + 1);

/** What the harness keeps across the handlers' invocations of one execution. */
export interface DiskState {
  /** The store version each original data volume holds (set when the harness created it). */
  readonly storeOfVolume: Map<string, number>;
  /** The volume each server runs on now. */
  readonly mounted: Map<string, string>;
  /** Upgrade runs by run id: a repeated call finds its run, as ECS's startedBy would. */
  readonly runs: Map<string, ServerRun>;
}

export class EmulatorServerActions implements ServerActions {
  constructor(
    private readonly emulator: ArangoEmulator,
    private readonly ec2: EC2Client,
    private readonly pool: { dataVolumeName: string; environmentName: string },
    private readonly disks: DiskState,
  ) {}

  public async currentImage(server: RoleOrderedServer): Promise<string> {
    return imageOf(this.emulator.cluster.get(server.serverId).version);
  }

  public async stop(server: RoleOrderedServer): Promise<ServerRun> {
    await this.emulator.stop(server.serverId);
    return { done: true };
  }

  public async runAutoUpgrade(server: RoleOrderedServer, image: string, runId: string): Promise<ServerRun> {
    const earlier = this.disks.runs.get(runId);
    if (earlier) return earlier;
    const r = await this.emulator.autoUpgrade(server.serverId, versionOf(image));
    const run = { done: true, exitCode: r.exitCode, detail: r.exitCodeName };
    this.disks.runs.set(runId, run);
    return run;
  }

  public async start(server: RoleOrderedServer, image: string): Promise<ServerRun> {
    await this.mountClaimableVolume(server.serverId);
    const r = await this.emulator.start(server.serverId, versionOf(image));
    return { done: r.exitCode === 0, exitCode: r.exitCode, detail: r.exitCodeName };
  }

  private async mountClaimableVolume(serverId: string): Promise<void> {
    const [volume] = await findVolumes(this.ec2, tagFilters({
      [TAG_KEYS.name]: this.pool.dataVolumeName, [TAG_KEYS.environment]: this.pool.environmentName, [SERVER_TAG]: serverId,
    }));
    if (!volume?.VolumeId || volume.VolumeId === this.disks.mounted.get(serverId)) return;
    const tags = tagMap(volume.Tags);
    const snapshotId = tags[TAG_KEYS.restoredFrom];
    if (snapshotId && this.emulator.cluster.get(serverId).status === 'stopped') {
      const snapshot = (await this.ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] }))).Snapshots?.[0];
      const store = this.disks.storeOfVolume.get(snapshot?.VolumeId ?? '');
      if (store !== undefined) this.emulator.cluster.restoreStore(serverId, store);
    }
    this.disks.mounted.set(serverId, volume.VolumeId);
  }
}
