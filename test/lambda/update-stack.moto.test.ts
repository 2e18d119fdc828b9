import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { stackParameters } from '../../lambda/shared/cfn-stack';
import { memoryLogger } from '../../lambda/shared/log';
import { UpdateStackInput, logic } from '../../lambda/update-stack/logic';
import { MotoServer, motoClientConfig, startMoto } from '../support/moto';
import {
  CONFIG_KEYS, INITIAL_PARAMETERS, clusterContext, configParameterName, createUpgradeStack, parseConfig,
} from './fixtures/upgrade-stack';

describe('update-stack against moto_server', () => {
  let moto: MotoServer;
  let cfn: CloudFormationClient;
  let ssm: SSMClient;
  beforeAll(async () => {
    moto = await startMoto();
    cfn = new CloudFormationClient(motoClientConfig(moto));
    ssm = new SSMClient(motoClientConfig(moto));
  });
  afterAll(async () => { await moto?.stop(); });

  const update = (stackName: string, input: Partial<UpdateStackInput>) => logic(
    { cfn, log: memoryLogger() },
    { cluster: clusterContext(stackName), executionName: 'run-1', stage: 'roll-image', ...input } as UpdateStackInput,
  );
  /** The stack's parameters and what its resource (the SSM parameter) really holds. */
  const state = async (stackName: string) => {
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks![0];
    const config = (await ssm.send(new GetParameterCommand({ Name: configParameterName(stackName) }))).Parameter!.Value!;
    return { status: stack.StackStatus, parameters: stackParameters(stack), resource: parseConfig(config) };
  };
  const initialResource = Object.fromEntries(CONFIG_KEYS.map((k) => [k, INITIAL_PARAMETERS[k]]));

  test('changes only the overridden parameters; the same stage again changes nothing', async () => {
    await createUpgradeStack(cfn, 'stage-one');
    expect((await state('stage-one')).resource).toEqual(initialResource);

    const first = await update('stage-one', { parameters: { dockerImage: 'neo4j:3.5.35-enterprise' } });
    expect(first).toMatchObject({ changed: true, requestedParameters: { DockerImage: 'neo4j:3.5.35-enterprise' } });
    const after = await state('stage-one');
    expect(after.status).toBe('UPDATE_COMPLETE');
    expect(after.parameters).toEqual({ ...INITIAL_PARAMETERS, DockerImage: 'neo4j:3.5.35-enterprise' });
    expect(after.resource).toEqual({ ...initialResource, DockerImage: 'neo4j:3.5.35-enterprise' });

    await expect(update('stage-one', { parameters: { dockerImage: 'neo4j:3.5.35-enterprise' } }))
      .resolves.toMatchObject({ changed: false, alreadyStarted: false });
    expect(await state('stage-one')).toEqual(after);
  });

  test('the seed\'s staged changes, then a rollback to the record restores every value (twice: same state)', async () => {
    await createUpgradeStack(cfn, 'staged');
    await update('staged', { stage: 'roll-image', parameters: { dockerImage: 'neo4j:3.5.35-enterprise' } });
    await update('staged', {
      stage: 'single-master',
      parameters: { mode: 'SINGLE', slaveMode: 'SINGLE', allowUpgrade: 'True', maxSize: 1, desiredCapacity: 1 },
    });
    const single = await state('staged');
    expect(single.parameters).toEqual({
      ...INITIAL_PARAMETERS, DockerImage: 'neo4j:3.5.35-enterprise', Mode: 'SINGLE', SlaveMode: 'SINGLE',
      AllowUpgrade: 'True', MaxSize: '1', DesiredCapacity: '1',
    });
    expect(single.resource).toEqual({
      ...initialResource, DockerImage: 'neo4j:3.5.35-enterprise', Mode: 'SINGLE', SlaveMode: 'SINGLE',
      AllowUpgrade: 'True', MaxSize: '1', DesiredCapacity: '1',
    });

    // The record as DescribeStacks gives it on real AWS: the NoEcho value masked (keeps its value).
    const restore = { ...INITIAL_PARAMETERS, AdminPassword: '****' };
    await expect(update('staged', { mode: 'rollback', stage: 'single-master', restore }))
      .resolves.toMatchObject({ changed: true, mode: 'rollback' });
    const back = await state('staged');
    expect(back.parameters).toEqual(INITIAL_PARAMETERS);
    expect(back.resource).toEqual(initialResource);

    await expect(update('staged', { mode: 'rollback', stage: 'single-master', restore }))
      .resolves.toMatchObject({ changed: false });
    expect(await state('staged')).toEqual(back);
  });

  test('an unknown role fails before the stack changes', async () => {
    await createUpgradeStack(cfn, 'bad-input');
    const before = await state('bad-input');
    await expect(update('bad-input', { parameters: { image: 'x' } as never })).rejects.toMatchObject({ name: 'InvalidInputError' });
    expect(await state('bad-input')).toEqual(before);
  });
});
