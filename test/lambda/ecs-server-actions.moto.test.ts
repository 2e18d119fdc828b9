import {
  CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, DescribeTasksCommand, ECSClient,
  ListTaskDefinitionsCommand, ListTasksCommand, RegisterContainerInstanceCommand, RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { CreateVolumeCommand, DescribeImagesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { ArangoServerActionInput, ServerActionName, logic } from '../../lambda/arango-server-action/logic';
import { TAG_KEYS } from '../../lambda/shared/context';
import { EcsServerActions } from '../../lambda/shared/ecs-server-actions';
import { memoryLogger } from '../../lambda/shared/log';
import { PlannedServer, RoleOrderedContext, SERVER_TAG } from '../../lambda/shared/role-ordered-context';
import { upgradeRunId } from '../../lambda/shared/server-actions';
import { MotoServer, motoClientConfig, startMoto } from '../support/moto';

/**
 * The production server actions against moto's ECS, where moto is faithful: UpdateService's desired count,
 * RegisterTaskDefinition, RunTask with its overrides and startedBy, ListTasks/DescribeTasks, StopTask.
 * moto runs no container: its task lifecycle is set through its state manager (frozen: a run still running;
 * immediate: the run ended), and a task's only container always exits 0; other exit codes, a sidecar and a
 * task still stopping are in ecs-server-actions.test.ts (aws-sdk-client-mock). Each step runs twice: same result, no second change.
 */
describe('EcsServerActions against moto_server', () => {
  let moto: MotoServer;
  let ecs: ECSClient;
  let ssm: SSMClient;
  let ec2: EC2Client;
  const clusterName = 'arango';
  const server: PlannedServer = {
    role: 'agents', serverId: 'AGNT-0001', serviceName: 'arango-agent-1', endpoint: 'http://agent-1:8531',
    gate: 'agency-in-sync', maintenanceOnBefore: false, maintenanceOffAfter: false, position: '1/1',
  };
  const cluster: RoleOrderedContext = {
    stackName: 'ArangoCluster', ecsClusterName: clusterName, dataVolumeName: 'arango-data', environmentName: 'test',
    credentialsSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:arango', roleOrder: [], servers: [server],
  };
  const executionArn = 'arn:aws:states:us-east-1:123456789012:execution:Upgrade:run-1';
  const FROM = 'arangodb/arangodb:3.3.23';
  const TO = 'arangodb/arangodb:3.4.2';
  const command = ['arangod', '--cluster.my-role=AGENT', '--server.endpoint=tcp://0.0.0.0:8531'];
  // moto's tasks carry only the first container (ecs-server-actions.test.ts has a sidecar first).
  const containers = [
    { name: 'arangod', image: FROM, essential: true, memory: 256, command },
    { name: 'log-router', image: 'amazon/aws-for-fluent-bit:2.32.0', essential: false, memory: 64 },
  ];
  const placementConstraints = [{ type: 'memberOf' as const, expression: 'attribute:arango-server == AGNT-0001' }];

  beforeAll(async () => {
    moto = await startMoto();
    const config = { ...motoClientConfig(moto), maxAttempts: 1 };
    ecs = new ECSClient(config);
    ssm = new SSMClient(config);
    ec2 = new EC2Client(config);
    await taskProgression({ progression: 'manual', times: 1_000_000 });
    await ecs.send(new CreateClusterCommand({ clusterName }));
    const imageId = (await ec2.send(new DescribeImagesCommand({}))).Images?.[0]?.ImageId;
    const instanceId = (await ec2.send(new RunInstancesCommand({ ImageId: imageId, MinCount: 1, MaxCount: 1, InstanceType: 'm5.large' }))).Instances?.[0]?.InstanceId;
    await ecs.send(new RegisterContainerInstanceCommand({ cluster: clusterName, instanceIdentityDocument: JSON.stringify({ instanceId }) }));
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'arango-agent-1', containerDefinitions: containers }));
    await ecs.send(new CreateServiceCommand({
      cluster: clusterName, serviceName: server.serviceName, taskDefinition: 'arango-agent-1:1', desiredCount: 1, launchType: 'EC2', placementConstraints,
    }));
    await ec2.send(new CreateVolumeCommand({
      AvailabilityZone: 'us-east-1a', Size: 10, TagSpecifications: [{
        ResourceType: 'volume',
        Tags: [{ Key: TAG_KEYS.name, Value: cluster.dataVolumeName }, { Key: TAG_KEYS.environment, Value: 'test' }, { Key: SERVER_TAG, Value: server.serverId }],
      }],
    }));
  }, 60_000);
  afterAll(async () => { await moto?.stop(); });

  /** moto's task lifecycle: frozen (a run that is still running) or immediate (the run ended). */
  const taskProgression = async (transition: Record<string, unknown>) => {
    const res = await fetch(`${moto.endpoint}/moto-api/state-manager/set-transition`, { method: 'POST', body: JSON.stringify({ model_name: 'ecs::task', transition }) });
    if (!res.ok) throw new Error(`moto set-transition: ${res.status}`);
  };
  const actions = () => new EcsServerActions(ecs, clusterName);
  const step = (action: ServerActionName) => logic(
    { actions: actions(), ssm, ec2, now: () => new Date('2026-12-01T12:00:00Z'), log: memoryLogger() },
    { cluster, server, action, toImage: TO, executionArn, ledgerPrefix: '/role-ordered-upgrades/test/lock' } as ArangoServerActionInput,
  );
  const service = async () => (await ecs.send(new DescribeServicesCommand({ cluster: clusterName, services: [server.serviceName] }))).services?.[0];
  const revisions = async () => (await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'arango-agent-1' }))).taskDefinitionArns ?? [];
  const tasks = async () => {
    const arns = (await ecs.send(new ListTasksCommand({ cluster: clusterName, family: 'arango-agent-1' }))).taskArns ?? [];
    return arns.length ? (await ecs.send(new DescribeTasksCommand({ cluster: clusterName, tasks: arns }))).tasks ?? [] : [];
  };
  const ledger = async () => JSON.parse((await ssm.send(new GetParameterCommand({ Name: '/role-ordered-upgrades/test/lock/servers/AGNT-0001' }))).Parameter?.Value ?? '{}');

  test('currentImage is the database container\'s image', async () => {
    await expect(actions().currentImage(server)).resolves.toBe(FROM);
  });

  test('stop: desired count 0 and the ledger first; then done; a second stop changes nothing', async () => {
    await expect(step('stop')).rejects.toMatchObject({ name: 'StillInProgressError', message: expect.stringContaining('desired count set to 0') });
    expect((await service())?.desiredCount).toBe(0);
    expect(await ledger()).toMatchObject({ state: 'stopping', fromImage: FROM, volumeId: expect.stringMatching(/^vol-/) });
    await expect(step('stop')).resolves.toEqual({ serverId: 'AGNT-0001', action: 'stop', state: 'stopped' });
    await expect(step('stop')).resolves.toEqual({ serverId: 'AGNT-0001', action: 'stop', state: 'stopped' });
    expect(await actions().stop(server)).toMatchObject({ done: true });
    expect((await service())?.desiredCount).toBe(0);
  });

  test('the upgrade run: one new revision with the new image, RunTask with the flag; repeated: the same run', async () => {
    await expect(step('auto-upgrade')).rejects.toMatchObject({ name: 'StillInProgressError', message: expect.stringContaining('upgrade run started') });
    expect(await ledger()).toMatchObject({ state: 'upgrading' });
    expect(await revisions()).toHaveLength(2);
    const [run] = await tasks();
    expect(run).toMatchObject({
      startedBy: upgradeRunId('run-1', 'AGNT-0001'), lastStatus: 'RUNNING', taskDefinitionArn: expect.stringMatching(/arango-agent-1:2$/),
      overrides: { containerOverrides: [{ name: 'arangod', command: [...command, '--database.auto-upgrade=true'] }] },
    });
    await expect(step('auto-upgrade')).rejects.toMatchObject({ name: 'StillInProgressError', message: expect.stringContaining('upgrade run RUNNING') });
    expect(await tasks()).toHaveLength(1);
    expect(await revisions()).toHaveLength(2);
  });

  test('the run ends (moto plays its container exiting 0): store-upgraded with exit 0; repeated: the same, no second run', async () => {
    await taskProgression({ progression: 'immediate' });
    for (let i = 0; i < 2; i++) {
      await expect(step('auto-upgrade')).resolves.toEqual({ serverId: 'AGNT-0001', action: 'auto-upgrade', state: 'store-upgraded', exitCode: 0 });
    }
    expect(await tasks()).toEqual([expect.objectContaining({ lastStatus: 'STOPPED' })]);
    expect(await ledger()).toMatchObject({ state: 'store-upgraded' });
  });

  test('start: the service on the upgrade run\'s revision (none registered) with desired count 1, waiting for its deployment; repeated: no second update', async () => {
    const actionsNow = actions();
    const first = await actionsNow.start(server, TO);
    expect(first).toEqual({ done: false, detail: 'service updated' });
    const after = await service();
    expect(after).toMatchObject({ desiredCount: 1, taskDefinition: expect.stringMatching(/arango-agent-1:2$/) });
    expect(await revisions()).toHaveLength(2);
    const second = await actionsNow.start(server, TO);
    expect(second.detail).not.toBe('service updated');
    expect((await service())?.taskDefinition).toBe(after?.taskDefinition);
    expect(await revisions()).toHaveLength(2);
    // moto never completes a deployment: the start waits for it (done in ecs-server-actions.test.ts).
    for (let i = 0; i < 2; i++) {
      await expect(step('start')).rejects.toMatchObject({ name: 'StillInProgressError', message: expect.stringContaining('rollout IN_PROGRESS') });
    }
    expect(await ledger()).toMatchObject({ state: 'store-upgraded' });
  });

  test('stop (as the rollback calls it) also stops a running upgrade run of the server, and only when none is left is it done', async () => {
    await taskProgression({ progression: 'manual', times: 1_000_000 });
    await ecs.send(new CreateServiceCommand({ cluster: clusterName, serviceName: 'arango-agent-2', taskDefinition: 'arango-agent-1:1', desiredCount: 0, launchType: 'EC2' }));
    const other = { ...server, serverId: 'AGNT-0002', serviceName: 'arango-agent-2' };
    const a = actions();
    await expect(a.runAutoUpgrade(server, TO, upgradeRunId('run-2', 'AGNT-0001'))).resolves.toMatchObject({ done: false });
    await expect(a.runAutoUpgrade(other, TO, upgradeRunId('run-2', 'AGNT-0002'))).resolves.toMatchObject({ done: false });
    const running = async () => (await tasks()).filter((t) => t.lastStatus === 'RUNNING').map((t) => t.startedBy);
    expect(await running()).toEqual(expect.arrayContaining([upgradeRunId('run-2', 'AGNT-0001'), upgradeRunId('run-2', 'AGNT-0002')]));
    await a.stop(server); // desired count 1 -> 0 (moto set it to 1 in the start above)
    expect(await a.stop(server)).toMatchObject({ done: false, detail: '1 task(s) not yet stopped' });
    expect(await running()).toEqual([upgradeRunId('run-2', 'AGNT-0002')]);
    expect(await a.stop(server)).toMatchObject({ done: true });
  });
});
