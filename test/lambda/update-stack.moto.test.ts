import {
  CloudFormationClient, CreateChangeSetCommand, CreateStackCommand, DescribeChangeSetCommand, DescribeStacksCommand,
  ListChangeSetsCommand,
} from '@aws-sdk/client-cloudformation';
import { ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { stackParameters } from '../../lambda/shared/cfn-stack';
import { memoryLogger } from '../../lambda/shared/log';
import { stackRequestToken } from '../../lambda/shared/stack-request-token';
import { UpdateStackInput, logic } from '../../lambda/update-stack/logic';
import { startRehearsalMoto } from '../../tools/rehearsal/moto-server';
import { MotoServer, motoClientConfig, startMoto } from '../support/moto';
import {
  CONFIG_KEYS, INITIAL_PARAMETERS, clusterContext, configParameterName, createUpgradeStack, parseConfig, template,
} from './fixtures/upgrade-stack';

/*
 * update-stack works through change sets. moto 5.2.1 alone lists no change for a change set on the previous
 * template (it diffs templates, not parameters), reports no Replacement, and leaves the stack's recorded
 * parameters stale after ExecuteChangeSet (a change set back to the old values then "didn't contain
 * changes"). The rehearsal's moto_server_patched.py (section 7) fills those in, so these tests run on it; the
 * last describe shows what plain moto does.
 */
describe('update-stack against moto_server (patched for change sets)', () => {
  let moto: MotoServer;
  let cfn: CloudFormationClient;
  let ssm: SSMClient;
  let ecs: ECSClient;
  beforeAll(async () => {
    moto = await startRehearsalMoto();
    cfn = new CloudFormationClient(motoClientConfig(moto));
    ssm = new SSMClient(motoClientConfig(moto));
    ecs = new ECSClient(motoClientConfig(moto));
  });
  afterAll(async () => { await moto?.stop(); });

  const update = (stackName: string, input: Partial<UpdateStackInput>) => logic(
    { cfn, ssm: new SSMClient({ region: 'us-east-1' }), log: memoryLogger(), sleep: async () => undefined },
    { cluster: clusterContext(stackName), executionName: 'run-1', stage: 'roll-image', ...input } as UpdateStackInput,
  );
  /** The stack's parameters and what its resource (the SSM parameter) really holds. */
  const state = async (stackName: string) => {
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks![0];
    const config = (await ssm.send(new GetParameterCommand({ Name: configParameterName(stackName) }))).Parameter!.Value!;
    return { status: stack.StackStatus, parameters: stackParameters(stack), resource: parseConfig(config) };
  };
  const initialResource = Object.fromEntries(CONFIG_KEYS.map((k) => [k, INITIAL_PARAMETERS[k]]));
  /** What DescribeStacks shows: the NoEcho value masked, as on AWS (the patched server does that too). */
  const DESCRIBED = { ...INITIAL_PARAMETERS, AdminPassword: '****' };

  test('changes only the overridden parameters; the same stage again changes nothing', async () => {
    await createUpgradeStack(cfn, 'stage-one');
    expect((await state('stage-one')).resource).toEqual(initialResource);

    const first = await update('stage-one', { parameters: { dockerImage: 'neo4j:3.5.35-enterprise' } });
    expect(first).toMatchObject({ changed: true, requestedParameters: { DockerImage: 'neo4j:3.5.35-enterprise' } });
    const after = await state('stage-one');
    expect(after.status).toBe('UPDATE_COMPLETE');
    expect(after.parameters).toEqual({ ...DESCRIBED, DockerImage: 'neo4j:3.5.35-enterprise' });
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
      ...DESCRIBED, DockerImage: 'neo4j:3.5.35-enterprise', Mode: 'SINGLE', SlaveMode: 'SINGLE',
      AllowUpgrade: 'True', MaxSize: '1', DesiredCapacity: '1',
    });
    expect(single.resource).toEqual({
      ...initialResource, DockerImage: 'neo4j:3.5.35-enterprise', Mode: 'SINGLE', SlaveMode: 'SINGLE',
      AllowUpgrade: 'True', MaxSize: '1', DesiredCapacity: '1',
    });

    // The record as DescribeStacks gives it on real AWS: the NoEcho value masked (keeps its value).
    const restore = DESCRIBED;
    await expect(update('staged', { mode: 'rollback', stage: 'single-master', restore }))
      .resolves.toMatchObject({ changed: true, mode: 'rollback' });
    const back = await state('staged');
    expect(back.parameters).toEqual(DESCRIBED);
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

  test('a stage whose change set would replace the ECS cluster is refused before any change; the change set is kept', async () => {
    await createReplacingStack(cfn, 'replacing');
    const before = await state('replacing');
    const clustersBefore = (await ecs.send(new ListClustersCommand({}))).clusterArns;
    expect(clustersBefore).toContain('arn:aws:ecs:us-east-1:123456789012:cluster/replacing-HA');

    const refused = await update('replacing', { stage: 'single-master', parameters: { mode: 'SINGLE', desiredCapacity: 1 } })
      .catch((e: Error) => e);
    expect(refused).toMatchObject({ name: 'ChangeSetRefusedError' });
    expect((refused as Error).message).toContain(
      'EcsCluster (AWS::ECS::Cluster replacing-HA): Modify with Replacement True; caused by ClusterName (recreation Always) <- ParameterReference Mode');
    expect((refused as Error).message).not.toMatch(/Config \(/);

    expect(await state('replacing')).toEqual(before);
    expect((await ecs.send(new ListClustersCommand({}))).clusterArns).toEqual(clustersBefore);
    const token = stackRequestToken('run-1', 'single-master');
    const kept = (await cfn.send(new ListChangeSetsCommand({ StackName: 'replacing' }))).Summaries ?? [];
    expect(kept.map((c) => [c.ChangeSetName, c.ExecutionStatus])).toEqual([[token, 'AVAILABLE']]);

    // The retry reviews the same change set and refuses again; still one change set, nothing changed.
    await expect(update('replacing', { stage: 'single-master', parameters: { mode: 'SINGLE', desiredCapacity: 1 } }))
      .rejects.toMatchObject({ name: 'ChangeSetRefusedError' });
    expect((await cfn.send(new ListChangeSetsCommand({ StackName: 'replacing' }))).Summaries).toHaveLength(1);
    expect(await state('replacing')).toEqual(before);

    // A stage that does not touch the cluster's name still runs on the same stack.
    await expect(update('replacing', { stage: 'roll-image', parameters: { dockerImage: 'neo4j:3.5.35-enterprise' } }))
      .resolves.toMatchObject({
        changed: true,
        changeSet: { changes: [expect.objectContaining({ logicalResourceId: 'Config', replacement: 'False', guarded: false })] },
      });
    expect((await state('replacing')).parameters).toEqual({ ...DESCRIBED, DockerImage: 'neo4j:3.5.35-enterprise' });
    expect((await ecs.send(new ListClustersCommand({}))).clusterArns).toEqual(clustersBefore);
  });
});

describe('plain moto_server 5.2.1 change sets (why the tests above use the patched server)', () => {
  let moto: MotoServer;
  let cfn: CloudFormationClient;
  beforeAll(async () => {
    moto = await startMoto();
    cfn = new CloudFormationClient(motoClientConfig(moto));
  });
  afterAll(async () => { await moto?.stop(); });

  test('a parameter change that replaces the ECS cluster is listed as no change at all, so no guard could see it', async () => {
    await createReplacingStack(cfn, 'plain');
    const params = Object.keys(INITIAL_PARAMETERS).map((k) => (k === 'Mode'
      ? { ParameterKey: k, ParameterValue: 'SINGLE' }
      : { ParameterKey: k, UsePreviousValue: true }));
    await cfn.send(new CreateChangeSetCommand({
      StackName: 'plain', ChangeSetName: 'probe', ChangeSetType: 'UPDATE', UsePreviousTemplate: true, Parameters: params,
    }));
    const described = await cfn.send(new DescribeChangeSetCommand({ StackName: 'plain', ChangeSetName: 'probe' }));
    expect(described).toMatchObject({ Status: 'CREATE_COMPLETE', ExecutionStatus: 'AVAILABLE', Changes: [] });
  });
});

/** The fixture stack plus an ECS cluster whose name follows the Mode parameter: a stage that sets Mode replaces it. */
async function createReplacingStack(cfn: CloudFormationClient, stackName: string): Promise<void> {
  const body = JSON.parse(template(stackName));
  body.Resources.EcsCluster = {
    Type: 'AWS::ECS::Cluster',
    Properties: { ClusterName: { 'Fn::Join': ['-', [stackName, { Ref: 'Mode' }]] } },
  };
  await cfn.send(new CreateStackCommand({
    StackName: stackName,
    TemplateBody: JSON.stringify(body),
    Parameters: Object.entries(INITIAL_PARAMETERS).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })),
  }));
}
