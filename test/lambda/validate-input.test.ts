import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { PROCEDURE_LIMITS } from '../../lib/private/procedure-limits';
import { memoryLogger } from '../../lambda/shared/log';
import { DEFAULT_TIMEOUTS, MAX_COMMENT_CHARACTERS, REQUEST_KEYS, ValidateInputInput, logic } from '../../lambda/validate-input/logic';
import { settingsFamilyOf } from '../../lambda/validate-input/settings-family';
import { parseNeo4jVersion } from '../../lambda/shared/image-reference';
import { INITIAL_PARAMETERS, PARAMETER_NAMES, awsError, clusterContext, describeStacksOutput } from './fixtures/upgrade-stack';

const cfnMock = mockClient(CloudFormationClient);
// A Neo4jCluster-like target: its VersionFamily parameter lets an upgrade cross families.
const cluster = { ...clusterContext('neo4j-prod'), parameterNames: { ...PARAMETER_NAMES, versionFamily: 'VersionFamily' } };

function running(image: string, params: Record<string, string> = {}) {
  cfnMock.on(DescribeStacksCommand).resolves(
    describeStacksOutput('neo4j-prod', 'UPDATE_COMPLETE', { ...INITIAL_PARAMETERS, VersionFamily: '3.5', DockerImage: image, ...params }),
  );
}

function run(request: Record<string, unknown>, defaults?: Record<string, unknown>, target: object = cluster, procedure?: string) {
  const log = memoryLogger();
  const input = { cluster: target, request, ...(defaults && { defaults }), ...(procedure && { procedure }) } as unknown as ValidateInputInput;
  return { log, result: logic({ region: 'us-east-1', cfn: new CloudFormationClient({}), log }, input) };
}

beforeEach(() => {
  cfnMock.reset();
  running('neo4j:3.5.34-enterprise');
});

describe('validate-input: the plan', () => {
  test('patch upgrade: capacities default to the stack, defaults merge under the request', async () => {
    const { result } = run(
      { dockerImage: 'neo4j:3.5.35-enterprise', approvalMode: 'after-store-upgrade', timeouts: { approvalSeconds: 7200 } },
      { approvalMode: 'none', cloneRegions: ['eu-west-1', 'eu-west-1'], timeouts: { approvalSeconds: 600 } },
    );
    const plan = await result;
    expect(plan).toEqual({
      stackName: 'neo4j-prod',
      dockerImage: 'neo4j:3.5.35-enterprise',
      currentDockerImage: 'neo4j:3.5.34-enterprise',
      fromVersion: '3.5.34',
      toVersion: '3.5.35',
      toEdition: 'enterprise',
      fromFamily: '3.5',
      toFamily: '3.5',
      toSettingsFamily: '3.5',
      upgradeKind: 'patch',
      procedure: 'offline',
      rollingSupported: false,
      procedureReason: '3.5.34 -> 3.5.35: Neo4j 3.5 High Availability clusters have no rolling upgrade',
      currentCapacity: 3,
      currentSlaveMembers: 1,
      targetCapacity: 3,
      slaveCapacity: 1,
      cloneRegions: ['eu-west-1'],
      approvalMode: 'after-store-upgrade',
      allowSameVersion: false,
      lockTtlSeconds: 172800,
      timeouts: { approvalSeconds: 7200 },
      warnings: [],
    });
    expect(cfnMock).toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: 'neo4j-prod' });
  });

  test('explicit capacities, comment and lock TTL; 3.5 -> 4.0 is a major upgrade with warnings', async () => {
    running('neo4j:3.5.35-enterprise', { SlaveDesiredCapacity: '0' });
    const plan = await run({
      dockerImage: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/neo4j:4.0.12-enterprise',
      targetCapacity: 2, slaveCapacity: 0, lockTtlSeconds: 200000, comment: 'CHG-42',
    }).result;
    expect(plan).toMatchObject({
      fromVersion: '3.5.35', toVersion: '4.0.12', upgradeKind: 'major', toFamily: '4.0',
      targetCapacity: 2, slaveCapacity: 0, lockTtlSeconds: 200000, comment: 'CHG-42',
    });
    expect(plan.warnings).toEqual([expect.stringMatching(/latest 3\.5 patch/)]);
  });

  test('a cluster.versionFamily that does not match the running version is a warning', async () => {
    running('neo4j:4.4.39-enterprise');
    const plan = await run({ dockerImage: 'neo4j:4.4.40-enterprise' }).result;
    expect(plan.warnings).toEqual([
      expect.stringMatching(/^Neo4j supports a rolling upgrade here \(4\.4\.39 -> 4\.4\.40: .*\); this execution runs the offline procedure$/),
      expect.stringMatching(/cluster\.versionFamily is 3\.5 but the stack runs 4\.4\.39 \(family 4\.4\)/),
    ]);
  });

  test.each([
    ['neo4j:4.4.40-enterprise', 'neo4j:5.26.2-enterprise', 'major'],
    ['neo4j:5.20.0-enterprise', 'neo4j:5.26.2-enterprise', 'minor'],
    ['neo4j:5.26.2-enterprise', 'neo4j:2025.10.1-enterprise', 'major'],
    ['neo4j:2025.10.1-enterprise', 'neo4j:2026.01.0-enterprise', 'minor'],
    ['neo4j:4.2.19-enterprise', 'neo4j:4.3.23-enterprise', 'minor'],
  ])('%s -> %s is allowed (%s)', async (from, to, kind) => {
    running(from);
    await expect(run({ dockerImage: to }).result).resolves.toMatchObject({ upgradeKind: kind });
  });

  test('a digest-only image needs targetVersion, and then passes', async () => {
    const digest = 'neo4j@sha256:' + 'a'.repeat(64);
    await expect(run({ dockerImage: digest }).result).rejects.toThrow(/cannot tell the Neo4j version .* give targetVersion/);
    await expect(run({ dockerImage: digest, targetVersion: '3.5.35' }).result).resolves.toMatchObject({ toVersion: '3.5.35' });
  });

  test('a floating tag is refused unless pinned by digest', async () => {
    await expect(run({ dockerImage: 'neo4j:3.5-enterprise' }).result).rejects.toThrow(/floating tag .*3\.5\.N/);
    const pinned = `neo4j:3.5-enterprise@sha256:${'b'.repeat(64)}`;
    await expect(run({ dockerImage: pinned }).result).rejects.toThrow(/gives no patch version; give targetVersion/);
    await expect(run({ dockerImage: pinned, targetVersion: '4.0.1' }).result).rejects.toThrow(/does not match the version in dockerImage's tag/);
    await expect(run({ dockerImage: pinned, targetVersion: '3.5.35' }).result).resolves.toMatchObject({ toVersion: '3.5.35' });
  });

  test('same version: refused as a no-op unless allowSameVersion', async () => {
    await expect(run({ dockerImage: 'neo4j:3.5.34-enterprise' }).result)
      .rejects.toThrow(/3\.5\.34, the version already running .*allowSameVersion/);
    await expect(run({ dockerImage: 'neo4j:3.5.34-enterprise' }, { allowSameVersion: true }).result)
      .resolves.toMatchObject({ upgradeKind: 'same', allowSameVersion: true });
  });

  test('an enterprise cluster moving to an image that does not say its edition gets a warning', async () => {
    const plan = await run({ dockerImage: 'neo4j:3.5.35' }).result;
    expect(plan.warnings.join('\n')).toMatch(/does not say its edition/);
  });

  test('the running version comes from fromVersion when the stack image has no version tag', async () => {
    running('registry.example.com/graph/neo4j:prod');
    await expect(run({ dockerImage: 'neo4j:3.5.35-enterprise' }).result).rejects.toThrow(/cannot tell the running .*give fromVersion/);
    await expect(run({ dockerImage: 'neo4j:3.5.35-enterprise', fromVersion: '3.5.30' }).result)
      .resolves.toMatchObject({ fromVersion: '3.5.30' });
  });
});

describe('validate-input: refusals name the field and value, and change nothing', () => {
  test.each([
    [{}, /dockerImage is required/],
    [{ dockerImage: '' }, /dockerImage is required/],
    [{ dockerImage: 42 }, /dockerImage is required .*got 42/],
    [{ dockerImage: 'neo4j' }, /must name a tag or a digest, got "neo4j"/],
    [{ dockerImage: 'neo4j:latest' }, /must not use the tag "latest"/],
    [{ dockerImage: 'Neo4j:3.5.35' }, /not a valid image reference: "Neo4j:3\.5\.35"/],
    [{ dockerImage: 'neo4j:3.5.35', targetVersion: '3.5.36' }, /targetVersion "3\.5\.36" does not match/],
    [{ dockerImage: 'neo4j:3.5.35', targetVersion: 'five' }, /targetVersion must be a full Neo4j version/],
    [{ dockerImage: 'neo4j:3.5.35', targetCapacity: 0 }, /^targetCapacity must be an integer from 1 to 9, got 0/],
    [{ dockerImage: 'neo4j:3.5.35', targetCapacity: 2.5 }, /targetCapacity must be an integer from 1 to 9, got 2\.5/],
    [{ dockerImage: 'neo4j:3.5.35', slaveCapacity: -1 }, /slaveCapacity must be an integer from 0 to 3, got -1/],
    [{ dockerImage: 'neo4j:3.5.35', cloneRegions: 'eu-west-1' }, /cloneRegions must be an array/],
    [{ dockerImage: 'neo4j:3.5.35', cloneRegions: ['eu-west-1a'] }, /cloneRegions\[0\] .*"eu-west-1a" \(that is an availability zone/],
    [{ dockerImage: 'neo4j:3.5.35', cloneRegions: ['Europe'] }, /cloneRegions\[0\] must be a region name/],
    [{ dockerImage: 'neo4j:3.5.35', approvalMode: 'sometimes' }, /approvalMode must be one of none, after-store-upgrade, got "sometimes"/],
    [{ dockerImage: 'neo4j:3.5.35', allowSameVersion: 'yes' }, /allowSameVersion must be true or false/],
    [{ dockerImage: 'neo4j:3.5.35', timeouts: { approvalSeconds: 5 } }, /timeouts\.approvalSeconds must be an integer from 60/],
    // The waits' budgets are construct props; an input field that nothing reads is refused, not ignored.
    [{ dockerImage: 'neo4j:3.5.35', timeouts: { stackUpdateSeconds: 900 } }, /timeouts has unknown field "stackUpdateSeconds"; known: approvalSeconds/],
    [{ dockerImage: 'neo4j:3.5.35', timeouts: { forever: 60 } }, /timeouts has unknown field "forever"/],
    [{ dockerImage: 'neo4j:3.5.35', lockTtlSeconds: 3600 }, /lockTtlSeconds \(3600\) must be longer than timeouts\.approvalSeconds \(86400\)/],
    [{ dockerImage: 'neo4j:3.5.35', targetcapacity: 2 }, /request has unknown field\(s\) "targetcapacity"/],
    [{ dockerImage: 'neo4j:3.5.35', comment: 7 }, /comment must be a string/],
  ])('%j', async (request, message) => {
    await expect(run(request).result).rejects.toMatchObject({ name: 'InvalidInputError', message: expect.stringMatching(message) });
    expect(cfnMock).toHaveReceivedCommandTimes(DescribeStacksCommand, 0);
  });

  test('a bad default is named as defaults.<field>', async () => {
    await expect(run({ dockerImage: 'neo4j:3.5.35' }, { targetCapacity: 0 }).result)
      .rejects.toThrow(/^defaults\.targetCapacity must be an integer from 1 to 9, got 0/);
    await expect(run({ dockerImage: 'neo4j:3.5.35' }, { dockerImage: 'neo4j:3.5.35' }).result)
      .rejects.toThrow(/defaults\.dockerImage is not allowed/);
    await expect(run({ dockerImage: 'neo4j:3.5.35' }, { timeouts: { approvalSeconds: 'long' } }).result)
      .rejects.toThrow(/defaults\.timeouts\.approvalSeconds must be an integer/);
  });

  test.each([
    ['neo4j:3.5.34-enterprise', 'neo4j:3.5.33-enterprise', /3\.5\.33 is older than the running 3\.5\.34: Neo4j does not support downgrades/],
    ['neo4j:4.4.40-enterprise', 'neo4j:3.5.35-enterprise', /does not support downgrades/],
    ['neo4j:3.5.35-enterprise', 'neo4j:4.4.40-enterprise', /3\.5\.35 -> 4\.4\.40: an in-place upgrade from 3\.5 lands on 4\.0/],
    ['neo4j:3.5.35-enterprise', 'neo4j:5.26.2-enterprise', /skips a major version; upgrade to 4\.0 first/],
    ['neo4j:3.4.17-enterprise', 'neo4j:4.0.12-enterprise', /only from 3\.5; upgrade to 3\.5 first/],
    ['neo4j:4.3.23-enterprise', 'neo4j:5.26.2-enterprise', /only from 4\.4; upgrade to 4\.4 first/],
    ['neo4j:4.1.13-enterprise', 'neo4j:4.4.40-enterprise', /one minor version at a time; upgrade to 4\.2 first/],
    ['neo4j:4.4.40-enterprise', 'neo4j:2025.10.1-enterprise', /skips a major version; upgrade to 5\.26 first/],
    ['neo4j:5.20.0-enterprise', 'neo4j:2025.10.1-enterprise', /only from 5\.26; upgrade to 5\.26 first/],
    ['neo4j:3.5.34-enterprise', 'neo4j:3.5.35-community', /community edition but the cluster runs enterprise/],
  ])('%s -> %s is refused', async (from, to, message) => {
    running(from);
    await expect(run({ dockerImage: to }).result).rejects.toMatchObject({ name: 'InvalidInputError', message: expect.stringMatching(message) });
    expect(cfnMock).toHaveReceivedCommandTimes(DescribeStacksCommand, 1);
  });

  test('a cluster parameter name the stack lacks is refused before anything changes', async () => {
    const params = { ...INITIAL_PARAMETERS };
    delete params.SlaveMode;
    cfnMock.on(DescribeStacksCommand).resolves(describeStacksOutput('neo4j-prod', 'UPDATE_COMPLETE', params));
    await expect(run({ dockerImage: 'neo4j:3.5.35' }).result)
      .rejects.toThrow(/cluster\.parameterNames\.slaveMode is "SlaveMode", but stack neo4j-prod has no such parameter/);
  });

  test('capacity defaults that are not integers on the stack ask for an explicit value', async () => {
    running('neo4j:3.5.34-enterprise', { DesiredCapacity: '' });
    await expect(run({ dockerImage: 'neo4j:3.5.35' }).result).rejects.toThrow(/targetCapacity is not given and the stack's DesiredCapacity/);
    await expect(run({ dockerImage: 'neo4j:3.5.35', targetCapacity: 2 }).result)
      .rejects.toThrow(/the stack's DesiredCapacity \(""\) is not an integer >= 1: cannot tell how many members/);
  });

  test('the members before the upgrade follow the running sizes and the SlaveMode; no stage names in the plan', async () => {
    running('neo4j:3.5.34-enterprise', { DesiredCapacity: '2', SlaveMode: 'SINGLE', SlaveDesiredCapacity: '2', SlaveMaxSize: '2' });
    const plan = await run({ dockerImage: 'neo4j:3.5.35', targetCapacity: 5, slaveCapacity: 2 }).result;
    expect(plan).toMatchObject({ currentCapacity: 2, currentSlaveMembers: 0, targetCapacity: 5, slaveCapacity: 2 });
    expect(JSON.stringify(plan)).not.toMatch(/rollImage|singleMaster|slaveBackToHa/);
    running('neo4j:3.5.34-enterprise', { DesiredCapacity: '2', SlaveMode: 'HA', SlaveDesiredCapacity: '1' });
    await expect(run({ dockerImage: 'neo4j:3.5.35' }).result).resolves.toMatchObject({ currentCapacity: 2, currentSlaveMembers: 1 });
    running('neo4j:3.5.34-enterprise', { DesiredCapacity: '0' });
    await expect(run({ dockerImage: 'neo4j:3.5.35', targetCapacity: 3 }).result).rejects.toThrow(/DesiredCapacity \("0"\) is not an integer >= 1/);
  });

  test('a missing cluster or stack name is refused', async () => {
    await expect(logic({ region: 'us-east-1', cfn: new CloudFormationClient({}), log: memoryLogger() }, { request: {} } as unknown as ValidateInputInput))
      .rejects.toThrow(/cluster must be an object/);
    const noName = { cluster: { ...cluster, stackName: '' }, request: { dockerImage: 'neo4j:3.5.35' } };
    await expect(logic({ region: 'us-east-1', cfn: new CloudFormationClient({}), log: memoryLogger() }, noName as ValidateInputInput))
      .rejects.toThrow(/cluster\.stackName must be a non-empty string, got ""/);
  });

  test('a stack that does not exist is StackNotReadyError', async () => {
    cfnMock.on(DescribeStacksCommand).rejects(awsError('ValidationError', 'Stack with id neo4j-prod does not exist'));
    await expect(run({ dockerImage: 'neo4j:3.5.35' }).result)
      .rejects.toMatchObject({ name: 'StackNotReadyError', message: 'stack neo4j-prod does not exist' });
  });

  test('other AWS errors pass through with their name, for Retry', async () => {
    cfnMock.on(DescribeStacksCommand).rejects(awsError('Throttling', 'Rate exceeded'));
    await expect(run({ dockerImage: 'neo4j:3.5.35' }).result).rejects.toMatchObject({ name: 'Throttling' });
  });
});

describe('validate-input: an upgrade across version families needs the VersionFamily parameter', () => {
  const withoutVersionFamily = clusterContext('neo4j-prod'); // seed 000's own template: no such parameter

  test.each([
    ['neo4j:5.26.30-enterprise', 'neo4j:2026.08.1-enterprise', /from the 5 to|\(5 -> 2025\)/],
    ['neo4j:4.4.40-enterprise', 'neo4j:5.26.2-enterprise', /\(4\.4 -> 5\)/],
    ['neo4j:3.5.35-enterprise', 'neo4j:4.0.12-enterprise', /\(3\.5 -> 4\.4\)/],
  ])('%s -> %s is refused on a target without parameterNames.versionFamily, naming the fix', async (current, target, families) => {
    running(current);
    const refusal = run({ dockerImage: target }, undefined, withoutVersionFamily).result;
    await expect(refusal).rejects.toMatchObject({ name: 'InvalidInputError' });
    await expect(refusal).rejects.toThrow(families);
    await expect(refusal).rejects.toThrow(/cluster\.parameterNames has no versionFamily: the nodes would start the new image with the old family's settings\. Give the stack a VersionFamily parameter/);
  });

  test('the same upgrade passes on a target with the parameter; an upgrade within a family needs none', async () => {
    running('neo4j:5.26.30-enterprise', { VersionFamily: '5' });
    await expect(run({ dockerImage: 'neo4j:2026.08.1-enterprise' }).result).resolves.toMatchObject({ fromFamily: '5', toFamily: '2025' });
    running('neo4j:2025.10.1-enterprise');
    await expect(run({ dockerImage: 'neo4j:2026.08.1-enterprise' }, undefined, withoutVersionFamily).result)
      .resolves.toMatchObject({ fromFamily: '2025', toFamily: '2025' });
  });

  test('a parameterNames.versionFamily the stack does not have is refused like any other role', async () => {
    cfnMock.on(DescribeStacksCommand).resolves(describeStacksOutput('neo4j-prod', 'UPDATE_COMPLETE', { ...INITIAL_PARAMETERS }));
    await expect(run({ dockerImage: 'neo4j:3.5.35-enterprise' }).result)
      .rejects.toThrow(/cluster\.parameterNames\.versionFamily is "VersionFamily", but stack neo4j-prod has no such parameter/);
  });

  test.each([
    ['3.5.35', '3.5'], ['3.4.17', undefined], ['4.0.12', '4.4'], ['4.4.40', '4.4'], ['5.26.30', '5'], ['2026.08.1', '2025'],
  ])('the settings family of %s is %s', (version, family) => {
    expect(settingsFamilyOf(parseNeo4jVersion(version)!)).toBe(family);
  });
});

describe('validate-input: the procedure is chosen by the upgrade (rolling or offline)', () => {
  test.each([
    // [running, target, VersionFamily parameter, rolling supported, reason]
    ['neo4j:5.20.0-enterprise', 'neo4j:5.26.30-enterprise', '5', true, /5\.x upgrades to any later 5\.x one server at a time/],
    ['neo4j:5.26.29-enterprise', 'neo4j:5.26.30-enterprise', '5', true, /5\.26\.29 -> 5\.26\.30/],
    ['neo4j:4.4.39-enterprise', 'neo4j:4.4.40-enterprise', '4.4', true, /4\.x patch and minor upgrades keep the store format/],
    ['neo4j:2025.10.1-enterprise', 'neo4j:2026.08.1-enterprise', '2025', true, /calendar versions upgrade to later calendar versions/],
    ['neo4j:5.26.30-enterprise', 'neo4j:2026.08.1-enterprise', '5', false, /5\.26 rolls to calendar versions only on discovery v2, and the cluster runs settings family 5 on discovery v1 \(DiscoveryVersion parameter absent/],
    ['neo4j:4.4.40-enterprise', 'neo4j:5.26.30-enterprise', '4.4', false, /4\.4 -> 5 changes the store format/],
    ['neo4j:3.5.35-enterprise', 'neo4j:4.0.12-enterprise', '3.5', false, /3\.5 -> 4\.0 changes the store format/],
    ['neo4j:3.5.34-enterprise', 'neo4j:3.5.35-enterprise', '3.5', false, /3\.5 High Availability clusters have no rolling upgrade/],
  ])('%s -> %s (family %s): rolling supported %s', async (current, target, family, supported, reason) => {
    running(current, { VersionFamily: family });
    const plan = await run({ dockerImage: target }).result;
    expect(plan).toMatchObject({ procedure: 'offline', rollingSupported: supported, procedureReason: expect.stringMatching(reason) });
    if (supported) {
      expect(plan.warnings).toContainEqual(expect.stringMatching(/Neo4j supports a rolling upgrade here .*this execution runs the offline procedure/));
      await expect(run({ dockerImage: target }, undefined, cluster, 'rolling').result)
        .resolves.toMatchObject({ procedure: 'rolling', rollingSupported: true });
    } else {
      const refusal = run({ dockerImage: target }, undefined, cluster, 'rolling').result;
      await expect(refusal).rejects.toMatchObject({ name: 'InvalidInputError' });
      await expect(refusal).rejects.toThrow(new RegExp(
        `^this state machine asks for a rolling upgrade, which Neo4j does not support here: .*${reason.source}.*; ` +
        'run the offline procedure, Neo4jStagedUpgrade \\(the offline procedure\\)$'));
    }
  });

  test('for a cluster in the per-server layout, the refusal names its offline procedure, Neo4jOfflineUpgrade', async () => {
    const perServer = { ...cluster, parameterNames: { ...cluster.parameterNames, server1Image: 'Server1Image', server2Image: 'Server2Image' } };
    const servers = { Server1Image: '', Server2Image: '' };
    running('neo4j:4.4.40-enterprise', { VersionFamily: '4.4', ...servers });
    await expect(run({ dockerImage: 'neo4j:5.26.30-enterprise' }, undefined, perServer, 'rolling').result).rejects.toThrow(new RegExp(
      '4\\.4 -> 5 changes the store format.*; run the offline procedure, Neo4jOfflineUpgrade \\(the offline procedure for the per-server layout\\)$'));
    await expect(run({ dockerImage: 'neo4j:5.26.30-enterprise' }, undefined, perServer, 'offline').result)
      .resolves.toMatchObject({ procedure: 'offline', rollingSupported: false });
    running('neo4j:5.26.29-enterprise', { VersionFamily: '5', ...servers });
    await expect(run({ dockerImage: 'neo4j:5.26.30-enterprise', procedure: 'offline' }, undefined, perServer, 'rolling').result)
      .rejects.toThrow('procedure is "offline", but this state machine runs the rolling procedure; start Neo4jOfflineUpgrade (the offline procedure for the per-server layout) instead');
  });

  test('5.26 -> 2025.x: rolling on discovery v2 (the DiscoveryVersion parameter), offline on v1 naming the procedure; below 5.26: through 5.26 first', async () => {
    const onV2 = { ...cluster, parameterNames: { ...cluster.parameterNames, discoveryVersion: 'DiscoveryVersion', server1Image: 'Server1Image' } };
    const toCalendar = { dockerImage: 'neo4j:2026.08.1-enterprise' };
    running('neo4j:5.26.30-enterprise', { VersionFamily: '5', DiscoveryVersion: 'V2', Server1Image: '' });
    await expect(run(toCalendar, undefined, onV2, 'rolling').result).resolves.toMatchObject({
      procedure: 'rolling', rollingSupported: true, toSettingsFamily: '2025',
      procedureReason: '5.26.30 -> 2026.8.1: 5.26 on discovery v2 rolls to calendar versions one server at a time',
    });
    running('neo4j:5.26.30-enterprise', { VersionFamily: '5', DiscoveryVersion: 'V1', Server1Image: '' });
    await expect(run(toCalendar, undefined, onV2, 'rolling').result).rejects.toThrow(new RegExp(
      '5\\.26 rolls to calendar versions only on discovery v2, and the cluster runs settings family 5 on discovery v1 \\(DiscoveryVersion parameter V1: ' +
      '.*Neo4jCluster discoveryVersion: DiscoveryVersion\\.V2.*; run the offline procedure, Neo4jOfflineUpgrade'));
    await expect(run(toCalendar, undefined, onV2, 'offline').result).resolves.toMatchObject({ procedure: 'offline', rollingSupported: false });
    running('neo4j:5.23.0-enterprise', { VersionFamily: '5', DiscoveryVersion: 'V2', Server1Image: '' });
    await expect(run(toCalendar, undefined, onV2, 'rolling').result).rejects.toThrow(/only from 5\.26; upgrade to 5\.26 first/);
  });

  test('an operator may force offline, never rolling where Neo4j cannot roll; a procedure the state machine does not run is refused', async () => {
    running('neo4j:4.4.40-enterprise', { VersionFamily: '4.4' });
    await expect(run({ dockerImage: 'neo4j:5.26.30-enterprise', procedure: 'rolling' }).result)
      .rejects.toThrow(/^procedure "rolling" asks for a rolling upgrade, which Neo4j does not support here: 4\.4\.40 -> 5\.26\.30: 4\.4 -> 5 changes the store format/);
    await expect(run({ dockerImage: 'neo4j:5.26.30-enterprise' }, { procedure: 'rolling' }).result)
      .rejects.toThrow(/^defaults\.procedure "rolling" asks for a rolling upgrade/);
    running('neo4j:5.26.29-enterprise', { VersionFamily: '5' });
    await expect(run({ dockerImage: 'neo4j:5.26.30-enterprise', procedure: 'offline' }, undefined, cluster, 'rolling').result)
      .rejects.toThrow('procedure is "offline", but this state machine runs the rolling procedure; start Neo4jStagedUpgrade (the offline procedure) instead');
    await expect(run({ dockerImage: 'neo4j:5.26.30-enterprise', procedure: 'rolling' }).result)
      .rejects.toThrow('procedure is "rolling", but this state machine runs the offline procedure; start Neo4jRollingUpgrade instead');
    await expect(run({ dockerImage: 'neo4j:5.26.30-enterprise', procedure: 'offline' }).result)
      .resolves.toMatchObject({ procedure: 'offline', rollingSupported: true });
    await expect(run({ dockerImage: 'neo4j:5.26.30-enterprise', procedure: 'sideways' }).result)
      .rejects.toThrow('procedure must be one of rolling, offline, got "sideways"');
  });

  test('the refusal comes before any AWS call when the state machine\'s procedure is unknown', async () => {
    await expect(run({ dockerImage: 'neo4j:3.5.35-enterprise' }, undefined, cluster, 'blue-green').result)
      .rejects.toThrow('procedure (baked by the construct) must be one of rolling, offline, got "blue-green"');
    expect(cfnMock.calls()).toHaveLength(0);
  });
});

/**
 * Every field of the execution input with one bad value that a later stage would have refused: each is
 * refused here, by validate-input, the first task of the preflight (the state machine test checks it
 * runs before the lock is taken), so nothing has changed when the execution fails.
 */
describe('validate-input: every field refused in preflight, before the lock', () => {
  const image = { dockerImage: 'neo4j:3.5.35-enterprise' };
  const cases: Array<[field: string, request: unknown, message: RegExp]> = [
    ['dockerImage', { dockerImage: 'neo4j:3.5' }, /floating tag/],
    ['targetVersion', { ...image, targetVersion: '3.5.36' }, /targetVersion "3\.5\.36" does not match/],
    ['fromVersion', { ...image, fromVersion: '3.5.30' }, /fromVersion "3\.5\.30" does not match the running image/],
    ['targetCapacity', { ...image, targetCapacity: 1 }, /targetCapacity is 1, below the main group's minimum \(stack parameter MinSize = 2\)/],
    ['slaveCapacity', { ...image, slaveCapacity: 3 }, /slaveCapacity is 3, but the slave-only group runs 1 .*no stage changes its size/],
    ['cloneRegions', { ...image, cloneRegions: ['us-east-1'] }, /cloneRegions\[0\] is "us-east-1", the cluster's own region/],
    ['approvalMode', { ...image, approvalMode: 'later' }, /approvalMode must be one of none, after-store-upgrade, got "later"/],
    ['allowSameVersion', { ...image, allowSameVersion: 1 }, /allowSameVersion must be true or false, got 1/],
    ['lockTtlSeconds', { ...image, lockTtlSeconds: 59 }, /lockTtlSeconds must be an integer from 60 to 31536000, got 59/],
    ['timeouts', { ...image, timeouts: [] }, /timeouts must be an object, got \[\]/],
    ['comment', { ...image, comment: 'x'.repeat(MAX_COMMENT_CHARACTERS + 1) }, /comment must be at most 4096 characters, got 4097/],
    ['procedure', { ...image, procedure: 'rolling' }, /procedure "rolling" asks for a rolling upgrade, which Neo4j does not support here/],
  ];
  const timeoutCases = Object.keys(DEFAULT_TIMEOUTS).map((key): [string, unknown, RegExp] =>
    [`timeouts.${key}`, { ...image, timeouts: { [key]: 31_536_001 } }, new RegExp(`timeouts\\.${key} must be an integer from 60 to 31536000`)]);

  test('the table covers every field the input may have', () => {
    expect(cases.map(([field]) => field).sort()).toEqual([...REQUEST_KEYS].sort());
  });

  test.each([...cases, ...timeoutCases])('%s', async (_field, request, message) => {
    running('neo4j:3.5.34-enterprise', { MinSize: '2' });
    await expect(run(request as Record<string, unknown>, { cloneRegions: ['eu-west-1'] }).result)
      .rejects.toMatchObject({ name: 'InvalidInputError', message: expect.stringMatching(message) });
  });

  test.each([
    ['a region that does not exist', ['eu-west-9'], /cloneRegions\[0\] is "eu-west-9", which is not an AWS region/],
    ['a region of another partition', ['cn-north-1'], /"cn-north-1", in partition aws-cn; snapshots cannot be copied there from us-east-1/],
    ['a region the construct was not given', ['eu-central-1'], /"eu-central-1", which is not one of the construct's cloneRegions \(eu-west-1\)/],
  ])('cloneRegions: %s', async (_what, cloneRegions, message) => {
    await expect(run({ ...image, cloneRegions }, { cloneRegions: ['eu-west-1'] }).result).rejects.toThrow(message);
    expect(cfnMock).toHaveReceivedCommandTimes(DescribeStacksCommand, 0);
  });

  test('the construct\'s regions pass, and none are needed when it was given none', async () => {
    await expect(run({ ...image, cloneRegions: ['eu-west-1'] }, { cloneRegions: ['eu-west-1'] }).result).resolves.toMatchObject({ cloneRegions: ['eu-west-1'] });
    await expect(run({ ...image, cloneRegions: ['eu-west-1'] }, { cloneRegions: [] }).result).rejects.toThrow(/cloneRegions \(none\)/);
  });
});

/**
 * The caps that keep the state machine's state and history inside Step Functions' quotas
 * (lib/private/procedure-limits.ts): each refused before any AWS call or change, naming field, value and cap.
 */
describe('validate-input: fields that grow the state are capped', () => {
  const image = { dockerImage: 'neo4j:3.5.35-enterprise' };
  const regions = ['eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'us-east-2', 'us-west-2', 'ap-southeast-1', 'ap-southeast-2', 'ca-central-1'];

  test.each([
    // A digest of 20,000 hex digits is a valid reference: only the cap on the whole input refuses it.
    ['the whole input', { dockerImage: `neo4j:3.5.35-enterprise@sha256:${'a'.repeat(20_000)}` },
      /^the execution input is 200\d\d bytes as JSON, at most 16384 \(it is kept in the state, which Step Functions caps at 256 KiB\); its largest field is "dockerImage" \(200\d\d bytes\)$/],
    ['comment as UTF-8 JSON', { ...image, comment: 'é'.repeat(3000) }, /^comment must be at most 4096 bytes as JSON \(UTF-8, escapes included\), got 6000: "éé/],
    ['cloneRegions', { ...image, cloneRegions: regions }, /^cloneRegions lists 9 regions, at most 8 \(each adds to the state machine's state\)/],
    ['targetCapacity', { ...image, targetCapacity: 10 }, /^targetCapacity must be an integer from 1 to 9, got 10$/],
    ['slaveCapacity', { ...image, slaveCapacity: 4 }, /^slaveCapacity must be an integer from 0 to 3, got 4$/],
  ])('%s', async (_what, request, message) => {
    const error = await run(request, { cloneRegions: regions.slice(0, 8) }).result.then(() => new Error('accepted'), (e: Error) => e);
    expect({ name: error.name, message: error.message }).toEqual({ name: 'InvalidInputError', message: expect.stringMatching(message) });
    expect(cfnMock).toHaveReceivedCommandTimes(DescribeStacksCommand, 0);
  });

  test('the stack\'s own member counts above the caps are refused too (every member is snapshotted and listed)', async () => {
    running('neo4j:3.5.34-enterprise', { DesiredCapacity: '10', MaxSize: '10' });
    await expect(run({ ...image, targetCapacity: 3 }).result).rejects.toThrow(/^the stack's DesiredCapacity is 10: this procedure upgrades at most 9 such nodes/);
    running('neo4j:3.5.34-enterprise', { SlaveDesiredCapacity: '4' });
    await expect(run(image).result).rejects.toThrow(/^the stack's SlaveDesiredCapacity is 4: this procedure upgrades at most 3 such nodes/);
  });

  test('every field at its cap passes', async () => {
    running('neo4j:3.5.34-enterprise', { DesiredCapacity: '9', MaxSize: '9', SlaveDesiredCapacity: '3' });
    const atCaps = {
      ...image, targetCapacity: PROCEDURE_LIMITS.mainMembers, slaveCapacity: PROCEDURE_LIMITS.slaveMembers,
      cloneRegions: regions.slice(0, PROCEDURE_LIMITS.cloneRegions), comment: 'c'.repeat(PROCEDURE_LIMITS.commentBytes),
    };
    await expect(run(atCaps, { cloneRegions: regions.slice(0, 8) }).result).resolves.toMatchObject({
      targetCapacity: 9, slaveCapacity: 3, currentCapacity: 9, currentSlaveMembers: 3, cloneRegions: atCaps.cloneRegions,
    });
  });
});

describe('validate-input: an execution input that is not an object is one clear error', () => {
  test.each([
    ['a string', 'neo4j:3.5.35-enterprise', /got a string: "neo4j:3\.5\.35-enterprise"$/],
    ['an array', ['a', 'b', 'c'], /got an array of 3 item\(s\): \["a","b","c"\]$/],
    ['null', null, /got null: null$/],
    ['a number', 7, /got a number: 7$/],
  ])('%s', async (_what, request, message) => {
    const error = await run(request as unknown as Record<string, unknown>).result.catch((e: Error) => e);
    expect(error).toMatchObject({ name: 'InvalidInputError', message: expect.stringMatching(/^the execution input must be a JSON object/) });
    expect((error as Error).message).toMatch(message);
    expect(cfnMock).toHaveReceivedCommandTimes(DescribeStacksCommand, 0);
  });
});

describe('validate-input: messages quote a bounded prefix of a bad value', () => {
  test('a 120000-character image is quoted by its first 200 characters and its length', async () => {
    const huge = 'neo4j:' + 'x'.repeat(120_000);
    const error = await run({ dockerImage: huge }).result.catch((e: Error) => e) as Error;
    expect(error.message).toMatch(/"neo4j:x+… \(120006 characters\)$/);
    expect(error.message.length).toBeLessThan(400);
  });

  test('thousands of unknown fields are counted, not listed', async () => {
    const many = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`f${i}`, i]));
    const error = await run({ ...many, dockerImage: 'neo4j:3.5.35' }).result.catch((e: Error) => e) as Error;
    expect(error.message).toMatch(/^request has unknown field\(s\) "f0", .*"f9" and 4990 more; known:/);
    expect(error.message.length).toBeLessThan(400);
  });
});
