/**
 * The bake's watch in detail (aws-sdk-client-mock for CloudWatch and Secrets Manager, a scripted Bolt
 * probe, the rehearsal-style clock): bad input refused before any call, looks every second until the
 * bake time, an alarm or a failed probe ends the bake at once, a missing alarm never passes.
 * The real-parts run is switch-with-bake.rehearsal.test.ts.
 */
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { BakeWatchInput, logic } from '../../lambda/bake-watch/logic';
import { BoltConnect } from '../../lambda/shared/bolt';
import { memoryLogger } from '../../lambda/shared/log';

const cloudwatch = mockClient(CloudWatchClient);
const secrets = mockClient(SecretsManagerClient);
const STARTED = Date.parse('2026-12-01T18:00:00Z');
let clock = STARTED;
let probes = 0;
let probeFails = false;
const connect: BoltConnect = () => ({
  serverInfo: async () => ({ address: '', agent: '', protocolVersion: '' }),
  query: async () => { probes++; if (probeFails) throw Object.assign(new Error('Connection was closed by server'), { code: 'ServiceUnavailable' }); return [{ ok: 1 }]; },
  close: async () => undefined,
});
const deps = {
  cloudwatch: new CloudWatchClient({}), secrets: new SecretsManagerClient({}), connect, log: memoryLogger(),
  now: () => new Date(clock), sleep: async (ms: number) => { clock += ms; },
};
const INPUT: BakeWatchInput = {
  cluster: { credentialsSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:neo4j-admin' },
  alarmNames: ['green-errors', 'green-latency'], probeBoltUri: 'bolt://endpoint.internal:7687',
  bakeStartedAt: new Date(STARTED).toISOString(), bakeSeconds: 5, poll: { everySeconds: 1, withinSeconds: 240 },
};
const run = (over: Partial<BakeWatchInput> = {}) => logic(deps, { ...INPUT, ...over });
const alarms = (states: Record<string, string>) => cloudwatch.on(DescribeAlarmsCommand).resolves({
  MetricAlarms: Object.entries(states).map(([name, state]) => ({ AlarmName: name, StateValue: state as never, StateReason: `${name} reason` })),
});

beforeEach(() => {
  cloudwatch.reset();
  secrets.reset();
  secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ username: 'neo4j', password: 'secret-password' }) });
  clock = STARTED;
  probes = 0;
  probeFails = false;
});

test.each([
  [{ alarmNames: [] }, /alarmNames must be an array of at least 1/],
  [{ probeBoltUri: 'http://endpoint:7474' }, /probeBoltUri must be a bolt:\/\/ or neo4j:\/\/ URI, got "http:\/\/endpoint:7474"/],
  [{ bakeStartedAt: 'yesterday' }, /bakeStartedAt must be an ISO 8601 time, got "yesterday"/],
  [{ bakeSeconds: 0 }, /bakeSeconds must be an integer >= 1, got 0/],
  [{ poll: { everySeconds: 0, withinSeconds: 10 } }, /poll.everySeconds must be an integer from 1 to 60, got 0/],
  [{ cluster: {} as never }, /cluster.credentialsSecretArn must be a non-empty string/],
])('refuses %j before any call', async (over, message) => {
  await expect(run(over)).rejects.toMatchObject({ name: 'InvalidInputError', message: expect.stringMatching(message) });
  expect(cloudwatch).not.toHaveReceivedAnyCommand();
  expect(secrets).not.toHaveReceivedAnyCommand();
});

test('looks every second (alarms and probe) until the bake time has passed', async () => {
  alarms({ 'green-errors': 'OK', 'green-latency': 'INSUFFICIENT_DATA' });
  await expect(run()).resolves.toEqual({ baked: true, bakedSeconds: 5, looks: 6 });
  expect(cloudwatch).toHaveReceivedCommandTimes(DescribeAlarmsCommand, 6);
  expect(cloudwatch).toHaveReceivedCommandWith(DescribeAlarmsCommand, { AlarmNames: ['green-errors', 'green-latency'] });
  expect(probes).toBe(6);
});

test('an alarm in ALARM ends the bake at once with BakeFailedError naming it', async () => {
  alarms({ 'green-errors': 'ALARM', 'green-latency': 'OK' });
  await expect(run()).rejects.toMatchObject({ name: 'BakeFailedError', message: 'alarm green-errors (green-errors reason) in ALARM during the bake' });
  expect(probes).toBe(0);
});

test('a failed probe through the endpoint ends the bake with BakeFailedError', async () => {
  alarms({ 'green-errors': 'OK', 'green-latency': 'OK' });
  probeFails = true;
  await expect(run()).rejects.toMatchObject({ name: 'BakeFailedError', message: expect.stringContaining('probe through bolt://endpoint.internal:7687 failed during the bake: Connection was closed') });
});

test('an alarm that does not exist: the bake never passes', async () => {
  alarms({ 'green-errors': 'OK' });
  await expect(run()).rejects.toMatchObject({ name: 'PreconditionFailedError', message: 'bake alarm(s) green-latency not found' });
});

test('the invocation\'s budget spent before the bake time: StillInProgressError for the Retry', async () => {
  alarms({ 'green-errors': 'OK', 'green-latency': 'OK' });
  await expect(run({ bakeSeconds: 600, poll: { everySeconds: 1, withinSeconds: 3 } }))
    .rejects.toMatchObject({ name: 'StillInProgressError', message: expect.stringMatching(/baking on green: 3 s of 600 s/) });
});
