/**
 * The engine-fleet handlers against moto_server: ECS (services, task definitions, awsvpc tasks with their
 * ENI addresses), ELBv2 (an IP target group: RegisterTargets, DeregisterTargets, DescribeTargetHealth), RDS
 * (CreateDBSnapshot) and SSM (the schema and group records). moto launches no service tasks: the test plays
 * the ECS agent, running each service's task with `startedBy` = its deployment id as ECS does. The
 * rehearsal's patched moto_server (patch 8) gives awsvpc tasks their ENI, as ECS does.
 */
import { CreateDBInstanceCommand, DescribeDBSnapshotsCommand, RDSClient } from '@aws-sdk/client-rds';
import { CreateVpcCommand, CreateSubnetCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient, ListTasksCommand,
  RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand,
} from '@aws-sdk/client-ecs';
import {
  CreateTargetGroupCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client, ModifyTargetGroupAttributesCommand, RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { logic as snapshot } from '../../lambda/engine-database-snapshot/logic';
import { logic as image } from '../../lambda/engine-group-image/logic';
import { logic as traffic } from '../../lambda/engine-group-traffic/logic';
import { logic as validate } from '../../lambda/engine-validate-input/logic';
import { EngineFleetContext, EngineFleetGroup } from '../../lambda/shared/engine-fleet-context';
import { engineServiceActions } from '../../lambda/shared/engine-node-services';
import { memoryLogger } from '../../lambda/shared/log';
import { startRehearsalMoto } from '../../tools/rehearsal/moto-server';
import { MotoServer, motoClientConfig } from '../support/moto';

const OLD = 'camunda/camunda-bpm-platform:7.23.0';
const NEW = 'camunda/camunda-bpm-platform:7.24.0';
const EXECUTION = 'arn:aws:states:us-east-1:123456789012:execution:camunda:run-1';
const LOCK = '/engine-upgrades/fleet/lock';

/** What the state machine's poll Retry does: call again while the handler answers StillInProgressError. */
async function polled<T>(call: () => Promise<T>, attempts = 10): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await call();
    } catch (err) {
      if ((err as Error).name !== 'StillInProgressError' || i >= attempts) throw err;
    }
  }
}

describe('engine-fleet handlers against moto_server', () => {
  let moto: MotoServer;
  let ecs: ECSClient;
  let elb: ElasticLoadBalancingV2Client;
  let ssm: SSMClient;
  let rds: RDSClient;
  let subnet: string;
  let cluster: EngineFleetContext;
  const nodes = [1, 2, 3].map((i) => ({ nodeId: `engine-${i}`, serviceName: `camunda-engine-${i}` }));
  const groups: EngineFleetGroup[] = nodes.map((n, i) => ({ groupId: `group-${i + 1}`, position: `${i + 1}/3`, nodes: [n] }));
  const log = memoryLogger();

  /** The ECS agent's part: each node's service runs one task of its current task definition, started by its deployment. */
  async function playAgent(): Promise<void> {
    for (const node of nodes) {
      const service = (await ecs.send(new DescribeServicesCommand({ cluster: 'camunda', services: [node.serviceName] }))).services![0];
      const deployment = service.deployments![0].id!;
      const running = (await ecs.send(new ListTasksCommand({ cluster: 'camunda', startedBy: deployment, desiredStatus: 'RUNNING' }))).taskArns ?? [];
      const described = running.length ? (await ecs.send(new (await import('@aws-sdk/client-ecs')).DescribeTasksCommand({ cluster: 'camunda', tasks: running }))).tasks! : [];
      const current = described.filter((t) => t.taskDefinitionArn === service.taskDefinition);
      for (const stale of described.filter((t) => t.taskDefinitionArn !== service.taskDefinition)) {
        await ecs.send(new StopTaskCommand({ cluster: 'camunda', task: stale.taskArn, reason: 'replaced by the deployment' }));
      }
      if (current.length === 0) {
        await ecs.send(new RunTaskCommand({
          cluster: 'camunda', taskDefinition: service.taskDefinition, startedBy: deployment, launchType: 'FARGATE',
          networkConfiguration: { awsvpcConfiguration: { subnets: [subnet], securityGroups: [] } },
        }));
      }
    }
  }
  const health = async () => Object.fromEntries(((await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: cluster.targetGroupArn }))).TargetHealthDescriptions ?? [])
    .map((h) => [h.Target!.Id!, h.TargetHealth!.State!]));
  const imageOf = async (serviceName: string) => {
    const service = (await ecs.send(new DescribeServicesCommand({ cluster: 'camunda', services: [serviceName] }))).services![0];
    return (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: service.taskDefinition }))).taskDefinition!.containerDefinitions![0].image;
  };

  beforeAll(async () => {
    // Services come up with their one task counted as running and their deployment COMPLETED.
    moto = await startRehearsalMoto({ MOTO_ECS_SERVICE_RUNNING: '1' });
    // moto walks a task from RUNNING to STOPPED one step per DescribeTasks; the engines keep running.
    await fetch(`${moto.endpoint}/moto-api/state-manager/set-transition`, {
      method: 'POST', body: JSON.stringify({ model_name: 'ecs::task', transition: { progression: 'manual', times: 1_000_000 } }),
    });
    const config = motoClientConfig(moto);
    ecs = new ECSClient(config);
    elb = new ElasticLoadBalancingV2Client(config);
    ssm = new SSMClient(config);
    rds = new RDSClient(config);
    const ec2 = new EC2Client(config);
    const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc!.VpcId!;
    subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.0.1.0/24' }))).Subnet!.SubnetId!;
    const tg = (await elb.send(new CreateTargetGroupCommand({ Name: 'camunda', Protocol: 'HTTP', Port: 8080, VpcId: vpc, TargetType: 'ip' }))).TargetGroups![0].TargetGroupArn!;
    await elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: tg, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }] }));
    await ecs.send(new CreateClusterCommand({ clusterName: 'camunda' }));
    await ecs.send(new RegisterTaskDefinitionCommand({
      family: 'camunda', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '512', memory: '1024',
      containerDefinitions: [{ name: 'camunda', image: OLD, essential: true, memory: 1024, portMappings: [{ containerPort: 8080 }] }],
    }));
    for (const node of nodes) await ecs.send(new CreateServiceCommand({ cluster: 'camunda', serviceName: node.serviceName, taskDefinition: 'camunda', desiredCount: 1 }));
    await rds.send(new CreateDBInstanceCommand({
      DBInstanceIdentifier: 'camunda-db', Engine: 'postgres', DBInstanceClass: 'db.t3.micro', AllocatedStorage: 20, MasterUsername: 'camunda', MasterUserPassword: 'camunda-pw-1',
    }));
    cluster = {
      stackName: 'CamundaFleet', fleetName: 'fleet', ecsClusterName: 'camunda', targetGroupArn: tg, enginePort: 8080, engineContainerName: 'camunda',
      databaseSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db', databaseSnapshot: { kind: 'rds-instance', identifier: 'camunda-db' },
      schemaTask: { taskDefinition: 'camunda-schema', containerName: 'schema', subnets: [subnet], securityGroups: [], databaseType: 'postgres' },
      nodes, nodeGroups: groups,
    };
    await playAgent();
    const ips = await traffic({ elb, ecs, log }, { cluster, groupId: 'fleet', nodes, action: 'integrate' });
    expect(ips.targets).toHaveLength(3);
  });
  afterAll(async () => { await moto?.stop(); });

  const actions = () => engineServiceActions(ecs, cluster);

  test('validate-input reads the fleet\'s one image and plans 7.23.0 -> 7.24.0 with the schema step and three groups of one', async () => {
    const plan = await validate({ actions: actions(), log }, { cluster, request: { toImage: NEW } });
    expect(plan).toMatchObject({ fromImage: OLD, toImage: NEW, fromVersion: '7.23.0', toVersion: '7.24.0', schemaStep: true, approvalMode: 'none' });
    expect(plan.groups.map((g) => g.groupId)).toEqual(['group-1', 'group-2', 'group-3']);
    expect((await validate({ actions: actions(), log }, { cluster, request: { toImage: 'camunda/camunda-bpm-platform:7.23.4' } })).schemaStep).toBe(false);
  });

  test('validate-input refuses a skipped minor, a downgrade and unpinned images before any change', async () => {
    const refuse = (toImage: string) => validate({ actions: actions(), log }, { cluster, request: { toImage } });
    await expect(refuse('camunda/camunda-bpm-platform:7.25.0')).rejects.toMatchObject({ name: 'InvalidInputError', message: expect.stringContaining('7.23.0 -> 7.25.0 skips 1 minor version(s)') });
    await expect(refuse('camunda/camunda-bpm-platform:7.22.9')).rejects.toMatchObject({ name: 'InvalidInputError', message: '7.23.0 -> 7.22.9 is a downgrade: Camunda\'s schema is never downgraded' });
    await expect(refuse('camunda/camunda-bpm-platform:latest')).rejects.toMatchObject({ name: 'InvalidInputError', message: expect.stringContaining('is not pinned') });
    await expect(refuse('camunda/camunda-bpm-platform:7.24')).rejects.toMatchObject({ name: 'InvalidInputError', message: expect.stringContaining('is not pinned') });
    expect(await imageOf('camunda-engine-1')).toBe(OLD);
  });

  test('the database snapshot is created once per execution and found again on a retry', async () => {
    const first = await polled(() => snapshot({ rds, log }, { cluster, executionArn: EXECUTION }));
    expect(first).toEqual({ kind: 'rds-instance', sourceIdentifier: 'camunda-db', snapshotIdentifier: 'engine-upgrade-fleet-run-1', status: 'available' });
    await snapshot({ rds, log }, { cluster, executionArn: EXECUTION });
    const all = (await rds.send(new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: 'camunda-db' }))).DBSnapshots ?? [];
    expect(all.filter((s) => s.SnapshotType === 'manual').map((s) => s.DBSnapshotIdentifier)).toEqual(['engine-upgrade-fleet-run-1']);
  });

  test('a group out, drained, on the new image, back in and healthy; the other nodes serve throughout', async () => {
    const before = await health();
    const out = await traffic({ elb, ecs, log }, { cluster, groupId: 'group-1', nodes: groups[0].nodes, action: 'isolate' });
    expect(out.deregistrationDelaySeconds).toBe(30);
    const [ip1] = out.targets;
    expect(await health()).toEqual({ ...Object.fromEntries(Object.entries(before).filter(([ip]) => ip !== ip1)) });
    // Twice: the second call finds nothing left to deregister.
    await traffic({ elb, ecs, log }, { cluster, groupId: 'group-1', nodes: groups[0].nodes, action: 'isolate' });
    await traffic({ elb, ecs, log }, { cluster, groupId: 'group-1', nodes: groups[0].nodes, action: 'drained' });

    const input = { cluster, action: 'upgrade' as const, group: groups[0], fromImage: OLD, toImage: NEW, executionArn: EXECUTION, ledgerPrefix: LOCK };
    expect(await polled(() => image({ actions: actions(), ssm, now: () => new Date(), log }, input))).toEqual({ action: 'upgrade', groups: ['group-1'] });
    expect(await imageOf('camunda-engine-1')).toBe(NEW);
    expect(await imageOf('camunda-engine-2')).toBe(OLD);
    await playAgent();
    const back = await traffic({ elb, ecs, log }, { cluster, groupId: 'group-1', nodes: groups[0].nodes, action: 'integrate' });
    expect(back.targets[0]).not.toBe(ip1);
    const after = await health();
    expect(Object.values(after)).toEqual(['healthy', 'healthy', 'healthy']);
    expect(after[back.targets[0]]).toBe('healthy');
  });

  test('isolating a group while no other node serves healthy is refused, nothing deregistered', async () => {
    const all = await health();
    const single = (await traffic({ elb, ecs, log }, { cluster, groupId: 'g2', nodes: [nodes[1]], action: 'drained' })).targets[0];
    const { DeregisterTargetsCommand } = await import('@aws-sdk/client-elastic-load-balancing-v2');
    const others = Object.keys(all).filter((ip) => ip !== single);
    await elb.send(new DeregisterTargetsCommand({ TargetGroupArn: cluster.targetGroupArn, Targets: others.map((Id) => ({ Id, Port: 8080 })) }));
    await expect(traffic({ elb, ecs, log }, { cluster, groupId: 'group-2', nodes: [nodes[1]], action: 'isolate' }))
      .rejects.toMatchObject({ name: 'PreconditionFailedError', message: expect.stringContaining('would leave no healthy target') });
    expect(Object.keys(await health())).toEqual([single]);
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: cluster.targetGroupArn, Targets: others.map((Id) => ({ Id, Port: 8080 })) }));
  });

  test('the rollback returns only the groups this execution touched to the old image, twice with the same result', async () => {
    const input = { cluster, action: 'rollback' as const, groups, fromImage: OLD, toImage: NEW, executionArn: EXECUTION, ledgerPrefix: LOCK };
    const deps = { actions: actions(), ssm, now: () => new Date(), log };
    // What the rollback's turns return: the groups this execution changed, read from the records only.
    const touched = { ...input, action: 'touched' as const };
    expect(await image(deps, touched)).toEqual({ action: 'touched', groups: ['group-1'], untouched: ['group-2', 'group-3'], toReturn: [groups[0]] });
    expect(await Promise.all(nodes.map((n) => imageOf(n.serviceName)))).toEqual([NEW, OLD, OLD]);
    // One group at a time, as the rollback's Map passes it.
    expect(await polled(() => image(deps, { ...input, groups: [groups[0]] }))).toEqual({ action: 'rollback', groups: ['group-1'], untouched: [] });
    expect(await image(deps, touched)).toEqual({ action: 'touched', groups: ['group-1'], untouched: ['group-2', 'group-3'], toReturn: [] });
    expect(await polled(() => image(deps, input))).toEqual({ action: 'rollback', groups: ['group-1'], untouched: ['group-2', 'group-3'] });
    expect(await Promise.all(nodes.map((n) => imageOf(n.serviceName)))).toEqual([OLD, OLD, OLD]);
    expect(await image(deps, input)).toEqual({ action: 'rollback', groups: ['group-1'], untouched: ['group-2', 'group-3'] });
    // A group that was out of the load balancer when the failure came is back in: the rollback integrates every node.
    await traffic({ elb, ecs, log }, { cluster, groupId: 'group-2', nodes: groups[1].nodes, action: 'isolate' });
    expect(Object.keys(await health())).toHaveLength(2);
    await playAgent();
    // The task group-1 ran on the new image is gone: its target is pruned, not left registered.
    const all = await traffic({ elb, ecs, log }, { cluster, groupId: 'fleet', nodes, action: 'integrate', pruneStale: true });
    expect(all.targets).toHaveLength(3);
    expect(Object.keys(await health()).sort()).toEqual([...all.targets].sort());
    expect(Object.values(await health())).toEqual(['healthy', 'healthy', 'healthy']);
    await expect(traffic({ elb, ecs, log }, { cluster, groupId: 'group-2', nodes: groups[1].nodes, action: 'integrate', pruneStale: true }))
      .rejects.toMatchObject({ name: 'InvalidInputError', message: 'pruneStale needs every node of the fleet, got 1 of 3' });
    // Another execution's records are not this one's: it touched nothing.
    expect(await image(deps, { ...input, executionArn: `${EXECUTION}-other` })).toEqual({ action: 'rollback', groups: [], untouched: ['group-1', 'group-2', 'group-3'] });
  });
});
