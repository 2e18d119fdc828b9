import { gzipSync } from 'node:zlib';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { memoryLogger } from '../../lambda/shared/log';
import { StageEventsInput, logic } from '../../lambda/stage-events/logic';
import { stageLogBatch } from './fixtures/execution-log';

const eventsMock = mockClient(EventBridgeClient);
const EXEC = 'arn:aws:states:eu-west-1:123456789012:execution:Upgrade-Machine:run-1';
let log = memoryLogger();
const run = (input: StageEventsInput) => logic({ events: new EventBridgeClient({}), log }, input);

beforeEach(() => {
  log = memoryLogger();
  eventsMock.reset();
  eventsMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
});

test('a begin and a done state become Stage Started / Stage Ended, the duration a StageDuration metric (EMF)', async () => {
  await expect(run(stageLogBatch(EXEC))).resolves.toEqual({ read: 4, sent: 2 });
  const entries = eventsMock.commandCalls(PutEventsCommand)[0].args[0].input.Entries!;
  expect(entries.map((e) => [e.Source, e.DetailType, e.Resources])).toEqual([
    ['neo4j-ecs-upgrades', 'Upgrade Stage Started', [EXEC]], ['neo4j-ecs-upgrades', 'Upgrade Stage Ended', [EXEC]],
  ]);
  const stage = { key: 'rollImage', name: 'Stage 1 Roll DockerImage', seedStep: '000/1' };
  const machine = 'arn:aws:states:eu-west-1:123456789012:stateMachine:Upgrade-Machine';
  expect(JSON.parse(entries[0].Detail!)).toEqual({
    eventKey: `${EXEC}#rollImage#started`, executionArn: EXEC, stateMachineArn: machine, stage, startedAt: '2026-06-01T12:00:00.000Z',
  });
  expect(JSON.parse(entries[1].Detail!)).toEqual({
    eventKey: `${EXEC}#rollImage#ended`, executionArn: EXEC, stateMachineArn: machine, stage, outcome: 'succeeded',
    startedAt: '2026-06-01T12:00:00.000Z', endedAt: '2026-06-01T12:07:30.000Z', durationSeconds: 450,
  });
  const metric = log.lines.find((l) => l._aws);
  expect(metric).toMatchObject({
    StateMachine: 'Upgrade-Machine', Stage: 'rollImage', StageDuration: 450, executionArn: EXEC,
    _aws: { CloudWatchMetrics: [{ Namespace: 'Neo4jEcsUpgrades', Dimensions: [['StateMachine', 'Stage']], Metrics: [{ Name: 'StageDuration', Unit: 'Seconds' }] }] },
  });
});

test('a truncated output still gives the event, with the stage title only and no metric', async () => {
  await run(stageLogBatch(EXEC, { truncated: true }));
  const details = eventsMock.commandCalls(PutEventsCommand)[0].args[0].input.Entries!.map((e) => JSON.parse(e.Detail!));
  expect(details.map((d) => [d.eventKey, d.stage.name])).toEqual([
    [`${EXEC}#Stage 1 Roll DockerImage#started`, 'Stage 1 Roll DockerImage'], [`${EXEC}#Stage 1 Roll DockerImage#ended`, 'Stage 1 Roll DockerImage'],
  ]);
  expect(log.lines.some((l) => l._aws)).toBe(false);
});

test('a Pass named "...: begin" whose record names another stage, and other events, send nothing', async () => {
  await expect(run(stageLogBatch(EXEC, { otherStageRecord: true }))).resolves.toEqual({ read: 4, sent: 1 });
  const entries = eventsMock.commandCalls(PutEventsCommand)[0].args[0].input.Entries!;
  expect(entries.map((e) => e.DetailType)).toEqual(['Upgrade Stage Ended']);
});

test('a control message sends nothing', async () => {
  const data = gzipSync(JSON.stringify({ messageType: 'CONTROL_MESSAGE', logEvents: [] })).toString('base64');
  await expect(run({ awslogs: { data } })).resolves.toEqual({ read: 0, sent: 0 });
  expect(eventsMock).toHaveReceivedCommandTimes(PutEventsCommand, 0);
});

test('an event EventBridge refuses fails the invocation (CloudWatch Logs retries it), naming the event', async () => {
  eventsMock.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ EventId: 'e' }, { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' }] });
  await expect(run(stageLogBatch(EXEC))).rejects.toMatchObject({
    name: 'UpgradeEventNotSentError', message: expect.stringContaining('ThrottlingException slow down'),
  });
});

test.each([
  [{}, /awslogs.data must be the base64 gzipped batch/],
  [{ awslogs: { data: 5 } }, /awslogs.data must be .* got 5/],
  [{ awslogs: { data: 'bm90IGd6aXA=' } }, /awslogs.data is not a gzipped JSON batch/],
])('%j is InvalidInputError before any call', async (input, message) => {
  await expect(run(input as StageEventsInput)).rejects.toMatchObject({ name: 'InvalidInputError', message: expect.stringMatching(message) });
  expect(eventsMock.calls()).toHaveLength(0);
});
