import { CloudFormationClient, CreateStackCommand, UpdateStackCommand } from '@aws-sdk/client-cloudformation';
import { DescribeImagesCommand, DescribeInstancesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { ClusterContext } from '../../lambda/shared/context';
import { InvalidInputError, PreconditionFailedError } from '../../lambda/shared/errors';
import { memoryLogger } from '../../lambda/shared/log';
import { PlanServerRollInput, logic } from '../../lambda/plan-server-roll/logic';
import { MotoServer, motoClientConfig, startMoto } from '../support/moto';
import { attach, createDataVolume } from './fixtures/moto-ec2';

const OLD = 'neo4j:5.26.1-enterprise';
const NEW = 'neo4j:5.26.2-enterprise';
const SERVERS = [1, 2, 3];
let moto: MotoServer;
let cfn: CloudFormationClient;
let ec2: EC2Client;
let stackCount = 0;

/** A per-server cluster's context on its own stack and volume names. */
function context(stackName: string, families = false): ClusterContext {
  const familyRoles = families
    ? { versionFamily: 'VersionFamily', ...Object.fromEntries(SERVERS.map((n) => [`server${n}VersionFamily`, `Server${n}VersionFamily`])) }
    : {};
  return {
    stackName,
    parameterNames: { dockerImage: 'DockerImage', ...Object.fromEntries(SERVERS.map((n) => [`server${n}Image`, `Server${n}Image`])), ...familyRoles },
    groups: [{ role: 'main', autoScalingGroupName: `${stackName}-main` }, ...SERVERS.map((n) => ({ role: `server${n}`, serviceName: `${stackName}-server${n}` }))],
    dataVolumeName: `${stackName}-data`,
    environmentName: 'production',
    clusterIdentity: `${stackName}/00000000`,
  } as unknown as ClusterContext;
}

/** families: the stack also has VersionFamily and a Server<N>VersionFamily per server (a cluster on discovery v2). */
async function stackWith(values: Record<string, string>, families = false): Promise<ClusterContext> {
  const stackName = `rolling-${++stackCount}`;
  const keys = ['DockerImage', ...SERVERS.map((n) => `Server${n}Image`),
    ...(families ? ['VersionFamily', ...SERVERS.map((n) => `Server${n}VersionFamily`)] : [])];
  await cfn.send(new CreateStackCommand({
    StackName: stackName,
    TemplateBody: JSON.stringify({
      Parameters: Object.fromEntries(keys.map((k) => [k, { Type: 'String' }])),
      Resources: { Config: { Type: 'AWS::SSM::Parameter', Properties: { Name: `/${stackName}/config`, Type: 'String', Value: { Ref: 'DockerImage' } } } },
    }),
    Parameters: keys.map((k) => ({ ParameterKey: k, ParameterValue: values[k] ?? '' })),
  }));
  return context(stackName, families);
}

/** One instance per server, each with its server's tagged volume attached; returns server -> private IP. */
async function servers(cluster: ClusterContext, attached = SERVERS): Promise<Map<number, string>> {
  const image = (await ec2.send(new DescribeImagesCommand({}))).Images![0].ImageId!;
  const ips = new Map<number, string>();
  for (const n of SERVERS) {
    const volume = await createDataVolume(ec2, cluster, 'us-east-1a', {
      extraTags: { 'neo4j-upgrades:cluster': cluster.clusterIdentity!, 'neo4j-upgrades:server': String(n) },
    });
    if (!attached.includes(n)) continue;
    const run = await ec2.send(new RunInstancesCommand({ ImageId: image, MinCount: 1, MaxCount: 1, InstanceType: 't3.medium' }));
    const instance = run.Instances![0];
    await attach(ec2, volume, instance.InstanceId!);
    const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instance.InstanceId!] }));
    ips.set(n, described.Reservations![0].Instances![0].PrivateIpAddress!);
  }
  return ips;
}

const plan = (input: Partial<PlanServerRollInput> & { cluster: ClusterContext }) =>
  logic({ cfn, ec2, log: memoryLogger() }, { stage: 'roll', ...input } as PlanServerRollInput);

beforeAll(async () => {
  moto = await startMoto();
  cfn = new CloudFormationClient(motoClientConfig(moto));
  ec2 = new EC2Client(motoClientConfig(moto));
});
afterAll(async () => { await moto?.stop(); });

describe('plan-server-roll against moto_server', () => {
  test('every server, the leader last, each through its own parameter; the closing update clears them', async () => {
    const cluster = await stackWith({ DockerImage: OLD });
    const ips = await servers(cluster);
    const out = await plan({ cluster, image: NEW, leaderHost: ips.get(2) });
    expect(out.servers.map((s) => [s.serverNumber, s.leader, s.privateIpAddress])).toEqual([
      [1, false, ips.get(1)], [3, false, ips.get(3)], [2, true, ips.get(2)],
    ]);
    expect(out.servers[0]).toMatchObject({ groups: ['server1'], parameters: { server1Image: NEW }, stage: 'roll-server1' });
    expect(out.finalParameters).toEqual({ dockerImage: NEW, server1Image: '', server2Image: '', server3Image: '' });
    expect(out.finalStage).toBe('roll-final');
    // Reads only: the same input gives the same plan.
    expect(await plan({ cluster, image: NEW, leaderHost: ips.get(2) })).toEqual(out);
  });

  test('a stopped slot (the spare of a cluster with spareServerSlots, desired count 0) is not rolled', async () => {
    const cluster = await stackWith({ DockerImage: OLD });
    await servers(cluster);
    const stackName = `rolling-${++stackCount}`;
    const keys = ['DockerImage', ...SERVERS.flatMap((n) => [`Server${n}Image`, `Server${n}DesiredCount`])];
    await cfn.send(new CreateStackCommand({
      StackName: stackName,
      TemplateBody: JSON.stringify({
        Parameters: Object.fromEntries(keys.map((k) => [k, { Type: 'String' }])),
        Resources: { Config: { Type: 'AWS::SSM::Parameter', Properties: { Name: `/${stackName}/config`, Type: 'String', Value: { Ref: 'DockerImage' } } } },
      }),
      Parameters: keys.map((k) => ({ ParameterKey: k, ParameterValue: k === 'DockerImage' ? OLD : k === 'Server2DesiredCount' ? '0' : /DesiredCount/.test(k) ? '1' : '' })),
    }));
    const spare = { ...cluster, stackName, parameterNames: { ...cluster.parameterNames, ...Object.fromEntries(SERVERS.map((n) => [`server${n}DesiredCount`, `Server${n}DesiredCount`])) } } as ClusterContext;
    const out = await plan({ cluster: spare, image: NEW });
    expect(out.servers.map((s) => s.serverNumber)).toEqual([1, 3]);
    expect(out.finalParameters).toMatchObject({ server2Image: '' });
  });

  test('a server already on the image is not rolled again (an execution resumed mid-roll)', async () => {
    const cluster = await stackWith({ DockerImage: OLD, Server1Image: NEW });
    const ips = await servers(cluster);
    const out = await plan({ cluster, image: NEW, leaderHost: ips.get(3) });
    expect(out.servers.map((s) => s.serverNumber)).toEqual([2, 3]);
  });

  test('rolling back: the servers not on the pre-upgrade image, by number, back to it', async () => {
    const cluster = await stackWith({ DockerImage: OLD, Server1Image: NEW, Server3Image: NEW });
    await servers(cluster);
    const out = await plan({ cluster, previousParameters: { DockerImage: OLD, Server1Image: '' }, stage: 'rollBack' });
    expect(out.servers.map((s) => [s.serverNumber, s.parameters, s.stage])).toEqual([
      [1, { server1Image: OLD }, 'rollBack-server1'], [3, { server3Image: OLD }, 'rollBack-server3'],
    ]);
    expect(out.finalParameters.dockerImage).toBe(OLD);

    // After the closing update (DockerImage at the target): every server goes back, one at a time.
    await cfn.send(new UpdateStackCommand({
      StackName: cluster.stackName, UsePreviousTemplate: true,
      Parameters: [{ ParameterKey: 'DockerImage', ParameterValue: NEW }, ...SERVERS.map((n) => ({ ParameterKey: `Server${n}Image`, ParameterValue: '' }))],
    }));
    const after = await plan({ cluster, previousParameters: { DockerImage: OLD }, stage: 'rollBack' });
    expect(after.servers.map((s) => s.serverNumber)).toEqual([1, 2, 3]);
  });

  test('5.26 -> 2025.x on discovery v2: each server gets the new family with its image; the closing update sets VersionFamily; back the same way', async () => {
    const CALENDAR = 'neo4j:2026.08.1-enterprise';
    const cluster = await stackWith({ DockerImage: NEW, VersionFamily: '5', Server1Image: CALENDAR, Server1VersionFamily: '2025' }, true);
    await servers(cluster);
    const out = await plan({ cluster, image: CALENDAR, versionFamily: '2025' });
    expect(out.servers.map((s) => [s.serverNumber, s.parameters])).toEqual([
      [2, { server2Image: CALENDAR, server2VersionFamily: '2025' }], [3, { server3Image: CALENDAR, server3VersionFamily: '2025' }],
    ]);
    expect(out.finalParameters).toEqual({
      dockerImage: CALENDAR, versionFamily: '2025',
      ...Object.fromEntries(SERVERS.flatMap((n) => [[`server${n}Image`, ''], [`server${n}VersionFamily`, '']])),
    });
    const back = await plan({ cluster, previousParameters: { DockerImage: NEW, VersionFamily: '5' }, stage: 'rollBack' });
    expect(back.servers.map((s) => [s.serverNumber, s.parameters])).toEqual([[1, { server1Image: NEW, server1VersionFamily: '5' }]]);
    expect(back.finalParameters).toMatchObject({ dockerImage: NEW, versionFamily: '5' });

    // Without per-server families (discovery v1), a family change is refused before anything changes.
    const names = Object.entries(cluster.parameterNames).filter(([role]) => !/^server\d+VersionFamily$/.test(role));
    const onV1 = { ...cluster, parameterNames: Object.fromEntries(names) } as unknown as ClusterContext;
    await expect(plan({ cluster: onV1, image: CALENDAR, versionFamily: '2025' })).rejects.toThrow(
      /^the roll changes the settings family from 5 to 2025, and the servers have no server<N>VersionFamily parameter/);
  });

  test('a leader that is no server is refused before anything changes, naming the servers', async () => {
    const cluster = await stackWith({ DockerImage: OLD });
    await servers(cluster, [1, 2]);
    const err = await plan({ cluster, image: NEW, leaderHost: '10.9.9.9' }).catch((e) => e);
    expect(err).toBeInstanceOf(PreconditionFailedError);
    expect(err.message).toMatch(/^the leader 10\.9\.9\.9 is no server of this cluster \(server 1 i-\w+ [\d.]+, server 2 i-\w+ [\d.]+\)$/);
  });

  test('bad input is InvalidInputError naming the field', async () => {
    const cluster = await stackWith({ DockerImage: OLD });
    await expect(plan({ cluster, image: NEW, previousParameters: { DockerImage: OLD } }))
      .rejects.toThrow(new InvalidInputError(`give exactly one of image and previousParameters, got image "${NEW}" and previousParameters {"DockerImage":"${OLD}"}`));
    await expect(plan({ cluster, previousParameters: { Mode: 'HA' } })).rejects.toThrow(/^previousParameters\.DockerImage must be the pre-upgrade image, got undefined/);
    await expect(plan({ cluster, image: NEW, stage: 'a b' })).rejects.toThrow(InvalidInputError);
    const plain = { ...cluster, parameterNames: { dockerImage: 'DockerImage' } } as unknown as ClusterContext;
    await expect(plan({ cluster: plain, image: NEW })).rejects.toThrow(/no server<N>Image role: the cluster is not in the per-server layout/);
  });
});
