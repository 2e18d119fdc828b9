import { DetachVolumeCommand, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { logic as cloneServerVolumes } from '../../lambda/clone-server-volumes/logic';
import { TAG_KEYS } from '../../lambda/shared/context';
import { findDataVolumes } from '../../lambda/shared/data-volumes';
import { logic as snapshotVolumes } from '../../lambda/snapshot-volumes/logic';
import { logic as snapshotsComplete } from '../../lambda/snapshots-complete/logic';
import { logic as volumeDetached } from '../../lambda/volume-detached/logic';
import { NothingDeleted, allVolumes, attach, createDataVolume, motoPerFile, volumeTags } from './fixtures/moto-ec2';
import { CLUSTER } from './fixtures/volume-cluster';

const EXECUTION = 'offline-run-1';
const ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'];

/**
 * The offline upgrade's copy step on moto: the migrated server's volume must come to rest (volume-detached),
 * then every other server gets a copy of its snapshot in its own AZ, with its own server number and the unbind
 * mark, its old volume renamed and retained; twice gives the same volumes, and nothing is deleted.
 */
describe('volume-detached and clone-server-volumes against moto_server', () => {
  const env = motoPerFile();

  test('waits for the migrated volume to detach, refuses while a server runs, then copies the store to every other server', async () => {
    const guard = new NothingDeleted(env.aws.ec2ForRegion);
    // Two bare instances stand for running servers (moto accepts any image id).
    const { Instances: instances = [] } = await env.aws.ec2.send(new RunInstancesCommand({
      ImageId: 'ami-12c6146b', MinCount: 2, MaxCount: 2, Placement: { AvailabilityZone: 'us-east-1a' },
    }));
    const servers = [];
    for (const [i, az] of ZONES.entries()) {
      servers.push(await createDataVolume(env.aws.ec2, CLUSTER, az, { sizeGiB: 30, extraTags: { 'neo4j-upgrades:server': String(i + 1), CostCenter: 'graph' } }));
    }
    const [migrated, second] = servers;
    await attach(env.aws.ec2, migrated, instances[0].InstanceId as string);

    // The migrated server still runs: not at rest yet (Retry polls).
    await expect(volumeDetached(env.aws, { cluster: CLUSTER, volumeId: migrated })).rejects.toMatchObject({ name: 'StillInProgressError' });
    await expect(volumeDetached(env.aws, { cluster: CLUSTER, volumeId: 'vol-0123456789abcdef0' })).rejects.toMatchObject({ name: 'PreconditionFailedError' });
    await env.aws.ec2.send(new DetachVolumeCommand({ VolumeId: migrated, InstanceId: instances[0].InstanceId }));
    await expect(volumeDetached(env.aws, { cluster: CLUSTER, volumeId: migrated })).resolves.toEqual({ volumeId: migrated, availabilityZone: 'us-east-1a' });

    const { snapshots } = await snapshotVolumes(env.aws, { cluster: CLUSTER, executionId: EXECUTION, purpose: 'clone-source', volumeIds: [migrated] });
    await snapshotsComplete(env.aws, { cluster: CLUSTER, snapshots });
    const input = { cluster: CLUSTER, executionId: EXECUTION, snapshotId: snapshots[0].snapshotId, sourceVolumeId: migrated };
    const before = await guard.check();

    // Another server still runs: refused before any change.
    await attach(env.aws.ec2, second, instances[1].InstanceId as string);
    await expect(cloneServerVolumes(env.aws, input)).rejects.toThrow(new RegExp(`server 2's volume ${second} is attached to i-`));
    expect(await guard.check()).toEqual(before);
    expect((await volumeTags(env.aws.ec2, second)).Name).toBe(CLUSTER.dataVolumeName);
    await env.aws.ec2.send(new DetachVolumeCommand({ VolumeId: second, InstanceId: instances[1].InstanceId }));
    // A snapshot of another volume is not the migrated store.
    await expect(cloneServerVolumes(env.aws, { ...input, sourceVolumeId: second })).rejects.toThrow(/is not of the migrated volume/);

    const first = await cloneServerVolumes(env.aws, input);
    expect(first.servers.map((s) => [s.serverNumber, s.availabilityZone, s.retainedVolumeId, s.reused]))
      .toEqual([[2, 'us-east-1b', servers[1], false], [3, 'us-east-1c', servers[2], false]]);
    for (const copy of first.servers) {
      const tags = await volumeTags(env.aws.ec2, copy.copyVolumeId);
      expect(tags).toMatchObject({
        Name: CLUSTER.dataVolumeName, Environment: CLUSTER.environmentName, 'neo4j-upgrades:server': String(copy.serverNumber),
        'neo4j-upgrades:unbind': EXECUTION, [TAG_KEYS.cloneOf]: snapshots[0].snapshotId, CostCenter: 'graph',
      });
      expect(await volumeTags(env.aws.ec2, copy.retainedVolumeId)).toMatchObject({
        Name: `${CLUSTER.dataVolumeName}-old`, 'neo4j-upgrades:server': String(copy.serverNumber), [TAG_KEYS.renamedBy]: EXECUTION,
      });
    }
    // The claim pool: the migrated store and one copy per other server, each in that server's AZ.
    const pool = await findDataVolumes(env.aws.ec2, CLUSTER);
    expect(pool.map((v) => [v.AvailabilityZone, v.Size]).sort()).toEqual([['us-east-1a', 30], ['us-east-1b', 30], ['us-east-1c', 30]]);
    expect(pool.map((v) => v.VolumeId)).toContain(migrated);
    expect(await volumeTags(env.aws.ec2, migrated)).toMatchObject({ 'neo4j-upgrades:server': '1', 'neo4j-upgrades:unbind': EXECUTION });

    // Twice: the same copies, nothing new, nothing deleted.
    const count = (await allVolumes(env.aws.ec2)).length;
    const again = await cloneServerVolumes(env.aws, input);
    expect(again.servers.map((s) => [s.serverNumber, s.copyVolumeId, s.retainedVolumeId, s.reused]))
      .toEqual(first.servers.map((s) => [s.serverNumber, s.copyVolumeId, s.retainedVolumeId, true]));
    expect((await allVolumes(env.aws.ec2)).length).toBe(count);
    expect(await guard.check()).toEqual({ volumes: before.volumes + 2, snapshots: before.snapshots });
  });

  test('names the field of bad input before any call', async () => {
    await expect(cloneServerVolumes(env.aws, { cluster: CLUSTER, executionId: EXECUTION, snapshotId: '', sourceVolumeId: 'vol-1' } as never))
      .rejects.toThrow(/snapshotId/);
    await expect(volumeDetached(env.aws, { cluster: CLUSTER } as never)).rejects.toThrow(/volumeId/);
  });
});
