import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { ArangoUpgradeTarget, ClusterServer, RoleGate, RoleOrder, RoleOrderedUpgrade } from '../../lib';
import { arangoApp } from '../../tools/rehearsal/apps/arango-app';
import { resolvedDefinition } from '../support/state-machine-definition';

function definitionOf(stack: Stack): any {
  return resolvedDefinition(Template.fromStack(stack).toJSON()).definition;
}

function targetIn(stack: Stack, servers: ClusterServer[]) {
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1, restrictDefaultSecurityGroup: false });
  return ArangoUpgradeTarget.fromAttributes(stack, 'Arango', {
    stackName: 'ArangoCluster', ecsClusterName: 'arango', servers, environmentName: 'test', dataVolumeName: 'arango-data', vpc,
    clusterCredentials: new secretsmanager.Secret(stack, 'Credentials'), serverSecurityGroup: new ec2.SecurityGroup(stack, 'Sg', { vpc }),
    passedRoleArns: ['arn:aws:iam::123456789012:role/task'],
  });
}

const server = (role: string, serverId: string): ClusterServer => ({ role, serverId, ecsServiceName: `svc-${serverId}`, endpoint: `http://${serverId}:8529` });

describe('RoleOrderedUpgrade', () => {
  const stack = arangoApp(new App());
  const definition = definitionOf(stack);
  const states = definition.States as Record<string, any>;

  test('the servers run in a Map of MaxConcurrency 1 over the plan, caught into the rollback', () => {
    const map = Object.values(states).find((s: any) => s.Type === 'Map') as any;
    expect(map).toMatchObject({ MaxConcurrency: 1, ItemsPath: '$.plan.servers' });
    expect(map.Catch).toEqual([expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: 'Rollback: supervision maintenance off' })]);
    const inner = Object.keys(map.ItemProcessor.States);
    expect(inner).toEqual(expect.arrayContaining([
      'Server: supervision maintenance on, with an expiry', 'Server: stop it', 'Server: run the new version once with auto-upgrade',
      'Server: start it on the new image', 'Server: the role gate passes', 'Server: supervision maintenance off after the role',
    ]));
  });

  test('every top-level task after the lock is caught: the rollback switches maintenance off first, and its own Catch-all does too', () => {
    const tasks = Object.entries(states).filter(([, s]) => s.Type === 'Task');
    for (const [name, s] of tasks) expect([name, (s.Catch ?? []).map((c: any) => c.ErrorEquals)]).toEqual([name, [['States.ALL']]]);
    expect(states['Rollback: supervision maintenance off'].Next).toBe('Rollback: servers taken down back on their old image');
    expect(states['Rollback: servers taken down back on their old image'].Catch[0].Next).toBe('Rollback failed: supervision maintenance off');
    expect(states['Rollback failed: supervision maintenance off'].Parameters.Payload).toMatchObject({ mode: 'off' });
  });

  test('the hooks stop before the servers and are restored after them and on the rollback path', () => {
    expect(Object.keys(states).filter((n) => /hook|replication|restarts/i.test(n))).toEqual(expect.arrayContaining([
      'Before: stop DC2DC replication', 'Before: stop automatic restarts', 'After: restore automatic restarts', 'After: restore DC2DC replication',
      'Rollback: restore automatic restarts', 'Rollback: restore DC2DC replication',
    ]));
  });

  test('a server with a role outside the order and a role without servers are refused at synth, naming them', () => {
    const s1 = new Stack(new App(), 'S1');
    const unknown = targetIn(s1, [server('agents', 'A1'), server('dbServers', 'P1'), server('coordinators', 'C1'), server('followers', 'F1')]);
    expect(() => new RoleOrderedUpgrade(s1, 'Upgrade', { target: unknown }))
      .toThrow('Invalid target.servers[3].role (got "followers"): is not a role of the order (agents, dbServers, coordinators)');
    const s2 = new Stack(new App(), 'S2');
    const empty = targetIn(s2, [server('agents', 'A1'), server('coordinators', 'C1')]);
    expect(() => new RoleOrderedUpgrade(s2, 'Upgrade', { target: empty }))
      .toThrow('Invalid roleOrder (got "dbServers"): this role has no servers in the target: an empty role cannot be upgraded');
  });

  test('RoleOrder refuses no roles, a role named twice, an empty name and two roles under maintenance', () => {
    expect(() => RoleOrder.of([])).toThrow('Invalid roleOrder (got []): needs at least one role');
    expect(() => RoleOrder.of([{ role: 'a', gate: RoleGate.AGENCY_IN_SYNC }, { role: 'a', gate: RoleGate.COORDINATOR_ANSWERING }])).toThrow(/roleOrder\[1\]\.role \(got "a"\): is named twice/);
    expect(() => RoleOrder.of([{ role: '', gate: RoleGate.AGENCY_IN_SYNC }])).toThrow(/roleOrder\[0\]\.role \(got ""\)/);
    expect(() => RoleOrder.of([
      { role: 'a', gate: RoleGate.AGENCY_IN_SYNC, underMaintenance: true }, { role: 'b', gate: RoleGate.COORDINATOR_ANSWERING, underMaintenance: true },
    ])).toThrow(/at most one role may run under maintenance/);
  });
});
