import { Template } from 'aws-cdk-lib/assertions';
import { DiscoveryVersion, Neo4jVersionFamily } from '../../lib';
import { Neo4jUpgradesValidationError } from '../../lib/errors';
import { PER_SERVER_PROPS, clusterStack } from '../support/example-cluster';

const PER_SERVER_V2 = { ...PER_SERVER_PROPS, dockerImage: 'neo4j:5.26.30-enterprise', discoveryVersion: DiscoveryVersion.V2 };

/** A server's container environment as CloudFormation resolves it for given parameter values (Ref, Fn::If over Fn::Equals). */
function environmentOf(json: any, server: number, parameters: Record<string, string>): Record<string, string> {
  const param = (name: string) => parameters[name] ?? json.Parameters[name].Default;
  const resolve = (v: any): string => {
    if (typeof v === 'string') return v;
    if (v.Ref) return param(v.Ref);
    const [condition, whenTrue, whenFalse] = v['Fn::If'];
    const [left, right] = json.Conditions[condition]['Fn::Equals'];
    return resolve(resolve(left) === resolve(right) ? whenTrue : whenFalse);
  };
  const taskDef = Object.values(json.Resources).find((r: any) => r.Type === 'AWS::ECS::TaskDefinition'
    && JSON.stringify(r.Properties.ContainerDefinitions[0].LogConfiguration).includes(`neo4j-server${server}`)) as any;
  return Object.fromEntries(taskDef.Properties.ContainerDefinitions[0].Environment.map((e: any) => [e.Name, resolve(e.Value)]));
}

describe('Neo4jCluster discoveryVersion', () => {
  test('V2: a DiscoveryVersion parameter drives the 5.x discovery settings, and each server has its own settings family', () => {
    const { stack, cluster } = clusterStack(PER_SERVER_V2);
    const json = Template.fromStack(stack).toJSON();
    expect(json.Parameters.DiscoveryVersion).toMatchObject({ Default: 'V2', AllowedValues: ['V1', 'V2'] });
    expect(cluster.parameterNames.discoveryVersion).toBe('DiscoveryVersion');
    expect(cluster.stackParameters).toMatchObject({ discoveryVersion: 'DiscoveryVersion', server2VersionFamily: 'Server2VersionFamily' });
    expect(cluster.servers[0].versionFamilyParameterName).toBe('Server1VersionFamily');

    const v2 = environmentOf(json, 2, {});
    expect(v2).toMatchObject({
      NEO4J_UPGRADE_VERSION_FAMILY: '5',
      NEO4J_UPGRADE_FAMILY_5_DISCOVERY_VAR: 'NEO4J_dbms_cluster_discovery_v2_endpoints',
      NEO4J_UPGRADE_FAMILY_5_DISCOVERY_PORT: '6000',
      NEO4J_UPGRADE_FAMILY_5_SET_NEO4J_dbms_cluster_discovery_version: 'V2_ONLY',
      NEO4J_UPGRADE_FAMILY_2025_DISCOVERY_VAR: 'NEO4J_dbms_cluster_endpoints',
    });
    expect(environmentOf(json, 2, { DiscoveryVersion: 'V1' })).toMatchObject({
      NEO4J_UPGRADE_FAMILY_5_DISCOVERY_VAR: 'NEO4J_dbms_cluster_discovery_endpoints',
      NEO4J_UPGRADE_FAMILY_5_DISCOVERY_PORT: '5000',
      NEO4J_UPGRADE_FAMILY_5_SET_NEO4J_dbms_cluster_discovery_version: 'V1_ONLY',
    });
    // A roll to 2025.x sets one server's family with its image: that server alone starts the 2025.x settings.
    const rolled = { Server2Image: 'neo4j:2026.08.1-enterprise', Server2VersionFamily: '2025' };
    expect(environmentOf(json, 2, rolled).NEO4J_UPGRADE_VERSION_FAMILY).toBe('2025');
    expect(environmentOf(json, 1, rolled).NEO4J_UPGRADE_VERSION_FAMILY).toBe('5');
    // The closing update (VersionFamily set, the server's cleared) leaves its settings as they were: no restart.
    expect(environmentOf(json, 2, { VersionFamily: '2025' })).toEqual(environmentOf(json, 2, rolled));
  });

  test.each([
    [{ dockerImage: 'neo4j:5.22.0-enterprise' }, "Invalid discoveryVersion (got 'DiscoveryVersion.V2'): discovery v2 needs Neo4j 5.23 or later, and dockerImage is 'neo4j:5.22.0-enterprise'"],
    [{ dockerImage: 'neo4j@sha256:' + 'a'.repeat(64) }, /discovery v2 needs Neo4j 5\.23 or later, and dockerImage 'neo4j@sha256:a+' has no 5\.x version tag/],
    [{ dockerImage: 'neo4j:4.4.40-enterprise', versionFamily: Neo4jVersionFamily.V4_4_CAUSAL }, /discovery v2 needs Neo4j 5\.23 or later or a calendar version, and versionFamily is Neo4j 4\.4 causal cluster/],
    [{ dockerImage: 'neo4j:2026.08.1-enterprise', versionFamily: Neo4jVersionFamily.V2025, discoveryVersion: DiscoveryVersion.V1 },
      "Invalid discoveryVersion (got 'DiscoveryVersion.V1'): Neo4j 2025.x has only discovery v2: use DiscoveryVersion.V2 or leave discoveryVersion unset"],
  ])('refused at synth (case %#)', (props, message) => {
    expect(() => clusterStack({ ...PER_SERVER_V2, ...props })).toThrow(Neo4jUpgradesValidationError);
    expect(() => clusterStack({ ...PER_SERVER_V2, ...props })).toThrow(message);
  });
});
