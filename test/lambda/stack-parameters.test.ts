import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { memoryLogger } from '../../lambda/shared/log';
import { StackParametersInput, logic } from '../../lambda/stack-parameters/logic';
import { INITIAL_PARAMETERS, awsError, clusterContext, describeStacksOutput } from './fixtures/upgrade-stack';

const cfnMock = mockClient(CloudFormationClient);
const ssmMock = mockClient(SSMClient);
const ME = 'arn:aws:states:us-east-1:123456789012:execution:upgrade:run-1';
const NOW = new Date('2026-06-01T12:00:00Z');
const run = (input: Partial<StackParametersInput>) => logic(
  { cfn: new CloudFormationClient({}), ssm: new SSMClient({}), log: memoryLogger(), now: () => NOW },
  { cluster: clusterContext('neo4j-prod'), executionArn: ME, lockPrefix: '/neo4j-upgrades/neo4j-prod', ...input } as StackParametersInput,
);
const RECORDED = { ...INITIAL_PARAMETERS, AdminPassword: '****' };

beforeEach(() => {
  cfnMock.reset();
  ssmMock.reset();
  cfnMock.on(DescribeStacksCommand).resolves(describeStacksOutput('neo4j-prod', 'UPDATE_COMPLETE'));
  ssmMock.on(GetParameterCommand).rejects(awsError('ParameterNotFound', 'not found'));
  ssmMock.on(PutParameterCommand).resolves({ Version: 1 });
});

test('records every parameter, flags NoEcho ones, and writes the record to <lockPrefix>/pre-upgrade-parameters', async () => {
  const out = await run({});
  const record = {
    executionArn: ME,
    stackName: 'neo4j-prod',
    stackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/neo4j-prod/1111',
    stackStatus: 'UPDATE_COMPLETE',
    recordedAt: '2026-06-01T12:00:00.000Z',
    parameters: RECORDED,
    maskedKeys: ['AdminPassword'],
  };
  expect(out).toEqual({ ...record, parameterName: '/neo4j-upgrades/neo4j-prod/pre-upgrade-parameters', reused: false });
  expect(ssmMock).toHaveReceivedCommandWith(PutParameterCommand, {
    Name: '/neo4j-upgrades/neo4j-prod/pre-upgrade-parameters', Overwrite: true, Type: 'String', Tier: 'Intelligent-Tiering',
  });
  const written = ssmMock.commandCalls(PutParameterCommand)[0].args[0].input.Value!;
  expect(JSON.parse(written)).toEqual(record);
});

test('an explicit parameterName wins over lockPrefix', async () => {
  const out = await run({ parameterName: '/ops/neo4j/before' });
  expect(out.parameterName).toBe('/ops/neo4j/before');
  expect(ssmMock).toHaveReceivedCommandWith(PutParameterCommand, { Name: '/ops/neo4j/before' });
});

test('a retry of the same execution returns the stored record without reading the stack again', async () => {
  const stored = { executionArn: ME, stackName: 'neo4j-prod', stackId: 'x', stackStatus: 'UPDATE_COMPLETE', recordedAt: 'earlier', parameters: { DockerImage: 'old' }, maskedKeys: [] };
  ssmMock.on(GetParameterCommand).resolves({ Parameter: { Value: JSON.stringify(stored), Version: 1 } });
  await expect(run({})).resolves.toEqual({ ...stored, parameterName: '/neo4j-upgrades/neo4j-prod/pre-upgrade-parameters', reused: true });
  expect(cfnMock).toHaveReceivedCommandTimes(DescribeStacksCommand, 0);
  expect(ssmMock).toHaveReceivedCommandTimes(PutParameterCommand, 0);
});

test('a record of another execution is replaced', async () => {
  ssmMock.on(GetParameterCommand).resolves({ Parameter: { Value: JSON.stringify({ executionArn: 'old-run', parameters: {} }), Version: 3 } });
  await expect(run({})).resolves.toMatchObject({ reused: false, parameters: RECORDED });
  expect(ssmMock).toHaveReceivedCommandTimes(PutParameterCommand, 1);
});

test.each([
  [{ action: 'restore' }, /action must be "record"/],
  [{ executionArn: undefined }, /executionArn must be a non-empty string/],
  [{ parameterName: 'has space' }, /parameterName or lockPrefix/],
])('%j is InvalidInputError before any call', async (input, message) => {
  await expect(run(input as Partial<StackParametersInput>)).rejects.toMatchObject({ name: 'InvalidInputError', message: expect.stringMatching(message) });
  expect(cfnMock.calls()).toHaveLength(0);
  expect(ssmMock.calls()).toHaveLength(0);
});

test('without parameterName or lockPrefix the record is only returned', async () => {
  await expect(run({ lockPrefix: undefined })).resolves.toEqual({
    executionArn: ME, stackName: 'neo4j-prod', stackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/neo4j-prod/1111',
    stackStatus: 'UPDATE_COMPLETE', recordedAt: '2026-06-01T12:00:00.000Z', parameters: RECORDED, maskedKeys: ['AdminPassword'], reused: false,
  });
  expect(ssmMock.calls()).toHaveLength(0);
});

test('a missing stack is StackNotReadyError and nothing is written', async () => {
  cfnMock.on(DescribeStacksCommand).rejects(awsError('ValidationError', 'Stack with id neo4j-prod does not exist'));
  await expect(run({})).rejects.toMatchObject({ name: 'StackNotReadyError' });
  expect(ssmMock).toHaveReceivedCommandTimes(PutParameterCommand, 0);
});
