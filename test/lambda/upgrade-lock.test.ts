import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DeleteParameterCommand, GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { memoryLogger } from '../../lambda/shared/log';
import { UpgradeLockInput, logic } from '../../lambda/upgrade-lock/logic';
import { awsError, clusterContext } from './fixtures/upgrade-stack';

const ssmMock = mockClient(SSMClient);
const sfnMock = mockClient(SFNClient);
const NAME = '/neo4j-upgrades/neo4j-prod/lock';
const ME = 'arn:aws:states:us-east-1:123456789012:execution:upgrade:run-1';
const OTHER = 'arn:aws:states:us-east-1:123456789012:execution:upgrade:run-0';
const NOW = new Date('2026-06-01T12:00:00Z');
const cluster = clusterContext('neo4j-prod');

const run = (input: Partial<UpgradeLockInput>) => logic(
  { ssm: new SSMClient({}), sfn: new SFNClient({}), log: memoryLogger(), now: () => NOW },
  { cluster, parameterName: NAME, executionArn: ME, ...input } as UpgradeLockInput,
);
const record = (executionArn: string, expiresAt: string) =>
  JSON.stringify({ executionArn, expiresAt, acquiredAt: '2026-05-30T00:00:00.000Z', stackName: 'neo4j-prod' });
const stored = (value: string, version: number) => ({ Parameter: { Name: NAME, Value: value, Version: version, Type: 'String' as const } });

beforeEach(() => {
  ssmMock.reset();
  sfnMock.reset();
  sfnMock.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });
});

describe('upgrade-lock acquire', () => {
  test('a free lock is created with Overwrite=false and this execution\'s record', async () => {
    ssmMock.on(PutParameterCommand).resolves({ Version: 1 });
    await expect(run({ action: 'acquire', ttlSeconds: 3600 })).resolves.toEqual({
      action: 'acquire', parameterName: NAME, outcome: 'created', executionArn: ME,
      expiresAt: '2026-06-01T13:00:00.000Z', version: 1,
    });
    expect(ssmMock).toHaveReceivedCommandWith(PutParameterCommand, {
      Name: NAME, Type: 'String', Overwrite: false,
      Value: JSON.stringify({ executionArn: ME, expiresAt: '2026-06-01T13:00:00.000Z', acquiredAt: '2026-06-01T12:00:00.000Z', stackName: 'neo4j-prod' }),
    });
  });

  test('held by this execution: already-held, nothing written', async () => {
    ssmMock.on(PutParameterCommand).rejects(awsError('ParameterAlreadyExists', 'The parameter already exists.'));
    ssmMock.on(GetParameterCommand).resolves(stored(record(ME, '2026-06-03T12:00:00.000Z'), 1));
    await expect(run({ action: 'acquire' })).resolves.toMatchObject({
      outcome: 'already-held', version: 1, expiresAt: '2026-06-03T12:00:00.000Z',
    });
    expect(ssmMock).toHaveReceivedCommandTimes(PutParameterCommand, 1);
  });

  test('held by another execution that is RUNNING: LockHeldError naming holder and expiry, nothing written', async () => {
    ssmMock.on(PutParameterCommand).rejects(awsError('ParameterAlreadyExists', 'The parameter already exists.'));
    ssmMock.on(GetParameterCommand).resolves(stored(record(OTHER, '2026-06-01T12:00:01.000Z'), 4));
    await expect(run({ action: 'acquire' })).rejects.toMatchObject({
      name: 'LockHeldError', retryable: false,
      message: `lock ${NAME} is held by ${OTHER} until 2026-06-01T12:00:01.000Z (it is RUNNING)`,
    });
    expect(sfnMock).toHaveReceivedCommandWith(DescribeExecutionCommand, { executionArn: OTHER });
    expect(ssmMock).toHaveReceivedCommandTimes(PutParameterCommand, 1);
    expect(ssmMock).toHaveReceivedCommandTimes(DeleteParameterCommand, 0);
  });

  test.each(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'])('held by another execution that ended %s: taken over before its expiry', async (status) => {
    sfnMock.on(DescribeExecutionCommand).resolves({ status: status as 'FAILED', error: status === 'FAILED' ? 'States.Runtime' : undefined });
    ssmMock.on(PutParameterCommand, { Overwrite: false }).rejects(awsError('ParameterAlreadyExists', 'exists'));
    ssmMock.on(PutParameterCommand, { Overwrite: true }).resolves({ Version: 5 });
    ssmMock.on(GetParameterCommand).resolves(stored(record(OTHER, '2026-06-03T11:00:00.000Z'), 4));
    await expect(run({ action: 'acquire' })).resolves.toMatchObject({ outcome: 'taken-over', version: 5, previousHolder: OTHER });
    expect(ssmMock).toHaveReceivedCommandWith(PutParameterCommand, { Name: NAME, Overwrite: true, Value: expect.stringContaining(ME) });
  });

  test('a holder whose rollback failed keeps the lock until it expires', async () => {
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'FAILED', error: 'RollbackFailed' });
    ssmMock.on(PutParameterCommand).rejects(awsError('ParameterAlreadyExists', 'exists'));
    ssmMock.on(GetParameterCommand).resolves(stored(record(OTHER, '2026-06-03T11:00:00.000Z'), 4));
    await expect(run({ action: 'acquire' })).rejects.toMatchObject({
      name: 'LockHeldError', message: expect.stringContaining('its rollback failed (FAILED), so the lock is kept'),
    });
    expect(ssmMock).toHaveReceivedCommandTimes(PutParameterCommand, 1);
  });

  test.each(['ExecutionDoesNotExist', 'AccessDeniedException'])('a holder Step Functions cannot describe (%s) keeps the lock until it expires', async (code) => {
    sfnMock.on(DescribeExecutionCommand).rejects(awsError(code, 'no'));
    ssmMock.on(PutParameterCommand).rejects(awsError('ParameterAlreadyExists', 'exists'));
    ssmMock.on(GetParameterCommand).resolves(stored(record(OTHER, '2026-06-03T11:00:00.000Z'), 4));
    await expect(run({ action: 'acquire' })).rejects.toMatchObject({
      name: 'LockHeldError', message: `lock ${NAME} is held by ${OTHER} until 2026-06-03T11:00:00.000Z; Step Functions cannot describe that execution (${code})`,
    });
    expect(ssmMock).toHaveReceivedCommandTimes(PutParameterCommand, 1);
  });

  test('a throttled DescribeExecution passes through by name (the step retries), nothing written', async () => {
    sfnMock.on(DescribeExecutionCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));
    ssmMock.on(PutParameterCommand).rejects(awsError('ParameterAlreadyExists', 'exists'));
    ssmMock.on(GetParameterCommand).resolves(stored(record(OTHER, '2026-06-03T11:00:00.000Z'), 4));
    await expect(run({ action: 'acquire' })).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(ssmMock).toHaveReceivedCommandTimes(PutParameterCommand, 1);
  });

  test('an unreadable lock value is LockHeldError', async () => {
    ssmMock.on(PutParameterCommand).rejects(awsError('ParameterAlreadyExists', 'exists'));
    ssmMock.on(GetParameterCommand).resolves(stored('locked!', 1));
    await expect(run({ action: 'acquire' })).rejects.toMatchObject({ name: 'LockHeldError', message: expect.stringMatching(/unreadable value/) });
  });

  test('expired: taken over when this write is the next version', async () => {
    ssmMock.on(PutParameterCommand, { Overwrite: false }).rejects(awsError('ParameterAlreadyExists', 'exists'));
    ssmMock.on(PutParameterCommand, { Overwrite: true }).resolves({ Version: 5 });
    ssmMock.on(GetParameterCommand).resolves(stored(record(OTHER, '2026-06-01T11:59:59.000Z'), 4));
    await expect(run({ action: 'acquire' })).resolves.toMatchObject({
      outcome: 'taken-over', version: 5, previousHolder: OTHER, expiresAt: '2026-06-03T12:00:00.000Z',
    });
    expect(sfnMock).toHaveReceivedCommandTimes(DescribeExecutionCommand, 0); // expired: no need to ask
    expect(ssmMock).toHaveReceivedCommandWith(PutParameterCommand, { Name: NAME, Overwrite: true, Value: expect.stringContaining(ME) });
  });

  test('expired, but another taker wrote first: LockHeldError, and the winner\'s record is put back', async () => {
    const winner = 'arn:aws:states:us-east-1:123456789012:execution:upgrade:run-2';
    ssmMock.on(PutParameterCommand, { Overwrite: false }).rejects(awsError('ParameterAlreadyExists', 'exists'));
    ssmMock.on(PutParameterCommand, { Overwrite: true })
      .callsFake((input: { Value: string }) => ({ Version: input.Value.includes(ME) ? 6 : 7 }));
    ssmMock.on(GetParameterCommand, { Name: NAME })
      .resolvesOnce(stored(record(OTHER, '2026-06-01T11:00:00.000Z'), 4))
      .resolves(stored(record(ME, '2026-06-03T12:00:00.000Z'), 6));
    ssmMock.on(GetParameterCommand, { Name: `${NAME}:5` }).resolves(stored(record(winner, '2026-06-03T12:00:00.000Z'), 5));
    await expect(run({ action: 'acquire' })).rejects.toMatchObject({
      name: 'LockHeldError', message: expect.stringContaining(`taken over by ${winner} at the same time`),
    });
    expect(ssmMock).toHaveReceivedNthSpecificCommandWith(3, PutParameterCommand, {
      Name: NAME, Overwrite: true, Value: record(winner, '2026-06-03T12:00:00.000Z'),
    });
  });

  test('lost race and a later writer already replaced our write: nothing is put back', async () => {
    ssmMock.on(PutParameterCommand, { Overwrite: false }).rejects(awsError('ParameterAlreadyExists', 'exists'));
    ssmMock.on(PutParameterCommand, { Overwrite: true }).resolves({ Version: 6 });
    ssmMock.on(GetParameterCommand, { Name: NAME })
      .resolvesOnce(stored(record(OTHER, '2026-06-01T11:00:00.000Z'), 4))
      .resolves(stored(record('someone-else', '2026-06-03T12:00:00.000Z'), 7));
    ssmMock.on(GetParameterCommand, { Name: `${NAME}:5` }).resolves(stored(record('winner', '2026-06-03T12:00:00.000Z'), 5));
    await expect(run({ action: 'acquire' })).rejects.toMatchObject({ name: 'LockHeldError' });
    expect(ssmMock).toHaveReceivedCommandTimes(PutParameterCommand, 2);
  });

  test('a lock deleted between the failed create and the read is created on the next try', async () => {
    ssmMock.on(PutParameterCommand).rejectsOnce(awsError('ParameterAlreadyExists', 'exists')).resolves({ Version: 1 });
    ssmMock.on(GetParameterCommand).rejects(awsError('ParameterNotFound', 'not found'));
    await expect(run({ action: 'acquire' })).resolves.toMatchObject({ outcome: 'created', version: 1 });
  });

  test('other SSM errors pass through by name', async () => {
    ssmMock.on(PutParameterCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));
    await expect(run({ action: 'acquire' })).rejects.toMatchObject({ name: 'ThrottlingException' });
  });
});

describe('upgrade-lock release', () => {
  test('held by this execution: deleted', async () => {
    ssmMock.on(GetParameterCommand).resolves(stored(record(ME, '2026-06-03T12:00:00.000Z'), 1));
    await expect(run({ action: 'release' })).resolves.toEqual({ action: 'release', parameterName: NAME, outcome: 'released', holder: ME });
    expect(ssmMock).toHaveReceivedCommandWith(DeleteParameterCommand, { Name: NAME });
  });

  test('held by another execution: left alone', async () => {
    ssmMock.on(GetParameterCommand).resolves(stored(record(OTHER, '2026-06-03T12:00:00.000Z'), 1));
    await expect(run({ action: 'release' })).resolves.toEqual({ action: 'release', parameterName: NAME, outcome: 'not-held', holder: OTHER });
    expect(ssmMock).toHaveReceivedCommandTimes(DeleteParameterCommand, 0);
  });

  test('with abortParameterName: this execution\'s abort request is consumed with the lock', async () => {
    const ABORT = `${NAME}/abort`;
    ssmMock.on(GetParameterCommand, { Name: NAME }).resolves(stored(record(ME, '2026-06-03T12:00:00.000Z'), 1));
    ssmMock.on(GetParameterCommand, { Name: ABORT }).resolves({ Parameter: { Name: ABORT, Value: JSON.stringify({ executionArn: ME, by: 'ops' }), Version: 1 } });
    await expect(run({ action: 'release', abortParameterName: ABORT })).resolves.toEqual({
      action: 'release', parameterName: NAME, outcome: 'released', holder: ME, abortRequestConsumed: true,
    });
    expect(ssmMock).toHaveReceivedCommandWith(DeleteParameterCommand, { Name: ABORT });
    expect(ssmMock).toHaveReceivedCommandWith(DeleteParameterCommand, { Name: NAME });
  });

  test('an abort request for another execution is left alone', async () => {
    const ABORT = `${NAME}/abort`;
    ssmMock.on(GetParameterCommand, { Name: NAME }).resolves(stored(record(ME, '2026-06-03T12:00:00.000Z'), 1));
    ssmMock.on(GetParameterCommand, { Name: ABORT }).resolves({ Parameter: { Name: ABORT, Value: JSON.stringify({ executionArn: OTHER }), Version: 1 } });
    await expect(run({ action: 'release', abortParameterName: ABORT })).resolves.toEqual({
      action: 'release', parameterName: NAME, outcome: 'released', holder: ME,
    });
    expect(ssmMock).not.toHaveReceivedCommandWith(DeleteParameterCommand, { Name: ABORT });
  });

  test('absent, or deleted just before our delete: no-op', async () => {
    ssmMock.on(GetParameterCommand).rejects(awsError('ParameterNotFound', 'not found'));
    await expect(run({ action: 'release' })).resolves.toMatchObject({ outcome: 'absent' });
    ssmMock.on(GetParameterCommand).resolves(stored(record(ME, '2026-06-03T12:00:00.000Z'), 1));
    ssmMock.on(DeleteParameterCommand).rejects(awsError('ParameterNotFound', 'not found'));
    await expect(run({ action: 'release' })).resolves.toMatchObject({ outcome: 'absent' });
  });
});

describe('upgrade-lock input', () => {
  test.each([
    [{ action: 'grab' }, /action must be "acquire" or "release", got "grab"/],
    [{ action: 'acquire', parameterName: 'bad name' }, /parameterName must be an SSM parameter name, got "bad name"/],
    [{ action: 'acquire', executionArn: '' }, /executionArn must be a non-empty string/],
    [{ action: 'acquire', ttlSeconds: 5 }, /ttlSeconds must be an integer >= 60, got 5/],
    [{ action: 'release', abortParameterName: 'no spaces' }, /abortParameterName must be an SSM parameter name, got "no spaces"/],
  ])('%j is InvalidInputError', async (input, message) => {
    await expect(run(input as Partial<UpgradeLockInput>)).rejects.toMatchObject({ name: 'InvalidInputError', message: expect.stringMatching(message) });
    expect(ssmMock.calls()).toHaveLength(0);
  });
});
