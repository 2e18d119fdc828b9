import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { PublishResultInput, logic } from '../../lambda/publish-result/logic';
import { memoryLogger } from '../../lambda/shared/log';
import { awsError, clusterContext } from './fixtures/upgrade-stack';

const snsMock = mockClient(SNSClient);
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:neo4j-upgrades';
const EXEC = 'arn:aws:states:us-east-1:123456789012:execution:neo4j-upgrade:run-1';
const run = (input: Partial<PublishResultInput>) => logic(
  { sns: new SNSClient({}), log: memoryLogger(), now: () => new Date('2026-06-01T13:02:03Z') },
  { cluster: clusterContext('neo4j-prod'), executionArn: EXEC, topicArn: TOPIC, outcome: 'SUCCEEDED', ...input } as PublishResultInput,
);

beforeEach(() => {
  snsMock.reset();
  snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
});

test('success: per-stage timings in the order they ran, the summary and the JSON result', async () => {
  const out = await run({
    startedAt: '2026-06-01T12:00:00Z',
    plan: { fromVersion: '3.5.34', toVersion: '3.5.35', dockerImage: 'neo4j:3.5.35-enterprise', comment: 'CHG-42' },
    stages: {
      'single-master': { startedAt: '2026-06-01T12:10:00Z', endedAt: '2026-06-01T12:40:30Z' },
      'roll-image': { startedAt: '2026-06-01T12:00:05Z', endedAt: '2026-06-01T12:10:00Z' },
      'scale-out': { startedAt: '2026-06-01T12:41:00Z' },
    },
  });
  expect(out).toEqual({
    outcome: 'SUCCEEDED', stackName: 'neo4j-prod', executionArn: EXEC,
    fromVersion: '3.5.34', toVersion: '3.5.35', dockerImage: 'neo4j:3.5.35-enterprise', comment: 'CHG-42',
    startedAt: '2026-06-01T12:00:00Z', endedAt: '2026-06-01T13:02:03.000Z', durationSeconds: 3723,
    stages: [
      { name: 'roll-image', startedAt: '2026-06-01T12:00:05Z', endedAt: '2026-06-01T12:10:00Z', durationSeconds: 595 },
      { name: 'single-master', startedAt: '2026-06-01T12:10:00Z', endedAt: '2026-06-01T12:40:30Z', durationSeconds: 1830 },
      { name: 'scale-out', startedAt: '2026-06-01T12:41:00Z' },
    ],
    messageId: 'm-1',
  });
  expect(snsMock).toHaveReceivedCommandWith(PublishCommand, { TopicArn: TOPIC, Subject: 'Neo4j upgrade SUCCEEDED: neo4j-prod' });
  const message = snsMock.commandCalls(PublishCommand)[0].args[0].input.Message!;
  expect(message).toContain('Neo4j upgrade of stack neo4j-prod: SUCCEEDED\n3.5.34 -> 3.5.35 (neo4j:3.5.35-enterprise)\nCHG-42');
  expect(message).toContain('Took: 1h 02m 03s');
  expect(message).toContain('  single-master      30m 30s  2026-06-01T12:10:00Z -> 2026-06-01T12:40:30Z');
  expect(message).toContain('  scale-out                ?  2026-06-01T12:41:00Z -> -');
  expect({ ...JSON.parse(message.slice(message.indexOf('\n\n{') + 2)), messageId: 'm-1' }).toEqual(out);
});

test('failure: the Lambda error cause is unpacked; a list of stages and bad timestamps are tolerated', async () => {
  const out = await run({
    outcome: 'ROLLED_BACK',
    error: { Error: 'StackUpdateFailedError', Cause: JSON.stringify({ errorType: 'StackUpdateFailedError', errorMessage: 'stack neo4j-prod update failed: UPDATE_ROLLBACK_COMPLETE', trace: [] }) },
    stages: [{ name: 'roll-image', startedAt: 'yesterday', endedAt: '2026-06-01T12:10:00Z' }, { startedAt: '2026-06-01T12:00:00Z' }],
  });
  expect(out.error).toEqual({ name: 'StackUpdateFailedError', message: 'stack neo4j-prod update failed: UPDATE_ROLLBACK_COMPLETE' });
  expect(out.stages).toEqual([
    { name: 'stage-2', startedAt: '2026-06-01T12:00:00Z' },
    { name: 'roll-image', startedAt: 'yesterday', endedAt: '2026-06-01T12:10:00Z' },
  ]);
  expect(out.durationSeconds).toBeUndefined();
  const message = snsMock.commandCalls(PublishCommand)[0].args[0].input.Message!;
  expect(message).toContain('Error: StackUpdateFailedError: stack neo4j-prod update failed: UPDATE_ROLLBACK_COMPLETE');
  await expect(run({ outcome: 'FAILED', error: { Error: 'States.Timeout', Cause: 'plain text' } })).resolves.toMatchObject({
    error: { name: 'States.Timeout', message: 'plain text' }, stages: [],
  });
});

test('stages from the state machine progress record; the unfinished stage, snapshots and volumes are reported', async () => {
  const snapshots = { preUpgrade: { Payload: { snapshots: [{ snapshotId: 'snap-1', volumeId: 'vol-1' }] } } };
  const out = await run({
    outcome: 'ROLLED_BACK',
    progress: {
      pastPointOfNoReturn: true,
      current: { key: 'backToHa', name: 'Stage 4 Back to HA', startedAt: '2026-06-01T12:30:00Z' },
      completed: {
        rollImage: { name: 'Stage 1 Roll DockerImage', startedAt: '2026-06-01T12:00:00Z', endedAt: '2026-06-01T12:10:00Z' },
        singleMaster: { name: 'Stage 2 Single master', startedAt: '2026-06-01T12:10:00Z', endedAt: '2026-06-01T12:25:00Z' },
      },
    },
    snapshots,
    volumes: null,
  });
  expect(out).toMatchObject({
    stages: [
      { name: 'rollImage', title: 'Stage 1 Roll DockerImage', durationSeconds: 600 },
      { name: 'singleMaster', title: 'Stage 2 Single master', durationSeconds: 900 },
      { name: 'backToHa', title: 'Stage 4 Back to HA', startedAt: '2026-06-01T12:30:00Z' },
    ],
    unfinishedStage: 'backToHa',
    pastPointOfNoReturn: true,
    snapshots,
  });
  expect(out).not.toHaveProperty('volumes');
  const message = snsMock.commandCalls(PublishCommand)[0].args[0].input.Message!;
  expect(message).toContain('Unfinished stage: backToHa\nPast the point of no return (store upgraded): yes');
  expect(message).toContain('"snapshotId": "snap-1"');
});

test('a result too large for SNS keeps the summary only', async () => {
  await run({ volumes: { ids: Array.from({ length: 20000 }, (_, i) => `vol-${String(i).padStart(17, '0')}`) } });
  const message = snsMock.commandCalls(PublishCommand)[0].args[0].input.Message!;
  expect(message).toMatch(/the JSON result is too large for SNS: see the execution output\)$/);
  expect(Buffer.byteLength(message)).toBeLessThan(256 * 1024);
});

test('a FIFO topic gets a deduplication id per execution and outcome', async () => {
  const fifo = 'arn:aws:sns:us-east-1:123456789012:neo4j-upgrades.fifo';
  await run({ topicArn: fifo });
  await run({ topicArn: fifo });
  const [a, b] = snsMock.commandCalls(PublishCommand).map((c) => c.args[0].input);
  expect(a).toMatchObject({ MessageGroupId: 'neo4j-prod', MessageDeduplicationId: expect.stringMatching(/^[0-9a-f]{64}$/) });
  expect(b.MessageDeduplicationId).toBe(a.MessageDeduplicationId);
  expect(snsMock.commandCalls(PublishCommand).length).toBe(2);
});

test.each([
  [{ outcome: 'DONE' }, /outcome must be one of SUCCEEDED, FAILED, ROLLED_BACK, STOPPED, ABORTED, got "DONE"/],
  [{ topicArn: 'x' }, /topicArn must be an SNS topic ARN/],
  [{ executionArn: undefined }, /executionArn must be a non-empty string/],
  [{ cluster: {} }, /cluster\.stackName/],
])('%j is InvalidInputError before publishing', async (input, message) => {
  await expect(run(input as Partial<PublishResultInput>)).rejects.toMatchObject({ name: 'InvalidInputError', message: expect.stringMatching(message) });
  expect(snsMock.calls()).toHaveLength(0);
});

test('SNS errors pass through by name', async () => {
  snsMock.on(PublishCommand).rejects(awsError('NotFoundException', 'Topic does not exist'));
  await expect(run({})).rejects.toMatchObject({ name: 'NotFoundException' });
});

test('what the procedure retained (a stopped blue and where its volumes are) is carried into the result and the message', async () => {
  const retained = { stopped: true, stackName: 'neo4j-prod', dataVolumeIds: ['vol-1', 'vol-2'], snapshotIds: ['snap-1', 'snap-2'] };
  expect(await run({ retained })).toMatchObject({ retained });
  expect(snsMock.commandCalls(PublishCommand)[0].args[0].input.Message).toContain('"dataVolumeIds": [\n');
  expect(await run({})).not.toHaveProperty('retained');
});
