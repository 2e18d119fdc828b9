import { DescribeVolumesCommand } from '@aws-sdk/client-ec2';
import 'aws-sdk-client-mock-jest';
import { ResolveMasterInput, logic } from '../../lambda/resolve-master/logic';
import { A, B, C, D, attachedVolume, fakeCluster } from './fixtures/fake-cluster';
import { CLUSTER, mockAws } from './fixtures/volume-cluster';

const aws = mockAws();
const run = (input: Partial<ResolveMasterInput>) => logic(aws.deps, { cluster: CLUSTER, ...input });
const EXPECTED = {
  instanceId: A.id, availabilityZone: 'us-east-1a', privateIpAddress: '10.0.1.10', volumeId: 'vol-a',
  autoScalingGroupName: CLUSTER.mainAutoScalingGroupName,
};

beforeEach(() => fakeCluster(aws));

describe('resolve-master', () => {
  test('by instance id: the instance, its AZ and its data volume', async () => {
    await expect(run({ masterInstanceId: A.id })).resolves.toEqual(EXPECTED);
  });

  test('by private IP (what the health gate sees)', async () => {
    await expect(run({ masterPrivateIp: '10.0.1.10' })).resolves.toEqual(EXPECTED);
  });

  test.each(['ip-10-0-1-10.ec2.internal', 'ip-10-0-1-10.us-east-1.compute.internal', 'ip-10-0-1-10'])(
    'by the EC2 private DNS name a member may advertise (%s)', async (host) => {
      await expect(run({ masterPrivateIp: host })).resolves.toEqual(EXPECTED);
    });

  test('both given and agreeing', async () => {
    await expect(run({ masterInstanceId: A.id, masterPrivateIp: '10.0.1.10' })).resolves.toEqual(EXPECTED);
  });

  test.each([
    ['id and IP of different instances', { masterInstanceId: A.id, masterPrivateIp: '10.0.2.10' }],
    ['an IP no main instance has', { masterPrivateIp: '10.9.9.9' }],
    ['the slave-only node', { masterInstanceId: D.id }],
    ['a terminating instance', { masterInstanceId: C.id }],
  ])('%s is PreconditionFailedError listing the InService members', async (_what, input) => {
    await expect(run(input)).rejects.toMatchObject({
      name: 'PreconditionFailedError', message: expect.stringContaining(`${A.id} (10.0.1.10), ${B.id} (10.0.2.10)`),
    });
  });

  test('a master without a data volume, or with two, is PreconditionFailedError', async () => {
    aws.ec2Mock.on(DescribeVolumesCommand).resolves({ Volumes: [attachedVolume('b', B)] });
    await expect(run({ masterInstanceId: A.id })).rejects.toMatchObject({ name: 'PreconditionFailedError', message: expect.stringMatching(/0 data volumes/) });
    aws.ec2Mock.on(DescribeVolumesCommand).resolves({ Volumes: [attachedVolume('a', A), attachedVolume('a2', A)] });
    await expect(run({ masterInstanceId: A.id })).rejects.toMatchObject({ name: 'PreconditionFailedError', message: expect.stringMatching(/2 data volumes attached \(vol-a, vol-a2\)/) });
  });

  test.each([
    [{}, /masterInstanceId or masterPrivateIp is required/],
    [{ masterInstanceId: 'neo4j-1' }, /not an instance id/],
    [{ masterPrivateIp: '10.0.1.300' }, /not an IPv4 address or EC2 private DNS name/],
    [{ masterPrivateIp: 'neo4j-1.internal' }, /not an IPv4 address or EC2 private DNS name/],
    [{ masterPrivateIp: 'ip-10-0-1-256.ec2.internal' }, /not an IPv4 address/],
    [{ cluster: { ...CLUSTER, mainAutoScalingGroupName: undefined } }, /cluster.mainAutoScalingGroupName/],
  ])('invalid input %j is InvalidInputError before any AWS call', async (bad, message) => {
    await expect(run(bad as Partial<ResolveMasterInput>)).rejects.toMatchObject({ name: 'InvalidInputError', message: expect.stringMatching(message) });
    expect(aws.asMock.calls()).toHaveLength(0);
  });
});
