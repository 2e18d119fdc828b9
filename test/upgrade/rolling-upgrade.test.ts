import { Template } from 'aws-cdk-lib/assertions';
import { DiscoveryVersion, Neo4jRollingUpgrade } from '../../lib';
import { Neo4jUpgradesValidationError } from '../../lib/errors';
import { clusterStack } from '../support/example-cluster';
import { rollingUpgradeStack } from '../support/example-rolling-upgrade';
import { unacknowledgedNagFindings } from '../support/nag';
import { resolvedDefinition, statesByName } from '../support/state-machine-definition';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator = require('asl-validator');

/** The state names from `start`, following Next (a Choice: its Default), until a terminal state. */
function path(states: Record<string, any>, start: string): string[] {
  const seen: string[] = [];
  for (let name: string | undefined = start; name !== undefined; name = states[name].Next ?? states[name].Default) seen.push(name);
  return seen;
}

describe('Neo4jRollingUpgrade', () => {
  const { stack } = rollingUpgradeStack();
  const template = Template.fromStack(stack);
  const { definition } = resolvedDefinition(template.toJSON());
  const states = definition.States as Record<string, any>;
  const mapName = 'Stage 1 Roll the servers: one server at a time';

  test('synthesizes a valid definition: preflight as the rolling procedure, gate, servers, closing update, gate, backup', () => {
    const { isValid, errorsText } = aslValidator(definition);
    expect(isValid ? '' : errorsText('\n')).toBe('');
    expect(states['Preflight: validate the input and the version path'].Parameters.Payload.procedure).toBe('rolling');
    const main = path(states, 'Stage 1 Roll the servers: begin');
    expect(main.slice(0, 10)).toEqual([
      'Stage 1 Roll the servers: begin',
      'Stage 1 Roll the servers: same settings family?',
      'Stage 1 Roll the servers: cluster gate before the roll',
      'Stage 1 Roll the servers: plan the order, the leader last',
      mapName,
      'Stage 1 Roll the servers: closing update (DockerImage set, servers cleared)',
      'Stage 1 Roll the servers: wait for the closing UPDATE_COMPLETE',
      'Stage 1 Roll the servers: wait for every service',
      'Stage 1 Roll the servers: cluster gate, every server at the target version',
      'Stage 1 Roll the servers: done',
    ]);
    expect(main).toContain('Stage 2 Full backup after the roll: snapshot every data volume');
    // The gate before accepts the version running now; the last one only the target.
    expect(states['Stage 1 Roll the servers: cluster gate before the roll'].Parameters.Payload['acceptedPreviousVersion.$']).toBe('$.plan.fromVersion');
    expect(states['Stage 1 Roll the servers: cluster gate, every server at the target version'].Parameters.Payload.acceptedPreviousVersion).toBeUndefined();
    expect(states['Stage 1 Roll the servers: plan the order, the leader last'].Parameters.Payload).toMatchObject({
      'image.$': '$.plan.dockerImage', 'leaderHost.$': '$.results.roll.gateBefore.Payload.leaderHost', stage: 'roll',
    });
  });

  test('a settings family change (5.26 -> 2025.x) is not rolled: it fails into the rollback before any server', () => {
    const choice = states['Stage 1 Roll the servers: same settings family?'];
    expect(choice.Choices).toEqual([{
      Not: { Variable: '$.plan.toSettingsFamily', StringEqualsPath: '$.plan.fromFamily' },
      Next: 'Stage 1 Roll the servers: refuse a settings family change',
    }]);
    const refuse = states['Stage 1 Roll the servers: refuse a settings family change'];
    expect(refuse).toMatchObject({ ResultPath: '$.error', Next: 'Rollback: keep the original error' });
    expect(refuse.Parameters['Cause.$']).toContain('run the offline procedure, Neo4jOfflineUpgrade');
  });

  test('on discovery v2 a settings family change rolls: no refusal, each server and the closing update get the family', () => {
    const { stack: v2 } = rollingUpgradeStack(undefined, { dockerImage: 'neo4j:5.26.30-enterprise', discoveryVersion: DiscoveryVersion.V2 });
    const v2States = resolvedDefinition(Template.fromStack(v2).toJSON()).definition.States as Record<string, any>;
    expect(path(v2States, 'Stage 1 Roll the servers: begin')[1]).toBe('Stage 1 Roll the servers: cluster gate before the roll');
    expect(Object.keys(v2States).filter((n) => /settings family/.test(n))).toEqual([]);
    expect(v2States['Stage 1 Roll the servers: plan the order, the leader last'].Parameters.Payload)
      .toMatchObject({ 'image.$': '$.plan.dockerImage', 'versionFamily.$': '$.plan.toSettingsFamily' });
  });

  test('one server at a time: its image parameter, UPDATE_COMPLETE, its service, the cluster gate (previous version accepted, bounded)', () => {
    const map = states[mapName];
    expect(map).toMatchObject({ Type: 'Map', MaxConcurrency: 1, ItemsPath: '$.results.roll.plan.Payload.servers' });
    const inner = map.ItemProcessor.States as Record<string, any>;
    expect(path(inner, map.ItemProcessor.StartAt)).toEqual([
      "Stage 1 Roll the servers: update the server's image parameter",
      "Stage 1 Roll the servers: wait for the server's UPDATE_COMPLETE",
      "Stage 1 Roll the servers: wait for the server's service",
      'Stage 1 Roll the servers: cluster gate after the server',
    ]);
    expect(inner["Stage 1 Roll the servers: update the server's image parameter"].Parameters.Payload)
      .toMatchObject({ 'parameters.$': '$.server.parameters', 'stage.$': '$.server.stage' });
    expect(inner["Stage 1 Roll the servers: wait for the server's service"].Parameters.Payload['groups.$']).toBe('$.server.groups');
    // Safe points: an operator's abort request fails the roll into the rollback (which itself is not abortable).
    expect(inner["Stage 1 Roll the servers: update the server's image parameter"].Parameters.Payload.abortRequest)
      .toEqual({ 'parameterName.$': '$.settings.abortParameterName', 'executionArn.$': '$$.Execution.Id' });
    expect(map.ItemSelector['settings.$']).toBe('$.settings');
    const back = states['Rollback: servers back: one server at a time'].ItemProcessor.States;
    expect(back["Rollback: servers back: update the server's image parameter"].Parameters.Payload.abortRequest).toBeUndefined();
    const gate = inner['Stage 1 Roll the servers: cluster gate after the server'];
    expect(gate.Parameters.Payload).toMatchObject({ 'acceptedPreviousVersion.$': '$.plan.fromVersion', maxTransactionLag: 0 });
    // Every wait has a budget: the gate polls a bounded number of times, then fails into the rollback.
    expect(gate.Retry.find((r: any) => r.ErrorEquals.includes('HealthGateError')).MaxAttempts).toBeGreaterThan(0);
    expect(map.Catch[0]).toMatchObject({ ErrorEquals: ['States.ALL'], Next: 'Rollback: keep the original error' });
  });

  test('every Fail state a Catch leads to reads its error where that Catch put it (else States.Runtime, which no Catch takes)', () => {
    const all = statesByName(definition);
    const misread: string[] = [];
    let caught = 0;
    for (const [name, state] of Object.entries<any>(all)) {
      for (const c of state.Catch ?? []) {
        const fail = all[c.Next];
        if (fail?.Type !== 'Fail') continue;
        caught++;
        const at = c.ResultPath ?? '$';
        for (const p of [fail.ErrorPath, fail.CausePath]) {
          // The rollback's states run after "Rollback: keep the original error": `$.originalError` is always there.
          const kept = name.startsWith('Rollback: ') && p?.startsWith('$.originalError.');
          if (p !== undefined && !kept && !p.startsWith(at === '$' ? '$.' : `${at}.`)) misread.push(`${name} -> ${c.Next}: ${p} (the Catch writes ${at})`);
        }
      }
    }
    expect(caught).toBeGreaterThan(0);
    expect(misread).toEqual([]);
    expect(all['Stage 1 Roll the servers: a server failed']).toMatchObject({ ErrorPath: '$.error.Error', CausePath: '$.error.Cause' });
  });

  test('a failure rolls the servers back to the pre-upgrade image the same way, then releases the lock; nothing deleted', () => {
    const rollback = path(states, 'Rollback: keep the original error');
    expect(rollback).toEqual([
      'Rollback: keep the original error',
      'Rollback: servers back: plan the order, the leader last',
      'Rollback: servers back: one server at a time',
      'Rollback: servers back: closing update (DockerImage set, servers cleared)',
      'Rollback: servers back: wait for the closing UPDATE_COMPLETE',
      'Rollback: servers back: wait for every service',
      'Rollback: release the lock',
      'Rollback: publish the failure',
      'Rolled back',
    ]);
    expect(states['Rollback: servers back: plan the order, the leader last'].Parameters.Payload)
      .toMatchObject({ 'previousParameters.$': '$.preUpgrade.Payload.parameters', stage: 'rollBack' });
    expect(states['Rollback: servers back: one server at a time'].MaxConcurrency).toBe(1);
    // The lock is free once the failure is published: a failed publication is no "lock kept for an operator".
    expect(states['Rollback: publish the failure'].Catch).toEqual([{ ErrorEquals: ['States.ALL'], Next: 'Rolled back (result not published)', ResultPath: '$.results.rollbackPublish.error' }]);
    for (const end of ['Rolled back', 'Rolled back (result not published)']) {
      expect(states[end]).toMatchObject({ Type: 'Fail', ErrorPath: '$.originalError.Error', CausePath: '$.originalError.Cause' });
    }
    expect(JSON.stringify(definition)).not.toMatch(/restore-volumes|RESTORE|DeleteVolume|DeleteSnapshot/i);
  });

  test('deploys plan-server-roll, allowed to read the stack and the fleet only', () => {
    const fn = Object.entries<any>(template.findResources('AWS::Lambda::Function'))
      .find(([, f]) => String(f.Properties.Description).endsWith('plan-server-roll'));
    expect(fn).toBeDefined();
    const policies = JSON.stringify(Object.values<any>(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(fn![0].replace(/[0-9A-F]{8}$/, ''))));
    expect(policies).toContain('cloudformation:DescribeStacks');
    expect(policies).toContain('ec2:DescribeVolumes');
    expect(policies).not.toMatch(/ec2:CreateTags|ec2:DeleteVolume|ecs:UpdateService/);
  });

  test('the waits may describe every server\'s service and the slave-only one, and nothing else', () => {
    const statements = Object.values<any>(template.findResources('AWS::IAM::Policy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement).filter((st: any) => st.Sid === 'DescribeTheServices');
    expect(statements.length).toBeGreaterThan(0);
    for (const st of statements) {
      const resources = JSON.stringify(st.Resource);
      expect([1, 2, 3].every((n) => resources.includes(`Server${n}Service`))).toBe(true);
      expect((Array.isArray(st.Resource) ? st.Resource : [st.Resource])).toHaveLength(4);
    }
  });

  test('passes cdk-nag AwsSolutions', () => {
    const { app } = rollingUpgradeStack();
    expect(unacknowledgedNagFindings(app).map((f) => `${f.rule} ${f.path}`)).toEqual([]);
  });

  test('refuses a cluster without servers, naming the layout', () => {
    const { stack: plain, cluster } = clusterStack();
    let attempt = 0;
    const build = () => new Neo4jRollingUpgrade(plain, `Rolling${attempt++}`, { cluster, servers: cluster.servers });
    expect(build).toThrow(Neo4jUpgradesValidationError);
    expect(build).toThrow(/servers.*ServerLayout\.SERVICE_PER_SERVER/);
  });

  test('every state name fits Step Functions (80 characters)', () => {
    const names: string[] = [];
    const collect = (within: Record<string, any>) => {
      for (const [name, state] of Object.entries(within)) {
        names.push(name);
        if (state.ItemProcessor) collect(state.ItemProcessor.States);
      }
    };
    collect(states);
    expect(names.filter((n) => n.length > 80)).toEqual([]);
    expect(names.length).toBeGreaterThan(40);
  });
});
