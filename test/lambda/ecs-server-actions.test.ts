import {
  DescribeServicesCommand, DescribeTaskDefinitionCommand, DescribeTasksCommand, ECSClient, ListTasksCommand,
  RegisterTaskDefinitionCommand, RunTaskCommand, Service, Task, TaskDefinition, UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { EcsServerActions } from '../../lambda/shared/ecs-server-actions';
import { RoleOrderedServer } from '../../lambda/shared/role-ordered-context';
import { upgradeRunId } from '../../lambda/shared/server-actions';

/**
 * What moto cannot play (ecs-server-actions.moto.test.ts has the rest): exit codes, a sidecar listed first,
 * a task still stopping, a deployment that completes or fails, RunTask's placement failures and inputs.
 */
const server: RoleOrderedServer = { role: 'dbServers', serverId: 'PRMR-0001', serviceName: 'arango-db-1', endpoint: 'http://db-1:8530' };
const FROM = 'arangodb/arangodb:3.3.23';
const TO = 'arangodb/arangodb:3.4.2';
const RUN = upgradeRunId('run-1', 'PRMR-0001');
const definition = (revision: number, image: string): TaskDefinition => ({
  taskDefinitionArn: `arn:aws:ecs:us-east-1:1:task-definition/arango-db-1:${revision}`, family: 'arango-db-1', networkMode: 'awsvpc',
  containerDefinitions: [
    { name: 'log-router', image: 'amazon/aws-for-fluent-bit:2.32.0', essential: false },
    { name: 'arangod', image, essential: true, command: ['arangod', '--cluster.my-role=PRIMARY'] },
  ],
});
const serviceOn = (revision: number, more: Partial<Service> = {}): Service => ({
  serviceName: server.serviceName, status: 'ACTIVE', desiredCount: 0, runningCount: 0, pendingCount: 0,
  taskDefinition: definition(revision, '').taskDefinitionArn, ...more,
});
const runTask = (more: Partial<Task>): Task => ({
  taskArn: 'arn:aws:ecs:us-east-1:1:task/arango/run', startedBy: RUN, taskDefinitionArn: definition(2, TO).taskDefinitionArn, ...more,
});

describe('EcsServerActions (aws-sdk-client-mock)', () => {
  const ecs = mockClient(ECSClient);
  const actions = () => new EcsServerActions(ecs as unknown as ECSClient, 'arango');
  /** The service on a revision, the family's revisions 1 (FROM) and 2 (TO), and the family's tasks by desired status. */
  const world = (service: Service, tasks: { RUNNING?: Task[]; STOPPED?: Task[] } = {}) => {
    ecs.reset();
    ecs.on(DescribeServicesCommand).resolves({ services: [service] });
    ecs.on(DescribeTaskDefinitionCommand).callsFake((input: { taskDefinition: string }) => ({
      taskDefinition: input.taskDefinition.endsWith(':1') ? definition(1, FROM) : definition(2, TO),
    }));
    ecs.on(ListTasksCommand).callsFake((input: { desiredStatus: 'RUNNING' | 'STOPPED' }) => ({ taskArns: (tasks[input.desiredStatus] ?? []).map((t) => t.taskArn) }));
    ecs.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({
      tasks: [...tasks.RUNNING ?? [], ...tasks.STOPPED ?? []].filter((t) => input.tasks.includes(t.taskArn ?? '')),
    }));
  };

  test('the run\'s exit code is the database container\'s, not the sidecar\'s listed first', async () => {
    world(serviceOn(1), { STOPPED: [runTask({ lastStatus: 'STOPPED', containers: [{ name: 'log-router', exitCode: 0 }, { name: 'arangod', exitCode: 10 }] })] });
    await expect(actions().runAutoUpgrade(server, TO, RUN)).resolves.toMatchObject({ done: true, exitCode: 10 });
    expect(ecs).not.toHaveReceivedCommand(RunTaskCommand);
  });

  test('a run whose container never ran has no exit code, and its stopped reason', async () => {
    world(serviceOn(1), { STOPPED: [runTask({ lastStatus: 'STOPPED', stoppedReason: 'CannotPullContainerError: not found', containers: [{ name: 'arangod' }] })] });
    const run = await actions().runAutoUpgrade(server, TO, RUN);
    expect(run).toEqual({ done: true, detail: 'CannotPullContainerError: not found' });
  });

  test('another execution\'s run of the same server is not this run: a new one starts', async () => {
    world(serviceOn(1, { launchType: 'EC2' }), { STOPPED: [runTask({ startedBy: upgradeRunId('run-0', 'PRMR-0001'), lastStatus: 'STOPPED' })] });
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: 'new' }] });
    await expect(actions().runAutoUpgrade(server, TO, RUN)).resolves.toEqual({ done: false, detail: 'upgrade run started' });
    expect(ecs).toHaveReceivedCommandTimes(RunTaskCommand, 1);
  });

  test('RunTask: the revision with the new image, the service\'s capacity, network and placement, the flag after the container\'s command', async () => {
    const network = { awsvpcConfiguration: { subnets: ['subnet-1'], securityGroups: ['sg-1'] } };
    world(serviceOn(1, {
      capacityProviderStrategy: [{ capacityProvider: 'arango-ec2', weight: 1 }], launchType: undefined, networkConfiguration: network,
      placementConstraints: [{ type: 'memberOf', expression: 'attribute:arango-server == PRMR-0001' }], placementStrategy: [{ type: 'binpack', field: 'memory' }],
    }));
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: 'new' }] });
    await actions().runAutoUpgrade(server, TO, RUN);
    // The family's latest revision (2) is revision 1 with the new image: reused, nothing registered.
    expect(ecs).not.toHaveReceivedCommand(RegisterTaskDefinitionCommand);
    expect(ecs).toHaveReceivedCommandWith(RunTaskCommand, {
      cluster: 'arango', taskDefinition: definition(2, TO).taskDefinitionArn, startedBy: RUN, count: 1,
      capacityProviderStrategy: [{ capacityProvider: 'arango-ec2', weight: 1 }], networkConfiguration: network,
      placementConstraints: [{ type: 'memberOf', expression: 'attribute:arango-server == PRMR-0001' }], placementStrategy: [{ type: 'binpack', field: 'memory' }],
      overrides: { containerOverrides: [{ name: 'arangod', command: ['arangod', '--cluster.my-role=PRIMARY', '--database.auto-upgrade=true'] }] },
    });
    expect(ecs.commandCalls(RunTaskCommand)[0].args[0].input).not.toHaveProperty('launchType');
  });

  test('RunTask that places nothing: no room yet is asked again; anything else is PreconditionFailedError naming the reason', async () => {
    world(serviceOn(1, { launchType: 'EC2' }));
    ecs.on(RunTaskCommand).resolves({ tasks: [], failures: [{ reason: 'RESOURCE:PORTS' }] });
    await expect(actions().runAutoUpgrade(server, TO, RUN)).resolves.toEqual({ done: false, detail: 'upgrade run not placed: RESOURCE:PORTS' });
    ecs.on(RunTaskCommand).resolves({ tasks: [], failures: [{ reason: 'MemberOf constraint not satisfied', detail: 'no instance' }] });
    await expect(actions().runAutoUpgrade(server, TO, RUN)).rejects.toMatchObject({
      name: 'PreconditionFailedError', message: expect.stringContaining('placed no task: MemberOf constraint not satisfied (no instance)'),
    });
  });

  test('stop is not done while a task of the service is still stopping (its process may hold the data directory)', async () => {
    const stopping = { taskArn: 'svc-task', group: `service:${server.serviceName}`, desiredStatus: 'STOPPED', lastStatus: 'DEACTIVATING' };
    world(serviceOn(1), { STOPPED: [stopping] });
    await expect(actions().stop(server)).resolves.toEqual({ done: false, detail: '1 task(s) not yet stopped' });
    world(serviceOn(1), { STOPPED: [{ ...stopping, lastStatus: 'STOPPED' }, { taskArn: 'other', group: 'service:arango-db-2', lastStatus: 'STOPPING' }] });
    await expect(actions().stop(server)).resolves.toEqual({ done: true, detail: '0 task(s) not yet stopped' });
    expect(ecs).not.toHaveReceivedCommand(UpdateServiceCommand);
  });

  test('start is done once the service runs one task and its deployment completed', async () => {
    world(serviceOn(2, { desiredCount: 1, runningCount: 1, deployments: [{ status: 'PRIMARY', rolloutState: 'IN_PROGRESS' }] }));
    await expect(actions().start(server, TO)).resolves.toMatchObject({ done: false });
    world(serviceOn(2, { desiredCount: 1, runningCount: 1, deployments: [{ status: 'PRIMARY', rolloutState: 'COMPLETED' }] }));
    await expect(actions().start(server, TO)).resolves.toMatchObject({ done: true });
    expect(ecs).not.toHaveReceivedCommand(UpdateServiceCommand);
  });

  test('a start whose task exited non-zero (arangod refusing the store) is reported with that exit code', async () => {
    const failed = {
      taskArn: 'svc-task', group: `service:${server.serviceName}`, taskDefinitionArn: definition(2, TO).taskDefinitionArn, lastStatus: 'STOPPED',
      stoppedReason: 'Essential container in task exited', containers: [{ name: 'log-router', exitCode: 0 }, { name: 'arangod', exitCode: 11 }],
    };
    world(serviceOn(2, { desiredCount: 1, deployments: [{ status: 'PRIMARY', rolloutState: 'IN_PROGRESS', failedTasks: 1 }] }), { STOPPED: [failed] });
    await expect(actions().start(server, TO)).resolves.toEqual({ done: false, exitCode: 11, detail: 'Essential container in task exited' });
  });
});
