import { GetExecutionHistoryCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { ExecutionProgressInput, logic } from '../../lambda/execution-progress/logic';
import { memoryLogger } from '../../lambda/shared/log';

const sfnMock = mockClient(SFNClient);
const MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:Upgrade-Machine';
const exec = (name: string) => `arn:aws:states:eu-west-1:123456789012:execution:Upgrade-Machine:${name}`;
const NOW = new Date('2026-06-01T12:00:00Z');
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60000);
let log = memoryLogger();
const run = (input: ExecutionProgressInput = { stateMachineArn: MACHINE }) => logic({ sfn: new SFNClient({}), log, now: () => NOW }, input);

beforeEach(() => {
  log = memoryLogger();
  sfnMock.reset();
});

test('the longest silence of a running execution not awaiting an approval is the metric (EMF); pages are followed', async () => {
  sfnMock.on(ListExecutionsCommand, { stateMachineArn: MACHINE, statusFilter: 'RUNNING' })
    .resolvesOnce({ executions: [{ executionArn: exec('moving'), startDate: minutesAgo(300) } as never], nextToken: 'p2' })
    .resolvesOnce({ executions: [{ executionArn: exec('stuck') } as never, { executionArn: exec('approval') } as never] });
  sfnMock.on(GetExecutionHistoryCommand, { executionArn: exec('moving') }).resolves({ events: [{ type: 'TaskScheduled', timestamp: minutesAgo(2) } as never] });
  sfnMock.on(GetExecutionHistoryCommand, { executionArn: exec('stuck') }).resolves({ events: [{ type: 'TaskStarted', timestamp: minutesAgo(41) } as never] });
  sfnMock.on(GetExecutionHistoryCommand, { executionArn: exec('approval') }).resolves({ events: [{
    type: 'TaskSubmitted', timestamp: minutesAgo(600), taskSubmittedEventDetails: { resourceType: 'lambda', resource: 'invoke.waitForTaskToken' },
  } as never] });

  const out = await run();
  expect(out.minutesWithoutProgress).toBe(41);
  expect(out.running.map((r) => [r.executionArn.split(':').pop(), r.minutesWithoutProgress, r.awaitingApproval])).toEqual([
    ['moving', 2, false], ['stuck', 41, false], ['approval', 600, true],
  ]);
  expect(sfnMock).toHaveReceivedCommandWith(GetExecutionHistoryCommand, { executionArn: exec('stuck'), reverseOrder: true, maxResults: 1 });
  expect(sfnMock).toHaveReceivedCommandWith(ListExecutionsCommand, { nextToken: 'p2' });
  expect(log.lines.find((l) => l._aws)).toMatchObject({
    StateMachine: 'Upgrade-Machine', MinutesWithoutProgress: 41,
    _aws: { Timestamp: NOW.getTime(), CloudWatchMetrics: [{ Namespace: 'Neo4jEcsUpgrades', Dimensions: [['StateMachine']], Metrics: [{ Name: 'MinutesWithoutProgress' }] }] },
  });
});

test('no running execution (or only one awaiting an approval) writes 0, so the alarm sees data', async () => {
  sfnMock.on(ListExecutionsCommand).resolves({ executions: [] });
  await expect(run()).resolves.toEqual({ running: [], minutesWithoutProgress: 0 });
  expect(log.lines.find((l) => l._aws)).toMatchObject({ MinutesWithoutProgress: 0 });
});

test.each([
  [{}, /stateMachineArn must be a state machine ARN, got undefined/],
  [{ stateMachineArn: 'Upgrade-Machine' }, /stateMachineArn must be a state machine ARN, got "Upgrade-Machine"/],
])('%j is InvalidInputError before any call', async (input, message) => {
  await expect(run(input as ExecutionProgressInput)).rejects.toMatchObject({ name: 'InvalidInputError', message: expect.stringMatching(message) });
  expect(sfnMock.calls()).toHaveLength(0);
});
