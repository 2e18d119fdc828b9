import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { Neo4jVersionFamily } from '../../lib';
import { clusterStack } from '../support/example-cluster';
import { resolveWithParameters } from '../support/template-eval';
import { containerStart } from '../../tools/rehearsal/container-settings';

// Runs the real container command with the environment the synthesized task definition hands the
// container (for given stack parameter values), and a stand-in for the image's entrypoint that records
// what Neo4j would start with.
const { stack } = clusterStack();
const template = Template.fromStack(stack).toJSON();
const NODE = { selfAddress: '10.0.2.6', members: ['10.0.1.5', '10.0.2.6', '10.0.3.7'], serverId: '42' };
const SECRETS = { NEO4J_ADMIN_USER: 'neo4j', NEO4J_ADMIN_PASSWORD: 's3cret' };

function taskEnvironment(group: 'main' | 'slave', parameters: Record<string, string>): Record<string, string> {
  const task = Object.values(template.Resources as Record<string, any>).find((r) => r.Type === 'AWS::ECS::TaskDefinition'
    && JSON.stringify(r.Properties.ContainerDefinitions[0].LogConfiguration).includes(`neo4j-${group}`));
  const env = task.Properties.ContainerDefinitions[0].Environment as Array<{ Name: string; Value: unknown }>;
  return Object.fromEntries(env.map((e) => [e.Name, String(resolveWithParameters(e.Value, template, parameters))]));
}

function start(group: 'main' | 'slave', parameters: Record<string, string>, secrets: Record<string, string> = SECRETS) {
  return containerStart({ environment: taskEnvironment(group, parameters), secrets, node: NODE });
}

const CONTROL = { NEO4J_ACCEPT_LICENSE_AGREEMENT: 'yes', NEO4J_AUTH: 'neo4j/s3cret' };

describe('start-neo4j.sh (container command) exports exactly the chosen family\'s settings', () => {
  test.each([
    ['3.5', 'main', { Mode: 'HA' }, {
      NEO4J_dbms_mode: 'HA', NEO4J_dbms_allow__upgrade: 'false',
      NEO4J_ha_initial__hosts: '10.0.1.5:5001,10.0.2.6:5001,10.0.3.7:5001',
      NEO4J_dbms_connectors_default__advertised__address: '10.0.2.6', NEO4J_ha_server__id: '42',
    }],
    ['3.5', 'slave', { SlaveMode: 'HA' }, {
      NEO4J_dbms_mode: 'HA', NEO4J_ha_slave__only: 'true', NEO4J_dbms_allow__upgrade: 'false',
      NEO4J_ha_initial__hosts: '10.0.1.5:5001,10.0.2.6:5001,10.0.3.7:5001',
      NEO4J_dbms_connectors_default__advertised__address: '10.0.2.6', NEO4J_ha_server__id: '42',
    }],
    ['4.4', 'main', { Mode: 'SINGLE', AllowUpgrade: 'true' }, {
      NEO4J_dbms_mode: 'SINGLE', NEO4J_dbms_allow__upgrade: 'true', NEO4J_causal__clustering_discovery__type: 'LIST',
      NEO4J_causal__clustering_initial__discovery__members: '10.0.2.6:5000', NEO4J_dbms_default__advertised__address: '10.0.2.6',
    }],
    ['4.4', 'slave', { SlaveMode: 'HA' }, {
      NEO4J_dbms_mode: 'READ_REPLICA', NEO4J_dbms_allow__upgrade: 'false', NEO4J_causal__clustering_discovery__type: 'LIST',
      NEO4J_causal__clustering_initial__discovery__members: '10.0.1.5:5000,10.0.2.6:5000,10.0.3.7:5000',
      NEO4J_dbms_default__advertised__address: '10.0.2.6',
    }],
    ['5', 'main', { Mode: 'HA' }, {
      NEO4J_initial_server_mode__constraint: 'PRIMARY', NEO4J_dbms_cluster_discovery_resolver__type: 'LIST',
      NEO4J_dbms_cluster_discovery_endpoints: '10.0.1.5:5000,10.0.2.6:5000,10.0.3.7:5000',
      NEO4J_server_default__advertised__address: '10.0.2.6',
    }],
    ['2025', 'main', { Mode: 'HA' }, {
      NEO4J_initial_server_mode__constraint: 'PRIMARY', NEO4J_dbms_cluster_discovery_resolver__type: 'LIST',
      NEO4J_dbms_cluster_endpoints: '10.0.1.5:6000,10.0.2.6:6000,10.0.3.7:6000',
      NEO4J_server_default__advertised__address: '10.0.2.6',
    }],
    ['2025', 'slave', { SlaveMode: 'SINGLE' }, {
      NEO4J_initial_server_mode__constraint: 'NONE', NEO4J_dbms_cluster_discovery_resolver__type: 'LIST',
      NEO4J_dbms_cluster_endpoints: '10.0.2.6:6000', NEO4J_server_default__advertised__address: '10.0.2.6',
    }],
  ] as const)('VersionFamily %s, %s group %j', (family, group, parameters, expected) => {
    const r = start(group, { VersionFamily: family, ...parameters });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.calls.at(-1)).toBe('neo4j');
    // Nothing else: no other family's settings, no NEO4J_UPGRADE_* or NEO4J_ADMIN_* variable (the
    // image's entrypoint would write them into neo4j.conf, and Neo4j 5+ refuses unknown settings).
    expect(r.environment).toEqual({ ...CONTROL, ...expected });
  });

  test('a cross-family parameter update (DockerImage with VersionFamily) changes the settings the node starts with', () => {
    const before = start('main', { VersionFamily: '5' }).settings;
    const after = start('main', { VersionFamily: '2025' }).settings;
    expect(before['dbms.cluster.discovery.endpoints']).toBe('10.0.1.5:5000,10.0.2.6:5000,10.0.3.7:5000');
    expect(after['dbms.cluster.discovery.endpoints']).toBeUndefined();
    expect(after['dbms.cluster.endpoints']).toBe('10.0.1.5:6000,10.0.2.6:6000,10.0.3.7:6000');
  });

  test('AllowUpgrade on 5.x and later runs neo4j-admin migrate before the server, with the same settings', () => {
    const r = start('main', { VersionFamily: '2025', Mode: 'SINGLE', AllowUpgrade: 'true' });
    expect(r.calls).toEqual(['neo4j-admin database migrate *', 'neo4j']);
    expect(r.settings['initial.server.mode_constraint']).toBe('NONE');
  });

  test('a copy of another server\'s store (unbind mark) is unbound once, before the server, with the family\'s command', () => {
    const data = fs.mkdtempSync(path.join(os.tmpdir(), 'start-neo4j-data-'));
    try {
      const copy = (family: string, unbindMark: string) =>
        containerStart({ environment: taskEnvironment('main', { VersionFamily: family }), secrets: SECRETS, node: NODE, unbindMark, dataDir: data });
      const first = copy('5', 'offline-run-1');
      expect(first.stderr).toBe('');
      expect(first.calls).toEqual(['neo4j-admin server unbind', 'neo4j']);
      expect(fs.readFileSync(path.join(data, 'neo4j-upgrades.unbound'), 'utf8')).toBe('offline-run-1\n');
      // A restart of the same copy keeps its new cluster state; a later copy (another execution) is unbound again.
      expect(copy('5', 'offline-run-1').calls).toEqual(['neo4j']);
      expect(copy('4.4', 'offline-run-2').calls).toEqual(['neo4j-admin unbind', 'neo4j']);
      // A volume without a mark, and 3.5 HA (no cluster state in the store), start as they are.
      expect(copy('5', '').calls).toEqual(['neo4j']);
      expect(copy('3.5', 'offline-run-3').calls).toEqual(['neo4j']);
    } finally {
      fs.rmSync(data, { recursive: true, force: true });
    }
  });

  test('every family the VersionFamily parameter allows has its settings in the task definition', () => {
    expect(template.Parameters.VersionFamily.AllowedValues).toEqual(Neo4jVersionFamily.ALL.map((f) => f.id));
    for (const family of Neo4jVersionFamily.ALL) expect(start('main', { VersionFamily: family.id }).code).toBe(0);
  });

  test('refuses a family the task definition does not carry, naming it', () => {
    const r = start('main', { VersionFamily: '4.2' });
    expect(r.code).toBe(64);
    expect(r.stderr).toContain("no settings for version family '4.2'");
    expect(r.calls).toEqual([]);
    const odd = start('main', { VersionFamily: '5;reboot' });
    expect(odd.code).toBe(64);
    expect(odd.stderr).toContain("'5;reboot' is not a family id");
  });

  test('refuses to start without the admin password', () => {
    const r = start('main', { VersionFamily: '5' }, { NEO4J_ADMIN_USER: 'neo4j' });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('from Secrets Manager');
    expect(r.calls).toEqual([]);
  });
});
