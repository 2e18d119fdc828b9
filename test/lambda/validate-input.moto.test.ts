import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { memoryLogger } from '../../lambda/shared/log';
import { ValidateInputInput, logic } from '../../lambda/validate-input/logic';
import { MotoServer, motoClientConfig, startMoto } from '../support/moto';
import { clusterContext, createUpgradeStack } from './fixtures/upgrade-stack';

describe('validate-input against moto_server', () => {
  let moto: MotoServer;
  let cfn: CloudFormationClient;
  beforeAll(async () => {
    moto = await startMoto();
    cfn = new CloudFormationClient(motoClientConfig(moto));
    await createUpgradeStack(cfn, 'neo4j-prod', { DockerImage: 'neo4j:3.5.34-enterprise', DesiredCapacity: '2' });
  });
  afterAll(async () => { await moto?.stop(); });

  const run = (request: Record<string, unknown>, stackName = 'neo4j-prod') =>
    logic({ region: 'us-east-1', cfn, log: memoryLogger() }, { cluster: clusterContext(stackName), request } as ValidateInputInput);

  test('reads the running image and capacities from the real stack', async () => {
    const plan = await run({ dockerImage: 'neo4j:3.5.35-enterprise', cloneRegions: ['eu-west-1'] });
    expect(plan).toMatchObject({
      currentDockerImage: 'neo4j:3.5.34-enterprise', fromVersion: '3.5.34', toVersion: '3.5.35',
      targetCapacity: 2, slaveCapacity: 1, cloneRegions: ['eu-west-1'], upgradeKind: 'patch',
      currentCapacity: 2, currentSlaveMembers: 1,
    });
  });

  test('a downgrade is refused and the stack is untouched', async () => {
    await expect(run({ dockerImage: 'neo4j:3.5.33-enterprise' })).rejects.toMatchObject({ name: 'InvalidInputError' });
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: 'neo4j-prod' }))).Stacks![0];
    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
    expect(stack.Parameters).toContainEqual({ ParameterKey: 'DockerImage', ParameterValue: 'neo4j:3.5.34-enterprise' });
  });

  test('an oversized input (too many regions, members over the cap, a huge field) is refused and the stack is untouched', async () => {
    const regions = ['eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'us-east-2', 'us-west-2', 'ap-southeast-1', 'ap-southeast-2', 'ca-central-1'];
    const image = 'neo4j:3.5.35-enterprise';
    await expect(run({ dockerImage: image, cloneRegions: regions })).rejects.toMatchObject({
      name: 'InvalidInputError', message: expect.stringMatching(/^cloneRegions lists 9 regions, at most 8/),
    });
    await expect(run({ dockerImage: image, targetCapacity: 10 })).rejects.toMatchObject({
      name: 'InvalidInputError', message: 'targetCapacity must be an integer from 1 to 9, got 10',
    });
    await expect(run({ dockerImage: `${image}@sha256:${'0'.repeat(100_000)}` })).rejects.toMatchObject({
      name: 'InvalidInputError', message: expect.stringMatching(/^the execution input is 100\d{3} bytes as JSON, at most 16384 .*largest field is "dockerImage"/),
    });
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: 'neo4j-prod' }))).Stacks![0];
    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
    expect(stack.Parameters).toContainEqual({ ParameterKey: 'DockerImage', ParameterValue: 'neo4j:3.5.34-enterprise' });
  });

  test('a stack that does not exist is StackNotReadyError', async () => {
    await expect(run({ dockerImage: 'neo4j:3.5.35-enterprise' }, 'no-such-stack'))
      .rejects.toMatchObject({ name: 'StackNotReadyError', message: 'stack no-such-stack does not exist' });
  });
});
