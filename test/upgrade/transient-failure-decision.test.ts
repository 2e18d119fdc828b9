import { Template } from 'aws-cdk-lib/assertions';
import { TRANSIENT_ERRORS, TransientFailureAction } from '../../lib';
import { upgradeStack } from '../support/example-upgrade';
import { resolvedDefinition, statesByName } from '../support/state-machine-definition';

// asl-validator has no types of its own.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator = require('asl-validator');

function statesOf(props: Parameters<typeof upgradeStack>[0]) {
  const { stack } = upgradeStack(props);
  const { definition } = resolvedDefinition(Template.fromStack(stack).toJSON());
  return { definition, states: statesByName(definition) };
}

const catchTarget = (state: any) => state.Catch?.[0]?.Next;
const STAGE_DECISION = 'Stage failure: transient, before the point of no return?';
const PREFLIGHT_DECISION = 'Preflight: transient, before the point of no return?';

describe('onTransientFailure', () => {
  const asking = statesOf({ onTransientFailure: TransientFailureAction.ASK_OPERATOR });
  const s = asking.states;

  test('ROLL_BACK (the default) adds no state: every stage failure goes straight to the rollback', () => {
    const { states } = statesOf({});
    expect(Object.keys(states).filter((n) => /retry or roll back|transient, before/.test(n))).toEqual([]);
    expect(catchTarget(states['Stage 1 Roll DockerImage: update the stack parameters'])).toBe('Rollback: past the point of no return?');
    expect(catchTarget(states['Preflight: wait for the pre-upgrade snapshots'])).toBe('Preflight failed after the lock: release the lock');
  });

  test('ASK_OPERATOR: the definition passes asl-validator', () => {
    const { isValid, errorsText } = aslValidator(asking.definition);
    expect(isValid ? '' : errorsText('\n')).toBe('');
  });

  test('stage failures and preflight failures after the lock go to a decision; before the lock nothing changes', () => {
    expect(catchTarget(s['Stage 1 Roll DockerImage: update the stack parameters'])).toBe(STAGE_DECISION);
    expect(catchTarget(s['Stage 7 Scale out: update the stack parameters'])).toBe(STAGE_DECISION);
    expect(catchTarget(s['Preflight: wait for the pre-upgrade snapshots'])).toBe(PREFLIGHT_DECISION);
    expect(catchTarget(s['Preflight: record the pre-upgrade parameters'])).toBe(PREFLIGHT_DECISION);
    expect(catchTarget(s['Preflight: take the upgrade lock'])).toBe('Refused before any change');
    // The rollback's own failures never loop back into a decision.
    expect(catchTarget(s['Rollback: restore the pre-upgrade parameters'])).toBe('Rollback failed: lock kept for an operator');
  });

  test('only a transient error, before the point of no return, asks; anything else rolls back at once', () => {
    const choice = s[STAGE_DECISION];
    expect(choice.Default).toBe('Rollback: past the point of no return?');
    expect(choice.Choices).toHaveLength(1);
    const [errors, ponr] = choice.Choices[0].And;
    const names = errors.Or.map((c: any) => c.StringEquals);
    expect(names).toEqual(expect.arrayContaining([...TRANSIENT_ERRORS, 'StillInProgressError', 'HealthGateError', 'States.Timeout']));
    expect(names).not.toContain('PreconditionFailedError');
    expect(names).not.toContain('States.ALL');
    expect(ponr.Or).toEqual([
      { Variable: '$.progress.pastPointOfNoReturn', IsPresent: false },
      { Variable: '$.progress.pastPointOfNoReturn', BooleanEquals: false },
    ]);
    expect(choice.Choices[0].Next).toBe('Stage failure: wait for an operator to retry or roll back');
  });

  test('the request waits where approvals wait, keeps the original error, and a rejection or timeout rolls back', () => {
    const ask = s['Stage failure: wait for an operator to retry or roll back'];
    expect(ask.Resource).toMatch(/waitForTaskToken$/);
    expect(ask.TimeoutSecondsPath).toBe('$.plan.timeouts.approvalSeconds');
    expect(ask.Parameters.Payload).toMatchObject({ stage: 'retry-stage', 'taskToken.$': '$$.Task.Token' });
    expect(ask.ResultPath).toBe('$.decision');
    expect(ask.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.decision', Next: 'Rollback: past the point of no return?' }]);
    expect(s['Preflight: wait for an operator to retry or roll back'].Catch[0].Next).toBe('Preflight failed after the lock: release the lock');
  });

  test('approved, the failed stage runs again from its start; the preflight from the parameter record', () => {
    const again = s['Stage failure: run which stage again?'];
    const byKey = Object.fromEntries(again.Choices.map((c: any) => [c.And[1].StringEquals, c.Next]));
    expect(byKey).toMatchObject({
      rollImage: 'Stage 1 Roll DockerImage: begin',
      singleMaster: 'Stage 2 Single master with AllowUpgrade: begin',
      slaveBackToHa: 'Stage 8 SlaveMode back to HA: begin',
    });
    expect(Object.keys(byKey)).toHaveLength(8);
    expect(again.Default).toBe('Rollback: past the point of no return?');
    expect(s['Preflight: wait for an operator to retry or roll back'].Next).toBe('Preflight: record the pre-upgrade parameters');
  });
});
