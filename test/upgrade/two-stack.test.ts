/**
 * A cluster in one stack, its upgrade in another: the app synthesizes without a dependency cycle
 * whichever way the upgrade stack refers to the cluster, the upgrade stack depends on the cluster
 * stack (never the reverse), and both templates pass cdk-nag and cfn-lint.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { Neo4jVersionFamily } from '../../lib';
import { TargetReference, twoStackApp } from '../../tools/rehearsal/apps/two-stack';
import { appWithFeatureFlags } from '../support/app';
import { cfnLintErrors } from '../support/cfn-lint';
import { unacknowledgedNagFindings } from '../support/nag';

function build(reference: TargetReference) {
  const app = appWithFeatureFlags();
  const stacks = twoStackApp(app, {
    reference, dockerImage: 'neo4j:3.5.34-enterprise', versionFamily: Neo4jVersionFamily.V3_5_HA, environmentName: 'prod',
    boltUri: 'bolt://neo4j.prod.internal:7687',
  });
  return { app, ...stacks };
}

describe.each<TargetReference>(['cluster', 'attributes', 'names'])('two stacks, the upgrade refers to the cluster by %s', (reference) => {
  const { app, clusterStack, upgradeStack } = build(reference);
  const assembly = app.synth();
  const clusterTemplate = assembly.getStackByName(clusterStack.stackName).template;
  const upgradeTemplate = assembly.getStackByName(upgradeStack.stackName).template;

  test('the upgrade stack depends on the cluster stack, never the reverse', () => {
    expect(clusterStack.dependencies).toEqual([]);
    expect(upgradeStack.dependencies).toEqual(reference === 'names' ? [] : [clusterStack]);
    expect(JSON.stringify(clusterTemplate)).not.toContain('Neo4jUpgradeStack');
  });

  test('Bolt and HTTP from the upgrade\'s handlers reach the nodes, by rules the upgrade stack owns', () => {
    const ingress = Template.fromJSON(upgradeTemplate).findResources('AWS::EC2::SecurityGroupIngress');
    const ports = Object.values<any>(ingress).map((r) => [r.Properties.FromPort, r.Properties.ToPort]);
    expect(ports).toEqual(expect.arrayContaining([[7687, 7687], [7474, 7474]]));
    for (const r of Object.values<any>(ingress)) expect(r.Properties.SourceSecurityGroupId).toBeDefined();
    // The cluster stack allows Neo4j clients only from inside itself (its own nodes), not from the upgrade.
    const own = Template.fromJSON(clusterTemplate).findResources('AWS::EC2::SecurityGroupIngress');
    expect(JSON.stringify(own)).not.toContain('ImportValue');
  });

  test('both templates pass cfn-lint', () => {
    expect(cfnLintErrors(clusterTemplate)).toEqual([]);
    expect(cfnLintErrors(upgradeTemplate)).toEqual([]);
  });

  test('cdk-nag finds nothing unacknowledged', () => {
    expect(unacknowledgedNagFindings(build(reference).app)).toEqual([]);
  });
});
