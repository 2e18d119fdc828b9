import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ProcedurePolling } from '../../lib';
import { offlineUpgradeStack } from '../support/example-offline-upgrade';
import { rollingUpgradeStack } from '../support/example-rolling-upgrade';
import { resolvedDefinition, statesByName } from '../support/state-machine-definition';

/** Every state of the synthesized definition (Map iterations included), by name. */
const statesOf = (stack: Stack): Record<string, any> => statesByName(resolvedDefinition(Template.fromStack(stack).toJSON()).definition);
const pollRetry = (state: any) => state.Retry.find((r: any) => r.ErrorEquals.includes('StillInProgressError'));
const polling = new ProcedurePolling({ healthGateTimeout: Duration.minutes(4), servicesSteadyTimeout: Duration.minutes(10) });

describe('the per-server procedures take a ProcedurePolling for every wait', () => {
  const rolling = { custom: statesOf(rollingUpgradeStack(undefined, {}, { polling }).stack), standard: statesOf(rollingUpgradeStack().stack) };
  const offline = { custom: statesOf(offlineUpgradeStack(undefined, { polling }).stack), standard: statesOf(offlineUpgradeStack().stack) };

  test.each([
    ['rolling, the gate after each server', rolling, 'Stage 1 Roll the servers: cluster gate after the server'],
    ['rolling, the rollback\'s gate after each server', rolling, 'Rollback: servers back: cluster gate after the server'],
    ['offline, the gate at the target version', offline, 'Stage 6 Start every server at the target: cluster gate at the target version'],
  ])('%s: a 4 min healthGateTimeout is one invocation of 240 s of looks, no retry (30 min by default)', (_, states, name) => {
    expect(states.custom[name].Parameters.Payload.poll).toEqual({ everySeconds: 1, withinSeconds: 240 });
    expect(pollRetry(states.custom[name]).MaxAttempts).toBe(0);
    expect(pollRetry(states.standard[name]).MaxAttempts).toBe(Math.ceil(1800 / 241) - 1);
  });

  test('a 10 min servicesSteadyTimeout bounds the rolling server\'s service wait (30 min by default)', () => {
    const name = "Stage 1 Roll the servers: wait for the server's service";
    expect(pollRetry(rolling.custom[name]).MaxAttempts).toBe(Math.ceil(600 / 241) - 1);
    expect(pollRetry(rolling.standard[name]).MaxAttempts).toBe(Math.ceil(1800 / 241) - 1);
  });

  test('a budget shorter than one invocation\'s looks bounds that invocation', () => {
    const short = statesOf(rollingUpgradeStack(undefined, {}, { polling: new ProcedurePolling({ healthGateTimeout: Duration.seconds(90) }) }).stack);
    const gate = short['Stage 1 Roll the servers: cluster gate after the server'];
    expect(gate.Parameters.Payload.poll).toEqual({ everySeconds: 1, withinSeconds: 90 });
    expect(pollRetry(gate).MaxAttempts).toBe(0);
  });
});
