import { SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { ExecutionCleanupInput, logic } from '../../lambda/execution-cleanup/logic';
import { memoryLogger } from '../../lambda/shared/log';
import { clusterContext } from './fixtures/upgrade-stack';

const ssmMock = mockClient(SSMClient);
const valid: ExecutionCleanupInput = {
  detail: { executionArn: 'arn:aws:states:us-east-1:123456789012:execution:upgrade:run-1', status: 'ABORTED' },
  cluster: clusterContext('neo4j-prod'),
  lockParameterName: '/neo4j-upgrades/prod/lock',
  abortParameterName: '/neo4j-upgrades/prod/lock/abort',
  topicArn: 'arn:aws:sns:us-east-1:123456789012:upgrades',
};
const run = (input: unknown) => logic({ ssm: new SSMClient({}), log: memoryLogger() } as unknown as Parameters<typeof logic>[0], input as ExecutionCleanupInput);

beforeEach(() => ssmMock.reset());

describe('execution-cleanup input', () => {
  test.each([
    [{ ...valid, detail: 'x' }, /detail must be the event's detail object, got "x"/],
    [{ ...valid, detail: { ...valid.detail, status: 'SUCCEEDED' } }, /detail.status must be one of ABORTED, TIMED_OUT, FAILED, got "SUCCEEDED"/],
    [{ ...valid, detail: { status: 'ABORTED' } }, /detail.executionArn must be a non-empty string, got undefined/],
    [{ ...valid, lockParameterName: 'a lock' }, /lockParameterName must be an SSM parameter name, got "a lock"/],
    [{ ...valid, topicArn: 'topic' }, /topicArn must be an SNS topic ARN, got "topic"/],
    [{ ...valid, cluster: { ...valid.cluster, mainAutoScalingGroupName: '' } }, /cluster.mainAutoScalingGroupName must be a non-empty string/],
  ])('%#: InvalidInputError naming the field, before any call', async (input, message) => {
    await expect(run(input)).rejects.toMatchObject({ name: 'InvalidInputError', message: expect.stringMatching(message) });
    expect(ssmMock.calls()).toHaveLength(0);
  });
});
