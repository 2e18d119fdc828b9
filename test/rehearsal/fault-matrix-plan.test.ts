/**
 * The fault matrix is built from the synthesized state machine (no state name known in advance). Checked
 * here without moto: the example rehearsal app's definition, resolved with stand-in physical ids.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ApprovalMode, ClusterMode, Neo4jCluster, Neo4jStagedUpgrade, Neo4jVersionFamily } from '../../lib';
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

  test('every task state is throttled once somewhere (b), the forward path in a run that must still succeed', () => {
    const throttled = new Set(matrix.flatMap((r) => r.faults.filter((f) => f.kind === 'throttle').map((f) => f.state)));
    for (const t of m.tasks) expect({ state: t.stateName, throttled: throttled.has(t.stateName) }).toEqual({ state: t.stateName, throttled: true });
    const forwardRun = matrix.find((r) => r.expect === 'succeeded');
    expect(forwardRun?.faults.every((f) => f.kind === 'throttle')).toBe(true);
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
