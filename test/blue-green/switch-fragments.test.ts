/**
 * The blue/green fragments as synthesized: the compatibility stop, then the switch with a bake, each
 * failure after the switch going through the switch-back to the failure path; the bake's looks, budget
 * and IAM; bad props refused at synth.
 */
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildSwitchProcedure, switchProcedureDefinition } from './switch-procedure-app';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator = require('asl-validator');

const ENDPOINT = {
  listenerArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/net/neo4j-bolt/50dc6c495c0c9188/f2f7dc8efc522ab2',
  boltUri: 'bolt://internal-neo4j-bolt.elb.us-east-1.amazonaws.com:7687',
  targetGroupArns: {
    blue: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/neo4j-blue/73e2d6bc24d8a067',
    green: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/neo4j-green/6d0ecf831eec9f09',
  },
};
const ALARMS = ['neo4j-green-errors', 'neo4j-green-latency'].map((n) => `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${n}`);
const PROPS = {
  endpoint: ENDPOINT, alarmArns: ALARMS, greenBoltUri: 'bolt://neo4j-green.internal:7687', bakeTime: Duration.minutes(10),
  credentialsSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:neo4j-prod-admin-AbCdEf',
  queries: [{ name: 'people', cypher: 'MATCH (p:Person) RETURN count(p) AS n', expectedRows: [{ n: 3 }] }],
};

describe('the compatibility stop and the switch with a bake', () => {
  const built = buildSwitchProcedure(PROPS);
  const { template, definition } = switchProcedureDefinition(built);
  const states = definition.States;

  test('a valid definition: proof, switch, bake start, bake, baked; every failure after the switch goes through the switch-back', () => {
    const { isValid, errorsText } = aslValidator(definition);
    expect(isValid ? '' : errorsText('\n')).toBe('');
    expect(definition.StartAt).toBe('Proof before the switch: compatibility queries on green');
    expect(states['Proof before the switch: compatibility queries on green']).toMatchObject({
      Next: 'Switch: switch the endpoint to green',
      Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Stopped: traffic on blue', ResultPath: '$.error' }],
      Parameters: { Payload: { greenBoltUri: PROPS.greenBoltUri, queries: PROPS.queries, 'cluster.$': '$.cluster' } },
    });
    expect(states['Switch: bake on green'].Catch).toEqual([{ ErrorEquals: ['States.ALL'], Next: 'Switch: switch back to blue', ResultPath: '$.error' }]);
    // A switch that timed out may still be running: the switch-back waits until its function cannot be alive.
    expect(states['Switch: switch the endpoint to green'].Catch).toEqual([
      { ErrorEquals: ['States.Timeout'], Next: 'Switch: the timed-out switch ends', ResultPath: '$.error' },
      { ErrorEquals: ['States.ALL'], Next: 'Switch: switch back to blue', ResultPath: '$.error' },
    ]);
    expect(states['Switch: the timed-out switch ends']).toMatchObject({ Type: 'Wait', Seconds: 60, Next: 'Switch: switch back to blue' });
    expect(states['Switch: switch back to blue'].Retry).toEqual(expect.arrayContaining([{ ErrorEquals: ['States.Timeout'], IntervalSeconds: 1, MaxAttempts: 2 }]));
    expect(states['Switch: switch the endpoint to green']).toMatchObject({
      TimeoutSeconds: 60, Next: 'Switch: traffic on green, the bake starts',
      Parameters: { Payload: { action: 'switch', weights: { blue: 0, green: 100 }, listenerArn: ENDPOINT.listenerArn, targetGroups: ENDPOINT.targetGroupArns } },
    });
    expect(states['Switch: traffic on green, the bake starts']).toMatchObject({ Parameters: { 'at.$': '$$.State.EnteredTime' }, Next: 'Switch: bake on green' });
    expect(states['Switch: switch back to blue']).toMatchObject({
      TimeoutSeconds: 60, Next: 'Switch: traffic back on blue', Parameters: { Payload: { action: 'rollback', 'executionId.$': '$$.Execution.Name' } },
      Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Stopped: traffic on blue', ResultPath: '$.error' }],
    });
    expect(states['Switch: traffic back on blue'].Next).toBe('Stopped: traffic on blue');
    expect(states['Switch: bake on green'].Next).toBe('Switch: green baked');
  });

  test('the bake looks every second within an invocation, its Retry covering the bake time plus a minute', () => {
    const bake = states['Switch: bake on green'];
    expect(bake.Parameters.Payload).toMatchObject({
      alarmNames: ['neo4j-green-errors', 'neo4j-green-latency'], probeBoltUri: ENDPOINT.boltUri, bakeSeconds: 600,
      'bakeStartedAt.$': '$.results.switch.bakeStartedAt.at', poll: { everySeconds: 1, withinSeconds: 240 },
    });
    // 11 minutes of budget in invocations of 4 minutes of looks plus 1 s of Retry interval: the first and 2 retries.
    expect(bake.Retry).toEqual(expect.arrayContaining([{ ErrorEquals: ['StillInProgressError'], IntervalSeconds: 1, BackoffRate: 1, MaxAttempts: 2 }]));
  });

  test('cloudwatch: only DescribeAlarms, on the bake alarms only', () => {
    const policies = Template.fromJSON(template).findResources('AWS::IAM::Policy');
    const statements = Object.entries<any>(policies).flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    expect(statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('cloudwatch:'))))
      .toEqual([expect.objectContaining({ Sid: 'ReadTheBakeAlarms', Action: 'cloudwatch:DescribeAlarms', Resource: ALARMS })]);
  });
});

describe('a gradual switch: trafficSteps', () => {
  const { definition } = switchProcedureDefinition(buildSwitchProcedure({ ...PROPS, trafficSteps: [10, 50, 100] }));
  const states = definition.States;

  test('each step moves the weights, then bakes under the alarms; a failure at any step switches all traffic back to blue', () => {
    const { isValid, errorsText } = aslValidator(definition);
    expect(isValid ? '' : errorsText('\n')).toBe('');
    const chain = [10, 50, 100].flatMap((p) => [`Switch: green at ${p}%`, `Switch: green at ${p}%, the bake starts`, `Switch: bake at ${p}%`]);
    expect(states['Proof before the switch: compatibility queries on green'].Next).toBe(chain[0]);
    chain.forEach((name, i) => expect([name, states[name].Next]).toEqual([name, chain[i + 1] ?? 'Switch: green baked']));
    for (const p of [10, 50, 100]) {
      expect(states[`Switch: green at ${p}%`].Parameters.Payload).toMatchObject({ action: 'switch', weights: { blue: 100 - p, green: p } });
      expect(states[`Switch: green at ${p}%`].Catch).toEqual([
        { ErrorEquals: ['States.Timeout'], Next: `Switch: the timed-out switch to ${p}% ends`, ResultPath: '$.error' },
        { ErrorEquals: ['States.ALL'], Next: 'Switch: switch back to blue', ResultPath: '$.error' },
      ]);
      expect(states[`Switch: bake at ${p}%`]).toMatchObject({
        Parameters: { Payload: { bakeSeconds: 600, 'bakeStartedAt.$': '$.results.switch.bakeStartedAt.at' } },
        Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Switch: switch back to blue', ResultPath: '$.error' }],
      });
    }
    expect(states['Switch: switch the endpoint to green']).toBeUndefined();
  });

  test.each([
    [[], /Invalid trafficSteps \(got \[\]\): must hold 1 to 10 steps/],
    [[50, 50, 100], /Invalid trafficSteps \(got \[50,50,100\]\): must increase step by step/],
    [[0, 100], /Invalid trafficSteps \(got \[0,100\]\): must be whole percents in \(0, 100\]: 0 is not/],
    [[10, 101], /101 is not/],
    [[12.5, 100], /12.5 is not/],
    [[10, 50], /Invalid trafficSteps \(got \[10,50\]\): must end at 100/],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100], /must hold 1 to 10 steps/],
  ])('refuses %p', (trafficSteps, message) => {
    expect(() => buildSwitchProcedure({ ...PROPS, trafficSteps })).toThrow(message);
  });
});

describe('refused at synth', () => {
  test.each([
    ['bakeTime', { bakeTime: Duration.millis(1500) }, /Invalid bakeTime \(got 1.5 seconds\)/],
    ['bakeTime', { bakeTime: Duration.hours(25) }, /Invalid bakeTime \(got 90000 seconds\)/],
    ['switchTimeout', { switchTimeout: Duration.seconds(61) }, /Invalid switchTimeout \(got 61 seconds\): must be a whole number of seconds from 1 to 60/],
    ['no bake alarms', { alarmArns: [] }, /Invalid context.handlers.bakeAlarms \(got \[\]\)/],
    ['no queries', { queries: [] }, /Invalid queries \(got \[\]\)/],
    ['a query named twice', { queries: [...PROPS.queries, ...PROPS.queries] }, /Invalid queries \(got people\): names a query twice/],
  ])('%s', (_what, over, message) => {
    expect(() => buildSwitchProcedure({ ...PROPS, ...over })).toThrow(message);
  });
});
