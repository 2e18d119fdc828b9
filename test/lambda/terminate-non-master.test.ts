import { TerminateInstanceInAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import 'aws-sdk-client-mock-jest';
import { logic } from '../../lambda/terminate-non-master/logic';
import { A, B, C, D, fakeCluster } from './fixtures/fake-cluster';
import { CLUSTER, FakeInstance, awsError, mockAws } from './fixtures/volume-cluster';

const aws = mockAws();
const run = (masterInstanceId: string) => logic(aws.deps, { cluster: CLUSTER, masterInstanceId });
const E: FakeInstance = { id: 'i-0000000e', az: 'us-east-1b' };

beforeEach(() => {
  fakeCluster(aws, [A, B, C, E]);
  aws.asMock.on(TerminateInstanceInAutoScalingGroupCommand).resolves({});
});

describe('terminate-non-master', () => {
  test('terminates every live non-master main instance with ShouldDecrementDesiredCapacity; skips terminating ones', async () => {
    await expect(run(A.id)).resolves.toEqual({ masterInstanceId: A.id, terminated: [B.id, E.id], skipped: [C.id] });
    expect(aws.asMock).toHaveReceivedCommandTimes(TerminateInstanceInAutoScalingGroupCommand, 2);
    expect(aws.asMock).toHaveReceivedCommandWith(TerminateInstanceInAutoScalingGroupCommand, { InstanceId: B.id, ShouldDecrementDesiredCapacity: true });
    expect(aws.asMock).not.toHaveReceivedCommandWith(TerminateInstanceInAutoScalingGroupCommand, { InstanceId: A.id });
    expect(aws.asMock).not.toHaveReceivedCommandWith(TerminateInstanceInAutoScalingGroupCommand, { InstanceId: D.id });
  });

  test('a second run, with the others already terminating, terminates nothing', async () => {
    await run(A.id);
    fakeCluster(aws, [A, { ...B, state: 'Terminating:Wait' }, { ...C, state: 'Terminating:Proceed' }, { ...E, state: 'Terminating' }]);
    await expect(run(A.id)).resolves.toEqual({ masterInstanceId: A.id, terminated: [], skipped: [B.id, C.id, E.id] });
    expect(aws.asMock).toHaveReceivedCommandTimes(TerminateInstanceInAutoScalingGroupCommand, 0);
  });

  test('an instance gone between listing and call counts as skipped', async () => {
    aws.asMock.on(TerminateInstanceInAutoScalingGroupCommand, { InstanceId: B.id })
      .rejects(awsError('ValidationError', 'Instance Id not found - No managed instance found for instance ID: i-0000000b'));
    await expect(run(A.id)).resolves.toEqual({ masterInstanceId: A.id, terminated: [E.id], skipped: [C.id, B.id] });
  });

  test('other errors propagate', async () => {
    aws.asMock.on(TerminateInstanceInAutoScalingGroupCommand).rejects(awsError('ScalingActivityInProgress', 'activity in progress'));
    await expect(run(A.id)).rejects.toMatchObject({ name: 'ScalingActivityInProgress' });
  });

  test('MinSize above 1 is PreconditionFailedError, nothing terminated', async () => {
    fakeCluster(aws, [A, B], undefined, { MinSize: 2 });
    await expect(run(A.id)).rejects.toMatchObject({ name: 'PreconditionFailedError', message: expect.stringMatching(/MinSize 2/) });
    expect(aws.asMock).toHaveReceivedCommandTimes(TerminateInstanceInAutoScalingGroupCommand, 0);
  });

  test('a master not InService in the main group is PreconditionFailedError, nothing terminated', async () => {
    await expect(run(D.id)).rejects.toMatchObject({ name: 'PreconditionFailedError', message: expect.stringMatching(/nothing terminated/) });
    expect(aws.asMock).toHaveReceivedCommandTimes(TerminateInstanceInAutoScalingGroupCommand, 0);
  });
});
