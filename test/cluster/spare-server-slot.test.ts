import { Template } from 'aws-cdk-lib/assertions';
import { ServerLayout } from '../../lib';
import { Neo4jUpgradesValidationError } from '../../lib/errors';
import { PER_SERVER_PROPS, clusterStack } from '../support/example-cluster';

describe('Neo4jCluster spareServerSlots: 1 (per-server layout)', () => {
  const { stack, cluster } = clusterStack({ ...PER_SERVER_PROPS, spareServerSlots: 1 });
  const template = Template.fromStack(stack);
  const json = template.toJSON();

  test('N + 1 slots: the spare has desired count 0 by parameter, every slot its image and desired-count parameters', () => {
    expect(cluster.spareServerSlots).toBe(1);
    expect(cluster.servers.map((s) => [s.serverNumber, s.imageParameterName, s.desiredCountParameterName])).toEqual([
      [1, 'Server1Image', 'Server1DesiredCount'], [2, 'Server2Image', 'Server2DesiredCount'],
      [3, 'Server3Image', 'Server3DesiredCount'], [4, 'Server4Image', 'Server4DesiredCount'],
    ]);
    expect(cluster.stackParameters).toMatchObject({ server4Image: 'Server4Image', server4DesiredCount: 'Server4DesiredCount' });
    for (const n of [1, 2, 3, 4]) {
      expect(json.Parameters[`Server${n}DesiredCount`]).toMatchObject({ Type: 'Number', Default: n === 4 ? 0 : 1, AllowedValues: ['0', '1'] });
      template.hasResourceProperties('AWS::ECS::Service', {
        DesiredCount: { Ref: `Server${n}DesiredCount` },
        PlacementConstraints: [{ Type: 'memberOf', Expression: `attribute:neo4j.server == ${n}` }],
      });
    }
    // The boot script numbers volumes over every slot, so the new member's instance takes the spare's number.
    const userData = JSON.stringify(Object.values(json.Resources).filter((r: any) => r.Type === 'AWS::EC2::LaunchTemplate'));
    expect(userData).toContain("NEO4J_SERVER_COUNT='4'");
  });

  test('the main group can grow by one (MaxSize default N + 1) and AZRebalance is suspended on it', () => {
    expect(json.Parameters).toMatchObject({ MinSize: { Default: 3 }, MaxSize: { Default: 4 }, DesiredCapacity: { Default: 3 } });
    const [suspend] = Object.values(template.findResources('Custom::AWS')) as any[];
    const create = JSON.stringify(suspend.Properties.Create);
    expect(create).toContain('suspendProcesses');
    expect(create).toContain('AZRebalance');
    expect(create).toContain(stack.resolve(cluster.mainAutoScalingGroup.autoScalingGroupName).Ref);
    expect(JSON.stringify(suspend.Properties.Update)).toContain('AZRebalance');
  });

  test('without a spare (default) the per-server template has no desired-count parameter and no custom resource', () => {
    const plain = Template.fromStack(clusterStack(PER_SERVER_PROPS).stack).toJSON();
    expect(Object.keys(plain.Parameters).filter((p) => /DesiredCount$/.test(p))).toEqual([]);
    expect(Object.values(plain.Resources).filter((r: any) => r.Type === 'Custom::AWS')).toEqual([]);
    expect(plain.Parameters.MaxSize.Default).toBe(3);
  });

  test('refused at synth: a spare without the per-server layout, or more than one', () => {
    expect(() => clusterStack({ spareServerSlots: 1 })).toThrow(Neo4jUpgradesValidationError);
    expect(() => clusterStack({ spareServerSlots: 1 })).toThrow(/spareServerSlots.*1.*ServerLayout.SERVICE_PER_SERVER/s);
    expect(() => clusterStack({ ...PER_SERVER_PROPS, spareServerSlots: 2 })).toThrow(/spareServerSlots.*2.*expected 0 or 1/s);
    expect(PER_SERVER_PROPS.serverLayout).toBe(ServerLayout.SERVICE_PER_SERVER);
  });
});
