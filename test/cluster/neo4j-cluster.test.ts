import { Match, Template } from 'aws-cdk-lib/assertions';
import { ClusterMode, Neo4jVersionFamily } from '../../lib';
import { familyEnvPrefix } from '../../lib/cluster/neo4j-env';
import { clusterStack } from '../support/example-cluster';
import { resolveWithParameters } from '../support/template-eval';

function containerEnvironment(template: Template, group: 'main' | 'slave', parameters: Record<string, string> = {}) {
  const json = template.toJSON();
  const taskDefs = template.findResources('AWS::ECS::TaskDefinition');
  const entry = Object.values(taskDefs).find((r: any) =>
    JSON.stringify(r.Properties.ContainerDefinitions[0].LogConfiguration).includes(`neo4j-${group}`));
  const env = (entry as any).Properties.ContainerDefinitions[0].Environment as Array<{ Name: string; Value: unknown }>;
  return Object.fromEntries(env.map((e) => [e.Name, resolveWithParameters(e.Value, json, parameters)])) as Record<string, string>;
}

describe('Neo4jCluster', () => {
  const { stack, cluster } = clusterStack({}, true);
  const template = Template.fromStack(stack);

  test('stack parameters carry AllowedValues and default to the typed props', () => {
    const params = template.toJSON().Parameters;
    expect(params.DockerImage).toMatchObject({ Type: 'String', Default: 'neo4j:3.5.34-enterprise' });
    expect(params.VersionFamily).toMatchObject({ Type: 'String', Default: '3.5', AllowedValues: ['3.5', '4.4', '5', '2025'] });
    expect(params.Mode).toMatchObject({ Default: 'HA', AllowedValues: ['HA', 'SINGLE'] });
    expect(params.SlaveMode).toMatchObject({ Default: 'HA', AllowedValues: ['HA', 'SINGLE'] });
    expect(params.AllowUpgrade).toMatchObject({ Default: 'false', AllowedValues: ['true', 'false'] });
    expect(params.MinSize).toMatchObject({ Type: 'Number', Default: 1 });
    expect(params.MaxSize).toMatchObject({ Type: 'Number', Default: 3 });
    expect(params.DesiredCapacity).toMatchObject({ Type: 'Number', Default: 3 });
    expect(params.SlaveDesiredCapacity).toMatchObject({ Type: 'Number', Default: 1 });
    expect(cluster.parameterNames).toEqual({
      dockerImage: 'DockerImage', versionFamily: 'VersionFamily', mode: 'Mode', slaveMode: 'SlaveMode', allowUpgrade: 'AllowUpgrade',
      minSize: 'MinSize', maxSize: 'MaxSize', desiredCapacity: 'DesiredCapacity',
      slaveMinSize: 'SlaveMinSize', slaveMaxSize: 'SlaveMaxSize', slaveDesiredCapacity: 'SlaveDesiredCapacity',
    });
  });

  test('the DockerImage parameter pattern accepts pinned images', () => {
    const pattern = new RegExp(template.toJSON().Parameters.DockerImage.AllowedPattern);
    expect(pattern.test('neo4j:3.5.35-enterprise')).toBe(true);
    expect(pattern.test('123456789012.dkr.ecr.us-east-1.amazonaws.com/neo4j:5.26.2')).toBe(true);
    expect(pattern.test('neo4j with spaces')).toBe(false);
  });

  test('both Auto Scaling groups take their size from the parameters and launch from a template', () => {
    template.resourceCountIs('AWS::AutoScaling::AutoScalingGroup', 2);
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      MinSize: { Ref: 'MinSize' }, MaxSize: { Ref: 'MaxSize' }, DesiredCapacity: { Ref: 'DesiredCapacity' },
      LaunchTemplate: Match.objectLike({ LaunchTemplateId: Match.anyValue() }),
    });
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      MinSize: { Ref: 'SlaveMinSize' }, MaxSize: { Ref: 'SlaveMaxSize' }, DesiredCapacity: { Ref: 'SlaveDesiredCapacity' },
    });
    template.resourceCountIs('AWS::AutoScaling::LaunchConfiguration', 0);
  });

  test('each group runs Neo4j from the DockerImage parameter as an ECS daemon service on its own instances', () => {
    template.resourcePropertiesCountIs('AWS::ECS::Service', { SchedulingStrategy: 'DAEMON', LaunchType: 'EC2' }, 2);
    template.hasResourceProperties('AWS::ECS::Service', {
      PlacementConstraints: [{ Type: 'memberOf', Expression: 'attribute:neo4j.group == main' }],
    });
    template.hasResourceProperties('AWS::ECS::Service', {
      PlacementConstraints: [{ Type: 'memberOf', Expression: 'attribute:neo4j.group == slave' }],
    });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      NetworkMode: 'host',
      ContainerDefinitions: [Match.objectLike({ Image: { Ref: 'DockerImage' } })],
    });
  });

  test('3.5 HA: Mode, SlaveMode and AllowUpgrade become the image settings, per parameter value', () => {
    // start-neo4j.sh exports <prefix>SET_* and <prefix><mode>_* under the real names (test/cluster/start-neo4j.test.ts).
    const set = (env: Record<string, string>, kind: string, name: string) => env[`NEO4J_UPGRADE_FAMILY_3_5_${kind}_${name}`];
    const main = containerEnvironment(template, 'main');
    expect(main.NEO4J_UPGRADE_CLUSTER_MODE).toBe('HA');
    expect(set(main, 'HA', 'NEO4J_dbms_mode')).toBe('HA');
    expect(set(main, 'SINGLE', 'NEO4J_dbms_mode')).toBe('SINGLE');
    expect(set(main, 'SET', 'NEO4J_dbms_allow__upgrade')).toBe('false');
    const single = containerEnvironment(template, 'main', { Mode: 'SINGLE', AllowUpgrade: 'true' });
    expect(set(single, 'SET', 'NEO4J_dbms_allow__upgrade')).toBe('true');
    expect(single.NEO4J_UPGRADE_CLUSTER_MODE).toBe('SINGLE');

    const slave = containerEnvironment(template, 'slave', { SlaveMode: 'SINGLE', AllowUpgrade: 'true' });
    expect(slave.NEO4J_UPGRADE_CLUSTER_MODE).toBe('SINGLE');
    expect(set(slave, 'SET', 'NEO4J_ha_slave__only')).toBe('true');
    // The slave-only node never upgrades a store; the master does.
    expect(set(slave, 'SET', 'NEO4J_dbms_allow__upgrade')).toBe('false');
    expect(main.NEO4J_UPGRADE_FAMILY_3_5_DISCOVERY_VAR).toBe('NEO4J_ha_initial__hosts');
    expect(main.NEO4J_UPGRADE_FAMILY_3_5_SERVER_ID_VAR).toBe('NEO4J_ha_server__id');
  });

  test('admin credentials come from Secrets Manager, never as plaintext', () => {
    const taskDefs = template.findResources('AWS::ECS::TaskDefinition');
    for (const def of Object.values(taskDefs)) {
      const container = (def as any).Properties.ContainerDefinitions[0];
      expect(container.Secrets.map((s: any) => s.Name).sort()).toEqual(['NEO4J_ADMIN_PASSWORD', 'NEO4J_ADMIN_USER']);
      expect(JSON.stringify(container.Environment)).not.toMatch(/NEO4J_AUTH|PASSWORD/);
    }
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ GenerateStringKey: 'password', SecretStringTemplate: '{"username":"neo4j"}' }),
    });
  });

  test('data volumes are not stack resources, so deleting the stack retains them', () => {
    template.resourceCountIs('AWS::EC2::Volume', 0);
  });

  test('user data claims this AZ volume by Name and Environment before Neo4j starts', () => {
    const launchTemplates = Object.values(template.findResources('AWS::EC2::LaunchTemplate'));
    expect(launchTemplates).toHaveLength(2);
    for (const lt of launchTemplates) {
      const userData = JSON.stringify((lt as any).Properties.LaunchTemplateData.UserData);
      expect(userData).toContain("export NEO4J_CLAIM_VOLUME_NAME='neo4j-production-data'");
      expect(userData).toContain("export NEO4J_CLAIM_ENVIRONMENT='production'");
      expect(userData).toContain("export NEO4J_CLAIM_VOLUME_SIZE='200'");
      expect(userData).toContain("export NEO4J_CLAIM_VOLUME_ENCRYPTED='true'");
      expect(userData).toContain('NEO4J_CLAIM_VOLUME_KMS_KEY_ID');
      const claimAt = userData.indexOf('claim-data-volume.sh)');
      const mountAt = userData.lastIndexOf('/mount-data-volume.sh');
      expect(claimAt).toBeGreaterThan(0);
      expect(mountAt).toBeGreaterThan(claimAt);
      // The agent joins only after the volume is mounted.
      expect(userData.indexOf('ECS_CLUSTER=')).toBeGreaterThan(mountAt);
    }
  });

  test('a SlaveMode change replaces the slave-only instance (fresh claim), a Mode change does not touch instances', () => {
    const launchTemplates = Object.values(template.findResources('AWS::EC2::LaunchTemplate')).map((lt: any) =>
      JSON.stringify(lt.Properties.LaunchTemplateData.UserData));
    expect(launchTemplates.filter((u) => u.includes('{"Ref":"SlaveMode"}'))).toHaveLength(1);
    expect(launchTemplates.filter((u) => u.includes('{"Ref":"Mode"}'))).toHaveLength(0);
    template.hasResource('AWS::AutoScaling::AutoScalingGroup', {
      UpdatePolicy: { AutoScalingRollingUpdate: Match.objectLike({ MaxBatchSize: 1 }) },
    });
  });

  test('nodes may attach only this environment volumes and create only tagged ones', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AttachClusterDataVolumes', Action: 'ec2:AttachVolume',
            Condition: { StringEquals: { 'aws:ResourceTag/Environment': 'production' } },
          }),
          Match.objectLike({
            Sid: 'CreateTaggedDataVolume', Action: 'ec2:CreateVolume',
            Condition: { StringEquals: { 'aws:RequestTag/Environment': 'production', 'aws:RequestTag/Name': 'neo4j-production-data' } },
          }),
        ]),
      },
    });
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(policies).not.toMatch(/ec2:DeleteVolume|ec2:DeleteSnapshot|ec2:DetachVolume/);
  });

  test('parameterPrefix names the parameters for a second cluster in one stack', () => {
    const { cluster: blue, stack: s } = clusterStack({ parameterPrefix: 'Blue' });
    expect(blue.parameterNames.mode).toBe('BlueMode');
    expect(Template.fromStack(s).toJSON().Parameters.BlueDesiredCapacity.Default).toBe(3);
  });

  test('snapshot of the parameters and the main container (asset hashes stripped)', () => {
    const json = template.toJSON();
    expect({ parameters: json.Parameters, mappings: json.Mappings, mainEnvironment: containerEnvironment(template, 'main') }).toMatchSnapshot();
  });
});

describe.each([
  [Neo4jVersionFamily.V4_4_CAUSAL, 'neo4j:4.4.40-enterprise', 'NEO4J_dbms_mode',
    { HA: 'CORE', SINGLE: 'SINGLE' }, { HA: 'READ_REPLICA', SINGLE: 'SINGLE' }, 'NEO4J_causal__clustering_initial__discovery__members'],
  [Neo4jVersionFamily.V5, 'neo4j:5.26.2-enterprise', 'NEO4J_initial_server_mode__constraint',
    { HA: 'PRIMARY', SINGLE: 'NONE' }, { HA: 'SECONDARY', SINGLE: 'NONE' }, 'NEO4J_dbms_cluster_discovery_endpoints'],
  [Neo4jVersionFamily.V2025, 'neo4j:2025.10.1-enterprise', 'NEO4J_initial_server_mode__constraint',
    { HA: 'PRIMARY', SINGLE: 'NONE' }, { HA: 'SECONDARY', SINGLE: 'NONE' }, 'NEO4J_dbms_cluster_endpoints'],
])('version family %#', (versionFamily, dockerImage, modeVar, mainValues, slaveValues, discoveryVar) => {
  const template = Template.fromStack(clusterStack({ versionFamily, dockerImage, mode: ClusterMode.HA }).stack);
  const prefix = familyEnvPrefix(versionFamily.id);

  test('the VersionFamily parameter defaults to the prop, and the container starts with it', () => {
    expect(template.toJSON().Parameters.VersionFamily.Default).toBe(versionFamily.id);
    expect(containerEnvironment(template, 'main').NEO4J_UPGRADE_VERSION_FAMILY).toBe(versionFamily.id);
  });

  test('maps the modes to the family settings for each parameter value', () => {
    for (const mode of ['HA', 'SINGLE'] as const) {
      expect(containerEnvironment(template, 'main')[`${prefix}${mode}_${modeVar}`]).toBe(mainValues[mode]);
      expect(containerEnvironment(template, 'slave')[`${prefix}${mode}_${modeVar}`]).toBe(slaveValues[mode]);
    }
    expect(containerEnvironment(template, 'main')[`${prefix}DISCOVERY_VAR`]).toBe(discoveryVar);
  });

  test('no setting reaches the container under its real name: start-neo4j.sh exports the chosen family\'s', () => {
    const names = Object.keys(containerEnvironment(template, 'main'));
    expect(names.filter((n) => n.startsWith('NEO4J_') && !n.startsWith('NEO4J_UPGRADE_'))).toEqual(['NEO4J_ACCEPT_LICENSE_AGREEMENT']);
  });

  test('AllowUpgrade maps to dbms.allow_upgrade (4.4) or to neo4j-admin migration (5.x, 2025.x)', () => {
    const env = containerEnvironment(template, 'main', { Mode: 'SINGLE', AllowUpgrade: 'true' });
    if (versionFamily === Neo4jVersionFamily.V4_4_CAUSAL) {
      expect(env[`${prefix}SET_NEO4J_dbms_allow__upgrade`]).toBe('true');
      expect(env[`${prefix}MIGRATE_STORE`]).toBeUndefined();
    } else {
      expect(env[`${prefix}MIGRATE_STORE`]).toBe('true');
      expect(Object.keys(env).some((k) => k.startsWith(prefix) && k.includes('allow__upgrade'))).toBe(false);
    }
    expect(containerEnvironment(template, 'slave', { SlaveMode: 'SINGLE', AllowUpgrade: 'true' })[`${prefix}MIGRATE_STORE`])
      .toBe(versionFamily === Neo4jVersionFamily.V4_4_CAUSAL ? undefined : 'false');
  });
});
