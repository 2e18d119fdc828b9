import { SSMClient } from '@aws-sdk/client-ssm';
import { DescribeServicesCommand, Deployment, ECSClient, Service } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { EcsServicesSteadyInput, logic } from '../../lambda/ecs-services-steady/logic';
import { memoryLogger } from '../../lambda/shared/log';
import { awsError, clusterContext } from './fixtures/upgrade-stack';

const ecsMock = mockClient(ECSClient);
const cluster = clusterContext('neo4j-prod');
const run = (input: Partial<EcsServicesSteadyInput> = {}) => logic(
  { ecs: new ECSClient({}), ssm: new SSMClient({}), log: memoryLogger() },
  { cluster, ...input } as EcsServicesSteadyInput,
);
const deployment = (id: string, status: string, extra: Partial<Deployment> = {}): Deployment => ({ id, status, ...extra });
const service = (name: string, desired: number, running: number, deployments: Deployment[], extra: Partial<Service> = {}): Service => ({
  serviceName: name, serviceArn: `arn:aws:ecs:us-east-1:123456789012:service/neo4j-prod-ecs/${name}`, status: 'ACTIVE',
  desiredCount: desired, runningCount: running, taskDefinition: `arn:aws:ecs:us-east-1:123456789012:task-definition/${name}:7`,
  deployments, ...extra,
});
const steadyMain = service('neo4j-main', 3, 3, [deployment('ecs-svc/1', 'PRIMARY', { rolloutState: 'COMPLETED' })]);
const steadySlave = service('neo4j-slave', 1, 1, [deployment('ecs-svc/2', 'PRIMARY')]);

beforeEach(() => ecsMock.reset());

test('steady: one PRIMARY deployment (rollout COMPLETED where reported) and running == desired', async () => {
  ecsMock.on(DescribeServicesCommand).resolves({ services: [steadyMain, steadySlave], failures: [] });
  await expect(run()).resolves.toEqual({
    ecsClusterName: 'neo4j-prod-ecs',
    services: [
      { role: 'main', serviceName: 'neo4j-main', desiredCount: 3, runningCount: 3, deploymentId: 'ecs-svc/1', taskDefinition: steadyMain.taskDefinition },
      { role: 'slave', serviceName: 'neo4j-slave', desiredCount: 1, runningCount: 1, deploymentId: 'ecs-svc/2', taskDefinition: steadySlave.taskDefinition },
    ],
  });
  expect(ecsMock).toHaveReceivedCommandWith(DescribeServicesCommand, { cluster: 'neo4j-prod-ecs', services: ['neo4j-main', 'neo4j-slave'] });
});

test('not steady: StillInProgressError naming what every service waits for', async () => {
  ecsMock.on(DescribeServicesCommand).resolves({
    services: [
      service('neo4j-main', 3, 2, [
        deployment('ecs-svc/3', 'PRIMARY', { rolloutState: 'IN_PROGRESS', rolloutStateReason: 'ECS deployment ecs-svc/3 in progress.' }),
        deployment('ecs-svc/1', 'ACTIVE'),
      ]),
      service('neo4j-slave', 1, 0, [deployment('ecs-svc/2', 'PRIMARY', { rolloutState: 'IN_PROGRESS' })]),
    ],
  });
  await expect(run()).rejects.toMatchObject({
    name: 'StillInProgressError', retryable: true,
    message: 'ECS services in neo4j-prod-ecs not steady yet: ' +
      'neo4j-main: 2 deployments (ecs-svc/3 PRIMARY, ecs-svc/1 ACTIVE), running 2 of 3; ' +
      'neo4j-slave: rollout IN_PROGRESS, running 0 of 1',
  });
});

test('only the services asked for; scaled to zero is steady', async () => {
  ecsMock.on(DescribeServicesCommand).resolves({ services: [service('neo4j-slave', 0, 0, [deployment('d', 'PRIMARY')])] });
  await expect(run({ groups: ['slave'] })).resolves.toMatchObject({ services: [{ role: 'slave', desiredCount: 0 }] });
  expect(ecsMock).toHaveReceivedCommandWith(DescribeServicesCommand, { services: ['neo4j-slave'] });
});

test('moto-like answers (nothing running, rollout IN_PROGRESS) are not steady: the handler trusts only what ECS reports', async () => {
  const moto = (s: Service) => ({ ...s, runningCount: 0, deployments: [{ ...s.deployments![0], rolloutState: 'IN_PROGRESS' as const }] });
  ecsMock.on(DescribeServicesCommand).resolves({ services: [moto(steadyMain), moto(steadySlave)] });
  await expect(run()).rejects.toMatchObject({ name: 'StillInProgressError' });
  await expect(run({ observedRunningCounts: { 'neo4j-main': 3, 'neo4j-slave': 1 } } as Partial<EcsServicesSteadyInput>))
    .rejects.toMatchObject({ name: 'StillInProgressError' });
});

test('a missing service, an inactive one, or a failed rollout is PreconditionFailedError', async () => {
  ecsMock.on(DescribeServicesCommand).resolves({
    services: [steadyMain], failures: [{ arn: 'arn:aws:ecs:us-east-1:123456789012:service/neo4j-prod-ecs/neo4j-slave', reason: 'MISSING' }],
  });
  await expect(run()).rejects.toMatchObject({ name: 'PreconditionFailedError', message: expect.stringMatching(/neo4j-slave: MISSING/) });

  ecsMock.on(DescribeServicesCommand).resolves({ services: [steadyMain, { ...steadySlave, status: 'DRAINING' }] });
  await expect(run()).rejects.toMatchObject({ name: 'PreconditionFailedError', message: 'ECS service neo4j-slave is DRAINING, not ACTIVE' });

  ecsMock.on(DescribeServicesCommand).resolves({
    services: [service('neo4j-main', 3, 3, [deployment('ecs-svc/9', 'PRIMARY', { rolloutState: 'FAILED', rolloutStateReason: 'circuit breaker' })]), steadySlave],
  });
  await expect(run()).rejects.toMatchObject({ name: 'PreconditionFailedError', message: 'ECS service neo4j-main deployment ecs-svc/9 failed: circuit breaker' });

  ecsMock.on(DescribeServicesCommand).resolves({ services: [steadyMain] });
  await expect(run()).rejects.toMatchObject({ name: 'PreconditionFailedError', message: 'ECS service neo4j-slave not found in cluster neo4j-prod-ecs' });
});

test('bad input is InvalidInputError before any call; AWS errors pass through by name', async () => {
  await expect(run({ groups: ['primary'] })).rejects.toMatchObject({ name: 'InvalidInputError', message: expect.stringMatching(/"primary".*main, slave/) });
  await expect(run({ groups: [] })).rejects.toMatchObject({ name: 'InvalidInputError' });
  await expect(run({ cluster: { ...cluster, groups: [] } })).rejects.toMatchObject({ name: 'InvalidInputError', message: expect.stringMatching(/no group|none/) });
  await expect(run({ cluster: { ...cluster, ecsClusterName: '' } })).rejects.toMatchObject({ name: 'InvalidInputError', message: expect.stringMatching(/cluster\.ecsClusterName/) });
  expect(ecsMock.calls()).toHaveLength(0);
  ecsMock.on(DescribeServicesCommand).rejects(awsError('ClusterNotFoundException', 'Cluster not found.'));
  await expect(run()).rejects.toMatchObject({ name: 'ClusterNotFoundException' });
});
