import { logic } from '../../lambda/retag-volumes/logic';
import { TAG_KEYS } from '../../lambda/shared/context';
import { findDataVolumes } from '../../lambda/shared/data-volumes';
import { NothingDeleted, attach, createDataVolume, createGroup, motoPerFile, resetMoto, volumeTags } from './fixtures/moto-ec2';
import { CLUSTER, EXECUTION_ID } from './fixtures/volume-cluster';

describe('retag-volumes against moto_server', () => {
  const env = motoPerFile();
  let guard: NothingDeleted;
  let master: string;
  let slaves: string[];
  let foreign: string;
  beforeEach(async () => {
    await resetMoto(env.moto);
    guard = new NothingDeleted(env.aws.ec2ForRegion);
    const instances = await createGroup(env.aws.ec2, env.aws.autoScaling, { name: CLUSTER.mainAutoScalingGroupName, desired: 2, availabilityZones: ['us-east-1a'] });
    master = await createDataVolume(env.aws.ec2, CLUSTER, 'us-east-1a');
    await attach(env.aws.ec2, master, instances[0].InstanceId as string);
    const attachedSlave = await createDataVolume(env.aws.ec2, CLUSTER, 'us-east-1a');
    await attach(env.aws.ec2, attachedSlave, instances[1].InstanceId as string);
    slaves = [attachedSlave, await createDataVolume(env.aws.ec2, CLUSTER, 'us-east-1b'), await createDataVolume(env.aws.ec2, CLUSTER, 'us-east-1c')].sort();
    foreign = await createDataVolume(env.aws.ec2, CLUSTER, 'us-east-1b', { environment: 'staging' });
    await guard.check();
  });

  const run = (extra: Record<string, unknown> = {}) => logic(env.aws, { cluster: CLUSTER, executionId: EXECUTION_ID, masterVolumeId: master, ...extra });

  test('only the master volume stays claimable; twice gives the same state and output', async () => {
    const first = await run();
    expect(first.renamed.map((r) => [r.volumeId, r.alreadyRenamed])).toEqual(slaves.map((id) => [id, false]));
    expect((await findDataVolumes(env.aws.ec2, CLUSTER)).map((v) => v.VolumeId)).toEqual([master]);
    expect(await volumeTags(env.aws.ec2, slaves[1])).toEqual({
      Name: `${CLUSTER.dataVolumeName}-old`,
      Environment: CLUSTER.environmentName,
      [TAG_KEYS.previousName]: CLUSTER.dataVolumeName,
      [TAG_KEYS.renamedBy]: EXECUTION_ID,
    });
    expect((await volumeTags(env.aws.ec2, foreign)).Name).toBe(CLUSTER.dataVolumeName);
    const before = await guard.check();

    const second = await run();
    expect(second.renamed.map((r) => [r.volumeId, r.alreadyRenamed])).toEqual(slaves.map((id) => [id, true]));
    expect({ ...second, renamed: second.renamed.map((r) => ({ ...r, alreadyRenamed: false })) }).toEqual(first);
    expect((await findDataVolumes(env.aws.ec2, CLUSTER)).map((v) => v.VolumeId)).toEqual([master]);
    expect(await guard.check()).toEqual(before);
  });

  test('refuses without a master volume of the cluster, renaming nothing', async () => {
    await expect(run({ masterVolumeId: foreign })).rejects.toMatchObject({ name: 'PreconditionFailedError' });
    await expect(run({ masterVolumeId: undefined })).rejects.toMatchObject({ name: 'PreconditionFailedError' });
    expect(await findDataVolumes(env.aws.ec2, CLUSTER)).toHaveLength(4);
  });
});
