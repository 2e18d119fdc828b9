import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { GetParameterCommand, GetParameterHistoryCommand, SSMClient } from '@aws-sdk/client-ssm';
import { memoryLogger } from '../../lambda/shared/log';
import { StackParametersInput, logic } from '../../lambda/stack-parameters/logic';
import { MotoServer, motoClientConfig, startMoto } from '../support/moto';
import { INITIAL_PARAMETERS, clusterContext, createUpgradeStack } from './fixtures/upgrade-stack';

describe('stack-parameters record against moto_server', () => {
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

  const record = (executionArn: string) => logic({ cfn, ssm, log: memoryLogger() }, {
    cluster: clusterContext('neo4j-prod'), executionArn, lockPrefix: '/neo4j-upgrades/neo4j-prod',
  } as StackParametersInput);

  // moto 5.2.1 does not mask NoEcho parameters in DescribeStacks (models.py compares the value, not the
  // key, with no_echo_parameter_keys), so AdminPassword comes back in clear here; the masked case is
  // covered by stack-parameters.test.ts.
  test('records all parameters to SSM; a second run is the same record', async () => {
    const first = await record('run-1');
    expect(first.parameters).toEqual(INITIAL_PARAMETERS);
    expect(first.maskedKeys).toEqual([]);
    const name = '/neo4j-upgrades/neo4j-prod/pre-upgrade-parameters';
    const stored = JSON.parse((await ssm.send(new GetParameterCommand({ Name: name }))).Parameter!.Value!);
    expect(stored).toEqual({
      executionArn: 'run-1', stackName: 'neo4j-prod', stackId: first.stackId, stackStatus: 'CREATE_COMPLETE',
      recordedAt: first.recordedAt, parameters: first.parameters, maskedKeys: [],
    });

    const again = await record('run-1');
    expect(again).toEqual({ ...first, reused: true });
    const history = (await ssm.send(new GetParameterHistoryCommand({ Name: name }))).Parameters!;
    expect(history).toHaveLength(1);

    const next = await record('run-2');
    expect(next).toMatchObject({ executionArn: 'run-2', reused: false, parameters: INITIAL_PARAMETERS });
    expect(JSON.parse((await ssm.send(new GetParameterCommand({ Name: name }))).Parameter!.Value!).executionArn).toBe('run-2');
  });
});
