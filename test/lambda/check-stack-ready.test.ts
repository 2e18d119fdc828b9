import {
  CloudFormationClient, DescribeStackDriftDetectionStatusCommand, DescribeStackResourceDriftsCommand,
  DescribeStacksCommand, DetectStackDriftCommand, StackResourceDrift,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { CheckStackReadyInput, logic } from '../../lambda/check-stack-ready/logic';
import { memoryLogger } from '../../lambda/shared/log';
import { awsError, clusterContext, describeStacksOutput } from './fixtures/upgrade-stack';

const cfnMock = mockClient(CloudFormationClient);
const cluster = clusterContext('neo4j-prod');
const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/neo4j-prod/1111';
const NOW = new Date('2026-06-01T12:00:00Z');

/** A fake clock that sleep() advances, so the in-call wait is exact and instant. */
function clock() {
  let t = NOW.getTime();
  const slept: number[] = [];
  return { now: () => new Date(t), sleep: async (ms: number) => { slept.push(ms); t += ms; }, slept };
}
const run = (input: Partial<CheckStackReadyInput>, c = clock()) =>
  logic({ cfn: new CloudFormationClient({}), log: memoryLogger(), now: c.now, sleep: c.sleep }, { cluster, ...input } as CheckStackReadyInput);

const drift = (logical: string, status: string, at: Date, extra: Partial<StackResourceDrift> = {}): StackResourceDrift => ({
  StackId: STACK_ID, LogicalResourceId: logical, ResourceType: 'AWS::AutoScaling::AutoScalingGroup',
  StackResourceDriftStatus: status as StackResourceDrift['StackResourceDriftStatus'], Timestamp: at, ...extra,
});
const detection = (fields: Record<string, unknown>) => ({
  StackId: STACK_ID, StackDriftDetectionId: 'det-1', Timestamp: NOW, ...fields,
});
const OLD = new Date(NOW.getTime() - 3600_000);
const FRESH = new Date(NOW.getTime() - 60_000);

beforeEach(() => {
  cfnMock.reset();
  cfnMock.on(DescribeStacksCommand).resolves(describeStacksOutput('neo4j-prod', 'UPDATE_COMPLETE'));
  cfnMock.on(DetectStackDriftCommand).resolves({ StackDriftDetectionId: 'det-1' });
  cfnMock.on(DescribeStackResourceDriftsCommand).resolves({ StackResourceDrifts: [] });
  cfnMock.on(DescribeStackDriftDetectionStatusCommand).resolves(
    detection({ DetectionStatus: 'DETECTION_COMPLETE', StackDriftStatus: 'IN_SYNC', DriftedStackResourceCount: 0 }));
});

describe('check-stack-ready: stack status', () => {
  test.each(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'IMPORT_COMPLETE'])('%s may start an upgrade', async (status) => {
    cfnMock.on(DescribeStacksCommand).resolves(describeStacksOutput('neo4j-prod', status));
    await expect(run({})).resolves.toEqual({
      stackName: 'neo4j-prod', stackId: STACK_ID, stackStatus: status, ready: true, drift: 'IN_SYNC',
      driftDetectionId: 'det-1', warnings: [],
    });
    expect(cfnMock).toHaveReceivedCommandWith(DetectStackDriftCommand, { StackName: 'neo4j-prod' });
  });

  test('UPDATE_ROLLBACK_COMPLETE may start an upgrade, with a warning', async () => {
    cfnMock.on(DescribeStacksCommand).resolves(describeStacksOutput('neo4j-prod', 'UPDATE_ROLLBACK_COMPLETE'));
    const out = await run({ skipDriftDetection: true });
    expect(out).toMatchObject({ ready: true, drift: 'SKIPPED', stackStatus: 'UPDATE_ROLLBACK_COMPLETE' });
    expect(out.warnings).toEqual([expect.stringMatching(/last update failed and was rolled back/)]);
    expect(cfnMock).toHaveReceivedCommandTimes(DetectStackDriftCommand, 0);
    expect(cfnMock).toHaveReceivedCommandTimes(DescribeStackResourceDriftsCommand, 0);
  });

  test.each([
    'ROLLBACK_COMPLETE', 'IMPORT_ROLLBACK_COMPLETE', 'UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
    'UPDATE_ROLLBACK_IN_PROGRESS', 'UPDATE_ROLLBACK_FAILED', 'CREATE_IN_PROGRESS', 'DELETE_FAILED', 'REVIEW_IN_PROGRESS',
  ])('%s is refused with StackNotReadyError and no drift detection', async (status) => {
    cfnMock.on(DescribeStacksCommand).resolves(
      describeStacksOutput('neo4j-prod', status, undefined, { StackStatusReason: 'because' }),
    );
    await expect(run({})).rejects.toMatchObject({
      name: 'StackNotReadyError',
      message: expect.stringMatching(new RegExp(`stack neo4j-prod is ${status} \\(because\\); an upgrade starts only from`)),
    });
    expect(cfnMock).toHaveReceivedCommandTimes(DetectStackDriftCommand, 0);
  });

  test('a stack that does not exist is StackNotReadyError', async () => {
    cfnMock.on(DescribeStacksCommand).rejects(awsError('ValidationError', 'Stack with id neo4j-prod does not exist'));
    await expect(run({})).rejects.toMatchObject({ name: 'StackNotReadyError', message: 'stack neo4j-prod does not exist' });
  });

  test.each([
    [{ cluster: {} }, /cluster\.stackName/],
    [{ driftWaitSeconds: 900 }, /driftWaitSeconds must be an integer from 0 to 840, got 900/],
    [{ driftMaxAgeSeconds: -1 }, /driftMaxAgeSeconds must be an integer/],
  ])('%j is InvalidInputError before any call', async (input, message) => {
    await expect(run(input as Partial<CheckStackReadyInput>)).rejects.toMatchObject({ name: 'InvalidInputError', message: expect.stringMatching(message) });
    expect(cfnMock.calls()).toHaveLength(0);
  });
});

describe('check-stack-ready: drift in one polling step', () => {
  test('no recent results: starts a detection and waits for it within the call', async () => {
    cfnMock.on(DescribeStackResourceDriftsCommand).resolves({ StackResourceDrifts: [drift('MainGroup', 'IN_SYNC', OLD)] });
    cfnMock.on(DescribeStackDriftDetectionStatusCommand)
      .resolvesOnce(detection({ DetectionStatus: 'DETECTION_IN_PROGRESS' }))
      .resolvesOnce(detection({ DetectionStatus: 'DETECTION_IN_PROGRESS' }))
      .resolves(detection({ DetectionStatus: 'DETECTION_COMPLETE', StackDriftStatus: 'IN_SYNC' }));
    const c = clock();
    await expect(run({}, c)).resolves.toMatchObject({ ready: true, drift: 'IN_SYNC', driftDetectionId: 'det-1' });
    expect(c.slept).toEqual([2000, 2000]);
    expect(cfnMock).toHaveReceivedCommandWith(DescribeStackDriftDetectionStatusCommand, { StackDriftDetectionId: 'det-1' });
  });

  test('still running after driftWaitSeconds: StillInProgressError (retryable)', async () => {
    cfnMock.on(DescribeStackDriftDetectionStatusCommand).resolves(detection({ DetectionStatus: 'DETECTION_IN_PROGRESS' }));
    const c = clock();
    await expect(run({ driftWaitSeconds: 10 }, c)).rejects.toMatchObject({
      name: 'StillInProgressError', retryable: true, message: expect.stringMatching(/det-1 .* still running; the next attempt uses its results/),
    });
    expect(c.slept.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(10_000);
    expect(cfnMock).toHaveReceivedCommandTimes(DetectStackDriftCommand, 1);
  });

  test('the next attempt reuses fresh results (of the detection the previous attempt started)', async () => {
    cfnMock.on(DescribeStackResourceDriftsCommand).resolves({
      StackResourceDrifts: [drift('MainGroup', 'IN_SYNC', FRESH), drift('Service', 'IN_SYNC', FRESH), drift('Custom', 'NOT_CHECKED', OLD)],
    });
    await expect(run({})).resolves.toEqual(expect.objectContaining({ ready: true, drift: 'IN_SYNC' }));
    expect(cfnMock).toHaveReceivedCommandTimes(DetectStackDriftCommand, 0);
  });

  test('partly fresh results (a detection still running, or an old one) are not trusted', async () => {
    cfnMock.on(DescribeStackResourceDriftsCommand).resolves({
      StackResourceDrifts: [drift('MainGroup', 'IN_SYNC', FRESH), drift('Service', 'IN_SYNC', OLD)],
    });
    await run({ driftMaxAgeSeconds: 600 });
    expect(cfnMock).toHaveReceivedCommandTimes(DetectStackDriftCommand, 1);
  });

  test('fresh results with drift: StackNotReadyError listing the drifted resources, nothing started', async () => {
    cfnMock.on(DescribeStackResourceDriftsCommand)
      .resolvesOnce({
        NextToken: 'p2',
        StackResourceDrifts: [drift('MainGroup', 'MODIFIED', FRESH, {
          PhysicalResourceId: 'neo4j-prod-main',
          PropertyDifferences: [{ PropertyPath: '/MaxSize', ExpectedValue: '3', ActualValue: '5', DifferenceType: 'NOT_EQUAL' }],
        })],
      })
      .resolvesOnce({ StackResourceDrifts: [drift('Topic', 'DELETED', FRESH, { ResourceType: 'AWS::SNS::Topic' }), drift('Ok', 'IN_SYNC', FRESH)] });
    await expect(run({})).rejects.toMatchObject({
      name: 'StackNotReadyError',
      message: 'stack neo4j-prod has drifted from its template (2 resource(s)): ' +
        'MainGroup (AWS::AutoScaling::AutoScalingGroup neo4j-prod-main) MODIFIED [/MaxSize NOT_EQUAL]; ' +
        'Topic (AWS::SNS::Topic -) DELETED. Bring the resources back to the template (or update the stack) first',
    });
    expect(cfnMock).toHaveReceivedCommandWith(DescribeStackResourceDriftsCommand, { StackName: 'neo4j-prod', NextToken: 'p2' });
    expect(cfnMock).toHaveReceivedCommandTimes(DetectStackDriftCommand, 0);
  });

  test('a completed detection that found drift: StackNotReadyError with the filtered drift list', async () => {
    cfnMock.on(DescribeStackDriftDetectionStatusCommand).resolves(
      detection({ DetectionStatus: 'DETECTION_COMPLETE', StackDriftStatus: 'DRIFTED', DriftedStackResourceCount: 1 }));
    cfnMock.on(DescribeStackResourceDriftsCommand, { StackResourceDriftStatusFilters: ['MODIFIED', 'DELETED'] })
      .resolves({ StackResourceDrifts: [drift('MainGroup', 'MODIFIED', NOW)] });
    await expect(run({})).rejects.toMatchObject({ name: 'StackNotReadyError', message: expect.stringMatching(/\(1 resource\(s\)\): MainGroup .* MODIFIED/) });
  });

  test('a failed detection is StackNotReadyError with its reason', async () => {
    cfnMock.on(DescribeStackDriftDetectionStatusCommand).resolves(
      detection({ DetectionStatus: 'DETECTION_FAILED', StackDriftStatus: 'NOT_CHECKED', DetectionStatusReason: 'Access denied' }));
    await expect(run({})).rejects.toMatchObject({
      name: 'StackNotReadyError', message: expect.stringMatching(/DETECTION_FAILED, stack drift NOT_CHECKED: Access denied.*skipDriftDetection/),
    });
  });
});

describe('check-stack-ready: a known driftDetectionId', () => {
  test('in progress is StillInProgressError; no new detection is started', async () => {
    cfnMock.on(DescribeStackDriftDetectionStatusCommand).resolves(detection({ DetectionStatus: 'DETECTION_IN_PROGRESS' }));
    await expect(run({ driftDetectionId: 'det-1' })).rejects.toMatchObject({ name: 'StillInProgressError' });
    expect(cfnMock).toHaveReceivedCommandTimes(DetectStackDriftCommand, 0);
  });

  test('in sync: ready', async () => {
    await expect(run({ driftDetectionId: 'det-1' })).resolves.toMatchObject({ ready: true, drift: 'IN_SYNC', driftDetectionId: 'det-1' });
  });

  test('a detection id of another stack is InvalidInputError', async () => {
    cfnMock.on(DescribeStackDriftDetectionStatusCommand).resolves(detection({
      StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/other/2222', DetectionStatus: 'DETECTION_COMPLETE', StackDriftStatus: 'IN_SYNC',
    }));
    await expect(run({ driftDetectionId: 'det-1' })).rejects.toMatchObject({ name: 'InvalidInputError' });
  });

  test('the status is checked again when polling', async () => {
    cfnMock.on(DescribeStacksCommand).resolves(describeStacksOutput('neo4j-prod', 'UPDATE_IN_PROGRESS'));
    await expect(run({ driftDetectionId: 'det-1' })).rejects.toMatchObject({ name: 'StackNotReadyError' });
    expect(cfnMock).toHaveReceivedCommandTimes(DescribeStackDriftDetectionStatusCommand, 0);
  });
});
