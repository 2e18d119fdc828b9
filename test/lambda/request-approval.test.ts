import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { RequestApprovalInput, logic } from '../../lambda/request-approval/logic';
import { memoryLogger } from '../../lambda/shared/log';
import { awsError, clusterContext } from './fixtures/upgrade-stack';

const snsMock = mockClient(SNSClient);
const eventsMock = mockClient(EventBridgeClient);
let log = memoryLogger();
const ssmMock = mockClient(SSMClient);
const NOW = new Date('2026-06-01T12:00:00Z');
const TOKEN = 'AQCEAAAAKgAAAAMAAAAAAAAAAf+abc/def=';
const EXEC = 'arn:aws:states:eu-west-1:123456789012:execution:neo4j-upgrade:run-1';
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:neo4j-upgrades';
const PARAM = '/neo4j-upgrades/neo4j-prod/approval';
const run = (input: Partial<RequestApprovalInput> = {}) => logic(
  { sns: new SNSClient({}), ssm: new SSMClient({}), events: new EventBridgeClient({}), log, now: () => NOW },
  {
    cluster: clusterContext('neo4j-prod'), taskToken: TOKEN, executionArn: EXEC, stage: 'after-store-upgrade',
    topicArn: TOPIC, parameterName: PARAM, timeoutSeconds: 7200, ...input,
  } as RequestApprovalInput,
);

beforeEach(() => {
  log = memoryLogger();
  eventsMock.reset();
  eventsMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
  snsMock.reset();
  ssmMock.reset();
  ssmMock.on(GetParameterCommand).rejects(awsError('ParameterNotFound', 'not found'));
  ssmMock.on(PutParameterCommand).resolves({ Version: 1 });
  snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
});

test('publishes ready-to-paste commands to SNS, then the pending approval to SSM', async () => {
  await expect(run({ summary: 'The single master runs 3.5.35. Run the client tests, then approve.' })).resolves.toEqual({
    stage: 'after-store-upgrade', parameterName: PARAM, requestedAt: '2026-06-01T12:00:00.000Z',
    expiresAt: '2026-06-01T14:00:00.000Z', published: true, messageId: 'm-1',
  });
  expect(snsMock).toHaveReceivedCommandWith(PublishCommand, {
    TopicArn: TOPIC, Subject: 'Neo4j upgrade approval: neo4j-prod after-store-upgrade',
  });
  const message = snsMock.commandCalls(PublishCommand)[0].args[0].input.Message!;
  expect(message).toContain('The single master runs 3.5.35. Run the client tests, then approve.');
  expect(message).toContain(
    `aws stepfunctions send-task-success --region eu-west-1 --task-token '${TOKEN}' --task-output '{"approved":true,"stage":"after-store-upgrade"}'`);
  expect(message).toContain(
    `aws stepfunctions send-task-failure --region eu-west-1 --task-token '${TOKEN}' --error ApprovalRejected --cause 'rejected by operator'`);
  expect(message).toContain(`aws ssm get-parameter --region eu-west-1 --name '${PARAM}'`);
  const put = ssmMock.commandCalls(PutParameterCommand)[0].args[0].input;
  expect(put).toMatchObject({ Name: PARAM, Overwrite: true, Type: 'String' });
  expect(JSON.parse(put.Value!)).toEqual({
    taskToken: TOKEN, executionArn: EXEC, stage: 'after-store-upgrade', stackName: 'neo4j-prod',
    requestedAt: '2026-06-01T12:00:00.000Z', expiresAt: '2026-06-01T14:00:00.000Z',
  });
  expect(snsMock.commandCalls(PublishCommand)[0].calledBefore(ssmMock.commandCalls(PutParameterCommand)[0])).toBe(true);
});

test('after SSM, an "Upgrade Approval Requested" event without the token goes to the default bus', async () => {
  await run();
  const entries = eventsMock.commandCalls(PutEventsCommand)[0].args[0].input.Entries!;
  expect(entries).toHaveLength(1);
  expect(entries[0]).toMatchObject({ Source: 'neo4j-ecs-upgrades', DetailType: 'Upgrade Approval Requested', Resources: [EXEC] });
  expect(entries[0].EventBusName).toBeUndefined();
  expect(JSON.parse(entries[0].Detail!)).toEqual({
    eventKey: `${EXEC}#after-store-upgrade#approval-requested`, executionArn: EXEC, stackName: 'neo4j-prod', stage: 'after-store-upgrade',
    parameterName: PARAM, requestedAt: '2026-06-01T12:00:00.000Z', expiresAt: '2026-06-01T14:00:00.000Z',
  });
  expect(entries[0].Detail).not.toContain(TOKEN);
  expect(ssmMock.commandCalls(PutParameterCommand)[0].calledBefore(eventsMock.commandCalls(PutEventsCommand)[0])).toBe(true);
});

test.each([
  ['a refused entry', () => eventsMock.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] }), /InternalFailure try again/],
  ['a failed call', () => eventsMock.on(PutEventsCommand).rejects(awsError('AccessDeniedException', 'not allowed')), /not allowed/],
])('%s is a WARN, and the approval still waits (topic and parameter written)', async (_what, fail, message) => {
  fail();
  await expect(run()).resolves.toMatchObject({ published: true });
  expect(ssmMock).toHaveReceivedCommandTimes(PutParameterCommand, 1);
  expect(log.lines).toContainEqual(expect.objectContaining({ level: 'WARN', errorMessage: expect.stringMatching(message) }));
});

test('SNS is published before SSM is written (a failed publish leaves no record behind)', async () => {
  snsMock.on(PublishCommand).rejects(awsError('AuthorizationErrorException', 'not allowed'));
  await expect(run()).rejects.toMatchObject({ name: 'AuthorizationErrorException' });
  expect(ssmMock).toHaveReceivedCommandTimes(PutParameterCommand, 0);
});

test('a retry with the same token sends nothing again', async () => {
  ssmMock.on(GetParameterCommand).resolves({ Parameter: { Value: JSON.stringify({
    taskToken: TOKEN, executionArn: EXEC, stage: 'after-store-upgrade', stackName: 'neo4j-prod',
    requestedAt: '2026-06-01T11:00:00.000Z', expiresAt: '2026-06-01T13:00:00.000Z',
  }), Version: 1 } });
  await expect(run()).resolves.toEqual({
    stage: 'after-store-upgrade', parameterName: PARAM, requestedAt: '2026-06-01T11:00:00.000Z',
    expiresAt: '2026-06-01T13:00:00.000Z', published: false,
  });
  expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 0);
  expect(ssmMock).toHaveReceivedCommandTimes(PutParameterCommand, 0);
  expect(eventsMock).toHaveReceivedCommandTimes(PutEventsCommand, 0);
});

test('an older approval (another token) is replaced', async () => {
  ssmMock.on(GetParameterCommand).resolves({ Parameter: { Value: JSON.stringify({ taskToken: 'old' }), Version: 3 } });
  await expect(run()).resolves.toMatchObject({ published: true });
  expect(ssmMock).toHaveReceivedCommandTimes(PutParameterCommand, 1);
});

test('no --region when the execution ARN does not say; default expiry is a day', async () => {
  await run({ executionArn: 'run-1', timeoutSeconds: undefined });
  const message = snsMock.commandCalls(PublishCommand)[0].args[0].input.Message!;
  expect(message).toContain(`aws stepfunctions send-task-success --task-token '${TOKEN}'`);
  expect(message).toContain('Expires:   2026-06-02T12:00:00.000Z');
});

test.each([
  [{ taskToken: undefined }, /taskToken must be a Step Functions task token/],
  [{ taskToken: "x'; rm -rf /" }, /taskToken must be/],
  [{ stage: 'a b' }, /stage must be/],
  [{ topicArn: 'neo4j-upgrades' }, /topicArn must be an SNS topic ARN/],
  [{ parameterName: 'a b' }, /parameterName must be an SSM parameter name/],
  [{ timeoutSeconds: 0 }, /timeoutSeconds must be a positive integer/],
  [{ executionArn: '' }, /executionArn must be a non-empty string/],
  [{ summary: 5 }, /summary must be a string/],
])('%j is InvalidInputError before any call', async (input, message) => {
  await expect(run(input as Partial<RequestApprovalInput>)).rejects.toMatchObject({ name: 'InvalidInputError', message: expect.stringMatching(message) });
  expect(snsMock.calls()).toHaveLength(0);
  expect(ssmMock.calls()).toHaveLength(0);
  expect(eventsMock.calls()).toHaveLength(0);
});
