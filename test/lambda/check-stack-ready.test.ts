import {
  CloudFormationClient, DescribeStackDriftDetectionStatusCommand, DescribeStackResourceDriftsCommand,
  DescribeStacksCommand, DetectStackDriftCommand,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { CheckStackReadyInput, logic } from '../../lambda/check-stack-ready/logic';
import { memoryLogger } from '../../lambda/shared/log';
import { awsError, clusterContext, describeStacksOutput } from './fixtures/upgrade-stack';

const cfnMock = mockClient(CloudFormationClient);
const cluster = clusterContext('neo4j-prod');
const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/neo4j-prod/1111';
const run = (input: Partial<CheckStackReadyInput>) =>
  logic({ cfn: new CloudFormationClient({}), log: memoryLogger() }, { cluster, ...input } as CheckStackReadyInput);

beforeEach(() => {
  cfnMock.reset();
  cfnMock.on(DescribeStacksCommand).resolves(describeStacksOutput('neo4j-prod', 'UPDATE_COMPLETE'));
  cfnMock.on(DetectStackDriftCommand).resolves({ StackDriftDetectionId: 'det-1' });
});

function detection(fields: Record<string, unknown>) {
  cfnMock.on(DescribeStackDriftDetectionStatusCommand).resolves({
    StackId: STACK_ID, StackDriftDetectionId: 'det-1', Timestamp: new Date(), ...fields,
  });
}

describe('check-stack-ready: stack status', () => {
  test.each(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'IMPORT_COMPLETE'])('%s may start an upgrade', async (status) => {
    cfnMock.on(DescribeStacksCommand).resolves(describeStacksOutput('neo4j-prod', status));
    await expect(run({})).resolves.toEqual({
      stackName: 'neo4j-prod', stackId: STACK_ID, stackStatus: status, ready: false, drift: 'DETECTING',
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

  test('a missing stack name is InvalidInputError', async () => {
    await expect(logic({ cfn: new CloudFormationClient({}), log: memoryLogger() }, {} as CheckStackReadyInput))
      .rejects.toMatchObject({ name: 'InvalidInputError' });
  });
});

describe('check-stack-ready: drift', () => {
  test('in progress is StillInProgressError; no new detection is started', async () => {
    detection({ DetectionStatus: 'DETECTION_IN_PROGRESS' });
    await expect(run({ driftDetectionId: 'det-1' })).rejects.toMatchObject({
      name: 'StillInProgressError', retryable: true, message: expect.stringMatching(/det-1 .* still running/),
    });
    expect(cfnMock).toHaveReceivedCommandWith(DescribeStackDriftDetectionStatusCommand, { StackDriftDetectionId: 'det-1' });
    expect(cfnMock).toHaveReceivedCommandTimes(DetectStackDriftCommand, 0);
  });

  test('in sync: ready', async () => {
    detection({ DetectionStatus: 'DETECTION_COMPLETE', StackDriftStatus: 'IN_SYNC', DriftedStackResourceCount: 0 });
    await expect(run({ driftDetectionId: 'det-1' })).resolves.toMatchObject({ ready: true, drift: 'IN_SYNC', driftDetectionId: 'det-1' });
  });

  test('drifted: StackNotReadyError lists the drifted resources over all pages', async () => {
    detection({ DetectionStatus: 'DETECTION_COMPLETE', StackDriftStatus: 'DRIFTED', DriftedStackResourceCount: 2 });
    cfnMock.on(DescribeStackResourceDriftsCommand)
      .resolvesOnce({
        NextToken: 'p2',
        StackResourceDrifts: [{
          StackId: STACK_ID, LogicalResourceId: 'MainGroup', ResourceType: 'AWS::AutoScaling::AutoScalingGroup',
          PhysicalResourceId: 'neo4j-prod-main', StackResourceDriftStatus: 'MODIFIED', Timestamp: new Date(),
          PropertyDifferences: [{ PropertyPath: '/MaxSize', ExpectedValue: '3', ActualValue: '5', DifferenceType: 'NOT_EQUAL' }],
        }],
      })
      .resolvesOnce({
        StackResourceDrifts: [{
          StackId: STACK_ID, LogicalResourceId: 'Topic', ResourceType: 'AWS::SNS::Topic',
          StackResourceDriftStatus: 'DELETED', Timestamp: new Date(),
        }],
      });
    await expect(run({ driftDetectionId: 'det-1' })).rejects.toMatchObject({
      name: 'StackNotReadyError',
      message: 'stack neo4j-prod has drifted from its template (2 resource(s)): ' +
        'MainGroup (AWS::AutoScaling::AutoScalingGroup neo4j-prod-main) MODIFIED [/MaxSize NOT_EQUAL]; ' +
        'Topic (AWS::SNS::Topic -) DELETED. Bring the resources back to the template (or update the stack) first',
    });
    expect(cfnMock).toHaveReceivedCommandWith(DescribeStackResourceDriftsCommand, {
      StackName: 'neo4j-prod', StackResourceDriftStatusFilters: ['MODIFIED', 'DELETED'], NextToken: 'p2',
    });
  });

  test('a failed detection is StackNotReadyError with its reason', async () => {
    detection({ DetectionStatus: 'DETECTION_FAILED', StackDriftStatus: 'NOT_CHECKED', DetectionStatusReason: 'Access denied' });
    await expect(run({ driftDetectionId: 'det-1' })).rejects.toMatchObject({
      name: 'StackNotReadyError', message: expect.stringMatching(/DETECTION_FAILED, stack drift NOT_CHECKED: Access denied.*skipDriftDetection/),
    });
  });

  test('a detection id of another stack is InvalidInputError', async () => {
    detection({ StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/other/2222', DetectionStatus: 'DETECTION_COMPLETE', StackDriftStatus: 'IN_SYNC' });
    await expect(run({ driftDetectionId: 'det-1' })).rejects.toMatchObject({ name: 'InvalidInputError' });
  });

  test('the status is checked again when polling', async () => {
    cfnMock.on(DescribeStacksCommand).resolves(describeStacksOutput('neo4j-prod', 'UPDATE_IN_PROGRESS'));
    detection({ DetectionStatus: 'DETECTION_COMPLETE', StackDriftStatus: 'IN_SYNC' });
    await expect(run({ driftDetectionId: 'det-1' })).rejects.toMatchObject({ name: 'StackNotReadyError' });
    expect(cfnMock).toHaveReceivedCommandTimes(DescribeStackDriftDetectionStatusCommand, 0);
  });
});
