import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { CloudFormationClient, DescribeStackEventsCommand, DescribeStacksCommand, StackEvent } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { memoryLogger } from '../../lambda/shared/log';
import { StackStatusInput, logic } from '../../lambda/stack-status/logic';
import { INITIAL_PARAMETERS, awsError, clusterContext, describeStacksOutput } from './fixtures/upgrade-stack';

const cfnMock = mockClient(CloudFormationClient);
const ssmMock = mockClient(SSMClient);
const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/neo4j-prod/1111';
const run = (update?: StackStatusInput['update']) => logic(
  { cfn: new CloudFormationClient({}), ssm: new SSMClient({}), log: memoryLogger() },
  { cluster: clusterContext('neo4j-prod'), ...(update && { update }) },
);
const status = (s: string, reason?: string) => cfnMock.on(DescribeStacksCommand).resolves(describeStacksOutput(
  'neo4j-prod', s, INITIAL_PARAMETERS, { ...(reason && { StackStatusReason: reason }), LastUpdatedTime: new Date('2026-06-01T12:00:05Z') },
));
let n = 0;
const event = (logical: string, type: string, st: string, at: string, reason?: string, token?: string): StackEvent => ({
  StackId: STACK_ID, StackName: 'neo4j-prod', EventId: String(n++), LogicalResourceId: logical, ResourceType: type,
  ResourceStatus: st as StackEvent['ResourceStatus'], Timestamp: new Date(at),
  ...(reason && { ResourceStatusReason: reason }), ...(token && { ClientRequestToken: token }),
});
const STACK = 'AWS::CloudFormation::Stack';
const SERVICE = 'AWS::ECS::Service';

beforeEach(() => { cfnMock.reset(); ssmMock.reset(); });

test.each(['UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS'])(
  '%s is StillInProgressError (retryable)', async (s) => {
    status(s);
    await expect(run({ changed: true })).rejects.toMatchObject({
      name: 'StillInProgressError', retryable: true, message: `stack neo4j-prod is ${s}` + (s.includes('ROLLBACK') ? '; the update failed and is rolling back' : ''),
    });
  });

test('a rollback in progress is waited for, with its reason', async () => {
  status('UPDATE_ROLLBACK_IN_PROGRESS', 'The following resource(s) failed to update: [MainService].');
  await expect(run({ changed: true })).rejects.toMatchObject({
    name: 'StillInProgressError',
    message: 'stack neo4j-prod is UPDATE_ROLLBACK_IN_PROGRESS (The following resource(s) failed to update: [MainService].); the update failed and is rolling back',
  });
});

test('UPDATE_COMPLETE: the parameters now in force', async () => {
  status('UPDATE_COMPLETE');
  await expect(run({ changed: true })).resolves.toEqual({
    stackId: STACK_ID, stackStatus: 'UPDATE_COMPLETE', parameters: { ...INITIAL_PARAMETERS, AdminPassword: '****' },
    lastUpdatedTime: '2026-06-01T12:00:05.000Z',
  });
  expect(cfnMock).toHaveReceivedCommandTimes(DescribeStackEventsCommand, 0);
});

test('a rolled-back update: StackUpdateFailedError with status, reason and the earliest failed resource event of this update', async () => {
  status('UPDATE_ROLLBACK_COMPLETE', 'The following resource(s) failed to update: [MainService].');
  cfnMock.on(DescribeStackEventsCommand)
    .resolvesOnce({
      NextToken: 'p2',
      StackEvents: [
        event('neo4j-prod', STACK, 'UPDATE_ROLLBACK_COMPLETE', '2026-06-01T12:30:00Z'),
        event('MainService', SERVICE, 'UPDATE_FAILED', '2026-06-01T12:20:00Z', 'Resource update cancelled'),
        event('neo4j-prod', STACK, 'UPDATE_ROLLBACK_IN_PROGRESS', '2026-06-01T12:19:00Z', 'The following resource(s) failed to update: [MainService].'),
      ],
    })
    .resolvesOnce({
      StackEvents: [
        event('MainTaskDef', 'AWS::ECS::TaskDefinition', 'UPDATE_FAILED', '2026-06-01T12:18:00Z', 'Invalid image neo4j:9'),
        event('neo4j-prod', STACK, 'UPDATE_IN_PROGRESS', '2026-06-01T12:00:00Z', 'User Initiated'),
        event('OldGroup', 'AWS::AutoScaling::AutoScalingGroup', 'UPDATE_FAILED', '2026-05-01T00:00:00Z', 'an older update'),
      ],
    });
  await expect(run({ changed: true })).rejects.toMatchObject({
    name: 'StackUpdateFailedError',
    retryable: false,
    message: 'stack neo4j-prod update failed: UPDATE_ROLLBACK_COMPLETE (The following resource(s) failed to update: [MainService].); ' +
      'first failure: MainTaskDef (AWS::ECS::TaskDefinition) UPDATE_FAILED: Invalid image neo4j:9',
  });
  expect(cfnMock).toHaveReceivedCommandWith(DescribeStackEventsCommand, { StackName: 'neo4j-prod', NextToken: 'p2' });
});

test('with a token, only that update\'s events count; with requestedAt, older events are ignored', async () => {
  status('UPDATE_ROLLBACK_FAILED');
  cfnMock.on(DescribeStackEventsCommand).resolves({
    StackEvents: [
      event('Other', SERVICE, 'UPDATE_FAILED', '2026-06-01T12:40:00Z', 'someone else', 'tok-other'),
      event('SlaveService', SERVICE, 'UPDATE_FAILED', '2026-06-01T12:20:00Z', 'Service did not stabilize', 'tok-1'),
      event('neo4j-prod', STACK, 'UPDATE_IN_PROGRESS', '2026-06-01T12:00:00Z', 'User Initiated', 'tok-1'),
      event('Older', SERVICE, 'UPDATE_FAILED', '2026-06-01T11:00:00Z', 'older', 'tok-0'),
    ],
  });
  await expect(run({ changed: true, clientRequestToken: 'tok-1' })).rejects.toThrow(
    /UPDATE_ROLLBACK_FAILED; first failure: SlaveService \(AWS::ECS::Service\) UPDATE_FAILED: Service did not stabilize$/);

  cfnMock.on(DescribeStackEventsCommand).resolves({
    StackEvents: [event('Older', SERVICE, 'UPDATE_FAILED', '2026-06-01T11:00:00Z', 'older')],
  });
  await expect(run({ changed: true, requestedAt: '2026-06-01T12:00:00Z' })).rejects.toThrow(/; no failed resource event found$/);
});

test.each(['ROLLBACK_COMPLETE', 'ROLLBACK_FAILED', 'DELETE_FAILED', 'IMPORT_ROLLBACK_COMPLETE'])('%s is StackUpdateFailedError', async (s) => {
  status(s);
  cfnMock.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
  await expect(run({ changed: true })).rejects.toMatchObject({ name: 'StackUpdateFailedError', message: expect.stringContaining(s) });
});

test('changed: false reports a leftover failed status without judging it', async () => {
  status('UPDATE_ROLLBACK_COMPLETE');
  await expect(run({ changed: false })).resolves.toMatchObject({ stackStatus: 'UPDATE_ROLLBACK_COMPLETE' });
  status('UPDATE_IN_PROGRESS');
  await expect(run({ changed: false })).rejects.toMatchObject({ name: 'StillInProgressError' });
});

test('a missing stack is StackNotReadyError; a missing stack name InvalidInputError', async () => {
  cfnMock.on(DescribeStacksCommand).rejects(awsError('ValidationError', 'Stack with id neo4j-prod does not exist'));
  await expect(run()).rejects.toMatchObject({ name: 'StackNotReadyError' });
  await expect(logic({ cfn: new CloudFormationClient({}), ssm: new SSMClient({}), log: memoryLogger() }, {} as StackStatusInput))
    .rejects.toMatchObject({ name: 'InvalidInputError' });
});

describe('with poll (looks within one invocation)', () => {
  const inProgress = describeStacksOutput('neo4j-prod', 'UPDATE_IN_PROGRESS', INITIAL_PARAMETERS);
  const complete = describeStacksOutput('neo4j-prod', 'UPDATE_COMPLETE', INITIAL_PARAMETERS);
  const clock = () => {
    let t = 0;
    const sleeps: number[] = [];
    return { sleeps, now: () => new Date(t), sleep: async (ms: number) => { sleeps.push(ms); t += ms; } };
  };

  test('looks every second until UPDATE_COMPLETE', async () => {
    cfnMock.on(DescribeStacksCommand).resolvesOnce(inProgress).resolvesOnce(inProgress).resolves(complete);
    const c = clock();
    const out = await logic({ cfn: new CloudFormationClient({}), ssm: new SSMClient({}), log: memoryLogger(), ...c },
      { cluster: clusterContext('neo4j-prod'), update: { changed: true }, poll: { everySeconds: 1, withinSeconds: 240 } });
    expect(out.stackStatus).toBe('UPDATE_COMPLETE');
    expect(cfnMock).toHaveReceivedCommandTimes(DescribeStacksCommand, 3);
    expect(c.sleeps).toEqual([1000, 1000]);
  });

  test('after withinSeconds the StillInProgressError goes to the Retry', async () => {
    cfnMock.on(DescribeStacksCommand).resolves(inProgress);
    const c = clock();
    await expect(logic({ cfn: new CloudFormationClient({}), ssm: new SSMClient({}), log: memoryLogger(), ...c },
      { cluster: clusterContext('neo4j-prod'), update: { changed: true }, poll: { everySeconds: 1, withinSeconds: 3 } }))
      .rejects.toMatchObject({ name: 'StillInProgressError' });
    expect(cfnMock).toHaveReceivedCommandTimes(DescribeStacksCommand, 4);
  });

  test('the abort request is read on every look: one written during the wait stops the next look', async () => {
    cfnMock.on(DescribeStacksCommand).resolves(inProgress);
    const none = Object.assign(new Error('not found'), { name: 'ParameterNotFound' });
    const request = { executionArn: 'arn:aws:states:us-east-1:123456789012:execution:upgrade:run-1', by: 'ops' };
    ssmMock.on(GetParameterCommand).rejectsOnce(none).rejectsOnce(none).resolves({ Parameter: { Value: JSON.stringify(request) } });
    const c = clock();
    await expect(logic({ cfn: new CloudFormationClient({}), ssm: new SSMClient({}), log: memoryLogger(), ...c }, {
      cluster: clusterContext('neo4j-prod'), update: { changed: true }, poll: { everySeconds: 1, withinSeconds: 240 },
      abortRequest: { parameterName: '/neo4j-upgrades/neo4j-prod/lock/abort', executionArn: request.executionArn },
    })).rejects.toMatchObject({ name: 'AbortRequestedError' });
    expect(ssmMock).toHaveReceivedCommandTimes(GetParameterCommand, 3);
    expect(cfnMock).toHaveReceivedCommandTimes(DescribeStacksCommand, 2);
    expect(c.sleeps).toEqual([1000, 1000]);
  });

  test('a bad poll is refused before the stack is read', async () => {
    await expect(logic({ cfn: new CloudFormationClient({}), ssm: new SSMClient({}), log: memoryLogger() },
      { cluster: clusterContext('neo4j-prod'), poll: { everySeconds: 0, withinSeconds: 3 } }))
      .rejects.toMatchObject({ name: 'InvalidInputError', message: 'poll.everySeconds must be an integer from 1 to 60, got 0' });
    expect(cfnMock).toHaveReceivedCommandTimes(DescribeStacksCommand, 0);
  });
});
