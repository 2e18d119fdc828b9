/**
 * The fault matrix is built from the synthesized state machine (no state name known in advance). Checked
 * here without moto: the example rehearsal app's definition, resolved with stand-in physical ids.
 */
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ApprovalMode, ClusterMode, Neo4jCluster, Neo4jStagedUpgrade, Neo4jVersionFamily } from '../../lib';
import { contractFindings } from '../../tools/rehearsal/contracts';
import { buildModel, MachineModel } from '../../tools/rehearsal/definition';
import { buildFaultMatrix } from '../../tools/rehearsal/faults';
import { handlerNames } from '../../tools/rehearsal/handlers';
import { DeployedResource } from '../../tools/rehearsal/intrinsics';
import { CfnTemplate } from '../../tools/rehearsal/synth';
import { appWithFeatureFlags } from '../support/app';

function model(): MachineModel {
  const app = appWithFeatureFlags();
  const stack = new Stack(app, 'Plan', { env: { account: '123456789012', region: 'us-east-1' } });
  const cluster = new Neo4jCluster(stack, 'Neo4j', {
    dockerImage: 'neo4j:5.26.30-enterprise', versionFamily: Neo4jVersionFamily.V5, environmentName: 'plan', mode: ClusterMode.HA,
    slaveMode: ClusterMode.HA, dataVolume: { encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }) },
  });
  new Neo4jStagedUpgrade(stack, 'Upgrade', { cluster, boltUri: 'bolt://127.0.0.1:7687', cloneRegions: ['eu-west-1'], approvalMode: ApprovalMode.AFTER_STORE_UPGRADE });
  const template = Template.fromStack(stack).toJSON() as CfnTemplate;
  const resources = new Map<string, DeployedResource>();
  for (const [id, r] of Object.entries(template.Resources)) {
    const physicalId = r.Type === 'AWS::ECS::Service' ? `arn:aws:ecs:us-east-1:123456789012:service/c/${id}` : `${id}-physical`;
    resources.set(id, { logicalId: id, type: r.Type, physicalId });
  }
  return buildModel(template, { region: 'us-east-1', account: '123456789012', resources, parameters: {} }, handlerNames(template));
}

const m = model();
const matrix = buildFaultMatrix(m);

describe('fault matrix from the synthesized state machine', () => {
  test('every task state maps to a handler of the library', () => {
    expect(m.tasks.length).toBeGreaterThan(30);
    for (const t of m.tasks) expect(t.handler).toMatch(/^[a-z0-9-]+$/);
  });

  test('every forward-path task except the approval gets a non-retryable handler error (a)', () => {
    const a = new Set(matrix.flatMap((r) => r.faults.filter((f) => f.kind === 'handler-error' && r.faults.length === 1).map((f) => f.state)));
    for (const t of m.tasks.filter((x) => !x.onFailurePath && !x.waitsForTaskToken)) expect(a.has(t.stateName)).toBe(true);
  });

  test('every task state is throttled once somewhere (b), the forward states whose Retry covers it in one run that must still succeed', () => {
    const throttled = new Set(matrix.flatMap((r) => r.faults.filter((f) => f.kind === 'throttle').map((f) => f.state)));
    for (const t of m.tasks) expect({ state: t.stateName, throttled: throttled.has(t.stateName) }).toEqual({ state: t.stateName, throttled: true });
    const forwardRun = matrix.find((r) => /throttle-every-forward-state/.test(r.name));
    expect(forwardRun?.expect).toBe('succeeded');
    expect(forwardRun?.faults.every((f) => f.kind === 'throttle')).toBe(true);
    for (const t of m.tasks.filter((x) => !x.onFailurePath && !x.retriesThrottling)) {
      expect(matrix.some((r) => r.expect === 'succeeded' && r.faults.length === 1 && r.faults[0].kind === 'throttle' && r.faults[0].state === t.stateName)).toBe(true);
    }
  });

  test('a failure caught into a Succeed state is expected to end succeeded, every other one rolled back', () => {
    for (const r of matrix.filter((x) => x.faults.length === 1 && x.faults[0].kind === 'handler-error')) {
      const next = m.definition.States[r.faults[0].state]?.Catch?.[0]?.Next;
      const toSucceed = next !== undefined && m.definition.States[next]?.Type === 'Succeed';
      expect({ run: r.name, expect: r.expect }).toEqual({ run: r.name, expect: toSucceed ? 'succeeded' : 'rolled-back' });
    }
  });

  test('every forward stack-status wait ends once in UPDATE_ROLLBACK_COMPLETE (c); the approval is rejected and times out (d)', () => {
    const c = matrix.filter((r) => r.faults.some((f) => f.kind === 'stack-rollback')).map((r) => r.faults[0].state);
    expect(c.sort()).toEqual(m.tasks.filter((t) => !t.onFailurePath && t.handler === 'stack-status').map((t) => t.stateName).sort());
    const approval = m.tasks.filter((t) => t.waitsForTaskToken).map((t) => t.stateName);
    expect(approval.length).toBe(1);
    expect(matrix.filter((r) => r.faults.some((f) => f.kind === 'approval-reject')).map((r) => r.faults[0].state)).toEqual(approval);
    const timeout = matrix.find((r) => r.faults.some((f) => f.kind === 'approval-timeout'));
    expect(timeout?.faults[0].state).toBe(approval[0]);
    expect(timeout?.input).toEqual({ timeouts: { approvalSeconds: 60 } });
  });

  test('an operator aborts before the first and the last forward stack update (e), before and past the point of no return', () => {
    const e = matrix.filter((r) => r.faults.some((f) => f.kind === 'operator-abort'));
    const updates = m.tasks.filter((t) => !t.onFailurePath && t.handler === 'update-stack').map((t) => t.stateName);
    expect(e.map((r) => [r.faults[0].state, r.expect])).toEqual([[updates[0], 'rolled-back'], [updates[updates.length - 1], 'rolled-back']]);
    expect(e.map((r) => r.target?.afterPointOfNoReturn)).toEqual([false, true]);
  });

  test('targets know the lock and the point of no return', () => {
    expect(m.pointOfNoReturn).toBeDefined();
    const targets = matrix.map((r) => r.target).filter((t) => t !== undefined);
    expect(targets.some((t) => t?.beforeLock)).toBe(true);
    expect(targets.some((t) => t?.afterPointOfNoReturn)).toBe(true);
    expect(targets.some((t) => t && !t.beforeLock && !t.afterPointOfNoReturn)).toBe(true);
  });

  test('the stages come in the order the definition runs them', () => {
    expect(m.stages.map((s) => s.seedStep)).toEqual(['000/1', '000/2', '000/3', '000/4', '000/5', '000/6', '000/7', '000/8']);
  });
});

describe('contract check between the definition and the handlers', () => {
  test('the synthesized state machine passes every handler what its input type declares', () => {
    expect(contractFindings(path.join(__dirname, '..', '..'), m)).toEqual([]);
  });

  test('a field the handler does not declare, and a required field left out, are both reported', () => {
    const broken = JSON.parse(JSON.stringify(m)) as MachineModel;
    const lock = broken.tasks.find((t) => t.handler === 'upgrade-lock' && !t.onFailurePath) as { stateName: string };
    const payload = broken.definition.States[lock.stateName].Parameters?.Payload as Record<string, unknown>;
    payload['lockName.$'] = payload['parameterName.$'];
    delete payload['parameterName.$'];
    const findings = contractFindings(path.join(__dirname, '..', '..'), broken);
    expect(findings).toContain(`"${lock.stateName}" passes lockName, which upgrade-lock's input does not have (ignored by the handler)`);
    expect(findings).toContain(`"${lock.stateName}" does not pass parameterName, which upgrade-lock's input requires`);
  });
});
