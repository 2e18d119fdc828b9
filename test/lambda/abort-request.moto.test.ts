import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { memoryLogger } from '../../lambda/shared/log';
import { logic as stackStatus } from '../../lambda/stack-status/logic';
import { UpdateStackInput, logic as updateStack } from '../../lambda/update-stack/logic';
import { MotoServer, motoClientConfig, startMoto } from '../support/moto';
import { INITIAL_PARAMETERS, clusterContext, createUpgradeStack } from './fixtures/upgrade-stack';

const ABORT = '/neo4j-upgrades/neo4j-prod/lock/abort';
const ME = 'arn:aws:states:us-east-1:123456789012:execution:upgrade:run-1';
const OTHER = 'arn:aws:states:us-east-1:123456789012:execution:upgrade:run-0';

/** The safe points of a stage (its update, its waits) honour an abort request through real SSM and CloudFormation. */
describe('abort request at the safe points, against moto_server', () => {
  let moto: MotoServer;
  let cfn: CloudFormationClient;
  let ssm: SSMClient;
  beforeAll(async () => {
    moto = await startMoto();
    cfn = new CloudFormationClient(motoClientConfig(moto));
    ssm = new SSMClient(motoClientConfig(moto));
    await createUpgradeStack(cfn, 'neo4j-prod');
  });
  afterAll(async () => { await moto?.stop(); });

  const cluster = clusterContext('neo4j-prod');
  const deps = () => ({ cfn, ssm, log: memoryLogger(), sleep: async () => undefined });
  const request = (executionArn: string) => ssm.send(new PutParameterCommand({
    Name: ABORT, Type: 'String', Overwrite: true,
    Value: JSON.stringify({ executionArn, requestedAt: '2026-06-01T12:00:00Z', by: 'ops', reason: 'test' }),
  }));
  const update = (abort: boolean, mode: 'apply' | 'rollback' = 'apply') => updateStack(deps(), {
    cluster, executionName: 'run-1', stage: 'back-to-ha', mode, parameters: { mode: 'SINGLE' },
    restore: INITIAL_PARAMETERS, ...(abort && { abortRequest: { parameterName: ABORT, executionArn: ME } }),
  } as UpdateStackInput);
  const parameters = async () => Object.fromEntries(((await cfn.send(new DescribeStacksCommand({ StackName: 'neo4j-prod' })))
    .Stacks![0].Parameters ?? []).map((p) => [p.ParameterKey, p.ParameterValue]));

  test('a request for another execution is ignored: the stage updates the stack', async () => {
    await request(OTHER);
    await expect(update(true)).resolves.toMatchObject({ changed: true });
    expect((await parameters()).Mode).toBe('SINGLE');
  });

  test('a request for this execution stops the stage before its update (stack unchanged) and at its wait', async () => {
    await request(ME);
    const before = await parameters();
    await expect(update(true)).rejects.toMatchObject({ name: 'AbortRequestedError', message: expect.stringContaining('abort requested by "ops"') });
    expect(await parameters()).toEqual(before);
    await expect(stackStatus({ cfn, ssm, log: memoryLogger() }, { cluster, abortRequest: { parameterName: ABORT, executionArn: ME } }))
      .rejects.toMatchObject({ name: 'AbortRequestedError' });
    // The rollback's own steps carry no check: they run, and the request stays for the lock release to consume.
    await expect(stackStatus({ cfn, ssm, log: memoryLogger() }, { cluster })).resolves.toMatchObject({ stackStatus: expect.stringMatching(/COMPLETE$/) });
    await expect(update(false, 'rollback')).resolves.toBeDefined();
    expect(JSON.parse((await ssm.send(new GetParameterCommand({ Name: ABORT }))).Parameter!.Value!)).toMatchObject({ executionArn: ME });
  });
});
