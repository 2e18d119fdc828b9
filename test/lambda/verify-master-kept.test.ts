import 'aws-sdk-client-mock-jest';
import { logic } from '../../lambda/verify-master-kept/logic';
import { A, B, C, fakeCluster } from './fixtures/fake-cluster';
import { CLUSTER, mockAws } from './fixtures/volume-cluster';

const aws = mockAws();
const run = (masterInstanceId: string) => logic(aws.deps, { cluster: CLUSTER, masterInstanceId });

describe('verify-master-kept', () => {
  test('passes when the master is the only InService instance (others may still be terminating)', async () => {
    fakeCluster(aws, [A, C], undefined, { DesiredCapacity: 1 });
    await expect(run(A.id)).resolves.toEqual({ masterInstanceId: A.id, desiredCapacity: 1 });
  });

  test('the master gone is PreconditionFailedError (not retryable)', async () => {
    fakeCluster(aws, [B], undefined, { DesiredCapacity: 1 });
    await expect(run(A.id)).rejects.toMatchObject({ name: 'PreconditionFailedError', retryable: false, message: expect.stringMatching(/no longer InService.*i-0000000b/) });
  });

  test('others still InService while DesiredCapacity asks for fewer: StillInProgressError (scale-in pending)', async () => {
    fakeCluster(aws, [A, B], undefined, { DesiredCapacity: 1 });
    await expect(run(A.id)).rejects.toMatchObject({ name: 'StillInProgressError', retryable: true, message: expect.stringMatching(/i-0000000b/) });
  });

  test('others InService and DesiredCapacity keeps them: PreconditionFailedError', async () => {
    fakeCluster(aws, [A, B], undefined, { DesiredCapacity: 2 });
    await expect(run(A.id)).rejects.toMatchObject({ name: 'PreconditionFailedError', message: expect.stringMatching(/DesiredCapacity 2/) });
  });

  test('invalid input is InvalidInputError before any call', async () => {
    fakeCluster(aws);
    await expect(run('master')).rejects.toMatchObject({ name: 'InvalidInputError' });
    expect(aws.asMock.calls()).toHaveLength(0);
  });
});
