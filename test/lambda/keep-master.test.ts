import { SetInstanceProtectionCommand } from '@aws-sdk/client-auto-scaling';
import 'aws-sdk-client-mock-jest';
import { logic } from '../../lambda/keep-master/logic';
import { A, B, C, D, fakeCluster } from './fixtures/fake-cluster';
import { CLUSTER, FakeInstance, awsError, mockAws } from './fixtures/volume-cluster';

const aws = mockAws();
const run = (masterInstanceId: string) => logic(aws.deps, { cluster: CLUSTER, masterInstanceId });

beforeEach(() => {
  fakeCluster(aws);
  aws.asMock.on(SetInstanceProtectionCommand).resolves({});
});

describe('keep-master', () => {
  test('protection ON for the master, OFF for the other live main instances; the slave group untouched', async () => {
    await expect(run(B.id)).resolves.toEqual({ masterInstanceId: B.id, protected: [B.id], unprotected: [A.id] });
    expect(aws.asMock).toHaveReceivedCommandTimes(SetInstanceProtectionCommand, 2);
    expect(aws.asMock).toHaveReceivedNthCommandWith(2, SetInstanceProtectionCommand, {
      AutoScalingGroupName: CLUSTER.mainAutoScalingGroupName, InstanceIds: [B.id], ProtectedFromScaleIn: true,
    });
    expect(aws.asMock).toHaveReceivedNthCommandWith(3, SetInstanceProtectionCommand, {
      AutoScalingGroupName: CLUSTER.mainAutoScalingGroupName, InstanceIds: [A.id], ProtectedFromScaleIn: false,
    });
    expect(aws.asMock).not.toHaveReceivedCommandWith(SetInstanceProtectionCommand, { InstanceIds: [C.id] });
    expect(aws.asMock).not.toHaveReceivedCommandWith(SetInstanceProtectionCommand, { InstanceIds: [D.id] });
  });

  test('twice gives the same calls and result', async () => {
    const first = await run(A.id);
    const second = await run(A.id);
    expect(second).toEqual(first);
    const calls = aws.asMock.commandCalls(SetInstanceProtectionCommand).map((c) => c.args[0].input);
    expect(calls.slice(2)).toEqual(calls.slice(0, 2));
  });

  test('a master alone: only the master call', async () => {
    fakeCluster(aws, [A]);
    aws.asMock.on(SetInstanceProtectionCommand).resolves({});
    await expect(run(A.id)).resolves.toEqual({ masterInstanceId: A.id, protected: [A.id], unprotected: [] });
    expect(aws.asMock).toHaveReceivedCommandTimes(SetInstanceProtectionCommand, 1);
  });

  test('more than 50 others are sent in batches of 50', async () => {
    const many: FakeInstance[] = Array.from({ length: 120 }, (_, i) => ({ id: `i-${String(i + 100).padStart(8, '0')}`, az: 'us-east-1b' }));
    fakeCluster(aws, [A, ...many]);
    aws.asMock.on(SetInstanceProtectionCommand).resolves({});
    await run(A.id);
    const sizes = aws.asMock.commandCalls(SetInstanceProtectionCommand).map((c) => c.args[0].input.InstanceIds?.length);
    expect(sizes).toEqual([1, 50, 50, 20]);
  });

  test.each([
    ['terminating', C.id],
    ['in the slave group', D.id],
    ['unknown', 'i-0000000f'],
  ])('a master that is %s is PreconditionFailedError, nothing changed', async (_what, id) => {
    await expect(run(id)).rejects.toMatchObject({ name: 'PreconditionFailedError', message: expect.stringMatching(/protection not changed/) });
    expect(aws.asMock).toHaveReceivedCommandTimes(SetInstanceProtectionCommand, 0);
  });

  test('invalid master id is InvalidInputError; AWS errors propagate', async () => {
    await expect(run('')).rejects.toMatchObject({ name: 'InvalidInputError' });
    await expect(run('10.0.1.10')).rejects.toMatchObject({ name: 'InvalidInputError' });
    aws.asMock.on(SetInstanceProtectionCommand).rejects(awsError('ValidationError', 'The instance i-0000000b is not part of Auto Scaling group'));
    await expect(run(A.id)).rejects.toMatchObject({ name: 'ValidationError' });
  });

  test('release: protection OFF for every live main instance, no master needed; twice is the same', async () => {
    const input = { cluster: CLUSTER, release: true as const };
    await expect(logic(aws.deps, input)).resolves.toEqual({ masterInstanceId: null, protected: [], unprotected: [A.id, B.id] });
    await expect(logic(aws.deps, input)).resolves.toEqual({ masterInstanceId: null, protected: [], unprotected: [A.id, B.id] });
    const calls = aws.asMock.commandCalls(SetInstanceProtectionCommand).map((c) => c.args[0].input);
    expect(calls).toEqual([0, 1].map(() => ({ AutoScalingGroupName: CLUSTER.mainAutoScalingGroupName, InstanceIds: [A.id, B.id], ProtectedFromScaleIn: false })));
  });

  test('release on an empty group makes no call; a non-boolean release is InvalidInputError', async () => {
    fakeCluster(aws, []);
    await expect(logic(aws.deps, { cluster: CLUSTER, release: true })).resolves.toEqual({ masterInstanceId: null, protected: [], unprotected: [] });
    expect(aws.asMock).toHaveReceivedCommandTimes(SetInstanceProtectionCommand, 0);
    await expect(logic(aws.deps, { cluster: CLUSTER, release: 'yes' } as never)).rejects.toMatchObject({ name: 'InvalidInputError' });
  });
});
