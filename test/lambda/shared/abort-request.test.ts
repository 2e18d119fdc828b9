import { DeleteParameterCommand, GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { consumeAbortRequest, optionalAbortCheck, stopIfAbortRequested } from '../../../lambda/shared/abort-request';
import { memoryLogger } from '../../../lambda/shared/log';
import { awsError } from '../fixtures/upgrade-stack';

const ssmMock = mockClient(SSMClient);
const ABORT = '/neo4j-upgrades/prod/lock/abort';
const ME = 'arn:aws:states:us-east-1:123456789012:execution:upgrade:run-1';
const OTHER = 'arn:aws:states:us-east-1:123456789012:execution:upgrade:run-0';
const check = { parameterName: ABORT, executionArn: ME };
const stored = (value: unknown) => ({ Parameter: { Name: ABORT, Value: typeof value === 'string' ? value : JSON.stringify(value), Version: 1 } });

beforeEach(() => ssmMock.reset());

describe('stopIfAbortRequested', () => {
  test('a request naming this execution is AbortRequestedError (not retryable) with who, when and why', async () => {
    ssmMock.on(GetParameterCommand).resolves(stored({ executionArn: ME, requestedAt: '2026-06-01T12:00:00Z', by: 'alice', reason: 'wrong image' }));
    await expect(stopIfAbortRequested(new SSMClient({}), memoryLogger(), check)).rejects.toMatchObject({
      name: 'AbortRequestedError', retryable: false,
      message: `abort requested by "alice" at "2026-06-01T12:00:00Z": "wrong image" (${ABORT})`,
    });
    expect(ssmMock).toHaveReceivedCommandWith(GetParameterCommand, { Name: ABORT });
  });

  test('no request, a request for another execution, or an unreadable value: go on', async () => {
    const log = memoryLogger();
    ssmMock.on(GetParameterCommand).rejectsOnce(awsError('ParameterNotFound', 'none'))
      .resolvesOnce(stored({ executionArn: OTHER })).resolvesOnce(stored('stop!'));
    for (let i = 0; i < 3; i++) await expect(stopIfAbortRequested(new SSMClient({}), log, check)).resolves.toBeUndefined();
    expect(log.lines.map((l) => l.message)).toEqual(['abort request names another execution; ignored', 'abort parameter holds no request; ignored']);
  });

  test('without a check nothing is read', async () => {
    await stopIfAbortRequested(new SSMClient({}), memoryLogger(), undefined);
    expect(ssmMock.calls()).toHaveLength(0);
  });

  test('an SSM error passes through by name (the step retries throttling)', async () => {
    ssmMock.on(GetParameterCommand).rejects(awsError('ThrottlingException', 'slow down'));
    await expect(stopIfAbortRequested(new SSMClient({}), memoryLogger(), check)).rejects.toMatchObject({ name: 'ThrottlingException' });
  });
});

describe('optionalAbortCheck', () => {
  test.each([
    ['nope', /abortRequest must be an object \{parameterName, executionArn\}, got "nope"/],
    [{ parameterName: 'has space', executionArn: ME }, /abortRequest.parameterName must be an SSM parameter name, got "has space"/],
    [{ parameterName: ABORT, executionArn: '' }, /abortRequest.executionArn must be a non-empty string, got ""/],
  ])('%j is InvalidInputError naming the field', (value, message) => {
    expect(() => optionalAbortCheck(value)).toThrow(message);
  });

  test('absent is no check', () => {
    expect(optionalAbortCheck(undefined)).toBeUndefined();
    expect(optionalAbortCheck(check)).toEqual(check);
  });
});

describe('consumeAbortRequest', () => {
  test('deletes this execution\'s request only', async () => {
    ssmMock.on(GetParameterCommand).resolvesOnce(stored({ executionArn: OTHER })).resolvesOnce(stored({ executionArn: ME }));
    await expect(consumeAbortRequest(new SSMClient({}), ABORT, ME)).resolves.toBe(false);
    expect(ssmMock).toHaveReceivedCommandTimes(DeleteParameterCommand, 0);
    await expect(consumeAbortRequest(new SSMClient({}), ABORT, ME)).resolves.toBe(true);
    expect(ssmMock).toHaveReceivedCommandWith(DeleteParameterCommand, { Name: ABORT });
  });

  test('a request deleted meanwhile is consumed all the same (idempotent)', async () => {
    ssmMock.on(GetParameterCommand).resolves(stored({ executionArn: ME }));
    ssmMock.on(DeleteParameterCommand).rejects(awsError('ParameterNotFound', 'gone'));
    await expect(consumeAbortRequest(new SSMClient({}), ABORT, ME)).resolves.toBe(true);
  });
});
