import {
  DescribeListenersCommand, ElasticLoadBalancingV2Client, Listener, ModifyListenerCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { memoryLogger } from '../../lambda/shared/log';
import { TrafficSwitchInput, logic } from '../../lambda/traffic-switch/logic';

const LISTENER = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/bolt/1/2';
const BLUE = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/blue/1';
const GREEN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/green/2';
const LOCK = '/neo4j-upgrades/production/lock';
const RECORD = `${LOCK}/traffic-switch`;
const EXECUTION = 'arn:aws:states:us-east-1:123456789012:execution:bg:run-1';

const elb = mockClient(ElasticLoadBalancingV2Client);
const ssm = mockClient(SSMClient);
const deps = { elb: new ElasticLoadBalancingV2Client({}), ssm: new SSMClient({}), log: memoryLogger() };
const run = (input: Partial<TrafficSwitchInput>) => logic(deps, {
  action: 'switch', listenerArn: LISTENER, targetGroups: { blue: BLUE, green: GREEN }, lockParameterName: LOCK, executionId: EXECUTION, ...input,
} as TrafficSwitchInput);

/** The listener as DescribeListeners gives it; ModifyListener changes what the next Describe answers. */
function listener(protocol: string, action: Listener['DefaultActions']): void {
  let current = action;
  elb.on(DescribeListenersCommand).callsFake(() => ({ Listeners: [{ ListenerArn: LISTENER, Protocol: protocol, DefaultActions: current }] }));
  elb.on(ModifyListenerCommand).callsFake((input) => { current = input.DefaultActions; return {}; });
}
function record(value?: object): void {
  let stored = value && JSON.stringify(value);
  ssm.on(GetParameterCommand).callsFake(() => {
    if (stored === undefined) throw Object.assign(new Error('not found'), { name: 'ParameterNotFound' });
    return { Parameter: { Name: RECORD, Value: stored, Version: 1 } };
  });
  ssm.on(PutParameterCommand).callsFake((input) => { stored = input.Value; return { Version: 2 }; });
}

beforeEach(() => {
  elb.reset();
  ssm.reset();
  record();
});

describe('traffic-switch: bad input is InvalidInputError before any call', () => {
  test.each([
    ['weights not summing to 100', { weights: { blue: 40, green: 50 } }, /weights must sum to 100, got \{"blue":40,"green":50\} \(sum 90\)/],
    ['an unknown colour', { weights: { purple: 100 } }, /weights.purple names no target group \(known: blue, green\)/],
    ['a fractional weight', { weights: { blue: 99.5, green: 0.5 } }, /weights.blue must be an integer from 0 to 100, got 99.5/],
    ['a weight over 100', { weights: { blue: 110, green: -10 } }, /weights.blue must be an integer from 0 to 100, got 110/],
    ['no weights on a switch', { weights: undefined }, /weights must be an object of colour -> percent, got undefined/],
    ['an unknown action', { action: 'flip' }, /action must be one of switch, rollback, got "flip"/],
    ['one target group twice', { targetGroups: { blue: BLUE, green: BLUE } }, /targetGroups names one target group twice/],
    ['a lock name that is no path', { lockParameterName: 'lock' }, /lockParameterName must be a path starting with \/, got "lock"/],
    ['no execution', { executionId: '' }, /executionId must be a non-empty string, got ""/],
  ])('%s', async (_what, input, message) => {
    await expect(run({ weights: { green: 100 }, ...input } as Partial<TrafficSwitchInput>)).rejects.toMatchObject({ name: 'InvalidInputError', message: expect.stringMatching(message) });
    expect(elb.calls()).toHaveLength(0);
    expect(ssm.calls()).toHaveLength(0);
  });
});

describe('traffic-switch on an Application Load Balancer listener (weighted forward)', () => {
  beforeEach(() => listener('HTTP', [{ Type: 'forward', TargetGroupArn: BLUE }]));

  test('a gradual switch: the first step records the weights before it, later steps keep that record', async () => {
    await expect(run({ weights: { blue: 90, green: 10 } })).resolves.toEqual({
      action: 'switch', previous: { blue: 100, green: 0 }, weights: { blue: 90, green: 10 }, changed: true,
    });
    expect(ssm).toHaveReceivedCommandWith(PutParameterCommand, {
      Name: RECORD, Type: 'String', Overwrite: true, Value: JSON.stringify({ executionId: EXECUTION, listenerArn: LISTENER, before: { blue: 100, green: 0 } }),
    });
    expect(elb).toHaveReceivedCommandWith(ModifyListenerCommand, {
      ListenerArn: LISTENER,
      DefaultActions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: BLUE, Weight: 90 }, { TargetGroupArn: GREEN, Weight: 10 }] } }],
    });
    await run({ weights: { green: 100 } });
    expect(ssm).toHaveReceivedCommandTimes(PutParameterCommand, 1);
    expect(elb).toHaveReceivedNthSpecificCommandWith(2, ModifyListenerCommand, { DefaultActions: [{ Type: 'forward', TargetGroupArn: GREEN }] });

    await expect(run({ action: 'rollback' })).resolves.toEqual({
      action: 'rollback', previous: { blue: 0, green: 100 }, weights: { blue: 100, green: 0 }, changed: true,
    });
    expect(elb).toHaveReceivedNthSpecificCommandWith(3, ModifyListenerCommand, { DefaultActions: [{ Type: 'forward', TargetGroupArn: BLUE }] });
  });

  test('the same weights twice: the second call modifies nothing', async () => {
    const first = await run({ weights: { blue: 50, green: 50 } });
    const second = await run({ weights: { blue: 50, green: 50 } });
    expect(first.changed).toBe(true);
    expect(second).toEqual({ ...first, previous: first.weights, changed: false });
    expect(elb).toHaveReceivedCommandTimes(ModifyListenerCommand, 1);
    expect(ssm).toHaveReceivedCommandTimes(PutParameterCommand, 1);
  });

  test('a rollback restores split weights exactly', async () => {
    listener('HTTP', [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: BLUE, Weight: 3 }, { TargetGroupArn: GREEN, Weight: 1 }] } }]);
    await run({ weights: { green: 100 } });
    await expect(run({ action: 'rollback' })).resolves.toMatchObject({ weights: { blue: 75, green: 25 }, changed: true });
    expect(elb).toHaveReceivedNthSpecificCommandWith(2, ModifyListenerCommand, {
      DefaultActions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: BLUE, Weight: 75 }, { TargetGroupArn: GREEN, Weight: 25 }] } }],
    });
  });

  test('a rollback with no switch of this execution recorded changes nothing', async () => {
    record({ executionId: 'an-earlier-execution', listenerArn: LISTENER, before: { blue: 0, green: 100 } });
    await expect(run({ action: 'rollback' })).resolves.toEqual({
      action: 'rollback', previous: { blue: 100, green: 0 }, weights: { blue: 100, green: 0 }, changed: false,
    });
    expect(elb).toHaveReceivedCommandTimes(ModifyListenerCommand, 0);
  });

  test('an earlier execution\'s record is replaced by this execution\'s first step', async () => {
    record({ executionId: 'an-earlier-execution', listenerArn: LISTENER, before: { blue: 0, green: 100 } });
    await run({ weights: { green: 100 } });
    expect(ssm).toHaveReceivedCommandWith(PutParameterCommand, { Value: expect.stringContaining(`"before":{"blue":100,"green":0}`) });
  });
});

describe('traffic-switch refusals after reading the listener: nothing modified', () => {
  test('a listener forwarding to a target group the input does not name', async () => {
    listener('TCP', [{ Type: 'forward', TargetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/other/3' }]);
    await expect(run({ weights: { green: 100 } })).rejects.toMatchObject({ name: 'InvalidInputError', message: expect.stringMatching(/targetGroups does not name .*targetgroup\/other\/3/) });
    expect(elb).toHaveReceivedCommandTimes(ModifyListenerCommand, 0);
  });

  test('a listener whose default action is not one forward', async () => {
    listener('TCP', [{ Type: 'fixed-response' }]);
    await expect(run({ weights: { green: 100 } })).rejects.toMatchObject({ name: 'PreconditionFailedError', message: expect.stringMatching(/one forward default action, has fixed-response/) });
    expect(elb).toHaveReceivedCommandTimes(ModifyListenerCommand, 0);
  });
});
