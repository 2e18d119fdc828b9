import { AutoScalingClient, DescribeAutoScalingGroupsCommand, SetDesiredCapacityCommand, SuspendProcessesCommand } from '@aws-sdk/client-auto-scaling';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ClusterContext } from '../../lambda/shared/context';
import { InvalidInputError, PreconditionFailedError, StillInProgressError } from '../../lambda/shared/errors';
import { memoryLogger } from '../../lambda/shared/log';
import { ServerSlotsInput, ServerSlotsPlan, logic } from '../../lambda/server-slots/logic';
import { NewMember } from '../../lambda/server-slots/locate-new-member';
import { ReleasedSlot } from '../../lambda/server-slots/release-slot';
import { motoClientConfig } from '../support/moto';
import { NothingDeleted, attach, createDataVolume, createGroup, groupInstances, motoPerFile, resetMoto, volumeTags } from './fixtures/moto-ec2';

const OLD = 'neo4j:5.26.1-enterprise';
const NEW = 'neo4j:5.26.2-enterprise';
const SLOTS = [1, 2, 3, 4];
const env = motoPerFile();
let cfn: CloudFormationClient;
let autoScaling: AutoScalingClient;
let count = 0;

/** A cluster of 3 servers and spare slot 4: its stack's parameters, its main group, one tagged volume per server attached. */
async function cluster(values: Record<string, string> = {}, suspend = true): Promise<{ ctx: ClusterContext; ips: Map<number, string>; instances: Map<number, string> }> {
  const stackName = `slots-${++count}`;
  const keys = ['DockerImage', 'MaxSize', 'DesiredCapacity', ...SLOTS.flatMap((n) => [`Server${n}Image`, `Server${n}DesiredCount`])];
  const defaults: Record<string, string> = { DockerImage: OLD, MaxSize: '4', DesiredCapacity: '3', Server1DesiredCount: '1', Server2DesiredCount: '1', Server3DesiredCount: '1', Server4DesiredCount: '0' };
  await cfn.send(new CreateStackCommand({
    StackName: stackName,
    TemplateBody: JSON.stringify({
      Parameters: Object.fromEntries(keys.map((k) => [k, { Type: 'String' }])),
      Resources: { Config: { Type: 'AWS::SSM::Parameter', Properties: { Name: `/${stackName}/config`, Type: 'String', Value: { Ref: 'DockerImage' } } } },
    }),
    Parameters: keys.map((k) => ({ ParameterKey: k, ParameterValue: values[k] ?? defaults[k] ?? '' })),
  }));
  const ctx = {
    stackName,
    parameterNames: {
      dockerImage: 'DockerImage', maxSize: 'MaxSize', desiredCapacity: 'DesiredCapacity',
      ...Object.fromEntries(SLOTS.flatMap((n) => [[`server${n}Image`, `Server${n}Image`], [`server${n}DesiredCount`, `Server${n}DesiredCount`]])),
    },
    groups: [{ role: 'main', autoScalingGroupName: `${stackName}-main` }, ...SLOTS.map((n) => ({ role: `server${n}`, serviceName: `${stackName}-server${n}` }))],
    mainAutoScalingGroupName: `${stackName}-main`,
    dataVolumeName: `${stackName}-data`,
    environmentName: 'production',
    clusterIdentity: `${stackName}/00000000`,
  } as unknown as ClusterContext;
  const members = await createGroup(env.aws.ec2, autoScaling, { name: ctx.mainAutoScalingGroupName, desired: 3, minSize: 3 });
  if (suspend) await autoScaling.send(new SuspendProcessesCommand({ AutoScalingGroupName: ctx.mainAutoScalingGroupName, ScalingProcesses: ['AZRebalance'] }));
  const ips = new Map<number, string>();
  const instances = new Map<number, string>();
  for (const [i, member] of members.entries()) {
    const volume = await createDataVolume(env.aws.ec2, ctx, 'us-east-1a', { extraTags: { 'neo4j-upgrades:cluster': ctx.clusterIdentity!, 'neo4j-upgrades:server': String(i + 1) } });
    await attach(env.aws.ec2, volume, member.InstanceId!);
    instances.set(i + 1, member.InstanceId!);
  }
  const { DescribeInstancesCommand } = await import('@aws-sdk/client-ec2');
  const described = await env.aws.ec2.send(new DescribeInstancesCommand({ InstanceIds: [...instances.values()] }));
  for (const inst of described.Reservations!.flatMap((r) => r.Instances!)) {
    ips.set([...instances].find(([, id]) => id === inst.InstanceId)![0], inst.PrivateIpAddress!);
  }
  return { ctx, ips, instances };
}

const call = <T>(ctx: ClusterContext, input: Partial<ServerSlotsInput>) =>
  logic({ cfn, ec2: env.aws.ec2 as EC2Client, autoScaling, log: memoryLogger() }, { cluster: ctx, ...input } as ServerSlotsInput) as Promise<T>;
const desired = async (name: string) => (await autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }))).AutoScalingGroups![0].DesiredCapacity;

beforeAll(() => {
  cfn = new CloudFormationClient(motoClientConfig(env.moto));
  autoScaling = env.aws.autoScaling;
});
beforeEach(async () => { await resetMoto(env.moto); });

describe('server-slots against moto_server', () => {
  test('plan: every old server to the slot the previous one freed, the spare first and the leader last; reads only', async () => {
    const { ctx, ips } = await cluster();
    const plan = await call<ServerSlotsPlan>(ctx, { action: 'plan', image: NEW, stage: 'roll', leaderHost: ips.get(2) });
    expect(plan.replacements.map((r) => [r.oldServerNumber, r.slotNumber, r.leader])).toEqual([[1, 4, false], [3, 1, false], [2, 3, true]]);
    expect(plan.replacements[0]).toMatchObject({
      oldServerAddress: `${ips.get(1)}:7687`, newMemberGroups: ['server4'], oldMemberGroups: ['server1'],
      surge: { stage: 'roll-server1-surge', parameters: { server4Image: NEW, server4DesiredCount: '1', desiredCapacity: '4' } },
      retire: { stage: 'roll-server1-retire', parameters: { server1DesiredCount: '0' } },
      capacity: { stage: 'roll-server1-capacity', parameters: { desiredCapacity: '3' } },
      stopSurge: { parameters: { server4DesiredCount: '0' } }, undoCapacity: { stage: 'roll-server1-undo-capacity' },
    });
    expect(plan.closing).toEqual({ stage: 'roll-final', parameters: { dockerImage: NEW, server1Image: '', server2Image: '', server3Image: '', server4Image: '' } });
    expect(await call<ServerSlotsPlan>(ctx, { action: 'plan', image: NEW, stage: 'roll', leaderHost: ips.get(2) })).toEqual(plan);
  });

  test('plan skips the servers already replaced (a re-run after a partial run)', async () => {
    const { ctx } = await cluster({ Server1Image: NEW });
    const plan = await call<ServerSlotsPlan>(ctx, { action: 'plan', image: NEW, stage: 'roll' });
    expect(plan.replacements.map((r) => [r.oldServerNumber, r.slotNumber])).toEqual([[2, 4], [3, 2]]);
  });

  test('plan back to the pre-upgrade record (a rollback): the slots not at the recorded DockerImage, by server number', async () => {
    const { ctx } = await cluster({ DockerImage: OLD, Server1Image: NEW, Server3Image: NEW });
    const plan = await call<ServerSlotsPlan>(ctx, { action: 'plan', previousParameters: { DockerImage: OLD }, stage: 'rollBack' });
    expect(plan.image).toBe(OLD);
    expect(plan.replacements.map((r) => [r.oldServerNumber, r.slotNumber])).toEqual([[1, 4], [3, 1]]);
    expect(plan.replacements[0].surge).toEqual({ stage: 'rollBack-server1-surge', parameters: { server4Image: OLD, server4DesiredCount: '1', desiredCapacity: '4' } });
    expect(plan.closing.parameters.dockerImage).toBe(OLD);
    await expect(call(ctx, { action: 'plan', image: NEW, previousParameters: { DockerImage: OLD }, stage: 'rollBack' })).rejects.toThrow(/exactly one of image and previousParameters/);
    await expect(call(ctx, { action: 'plan', previousParameters: {}, stage: 'rollBack' })).rejects.toThrow(/previousParameters.DockerImage must be the pre-upgrade image/);
  });

  test('plan refuses before any change: AZRebalance running, a surge not finished, no room to grow, bad input', async () => {
    const { ctx } = await cluster({}, false);
    await expect(call(ctx, { action: 'plan', image: NEW, stage: 'roll' })).rejects.toThrow(/AZRebalance: it must be suspended/);
    await autoScaling.send(new SuspendProcessesCommand({ AutoScalingGroupName: ctx.mainAutoScalingGroupName, ScalingProcesses: ['AZRebalance'] }));
    const { ctx: surging } = await cluster({ Server4DesiredCount: '1', DesiredCapacity: '4' });
    await expect(call(surging, { action: 'plan', image: NEW, stage: 'roll' })).rejects.toThrow(/exactly one spare slot.*found none/);
    const { ctx: full } = await cluster({ MaxSize: '3' });
    await expect(call(full, { action: 'plan', image: NEW, stage: 'roll' })).rejects.toThrow(PreconditionFailedError);
    await expect(call(full, { action: 'launch' as never })).rejects.toThrow(InvalidInputError);
    await expect(call(full, { action: 'release-slot', serverNumber: 1, suffix: '-gone', executionId: 'e' })).rejects.toThrow(/suffix must be one of -old, -failed/);
  });

  test('locate-new-member: still in progress until a volume tagged with the slot is attached to an InService instance', async () => {
    const { ctx } = await cluster();
    await expect(call(ctx, { action: 'locate-new-member', serverNumber: 4 })).rejects.toThrow(StillInProgressError);
    await autoScaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: ctx.mainAutoScalingGroupName, DesiredCapacity: 4 }));
    const surge = (await groupInstances(autoScaling, ctx.mainAutoScalingGroupName)).at(-1)!;
    const volume = await createDataVolume(env.aws.ec2, ctx, 'us-east-1a', { extraTags: { 'neo4j-upgrades:cluster': ctx.clusterIdentity!, 'neo4j-upgrades:server': '4' } });
    await attach(env.aws.ec2, volume, surge.InstanceId!);
    const found = await call<NewMember>(ctx, { action: 'locate-new-member', serverNumber: 4 });
    expect(found).toMatchObject({ serverNumber: 4, instanceId: surge.InstanceId, volumeId: volume });
    expect(found.serverAddress).toMatch(/^\d+\.\d+\.\d+\.\d+:7687$/);
  });

  test('release-slot twice: the volume renamed -old and kept, the server tag moved, the instance terminated once with the group decremented', async () => {
    const { ctx, instances } = await cluster();
    const kept = new NothingDeleted(env.aws.ec2ForRegion);
    await kept.check();
    await autoScaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: ctx.mainAutoScalingGroupName, DesiredCapacity: 4 }));
    const first = await call<ReleasedSlot>(ctx, { action: 'release-slot', serverNumber: 1, suffix: '-old', executionId: 'exec-1' });
    expect(first).toMatchObject({ serverNumber: 1, instanceId: instances.get(1), instanceAlreadyLeaving: false, volume: { newName: `${ctx.dataVolumeName}-old`, alreadyRenamed: false } });
    expect(await desired(ctx.mainAutoScalingGroupName)).toBe(3);
    const tags = await volumeTags(env.aws.ec2, first.volume!.volumeId);
    expect(tags).toMatchObject({ 'Name': `${ctx.dataVolumeName}-old`, 'neo4j-upgrades:retired-server': '1', 'neo4j-upgrade:renamed-by': 'exec-1' });
    expect(tags['neo4j-upgrades:server']).toBeUndefined();
    const second = await call<ReleasedSlot>(ctx, { action: 'release-slot', serverNumber: 1, suffix: '-old', executionId: 'exec-1' });
    expect(second).toMatchObject({ serverNumber: 1, instanceAlreadyLeaving: true, volume: { volumeId: first.volume!.volumeId, alreadyRenamed: true } });
    expect(await desired(ctx.mainAutoScalingGroupName)).toBe(3);
    expect((await groupInstances(autoScaling, ctx.mainAutoScalingGroupName)).map((i) => i.InstanceId)).not.toContain(instances.get(1));
    // Nothing is deleted.
    expect(await kept.check()).toMatchObject({ volumes: 3 });
  });

  test('release-slot of a slot released twice by one execution (replaced forward, then back): a retry finds the volume released last', async () => {
    const { ctx, instances } = await cluster();
    await autoScaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: ctx.mainAutoScalingGroupName, DesiredCapacity: 4 }));
    const first = await call<ReleasedSlot>(ctx, { action: 'release-slot', serverNumber: 1, suffix: '-old', executionId: 'exec-1' });
    await new Promise((resolve) => setTimeout(resolve, 1100)); // a later CreateTime, whatever its precision
    await autoScaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: ctx.mainAutoScalingGroupName, DesiredCapacity: 4 }));
    const holders = [...instances.values()];
    const newcomer = (await groupInstances(autoScaling, ctx.mainAutoScalingGroupName)).find((i) => !holders.includes(i.InstanceId!));
    const volume = await createDataVolume(env.aws.ec2, ctx, 'us-east-1a', { extraTags: { 'neo4j-upgrades:cluster': ctx.clusterIdentity!, 'neo4j-upgrades:server': '1' } });
    await attach(env.aws.ec2, volume, newcomer!.InstanceId!);
    const again = await call<ReleasedSlot>(ctx, { action: 'release-slot', serverNumber: 1, suffix: '-old', executionId: 'exec-1' });
    expect(again.volume).toMatchObject({ volumeId: volume, alreadyRenamed: false });
    // This release's volume leaves the claim pool with its tag moved, whichever of the two has the smaller id.
    const tags = await volumeTags(env.aws.ec2, volume);
    expect(tags).toMatchObject({ 'Name': `${ctx.dataVolumeName}-old`, 'neo4j-upgrades:retired-server': '1' });
    expect(tags['neo4j-upgrades:server']).toBeUndefined();
    const retry = await call<ReleasedSlot>(ctx, { action: 'release-slot', serverNumber: 1, suffix: '-old', executionId: 'exec-1' });
    expect(retry).toMatchObject({ instanceAlreadyLeaving: true, volume: { volumeId: volume, alreadyRenamed: true } });
    expect(retry.volume!.volumeId).not.toBe(first.volume!.volumeId);
  });

  test('release-slot -failed of a surge whose instance never claimed a volume: that instance terminated, the group decremented; twice the same', async () => {
    const { ctx, instances } = await cluster();
    await autoScaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: ctx.mainAutoScalingGroupName, DesiredCapacity: 4 }));
    const surge = (await groupInstances(autoScaling, ctx.mainAutoScalingGroupName)).map((i) => i.InstanceId!).find((id) => ![...instances.values()].includes(id));
    const first = await call<ReleasedSlot>(ctx, { action: 'release-slot', serverNumber: 4, suffix: '-failed', executionId: 'exec-2' });
    expect(first).toMatchObject({ serverNumber: 4, unclaimedInstanceIds: [surge], instanceAlreadyLeaving: false });
    expect(await desired(ctx.mainAutoScalingGroupName)).toBe(3);
    const second = await call<ReleasedSlot>(ctx, { action: 'release-slot', serverNumber: 4, suffix: '-failed', executionId: 'exec-2' });
    expect(second).toMatchObject({ unclaimedInstanceIds: [], instanceAlreadyLeaving: true });
    expect((await groupInstances(autoScaling, ctx.mainAutoScalingGroupName)).map((i) => i.InstanceId).sort()).toEqual([...instances.values()].sort());
  });
});
