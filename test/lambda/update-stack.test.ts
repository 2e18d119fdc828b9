import {
  CancelUpdateStackCommand, CloudFormationClient, DescribeStackEventsCommand, DescribeStacksCommand, UpdateStackCommand,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { memoryLogger } from '../../lambda/shared/log';
import { isTokenOfExecution, stackRequestToken } from '../../lambda/shared/stack-request-token';
import { UpdateStackInput, logic } from '../../lambda/update-stack/logic';
import { INITIAL_PARAMETERS, awsError, clusterContext, describeStacksOutput } from './fixtures/upgrade-stack';

const cfnMock = mockClient(CloudFormationClient);
const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/neo4j-prod/1111';
const NOW = new Date('2026-06-01T12:00:00Z');
const run = (input: Partial<UpdateStackInput>) => logic(
  { cfn: new CloudFormationClient({}), log: memoryLogger(), now: () => NOW },
  { cluster: clusterContext('neo4j-prod'), executionName: 'run-1', stage: 'single-master', ...input } as UpdateStackInput,
);
const TOKEN = stackRequestToken('run-1', 'single-master');
const KEYS = Object.keys(INITIAL_PARAMETERS);

beforeEach(() => {
  cfnMock.reset();
  cfnMock.on(DescribeStacksCommand).resolves(describeStacksOutput('neo4j-prod', 'UPDATE_COMPLETE'));
  cfnMock.on(UpdateStackCommand).resolves({ StackId: STACK_ID });
  cfnMock.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
});

describe('update-stack apply', () => {
  test('overrides by role, UsePreviousValue for every other parameter, capabilities and the stage token', async () => {
    const out = await run({ parameters: { mode: 'SINGLE', allowUpgrade: 'True', maxSize: 1, desiredCapacity: 1 } });
    const requested = { Mode: 'SINGLE', AllowUpgrade: 'True', MaxSize: '1', DesiredCapacity: '1' };
    expect(out).toEqual({
      stackId: STACK_ID, changed: true, requestedParameters: requested, clientRequestToken: TOKEN,
      stage: 'single-master', mode: 'apply', requestedAt: '2026-06-01T12:00:00.000Z', alreadyStarted: false,
    });
    expect(cfnMock).toHaveReceivedCommandWith(UpdateStackCommand, {
      StackName: 'neo4j-prod',
      UsePreviousTemplate: true,
      Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'],
      ClientRequestToken: TOKEN,
      Parameters: KEYS.map((k) => (k in requested
        ? { ParameterKey: k, ParameterValue: requested[k as keyof typeof requested] }
        : { ParameterKey: k, UsePreviousValue: true })),
    });
  });

  test('the token is valid for CloudFormation, stable per (execution, stage) and differs between stages and modes', () => {
    const long = stackRequestToken(`arn:aws:states:us-east-1:1:execution:sm:${'x'.repeat(80)}_v2`, 'roll.image');
    expect(long).toMatch(/^[A-Za-z][-A-Za-z0-9]*$/);
    expect(long.length).toBeLessThanOrEqual(128);
    expect(TOKEN).toBe(stackRequestToken('run-1', 'single-master'));
    expect(TOKEN).toMatch(/^neo4j-upgrade-single-master-run-1-[0-9a-f]{16}$/);
    expect(isTokenOfExecution(TOKEN, 'run-1')).toBe(true);
    expect(isTokenOfExecution(stackRequestToken('run-1', 'other-stage'), 'run-1')).toBe(true);
    expect(isTokenOfExecution(TOKEN, 'run-2')).toBe(false);
    expect(isTokenOfExecution('Console-UpdateStack-7f59c3cf', 'run-1')).toBe(false);
    expect(isTokenOfExecution(undefined, 'run-1')).toBe(false);
    expect(stackRequestToken('run-1', 'ha-master')).not.toBe(TOKEN);
    expect(stackRequestToken('run-1', 'rollback-single-master')).not.toBe(TOKEN);
    expect(stackRequestToken('run_1', 's')).not.toBe(stackRequestToken('run-1', 's'));
  });

  test('"No updates are to be performed" is success with changed: false', async () => {
    cfnMock.on(UpdateStackCommand).rejects(awsError('ValidationError', 'No updates are to be performed.'));
    await expect(run({ parameters: { dockerImage: 'neo4j:3.5.34-enterprise' } }))
      .resolves.toMatchObject({ changed: false, alreadyStarted: false, requestedParameters: { DockerImage: 'neo4j:3.5.34-enterprise' } });
  });

  test('"No updates" after this token\'s update already ran: changed, alreadyStarted', async () => {
    cfnMock.on(UpdateStackCommand).rejects(awsError('ValidationError', 'No updates are to be performed.'));
    cfnMock.on(DescribeStackEventsCommand)
      .resolvesOnce({ NextToken: 'p2', StackEvents: [{ StackId: STACK_ID, EventId: '1', StackName: 'neo4j-prod', Timestamp: NOW, ClientRequestToken: 'other' }] })
      .resolvesOnce({ StackEvents: [{ StackId: STACK_ID, EventId: '2', StackName: 'neo4j-prod', Timestamp: NOW, ClientRequestToken: TOKEN }] });
    await expect(run({ parameters: { mode: 'SINGLE' } })).resolves.toMatchObject({ changed: true, alreadyStarted: true });
    expect(cfnMock).toHaveReceivedCommandWith(DescribeStackEventsCommand, { StackName: 'neo4j-prod', NextToken: 'p2' });
  });

  test('already UPDATE_IN_PROGRESS with our token: treated as started, UpdateStack not called', async () => {
    cfnMock.on(DescribeStacksCommand).resolves(describeStacksOutput('neo4j-prod', 'UPDATE_IN_PROGRESS'));
    cfnMock.on(DescribeStackEventsCommand).resolves({
      StackEvents: [{ StackId: STACK_ID, EventId: '1', StackName: 'neo4j-prod', Timestamp: NOW, ClientRequestToken: TOKEN }],
    });
    await expect(run({ parameters: { mode: 'SINGLE' } })).resolves.toMatchObject({ changed: true, alreadyStarted: true });
    expect(cfnMock).toHaveReceivedCommandTimes(UpdateStackCommand, 0);
  });

  test('in progress because of someone else: StackNotReadyError, UpdateStack not called', async () => {
    cfnMock.on(DescribeStacksCommand).resolves(describeStacksOutput('neo4j-prod', 'UPDATE_IN_PROGRESS'));
    await expect(run({ parameters: { mode: 'SINGLE' } }))
      .rejects.toMatchObject({ name: 'StackNotReadyError', message: expect.stringMatching(/UPDATE_IN_PROGRESS \(another operation\)/) });
    expect(cfnMock).toHaveReceivedCommandTimes(UpdateStackCommand, 0);
  });

  test('a state that cannot be updated is StackNotReadyError; TokenAlreadyExists is "already started"', async () => {
    cfnMock.on(UpdateStackCommand).rejects(awsError('ValidationError',
      'Stack:arn:... is in UPDATE_ROLLBACK_FAILED state and can not be updated.'));
    await expect(run({ parameters: { mode: 'SINGLE' } }))
      .rejects.toMatchObject({ name: 'StackNotReadyError', message: expect.stringMatching(/UPDATE_ROLLBACK_FAILED state/) });
    cfnMock.on(UpdateStackCommand).rejects(awsError('TokenAlreadyExistsException', 'token exists'));
    await expect(run({ parameters: { mode: 'SINGLE' } })).resolves.toMatchObject({ changed: true, alreadyStarted: true });
  });

  test('other errors pass through by name', async () => {
    cfnMock.on(UpdateStackCommand).rejects(awsError('InsufficientCapabilitiesException', 'Requires capabilities'));
    await expect(run({ parameters: { mode: 'SINGLE' } })).rejects.toMatchObject({ name: 'InsufficientCapabilitiesException' });
  });

  test.each([
    [{ parameters: {} }, /parameters must name at least one parameter/],
    [{ parameters: { image: 'x' } }, /parameters\.image is not a parameter role; known: dockerImage, mode/],
    [{ parameters: { allowUpgrade: true } }, /parameters\.allowUpgrade must be a string or a number, got true/],
    [{ stage: 'bad stage!', parameters: { mode: 'HA' } }, /stage must be 1-64 characters/],
    [{ executionName: '', parameters: { mode: 'HA' } }, /executionName must be a non-empty string/],
    [{ mode: 'undo' }, /mode must be "apply" or "rollback", got "undo"/],
    [{ mode: 'rollback' }, /restore must be the recorded parameters/],
    [{ mode: 'rollback', restore: { Mode: 1 } }, /restore\.Mode must be a string/],
  ])('%j is InvalidInputError before any call', async (input, message) => {
    await expect(run(input as Partial<UpdateStackInput>)).rejects.toMatchObject({ name: 'InvalidInputError', message: expect.stringMatching(message) });
    expect(cfnMock.calls()).toHaveLength(0);
  });

  test('a role whose key the stack lacks is InvalidInputError, UpdateStack not called', async () => {
    const params = { ...INITIAL_PARAMETERS };
    delete params.SlaveMode;
    cfnMock.on(DescribeStacksCommand).resolves(describeStacksOutput('neo4j-prod', 'UPDATE_COMPLETE', params));
    await expect(run({ parameters: { slaveMode: 'SINGLE' } }))
      .rejects.toMatchObject({ name: 'InvalidInputError', message: expect.stringMatching(/parameters\.slaveMode maps to "SlaveMode", which stack neo4j-prod does not have/) });
    expect(cfnMock).toHaveReceivedCommandTimes(UpdateStackCommand, 0);
  });
});

describe('update-stack rollback', () => {
  test('every recorded value is explicit except NoEcho ones; unknown keys are skipped; its own token', async () => {
    const restore = { ...INITIAL_PARAMETERS, AdminPassword: '****', Removed: 'x' };
    const out = await run({ mode: 'rollback', stage: 'single-master', restore });
    const explicit = { ...INITIAL_PARAMETERS } as Record<string, string>;
    delete explicit.AdminPassword;
    expect(out).toMatchObject({
      mode: 'rollback', changed: true, requestedParameters: explicit, skippedKeys: ['Removed'],
      clientRequestToken: stackRequestToken('run-1', 'rollback-single-master'),
    });
    expect(cfnMock).toHaveReceivedCommandWith(UpdateStackCommand, {
      UsePreviousTemplate: true,
      Parameters: KEYS.map((k) => (k === 'AdminPassword'
        ? { ParameterKey: k, UsePreviousValue: true }
        : { ParameterKey: k, ParameterValue: INITIAL_PARAMETERS[k] })),
    });
  });
});

describe('update-stack rollback while the stack is busy', () => {
  const restore = { ...INITIAL_PARAMETERS };
  const busy = (status: string, token: string) => {
    cfnMock.on(DescribeStacksCommand).resolves(describeStacksOutput('neo4j-prod', status));
    cfnMock.on(DescribeStackEventsCommand).resolves({
      StackEvents: [{ StackId: STACK_ID, EventId: '1', StackName: 'neo4j-prod', Timestamp: NOW, ClientRequestToken: token }],
    });
  };

  test('our own stage still updating (its wait timed out): cancelled, then StillInProgressError', async () => {
    busy('UPDATE_IN_PROGRESS', stackRequestToken('run-1', 'scaleOut'));
    await expect(run({ mode: 'rollback', stage: 'rollback', restore })).rejects.toMatchObject({
      name: 'StillInProgressError', message: expect.stringMatching(/cancelled the in-progress update neo4j-upgrade-scaleOut-run-1-/),
    });
    expect(cfnMock).toHaveReceivedCommandWith(CancelUpdateStackCommand, {
      StackName: 'neo4j-prod', ClientRequestToken: stackRequestToken('run-1', 'cancel-rollback'),
    });
    expect(cfnMock).toHaveReceivedCommandTimes(UpdateStackCommand, 0);
  });

  test('a cancel that comes too late (status moved on) still waits', async () => {
    busy('UPDATE_IN_PROGRESS', stackRequestToken('run-1', 'scaleOut'));
    cfnMock.on(CancelUpdateStackCommand).rejects(awsError('ValidationError', 'CancelUpdateStack cannot be called from current stack status'));
    await expect(run({ mode: 'rollback', stage: 'rollback', restore })).rejects.toMatchObject({ name: 'StillInProgressError' });
  });

  test('our stage rolling back: StillInProgressError without a cancel', async () => {
    busy('UPDATE_ROLLBACK_IN_PROGRESS', stackRequestToken('run-1', 'scaleOut'));
    await expect(run({ mode: 'rollback', stage: 'rollback', restore })).rejects.toMatchObject({
      name: 'StillInProgressError', message: expect.stringMatching(/UPDATE_ROLLBACK_IN_PROGRESS .*settled/),
    });
    expect(cfnMock).toHaveReceivedCommandTimes(CancelUpdateStackCommand, 0);
  });

  test('someone else\'s operation: StackNotReadyError, nothing cancelled', async () => {
    busy('UPDATE_IN_PROGRESS', 'Console-UpdateStack-7f59c3cf');
    await expect(run({ mode: 'rollback', stage: 'rollback', restore })).rejects.toMatchObject({ name: 'StackNotReadyError' });
    expect(cfnMock).toHaveReceivedCommandTimes(CancelUpdateStackCommand, 0);
  });

  test('apply never cancels', async () => {
    busy('UPDATE_IN_PROGRESS', stackRequestToken('run-1', 'scaleOut'));
    await expect(run({ parameters: { mode: 'HA' } })).rejects.toMatchObject({ name: 'StackNotReadyError' });
    expect(cfnMock).toHaveReceivedCommandTimes(CancelUpdateStackCommand, 0);
  });
});
