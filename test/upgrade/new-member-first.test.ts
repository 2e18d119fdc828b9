import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { MembershipModel, Neo4jRollingUpgrade, Neo4jVersionFamily, ServerReplacement } from '../../lib';
import { Neo4jUpgradesValidationError } from '../../lib/errors';
import { appWithFeatureFlags } from '../support/app';
import { rollingUpgradeStack } from '../support/example-rolling-upgrade';
import { unacknowledgedNagFindings } from '../support/nag';
import { perServerCluster } from '../support/per-server-cluster';
import { resolvedDefinition } from '../support/state-machine-definition';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator = require('asl-validator');

/** The state names from `start`, following Next (a Choice: its Default), until a terminal state. */
function path(states: Record<string, any>, start: string): string[] {
  const seen: string[] = [];
  for (let name: string | undefined = start; name !== undefined; name = states[name].Next ?? states[name].Default) seen.push(name);
  return seen;
}

describe('Neo4jRollingUpgrade serverReplacement: NEW_MEMBER_FIRST', () => {
  const { app, stack } = rollingUpgradeStack(undefined, { spareServerSlots: 1 }, { serverReplacement: ServerReplacement.NEW_MEMBER_FIRST });
  const template = Template.fromStack(stack);
  const { definition } = resolvedDefinition(template.toJSON());
  const states = definition.States as Record<string, any>;
  const title = 'Stage 1 Replace the servers';
  const map = states[`${title}: one replacement at a time`];
  const inner = map.ItemProcessor.States as Record<string, any>;

  test('a valid definition: gate, plan, one replacement at a time, closing update, gate at the target', () => {
    const { isValid, errorsText } = aslValidator(definition);
    expect(isValid ? '' : errorsText('\n')).toBe('');
    expect(path(states, `${title}: begin`).slice(0, 10)).toEqual([
      `${title}: begin`,
      `${title}: same settings family?`,
      `${title}: cluster gate before the roll`,
      `${title}: plan the replacements`,
      `${title}: one replacement at a time`,
      `${title}: closing update`,
      `${title}: closing update: UPDATE_COMPLETE`,
      `${title}: wait for every service`,
      `${title}: cluster gate, every server at the target version`,
      `${title}: done`,
    ]);
    expect(states[`${title}: plan the replacements`].Parameters.Payload).toMatchObject({
      action: 'plan', stage: 'roll', 'image.$': '$.plan.dockerImage', 'leaderHost.$': '$.results.roll.gateBefore.Payload.leaderHost',
    });
  });

  test('per replacement: surge, address, enable, hosting, deallocate, drained, drop, retire, group back, gate', () => {
    expect(map).toMatchObject({ Type: 'Map', MaxConcurrency: 1, ItemsPath: '$.results.roll.plan.Payload.replacements' });
    expect(path(inner, map.ItemProcessor.StartAt)).toEqual([
      `${title}: start the surge slot`,
      `${title}: start the surge slot: UPDATE_COMPLETE`,
      `${title}: start the surge slot: service steady`,
      `${title}: find the new member's address`,
      `${title}: enable the new member`,
      `${title}: wait until the new member hosts its databases`,
      `${title}: deallocate the old member`,
      `${title}: wait until the old member is drained`,
      `${title}: drop the old member`,
      `${title}: stop the old slot`,
      `${title}: stop the old slot: UPDATE_COMPLETE`,
      `${title}: stop the old slot: service steady`,
      `${title}: retire the old slot's volume and instance`,
      `${title}: main group back to its size`,
      `${title}: main group back to its size: UPDATE_COMPLETE`,
      `${title}: cluster gate after the replacement`,
    ]);
    expect(inner[`${title}: enable the new member`].Parameters.Payload['serverAddress.$']).toBe('$.newMember.Payload.serverAddress');
    expect(inner[`${title}: retire the old slot's volume and instance`].Parameters.Payload).toMatchObject({
      action: 'release-slot', suffix: '-old', 'serverNumber.$': '$.replacement.oldServerNumber',
    });
  });

  test('failures: before the deallocation the new member is undone; from it on, the old member\'s retirement finished', () => {
    const catchOf = (name: string) => inner[name].Catch[0].Next;
    const undo = `${title}: undo, keep the original error`;
    for (const name of [`${title}: start the surge slot`, `${title}: find the new member's address`,
      `${title}: enable the new member`, `${title}: wait until the new member hosts its databases`]) {
      expect(catchOf(name)).toBe(undo);
    }
    const finish = `${title}: finish, keep the original error`;
    for (const name of [`${title}: deallocate the old member`, `${title}: drop the old member`, `${title}: stop the old slot`,
      `${title}: retire the old slot's volume and instance`, `${title}: main group back to its size`, `${title}: cluster gate after the replacement`]) {
      expect(catchOf(name)).toBe(finish);
    }
    const undoPath = path(inner, undo);
    expect(undoPath).toEqual([
      undo, `${title}: undo, was the new member found?`,
      `${title}: undo, stop the surge slot`, `${title}: undo, stop the surge slot: UPDATE_COMPLETE`, `${title}: undo, stop the surge slot: service steady`,
      `${title}: undo, retire the surge slot's volume and instance`,
      `${title}: undo, main group back to its size`, `${title}: undo, main group back to its size: UPDATE_COMPLETE`,
      `${title}: the replacement failed, undone`,
    ]);
    expect(inner[`${title}: undo, was the new member found?`].Choices[0].Next).toBe(`${title}: undo, withdraw the new member`);
    expect(inner[`${title}: undo, retire the surge slot's volume and instance`].Parameters.Payload).toMatchObject({ suffix: '-failed' });
    // Past the point of no return: the old member's retirement finished (DEALLOCATE again only if the first did not succeed).
    expect(path(inner, finish)).toEqual([
      finish, `${title}: finish, was the old member deallocated?`, `${title}: finish, deallocate the old member`,
      `${title}: finish, wait until the old member is drained`, `${title}: finish, drop the old member`,
      `${title}: finish, stop the old slot`, `${title}: finish, stop the old slot: UPDATE_COMPLETE`, `${title}: finish, stop the old slot: service steady`,
      `${title}: finish, retire the old slot's volume and instance`,
      `${title}: finish, group back to its size`, `${title}: finish, group back to its size: UPDATE_COMPLETE`,
      `${title}: the replacement failed, old member retired`,
    ]);
    expect(inner[`${title}: finish, was the old member deallocated?`].Choices[0]).toMatchObject({
      Variable: '$.membership.deallocate', IsPresent: true, Next: `${title}: finish, wait until the old member is drained`,
    });
    expect(inner[`${title}: finish, retire the old slot's volume and instance`].Parameters.Payload).toMatchObject({ suffix: '-old' });
    for (const name of [`${title}: finish, deallocate the old member`, `${title}: finish, stop the old slot`, `${title}: finish, retire the old slot's volume and instance`]) {
      expect(catchOf(name)).toBe(`${title}: replacement not undone`);
    }
    // The way back: the servers not at the pre-upgrade image replaced back the same way, then ROLLED_BACK.
    expect(map.Catch[0].Next).toBe('Rollback: keep the original error');
    expect(states['Rollback: was every replacement left consistent?'].Choices[0]).toMatchObject({
      Variable: '$.originalError.Error', StringEquals: 'ReplacementNotUndoneError', Next: 'Replacement not undone: lock kept for an operator',
    });
    expect(path(states, 'Rollback: was every replacement left consistent?')).toEqual([
      'Rollback: was every replacement left consistent?', 'Rollback: servers back: plan the replacements', 'Rollback: servers back: one replacement at a time',
      'Rollback: servers back: closing update', 'Rollback: servers back: closing update: UPDATE_COMPLETE', 'Rollback: servers back: wait for every service',
      'Rollback: release the lock', 'Rollback: publish the failure', 'Rolled back',
    ]);
    expect(states['Rollback: servers back: plan the replacements'].Parameters.Payload).toEqual({
      'cluster.$': '$.cluster', action: 'plan', stage: 'rollBack', 'previousParameters.$': '$.preUpgrade.Payload.parameters',
    });
    expect(states['Rollback: publish the failure'].Parameters.Payload.outcome).toBe('ROLLED_BACK');
    const back = states['Rollback: servers back: one replacement at a time'];
    expect(back.ItemsPath).toBe('$.results.rollBack.plan.Payload.replacements');
    expect(back.Catch[0].Next).toBe('Rollback failed: lock kept for an operator');
    expect(path(back.ItemProcessor.States, back.ItemProcessor.StartAt)).toContain('Rollback: servers back: deallocate the old member');
  });

  test('the server-slots function may terminate instances of the target groups only, and move the server tag only', () => {
    const policies = template.findResources('AWS::IAM::Policy');
    const statements = Object.values(policies).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    const terminate = statements.find((s: any) => s.Sid === 'RetireSlotInstances');
    expect(terminate.Action).toBe('autoscaling:TerminateInstanceInAutoScalingGroup');
    expect(JSON.stringify(terminate.Resource)).toContain('autoScalingGroupName/');
    const untag = statements.find((s: any) => s.Sid === 'MoveTheServerTag');
    expect(untag.Condition['ForAllValues:StringEquals']).toEqual({ 'aws:TagKeys': ['neo4j-upgrades:server'] });
    expect(statements.flatMap((s: any) => [s.Action].flat())).not.toContain('ec2:DeleteVolume');
  });

  test('passes cdk-nag AwsSolutions with every acknowledgement reasoned', () => {
    expect(unacknowledgedNagFindings(app).map((f) => `${f.rule} ${f.path}`)).toEqual([]);
  });

  test('refused at synth: without a spare slot, and for 3.5 HA (no member can be added first)', () => {
    expect(() => rollingUpgradeStack(undefined, {}, { serverReplacement: ServerReplacement.NEW_MEMBER_FIRST }))
      .toThrow(/serverReplacement.*NEW_MEMBER_FIRST.*spareServerSlots: 1/s);
    const { stack: s, cluster } = rollingUpgradeStack(undefined, { spareServerSlots: 1 });
    const fake35 = Object.create(cluster, { versionFamily: { value: Neo4jVersionFamily.V3_5_HA } });
    let attempt = 0;
    const refused = () => new Neo4jRollingUpgrade(s, `Refused${attempt++}`, { cluster: fake35, servers: cluster.servers, serverReplacement: ServerReplacement.NEW_MEMBER_FIRST });
    expect(refused).toThrow(Neo4jUpgradesValidationError);
    expect(refused).toThrow(/serverReplacement.*NEW_MEMBER_FIRST.*Neo4j 3\.5.*ServerReplacement\.IN_PLACE/s);
  });

  test('IN_PLACE (the default) on a cluster without a spare: the template has no server-slots function', () => {
    const { stack: plain } = rollingUpgradeStack();
    Template.fromStack(plain).resourcePropertiesCountIs('AWS::Lambda::Function', { Description: Match.stringLikeRegexp('server-slots$') }, 0);
  });
});

describe('Neo4jRollingUpgrade serverReplacement: NEW_MEMBER_FIRST on a 4.4 causal cluster', () => {
  const app = appWithFeatureFlags();
  const stack = new Stack(app, 'Rolling44', { env: { account: '123456789012', region: 'us-east-1' } });
  const cluster = perServerCluster(stack, 'neo4j:4.4.40-enterprise', Neo4jVersionFamily.V4_4_CAUSAL, { spareServerSlots: 1 });
  new Neo4jRollingUpgrade(stack, 'Rolling', {
    cluster, servers: cluster.servers, boltUri: 'bolt://neo4j.production.internal:7687', serverReplacement: ServerReplacement.NEW_MEMBER_FIRST,
  });
  const template = Template.fromStack(stack);
  const { definition } = resolvedDefinition(template.toJSON());
  const states = definition.States as Record<string, any>;
  const title = 'Stage 1 Replace the servers';
  const inner = states[`${title}: one replacement at a time`].ItemProcessor.States as Record<string, any>;
  const start = states[`${title}: one replacement at a time`].ItemProcessor.StartAt;

  test('the model of the family: core discovery for 4.4, server management for 5.x and 2025.x, none for 3.5 HA', () => {
    expect(MembershipModel.of(Neo4jVersionFamily.V4_4_CAUSAL)).toBe(MembershipModel.CORE_DISCOVERY);
    expect(MembershipModel.of(Neo4jVersionFamily.V5)).toBe(MembershipModel.SERVER_MANAGEMENT);
    expect(MembershipModel.of(Neo4jVersionFamily.V2025)).toBe(MembershipModel.SERVER_MANAGEMENT);
    expect(MembershipModel.of(Neo4jVersionFamily.V3_5_HA)).toBeUndefined();
  });

  test('a valid definition; per replacement: surge, the new core joined, the old slot retired, the old core gone, gate', () => {
    const { isValid, errorsText } = aslValidator(definition);
    expect(isValid ? '' : errorsText('\n')).toBe('');
    expect(path(inner, start)).toEqual([
      `${title}: start the surge slot`,
      `${title}: start the surge slot: UPDATE_COMPLETE`,
      `${title}: start the surge slot: service steady`,
      `${title}: find the new member's address`,
      `${title}: wait until the new member has joined`,
      `${title}: stop the old slot`,
      `${title}: stop the old slot: UPDATE_COMPLETE`,
      `${title}: stop the old slot: service steady`,
      `${title}: retire the old slot's volume and instance`,
      `${title}: main group back to its size`,
      `${title}: main group back to its size: UPDATE_COMPLETE`,
      `${title}: wait until the old member has left`,
      `${title}: cluster gate after the replacement`,
    ]);
    // No 5.x server-management command anywhere in the procedure.
    const actions = JSON.stringify(definition).match(/"action":"[a-z-]+"/g) ?? [];
    for (const command of ['enable-server', 'wait-hosting', 'deallocate', 'wait-drained', 'drop-server', 'withdraw-new-member']) {
      expect(actions).not.toContain(`"action":"${command}"`);
    }
    expect(inner[`${title}: wait until the new member has joined`].Parameters.Payload).toMatchObject({
      action: 'wait-joined', 'serverAddress.$': '$.newMember.Payload.serverAddress',
    });
    expect(inner[`${title}: wait until the old member has left`].Parameters.Payload).toMatchObject({
      action: 'wait-left', 'serverAddress.$': '$.replacement.oldServerAddress',
    });
    // Polled within the gate's budget: a member still copying its store is looked at again, not failed.
    const retried = inner[`${title}: wait until the new member has joined`].Retry.flatMap((r: any) => r.ErrorEquals);
    expect(retried).toEqual(expect.arrayContaining(['StillInProgressError', 'HealthGateError']));
  });

  test('failures: until the old slot is stopped the new core is undone (its slot stopped, then gone from the membership); after, the old core\'s retirement finished', () => {
    const catchOf = (name: string) => inner[name].Catch[0].Next;
    const undo = `${title}: undo, keep the original error`;
    for (const name of [`${title}: start the surge slot`, `${title}: find the new member's address`, `${title}: wait until the new member has joined`]) {
      expect(catchOf(name)).toBe(undo);
    }
    const finish = `${title}: finish, keep the original error`;
    for (const name of [`${title}: stop the old slot`, `${title}: retire the old slot's volume and instance`, `${title}: wait until the old member has left`]) {
      expect(catchOf(name)).toBe(finish);
    }
    // Past the point of no return: the old slot's retirement finished, then the wait until the old core has left.
    expect(path(inner, finish)).toEqual([
      finish, `${title}: finish, stop the old slot`, `${title}: finish, stop the old slot: UPDATE_COMPLETE`, `${title}: finish, stop the old slot: service steady`,
      `${title}: finish, retire the old slot's volume and instance`,
      `${title}: finish, group back to its size`, `${title}: finish, group back to its size: UPDATE_COMPLETE`,
      `${title}: finish, wait until the old member has left`, `${title}: the replacement failed, old member retired`,
    ]);
    expect(inner[`${title}: finish, wait until the old member has left`].Catch[0].Next).toBe(`${title}: replacement not undone`);
    // Replaced back with the same core-discovery steps.
    const back = states['Rollback: servers back: one replacement at a time'].ItemProcessor;
    expect(path(back.States, back.StartAt)).toContain('Rollback: servers back: wait until the new member has joined');
    expect(path(inner, undo)).toEqual([
      undo,
      `${title}: undo, stop the surge slot`, `${title}: undo, stop the surge slot: UPDATE_COMPLETE`, `${title}: undo, stop the surge slot: service steady`,
      `${title}: undo, was the new member found?`,
      `${title}: undo, retire the surge slot's volume and instance`,
      `${title}: undo, main group back to its size`, `${title}: undo, main group back to its size: UPDATE_COMPLETE`,
      `${title}: the replacement failed, undone`,
    ]);
    const found = inner[`${title}: undo, was the new member found?`].Choices[0].Next;
    expect(found).toBe(`${title}: undo, wait until the new member has left`);
    expect(inner[found].Parameters.Payload).toMatchObject({ action: 'wait-left', 'serverAddress.$': '$.newMember.Payload.serverAddress' });
    expect(inner[found].Next).toBe(`${title}: undo, retire the surge slot's volume and instance`);
  });

  test('passes cdk-nag AwsSolutions with every acknowledgement reasoned', () => {
    expect(unacknowledgedNagFindings(app).map((f) => `${f.rule} ${f.path}`)).toEqual([]);
  });
});
