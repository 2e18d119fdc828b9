import { Template } from 'aws-cdk-lib/assertions';
import { Neo4jOfflineUpgrade, Neo4jVersionFamily } from '../../lib';
import { Neo4jUpgradesValidationError } from '../../lib/errors';
import { clusterStack } from '../support/example-cluster';
import { offlineUpgradeStack } from '../support/example-offline-upgrade';
import { rollingUpgradeStack } from '../support/example-rolling-upgrade';
import { unacknowledgedNagFindings } from '../support/nag';
import { resolvedDefinition } from '../support/state-machine-definition';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator = require('asl-validator');

/** The state names from `start`, following Next (a Choice: its Default), until a terminal state. */
function path(states: Record<string, any>, start: string): string[] {
  const seen: string[] = [];
  for (let name: string | undefined = start; name !== undefined; name = states[name].Next ?? states[name].Default) seen.push(name);
  return seen;
}

describe('Neo4jOfflineUpgrade', () => {
  const { stack } = offlineUpgradeStack();
  const template = Template.fromStack(stack);
  const { definition } = resolvedDefinition(template.toJSON());
  const states = definition.States as Record<string, any>;
  const payload = (name: string) => states[name].Parameters.Payload;
  const main = path(states, definition.StartAt);

  test('synthesizes a valid definition: preflight as the offline procedure with every volume snapshotted, then the stages in order', () => {
    const { isValid, errorsText } = aslValidator(definition);
    expect(isValid ? '' : errorsText('\n')).toBe('');
    expect(payload('Preflight: validate the input and the version path').procedure).toBe('offline');
    const order = [
      'Preflight: take the upgrade lock',
      'Preflight: freeze writes (every user database READ ONLY)',
      'Preflight: snapshot every data volume',
      'Stage 1 Choose the migrating server: cluster gate before',
      'Find the leader instance and its volume',
      'Stage 2 Stop every other server: update the stack parameters',
      'Verify only the migrating server is left',
      'Stage 3 One server migrates the store: update the stack parameters',
      'Stage 3 One server migrates the store: point of no return, the update started',
      'Stage 3 One server migrates the store: the migrated server at the target version',
      'Stage 4 Stop the migrated server: update the stack parameters',
      'Wait until the migrated volume is detached',
      'Stage 5 Copy the store to the others: snapshot the migrated store',
      'One copy per server, old volumes kept',
      'Stage 6 Start every server at the target: update the stack parameters',
      'Stage 6 Start every server at the target: wait for steady ECS services',
      'Stage 6 Start every server at the target: cluster gate at the target version',
      'Stage 7 Full backup after the upgrade: snapshot every data volume',
      'After: thaw writes (every user database READ WRITE)',
      'After: release the lock',
      'After: did the thaw fail?',
    ];
    const positions = order.map((name) => main.indexOf(name));
    expect(positions.filter((p) => p < 0).map((_, i) => order[i])).toEqual([]);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(main.at(-1)).toBe('Upgraded');
  });

  test('every other server stops first; the migrating one then runs the target alone with AllowUpgrade, every server on DockerImage', () => {
    expect(payload('Stage 2 Stop every other server: update the stack parameters').parameters).toEqual({ minSize: '1', maxSize: '1', desiredCapacity: '1' });
    expect(payload('Stage 3 One server migrates the store: update the stack parameters').parameters).toEqual({
      'dockerImage.$': '$.plan.dockerImage', 'versionFamily.$': '$.plan.toSettingsFamily',
      server1Image: '', server2Image: '', server3Image: '', mode: 'SINGLE', allowUpgrade: 'true',
    });
    // Its gate: one member, at the target version only.
    const gate = payload('Stage 3 One server migrates the store: the migrated server at the target version');
    expect(gate.expectedMembers).toBe(1);
    expect(gate.acceptedPreviousVersion).toBeUndefined();
    expect(payload('Stage 1 Choose the migrating server: cluster gate before')['acceptedPreviousVersion.$']).toBe('$.plan.fromVersion');
  });

  test('the migrated store comes to rest before its snapshot; the copies go to every other server, old volumes retained', () => {
    expect(payload('Stage 4 Stop the migrated server: update the stack parameters').parameters)
      .toEqual({ mode: 'HA', allowUpgrade: 'false', minSize: '0', maxSize: '0', desiredCapacity: '0' });
    expect(main.indexOf('Release the scale-in protection'))
      .toBeLessThan(main.indexOf('Stage 4 Stop the migrated server: update the stack parameters'));
    expect(payload('Wait until the migrated volume is detached')['volumeId.$']).toBe('$.master.Payload.volumeId');
    expect(payload('Stage 5 Copy the store to the others: snapshot the migrated store')['volumeIds.$']).toBe('States.Array($.master.Payload.volumeId)');
    expect(payload('One copy per server, old volumes kept')).toMatchObject({
      'snapshotId.$': '$.snapshots.migrated.Payload.snapshots[0].snapshotId', 'sourceVolumeId.$': '$.master.Payload.volumeId',
    });
    // Every server comes back with the recorded capacity.
    expect(payload('Stage 6 Start every server at the target: update the stack parameters').parameters).toEqual({
      'minSize.$': '$.preUpgrade.Payload.parameters.MinSize', 'maxSize.$': '$.preUpgrade.Payload.parameters.MaxSize',
      'desiredCapacity.$': '$.preUpgrade.Payload.parameters.DesiredCapacity',
    });
  });

  test('a failure restores the parameters, and past the point of no return the pre-upgrade snapshots; nothing deleted', () => {
    const before = path(states, 'Rollback: restore the pre-upgrade parameters');
    expect(before).toEqual(['Rollback: restore the pre-upgrade parameters', 'Rollback: wait for the restored parameters',
      'Rollback: every server back (gate before the thaw)', 'Rollback: thaw writes (every user database READ WRITE)',
      'Rollback: release the lock', 'Rollback: publish the failure', 'Rolled back']);
    const after = path(states, 'Restore: release the master scale-in protection');
    expect(after.slice(0, 5)).toEqual(['Restore: release the master scale-in protection', 'Restore: scale both groups to zero',
      'Restore: wait for the groups to empty', 'Restore: pre-upgrade snapshots become the data volumes', 'Rollback: restore the pre-upgrade parameters']);
    expect(payload('Restore: scale both groups to zero').parameters).toEqual({ minSize: '0', desiredCapacity: '0' });
    expect(states['One copy per server, old volumes kept'].Catch[0].Next)
      .toBe('Rollback: past the point of no return?');
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(policies).not.toMatch(/ec2:DeleteVolume|ec2:DeleteSnapshot/);
  });

  test('writes frozen from the lock to the end: before the pre-upgrade snapshots, thawed on every path where the servers run again', () => {
    const every = { 'cluster.$': '$.cluster', databases: '*' };
    expect(payload('Preflight: freeze writes (every user database READ ONLY)')).toEqual({ ...every, action: 'freeze' });
    expect(states['Preflight: freeze writes (every user database READ ONLY)'].ResultPath).toBe('$.writeFreeze.freeze');
    // Preflight failing after the lock (the freeze itself too: it may have reached some databases): thaw, then the lock goes.
    for (const name of ['Preflight: record the pre-upgrade parameters', 'Preflight: freeze writes (every user database READ ONLY)', 'Preflight: wait for the pre-upgrade snapshots']) {
      expect(path(states, states[name].Catch[0].Next)).toEqual(['Preflight failed after the lock: thaw writes', 'Preflight failed after the lock: release the lock', 'Preflight failed after the lock']);
    }
    // Every thaw: every user database READ WRITE; its failure (or the rollback gate's) is kept and the path goes on to the lock.
    const thaws = { 'Preflight failed after the lock: thaw writes': 'Preflight failed after the lock: release the lock',
      'Rollback: thaw writes (every user database READ WRITE)': 'Rollback: release the lock', 'After: thaw writes (every user database READ WRITE)': 'After: release the lock' };
    for (const [thaw, next] of Object.entries(thaws)) {
      expect(payload(thaw)).toEqual({ ...every, action: 'thaw' });
      expect(states[thaw].Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.writeFreeze.thawError', Next: next }]);
      expect(states[thaw].Next).toBe(next);
    }
    // The rollback thaws only once every server answers (either version), both before and past the point of no return.
    const gate = states['Rollback: every server back (gate before the thaw)'];
    expect(gate.Parameters.Payload).toMatchObject({ 'acceptedPreviousVersion.$': '$.plan.fromVersion', 'expectedMembers.$': 'States.MathAdd($.plan.currentCapacity, $.plan.currentSlaveMembers)' });
    expect(gate.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.writeFreeze.thawError', Next: 'Rollback: release the lock' }]);
    expect(path(states, 'Restore: release the master scale-in protection')).toContain('Rollback: thaw writes (every user database READ WRITE)');
    // The success thaws after the full backup (a failure until then restores the pre-upgrade snapshots).
    const afterBackup = main.slice(main.indexOf('Stage 7 Full backup after the upgrade: wait for the snapshots') + 1);
    expect(afterBackup.filter((n) => states[n].Type === 'Task')[0]).toBe('After: thaw writes (every user database READ WRITE)');
    // The results name the freeze; a failed thaw after a success ends the execution failed, naming it.
    expect(payload('Rollback: publish the failure')['writeFreeze.$']).toBe('$.writeFreeze');
    expect(payload('After: publish the result')['writeFreeze.$']).toBe('$.writeFreeze');
    expect(states['After: did the thaw fail?'].Choices).toEqual([{ Variable: '$.writeFreeze.thawError', IsPresent: true, Next: 'Upgraded, but writes still frozen: the thaw failed' }]);
  });

  test('writeFreeze false: no freeze and no thaw; a 3.5 cluster must say so', () => {
    const { stack: plain } = offlineUpgradeStack(undefined, { writeFreeze: false });
    const names = Object.keys(resolvedDefinition(Template.fromStack(plain).toJSON()).definition.States);
    expect(names.filter((n) => /freeze|thaw/i.test(n))).toEqual([]);
    expect(() => offlineUpgradeStack(undefined, {}, 'neo4j:3.5.35-enterprise', Neo4jVersionFamily.V3_5_HA))
      .toThrow(/writeFreeze.*true.*Neo4j 3.5 has no ALTER DATABASE to freeze writes with: set writeFreeze: false/);
    expect(() => offlineUpgradeStack(undefined, { writeFreeze: false }, 'neo4j:3.5.35-enterprise', Neo4jVersionFamily.V3_5_HA)).not.toThrow();
  });

  test('every state name fits Step Functions (80 characters)', () => {
    expect(Object.keys(states).filter((n) => n.length > 80)).toEqual([]);
  });

  test('passes cdk-nag AwsSolutions', () => {
    const { app } = offlineUpgradeStack();
    expect(unacknowledgedNagFindings(app).map((f) => `${f.rule} ${f.path}`)).toEqual([]);
  });

  test('refuses a cluster without servers, and servers of another cluster, naming the prop', () => {
    const { stack: plain, cluster } = clusterStack();
    expect(() => new Neo4jOfflineUpgrade(plain, 'Offline', { cluster, servers: cluster.servers }))
      .toThrow(Neo4jUpgradesValidationError);
    expect(() => new Neo4jOfflineUpgrade(plain, 'Offline2', { cluster, servers: cluster.servers }))
      .toThrow(/servers.*0 servers.*ServerLayout\.SERVICE_PER_SERVER/);
    const { stack: other, cluster: perServer } = rollingUpgradeStack();
    const renamed = perServer.servers.map((s) => ({ ...s, imageParameterName: `Other${s.imageParameterName}` }));
    expect(() => new Neo4jOfflineUpgrade(other, 'Offline', { cluster: perServer, servers: renamed }))
      .toThrow(/servers\[1\]\.imageParameterName.*OtherServer1Image/);
  });
});
