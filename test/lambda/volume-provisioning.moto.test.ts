import { DeleteTagsCommand, DescribeVolumesCommand, EC2Client, Volume, VolumeType } from '@aws-sdk/client-ec2';
import { logic as copySnapshotToRegion } from '../../lambda/copy-snapshot-to-region/logic';
import { logic as createCloneVolumes } from '../../lambda/create-clone-volumes/logic';
import { logic as restoreVolumes } from '../../lambda/restore-volumes/logic';
import { TAG_KEYS } from '../../lambda/shared/context';
import { tagMap } from '../../lambda/shared/ec2-tags';
import { logic as snapshotVolumes } from '../../lambda/snapshot-volumes/logic';
import { logic as snapshotsComplete } from '../../lambda/snapshots-complete/logic';
import { createDataVolume, createGroup, motoPerFile } from './fixtures/moto-ec2';
import { CLUSTER } from './fixtures/volume-cluster';

/**
 * Clones (home region and a cross-region copy) and restored volumes are provisioned like their source,
 * for every volume type the cluster construct accepts (lib/cluster/validate-cluster-props.ts): type,
 * IOPS, throughput, size, encryption and key, and the operator's own tags. moto 5.2.1 refuses an
 * io1/io2 volume without Iops exactly as EC2 does ("The parameter [VolumeType] requires the parameter
 * Iops to be set"), which is what made stage 6 fail for io2 clusters.
 */
describe('volumes made from snapshots are provisioned like their source, per volume type', () => {
  const env = motoPerFile();
  const KEY = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  const cases: Array<{ type: VolumeType; sizeGiB: number; iops?: number; throughput?: number }> = [
    { type: 'gp3', sizeGiB: 40, iops: 6000, throughput: 500 },
    { type: 'gp2', sizeGiB: 30 },
    { type: 'io1', sizeGiB: 50, iops: 2500 },
    { type: 'io2', sizeGiB: 60, iops: 16000 },
    { type: 'st1', sizeGiB: 500 },
    { type: 'sc1', sizeGiB: 600 },
    { type: 'standard', sizeGiB: 10 },
  ];

  const describe1 = async (ec2: EC2Client, volumeId: string): Promise<Volume> =>
    (await ec2.send(new DescribeVolumesCommand({ VolumeIds: [volumeId] }))).Volumes![0];
  const provisioning = (v: Volume) => ({
    type: v.VolumeType, size: v.Size, iops: v.Iops, throughput: v.Throughput, encrypted: v.Encrypted,
  });

  test.each(cases)('$type', async ({ type, sizeGiB, iops, throughput }) => {
    const executionId = `run-${type}`;
    await createGroup(env.aws.ec2, env.aws.autoScaling, { name: CLUSTER.mainAutoScalingGroupName, desired: 0, subnetZones: ['us-east-1a'] })
      .catch(() => undefined); // one group for the file
    await createGroup(env.aws.ec2, env.aws.autoScaling, { name: CLUSTER.slaveAutoScalingGroupName, desired: 0, subnetZones: ['us-east-1b'] })
      .catch(() => undefined);
    const cluster = { ...CLUSTER, dataVolumeName: `data-${type}` };
    const sourceId = await createDataVolume(env.aws.ec2, cluster, 'us-east-1a', {
      volumeType: type, sizeGiB, iops, throughput, kmsKeyId: KEY, extraTags: { CostCenter: 'graph-42', Owner: 'data-team' },
    });
    const source = await describe1(env.aws.ec2, sourceId);
    expect(source).toMatchObject({ VolumeType: type, Size: sizeGiB, Encrypted: true, KmsKeyId: KEY });
    const expected = provisioning(source);
    const ownTags = { CostCenter: 'graph-42', Owner: 'data-team' };

    // Stage 6: the clone-source snapshot, clones at home and in another region.
    const { snapshots: [snapshot] } = await snapshotVolumes(env.aws, { cluster, executionId, purpose: 'clone-source', volumeIds: [sourceId] });
    await snapshotsComplete(env.aws, { cluster, snapshots: [snapshot] });
    const home = await createCloneVolumes(env.aws, { cluster, executionId, availabilityZone: 'us-east-1c', snapshotId: snapshot.snapshotId, count: 1 });
    const clone = await describe1(env.aws.ec2, home.volumeIds[0]);
    expect(provisioning(clone)).toEqual(expected);
    expect(clone.KmsKeyId).toBe(KEY);
    expect(tagMap(clone.Tags)).toMatchObject({ ...ownTags, Name: cluster.dataVolumeName, Environment: cluster.environmentName });

    const copy = await copySnapshotToRegion(env.aws, { cluster, executionId, sourceSnapshotId: snapshot.snapshotId, destinationRegion: 'eu-west-1' });
    await snapshotsComplete(env.aws, { cluster, snapshotIds: [copy.snapshotId], region: 'eu-west-1' });
    const away = await createCloneVolumes(env.aws, {
      cluster, executionId, region: 'eu-west-1', availabilityZone: 'eu-west-1a', snapshotId: copy.snapshotId, count: 1,
    });
    const euClone = await describe1(env.aws.ec2ForRegion('eu-west-1'), away.volumeIds[0]);
    // Encrypted in eu-west-1 with that region's key (the home key cannot be used there).
    expect(provisioning(euClone)).toEqual(expected);
    expect(euClone.KmsKeyId).not.toBe(KEY);
    expect(tagMap(euClone.Tags)).toMatchObject(ownTags);

    // The restore path: the pre-upgrade snapshot becomes a data volume again, as it was.
    const pre = await snapshotVolumes(env.aws, { cluster, executionId, purpose: 'pre-upgrade', volumeIds: [sourceId] });
    await snapshotsComplete(env.aws, { cluster, snapshots: pre.snapshots });
    const restored = await restoreVolumes(env.aws, { cluster, executionId, snapshots: [{ snapshotId: pre.snapshots[0].snapshotId }] });
    const back = await describe1(env.aws.ec2, restored.restored[0].volumeId);
    expect(provisioning(back)).toEqual(expected);
    expect(back.KmsKeyId).toBe(KEY);
    expect(tagMap(back.Tags)).toMatchObject({ ...ownTags, [TAG_KEYS.restoredFrom]: pre.snapshots[0].snapshotId });
  });

  test('an io2 snapshot that records no IOPS is refused before any volume is created', async () => {
    const cluster = { ...CLUSTER, dataVolumeName: 'data-legacy' };
    const sourceId = await createDataVolume(env.aws.ec2, cluster, 'us-east-1a', { volumeType: 'io2', sizeGiB: 8, iops: 3000 });
    const { snapshots: [snapshot] } = await snapshotVolumes(env.aws, { cluster, executionId: 'legacy', purpose: 'clone-source', volumeIds: [sourceId] });
    // A snapshot taken by an older version of the library: type tag, no IOPS tag.
    await env.aws.ec2.send(new DeleteTagsCommand({ Resources: [snapshot.snapshotId], Tags: [{ Key: TAG_KEYS.sourceIops }] }));
    await expect(createCloneVolumes(env.aws, { cluster, executionId: 'legacy', availabilityZone: 'us-east-1b', snapshotId: snapshot.snapshotId, count: 1 }))
      .rejects.toMatchObject({ name: 'PreconditionFailedError', message: expect.stringMatching(/io2 volume, which needs provisioned IOPS.*give iops/) });
    await expect(createCloneVolumes(env.aws, { cluster, executionId: 'legacy', availabilityZone: 'us-east-1b', snapshotId: snapshot.snapshotId, count: 1, iops: 3000 }))
      .resolves.toMatchObject({ created: [expect.any(String)] });
  });
});
