import { Template } from 'aws-cdk-lib/assertions';
import { WaitDetection } from '../../lib';
import { upgradeStack } from '../support/example-upgrade';
import { resolvedDefinition, statesByName } from '../support/state-machine-definition';

/** Every state of the synthesized definition (Map iterations included), by name. */
function statesOf(waitDetection?: WaitDetection): Record<string, any> {
  const { stack } = upgradeStack(waitDetection ? { waitDetection } : {});
  return statesByName(resolvedDefinition(Template.fromStack(stack).toJSON()).definition);
}

const pollRetry = (state: any) => state.Retry.find((r: any) => r.ErrorEquals.includes('StillInProgressError'));
const WAITS = {
  stack: 'Stage 1 Roll DockerImage: wait for UPDATE_COMPLETE',
  services: 'Stage 1 Roll DockerImage: wait for steady ECS services',
  gate: 'Stage 1 Roll DockerImage: health gate over Bolt',
  snapshots: 'Preflight: wait for the pre-upgrade snapshots',
};

describe('WaitDetection.LOOK_EVERY_SECOND (the default)', () => {
  const states = statesOf();

  test.each(Object.entries(WAITS))('the %s wait looks every second for 240 s per invocation; its Retry only re-invokes, 1 s apart', (_, name) => {
    const state = states[name];
    expect(state).toBeDefined();
    expect(state.Parameters.Payload.poll).toEqual({ everySeconds: 1, withinSeconds: 240 });
    expect(pollRetry(state)).toMatchObject({ IntervalSeconds: 1, BackoffRate: 1 });
    expect(pollRetry(state).MaxDelaySeconds).toBeUndefined();
  });

  test('the attempts cover each wait\'s budget: 1 h stack update, 30 min services and gate, 6 h snapshots (the first invocation is no retry)', () => {
    expect(pollRetry(states[WAITS.stack]).MaxAttempts).toBe(Math.ceil(3600 / 241) - 1);
    expect(pollRetry(states[WAITS.services]).MaxAttempts).toBe(Math.ceil(1800 / 241) - 1);
    expect(pollRetry(states[WAITS.gate]).MaxAttempts).toBe(Math.ceil(1800 / 241) - 1);
    expect(pollRetry(states[WAITS.snapshots]).MaxAttempts).toBe(Math.ceil(6 * 3600 / 241) - 1);
  });

  test('a polling step whose handler cannot look within an invocation keeps the backoff Retry and gets no poll input', () => {
    const update = states['Stage 1 Roll DockerImage: update the stack parameters'];
    expect(update.Parameters.Payload.poll).toBeUndefined();
    expect(pollRetry(update)).toMatchObject({ IntervalSeconds: 3, BackoffRate: 1.5, MaxDelaySeconds: 20 });
  });

  test('the waiting functions run up to 5 minutes (4 of looks and room for the last one)', () => {
    const { stack } = upgradeStack();
    const fns = Template.fromStack(stack).findResources('AWS::Lambda::Function', { Properties: { Description: 'cdk-neo4j-ecs-upgrades: stack-status' } });
    expect(Object.values(fns).map((f: any) => f.Properties.Timeout)).toEqual([300]);
  });
});

describe('WaitDetection.RETRY_BACKOFF (the polling baseline)', () => {
  const states = statesOf(WaitDetection.RETRY_BACKOFF);

  test.each(Object.entries(WAITS))('the %s wait looks once per invocation and backs off between invocations', (kind, name) => {
    const state = states[name];
    expect(state.Parameters.Payload.poll).toBeUndefined();
    const slow = kind === 'gate' || kind === 'snapshots';
    expect(pollRetry(state)).toMatchObject({ IntervalSeconds: slow ? 5 : 3, BackoffRate: 1.5, MaxDelaySeconds: kind === 'snapshots' ? 60 : 20 });
  });
});
