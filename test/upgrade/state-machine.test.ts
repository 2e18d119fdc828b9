import { Template } from 'aws-cdk-lib/assertions';
import { Neo4jUpgradesValidationError } from '../../lib/errors';
import { upgradeStack } from '../support/example-upgrade';
import { resolvedDefinition } from '../support/state-machine-definition';

// asl-validator has no types of its own.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator = require('asl-validator');

const { stack, cluster } = upgradeStack();
const template = Template.fromStack(stack);
const { definition } = resolvedDefinition(template.toJSON());
const states: Record<string, any> = {};
/** States inside a Map's item processor: their failures are caught by the Map state. */
const insideMap = new Set<string>();
(function collect(def: any, nested: boolean) {
  for (const [name, state] of Object.entries<any>(def.States)) {
    states[name] = state;
    if (nested) insideMap.add(name);
    if (state.ItemProcessor) collect(state.ItemProcessor, true);
  }
})(definition, false);
const names = Object.keys(states);

describe('Neo4jStagedUpgrade state machine', () => {
  test('the resolved definition passes asl-validator', () => {
    const { isValid, errorsText } = aslValidator(definition);
    expect(isValid ? '' : errorsText('\n')).toBe('');
  });

  test('is a Standard state machine in JSONPath', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineType: 'STANDARD' });
    expect(definition.QueryLanguage ?? 'JSONPath').toBe('JSONPath');
    expect(JSON.stringify(definition)).not.toContain('{%');
  });

  test('has the eight stages of seed 000 in order, each named after its step', () => {
    const begins = names.filter((n) => n.endsWith(': begin'));
    expect(begins).toEqual([
      'Stage 1 Roll DockerImage: begin',
      'Stage 2 Single master with AllowUpgrade: begin',
      'Stage 3 Manual migrations: begin',
      'Stage 4 Back to HA: begin',
      'Stage 5 Retag slave volumes as old: begin',
      'Stage 6 Clone the migrated volume: begin',
      'Stage 7 Scale out: begin',
      'Stage 8 SlaveMode back to HA: begin',
    ]);
    // Follow Next from the start: preflight comes before stage 1, the post-upgrade snapshot after stage 8.
    const order: string[] = [];
    let at: string | undefined = definition.StartAt;
    while (at && order.length < 500) {
      order.push(at);
      const s = states[at];
      at = s.Next ?? s.Default ?? (s.Choices ? s.Choices[0].Next : undefined);
    }
    const idx = (n: string) => order.indexOf(n);
    // validate-input refuses every bad input field before the lock is taken (test/lambda/validate-input.test.ts).
    expect(idx('Preflight: validate the input and the version path')).toBeLessThan(idx('Preflight: take the upgrade lock'));
    expect(idx('Preflight: take the upgrade lock')).toBeLessThan(idx('Stage 1 Roll DockerImage: begin'));
    expect(idx('Preflight: snapshot every data volume')).toBeLessThan(idx('Stage 1 Roll DockerImage: begin'));
    expect(idx('Stage 8 SlaveMode back to HA: done')).toBeLessThan(idx('After: full snapshot of the upgraded master volume'));
    expect(idx('After: release the lock')).toBeGreaterThan(0);
  });

  test('validation, stack checks and the lock come before anything that mutates', () => {
    const mutating = ['Preflight: record the pre-upgrade parameters', 'Preflight: snapshot every data volume'];
    for (const m of mutating) expect(states[m]).toBeDefined();
    const refused = states['Refused before any change'];
    expect(refused.Type).toBe('Fail');
    for (const n of ['Preflight: validate the input and the version path', 'Preflight: stack is COMPLETE and not drifted', 'Preflight: take the upgrade lock']) {
      expect(states[n].Catch[0].Next).toBe('Refused before any change');
    }
  });

  test('every task state catches into the rollback path or a fail state, and retries transient errors', () => {
    const tasks = Object.entries(states).filter(([, s]) => s.Type === 'Task');
    expect(tasks.length).toBeGreaterThan(30);
    for (const [name, s] of tasks) {
      if (!insideMap.has(name)) expect({ name, catches: (s.Catch ?? []).length > 0 }).toEqual({ name, catches: true });
      expect({ name, retriesThrottling: JSON.stringify(s.Retry ?? []).includes('ThrottlingException') })
        .toEqual({ name, retriesThrottling: true });
    }
  });

  test('each stack-update stage waits for UPDATE_COMPLETE and steady services, then passes a health gate', () => {
    const stageWaits = names.filter((n) => n.startsWith('Stage') && n.endsWith(': wait for UPDATE_COMPLETE'));
    const gates = names.filter((n) => n.startsWith('Stage') && n.endsWith(': health gate over Bolt'));
    expect(stageWaits.length).toBe(5);
    expect(gates.length).toBe(5);
    const gate = states[gates[0]];
    expect(JSON.stringify(gate.Retry)).toContain('HealthGateError');
  });

  test('each gate expects the members its stage declares, written against the plan (no stage names in the handlers)', () => {
    const gate = (stage: string) => states[names.find((n) => n.startsWith(stage) && n.endsWith(': health gate over Bolt'))!].Parameters.Payload;
    expect(gate('Stage 1')).toMatchObject({ 'expectedMembers.$': 'States.MathAdd($.plan.currentCapacity, $.plan.currentSlaveMembers)' });
    expect(gate('Stage 2')).toMatchObject({ expectedMembers: 1 });
    expect(gate('Stage 4')).toMatchObject({ expectedMembers: 1 });
    expect(gate('Stage 7')).toMatchObject({ 'expectedMembers.$': '$.plan.targetCapacity' });
    expect(gate('Stage 8')).toMatchObject({ 'expectedMembers.$': 'States.MathAdd($.plan.targetCapacity, $.plan.slaveCapacity)' });
    for (const stage of ['Stage 1', 'Stage 2', 'Stage 4', 'Stage 7', 'Stage 8']) {
      // One image parser: the plan's version and edition, never the image again.
      expect(gate(stage)).toMatchObject({ 'expectedVersion.$': '$.plan.toVersion', 'expectedEdition.$': '$.plan.toEdition' });
      expect(JSON.stringify(gate(stage))).not.toMatch(/simulated|dockerImage|slaveIsMember/);
    }
    expect(names.some((n) => /count the running members/.test(n))).toBe(false);
  });

  test('the point of no return is explicit and the rollback restores snapshots past it', () => {
    // The first moment a newer binary can open the store is the image roll: marked once its update started
    // (a refused update call changed nothing), before the wait.
    const mark = 'Stage 1 Roll DockerImage: point of no return, the update started';
    expect(states['Stage 1 Roll DockerImage: update the stack parameters'].Next).toBe(mark);
    expect(states[mark]).toMatchObject({ Type: 'Pass', Result: true, ResultPath: '$.progress.pastPointOfNoReturn' });
    expect(states[mark].Next).toBe('Stage 1 Roll DockerImage: wait for UPDATE_COMPLETE');
    expect(names.filter((n) => states[n].ResultPath === '$.progress.pastPointOfNoReturn')).toEqual([mark]);
    const choice = states['Rollback: past the point of no return?'];
    expect(choice.Choices[0].Next).toBe('Restore: release the master scale-in protection');
    expect(states['Restore: release the master scale-in protection'].Next).toBe('Restore: scale both groups to zero');
    expect(JSON.stringify(states['Restore: pre-upgrade snapshots become the data volumes'].Retry)).toContain('StillInProgressError');
    expect(choice.Default).toBe('Rollback: restore the pre-upgrade parameters');
    expect(states['Restore: pre-upgrade snapshots become the data volumes'].Next).toBe('Rollback: restore the pre-upgrade parameters');
  });

  test('after the rollback released the lock, a failed publication ends rolled back with the original error, not "lock kept"', () => {
    expect(states['Rollback: release the lock'].Catch[0].Next).toBe('Rollback failed: lock kept for an operator');
    expect(states['Rollback: publish the failure'].Catch).toEqual([{ ErrorEquals: ['States.ALL'], Next: 'Rolled back (result not published)', ResultPath: '$.results.rollbackPublish.error' }]);
    for (const end of ['Rolled back', 'Rolled back (result not published)']) {
      expect(states[end]).toMatchObject({ Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' });
    }
  });

  test('the approval waits on a task token with a timeout taken from the plan', () => {
    const approval = states['Wait for the operator decision'];
    expect(approval.Resource).toContain('waitForTaskToken');
    expect(approval.TimeoutSecondsPath).toBe('$.plan.timeouts.approvalSeconds');
    expect(approval.Catch[0].Next).toBe('Rollback: past the point of no return?');
  });

  test('cloning fans out over regions and AZs with Map states', () => {
    expect(states['Clone: for each region'].Type).toBe('Map');
    expect(states['Clone: for each AZ'].Type).toBe('Map');
    // Each region keeps only the volumes created per AZ, not every item with the cluster it carried.
    expect(states['Clone: for each AZ'].ResultSelector).toEqual({ 'zones.$': '$[*].created.Payload' });
    expect(states['Clone: for each region'].ResultPath).toBe('$.volumes.cloned');
  });
});

describe('Neo4jStagedUpgrade IAM', () => {
  const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));

  test('no task may delete a volume or a snapshot', () => {
    expect(policies).not.toMatch(/ec2:Delete|ec2:\*|"\*"\s*,\s*"Action"/);
    expect(policies).not.toContain('"Action":"*"');
  });

  test('volume mutations are scoped to the cluster Environment and identity tags, stack updates to the cluster stack', () => {
    const doc = template.toJSON();
    const statements = Object.values<any>(doc.Resources).filter((r) => r.Type === 'AWS::IAM::Policy')
      .flatMap((p) => p.Properties.PolicyDocument.Statement);
    const bySid = (sid: string) => statements.filter((s) => s.Sid === sid);
    const identity = `Upgrade/${cluster.node.addr.slice(2, 10)}`;
    expect(cluster.clusterIdentity).toBe(identity);
    const ownVolumes = { StringEquals: { 'aws:ResourceTag/Environment': 'production', 'aws:ResourceTag/neo4j-upgrades:cluster': identity } };
    for (const s of bySid('RenameOwnVolumes')) {
      expect(s.Condition).toEqual(ownVolumes);
    }
    expect(bySid('RenameOwnVolumes').length).toBe(2);
    for (const s of bySid('SnapshotOwnVolumes')) {
      expect(s.Condition).toEqual(ownVolumes);
    }
    for (const s of statements.filter((st) => String(st.Sid).startsWith('CreateTaggedVolumes'))) {
      expect(s.Condition).toEqual({ StringEquals: { 'aws:RequestTag/Environment': 'production', 'aws:RequestTag/neo4j-upgrades:cluster': identity } });
    }
    expect(statements.filter((st) => String(st.Sid).startsWith('CreateTaggedVolumes')).length).toBeGreaterThanOrEqual(2);
    const update = bySid('UpdateTheTargetStack')[0];
    expect(JSON.stringify(update.Resource)).toContain(':stack/Upgrade/*');
    for (const s of bySid('ApplyParameterChanges')) {
      expect(s.Condition).toEqual({ StringEquals: { 'aws:CalledViaFirst': 'cloudformation.amazonaws.com' } });
    }
  });
});

describe('Neo4jStagedUpgrade props', () => {
  test.each([
    [{ finalCapacity: 0 }, 'finalCapacity'],
    [{ finalCapacity: 2.5 }, 'finalCapacity'],
    [{ cloneRegions: ['Europe'] }, 'cloneRegions'],
    [{ cloneRegions: ['eu-west-1'], cloneVolumes: false }, 'cloneRegions'],
    // Caps that keep the state and the history inside Step Functions' quotas (lib/private/procedure-limits.ts).
    [{ finalCapacity: 10 }, 'finalCapacity'],
    [{ cloneRegions: ['eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'us-east-2', 'us-west-2', 'ap-southeast-1', 'ap-southeast-2', 'ca-central-1'] }, 'cloneRegions'],
    [{ validationPartitions: 33 }, 'validationPartitions'],
    [{ validationPartitions: 1000 }, 'validationPartitions'],
  ])('%j is refused naming %s', (props, prop) => {
    try {
      upgradeStack(props);
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(Neo4jUpgradesValidationError);
      expect((e as Neo4jUpgradesValidationError).prop).toBe(prop);
    }
  });
});

describe('migration validation (seed 004)', () => {
  test('captures the baseline in preflight and compares after the scale-out', () => {
    expect(states['Preflight: capture the validation baseline'].Parameters.Payload.mode).toBe('capture-baseline');
    const compare = states['Stage 7 Scale out: compare with the baseline (seed 004)'];
    expect(compare.Parameters.Payload.mode).toBe('compare');
    expect(compare.Catch[0].Next).toBe('Rollback: past the point of no return?');
  });

  test('partitions fan out with a Map whose partial checksums the last call combines', () => {
    const map = states['Stage 7 Scale out: compare with the baseline (seed 004) by partition'];
    expect(map.Type).toBe('Map');
    expect(map.Catch[0].Next).toBe('Rollback: past the point of no return?');
    for (const name of Object.keys(map.ItemProcessor.States)) expect(insideMap.has(name)).toBe(true);
    expect(states['Stage 7 Scale out: compare with the baseline (seed 004) from partitions'].Parameters.Payload['partials.$'])
      .toBe('$.validation.partials.snapshots');
    // Only the snapshots stay in the state, and only until they are combined.
    expect(map.ResultSelector).toEqual({ 'snapshots.$': '$[*].result.Payload.snapshot' });
    const dropped = states['Stage 7 Scale out: partial results combined'];
    expect(states['Stage 7 Scale out: compare with the baseline (seed 004) from partitions'].Next).toBe('Stage 7 Scale out: partial results combined');
    expect({ result: dropped.Result, resultPath: dropped.ResultPath }).toEqual({ result: {}, resultPath: '$.validation.partials' });
  });
});

describe('validation keys', () => {
  const keyed = upgradeStack({ validationKeys: { Person: ['id'], OrderLine: ['orderId', 'line'] }, validationPartitions: 4 });
  const keyedStates: Record<string, any> = {};
  (function collect(def: any) {
    for (const [name, state] of Object.entries<any>(def.States)) {
      keyedStates[name] = state;
      if (state.ItemProcessor) collect(state.ItemProcessor);
    }
  })(resolvedDefinition(Template.fromStack(keyed.stack).toJSON()).definition);
  const KEYS = { Person: ['id'], OrderLine: ['orderId', 'line'] };

  test('baseline captures and every partition capture use the keys; a comparison uses its baseline\'s', () => {
    expect(keyedStates['Preflight: capture the validation baseline'].Parameters.Payload.keys).toEqual(KEYS);
    expect(keyedStates['Preflight: checksum one partition'].Parameters.Payload.keys).toEqual(KEYS);
    expect(keyedStates['Stage 7 Scale out: checksum one partition'].Parameters.Payload.keys).toEqual(KEYS);
    expect(keyedStates['Stage 7 Scale out: compare with the baseline (seed 004)'].Parameters.Payload.keys).toBeUndefined();
    expect(states['Preflight: capture the validation baseline'].Parameters.Payload.keys).toBeUndefined();
  });

  test.each([
    [{ Person: [] }, 'validationKeys.Person'],
    [{ Person: ['id', ' '] }, 'validationKeys.Person'],
    [{ '': ['id'] }, 'validationKeys.'],
  ])('%j is refused naming %s', (validationKeys, prop) => {
    expect(() => upgradeStack({ validationKeys })).toThrow(expect.objectContaining({ prop }));
  });
});

