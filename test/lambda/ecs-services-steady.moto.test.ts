import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import {
  CreateClusterCommand, CreateServiceCommand, ECSClient, RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { EcsServicesSteadyInput, logic } from '../../lambda/ecs-services-steady/logic';
import { memoryLogger } from '../../lambda/shared/log';
import { MotoServer, motoClientConfig, startMoto } from '../support/moto';
import { clusterContext } from './fixtures/upgrade-stack';

/** moto never runs tasks (runningCount stays 0): the handler, trusting only ECS, never calls it steady (the rehearsal plays the agent in its client seam). */
describe('ecs-services-steady against moto_server', () => {
  let moto: MotoServer;
  let ecs: ECSClient;
  const cluster = clusterContext('neo4j-prod');
  beforeAll(async () => {
    moto = await startMoto();
    ecs = new ECSClient(motoClientConfig(moto));
    await ecs.send(new CreateClusterCommand({ clusterName: cluster.ecsClusterName }));
    await ecs.send(new RegisterTaskDefinitionCommand({
      family: 'neo4j', containerDefinitions: [{ name: 'neo4j', image: 'neo4j:3.5.34-enterprise', memory: 512 }],
    }));
    for (const [serviceName, desiredCount] of [[cluster.mainServiceName, 3], [cluster.slaveServiceName, 1]] as const) {
      await ecs.send(new CreateServiceCommand({ cluster: cluster.ecsClusterName, serviceName, taskDefinition: 'neo4j', desiredCount }));
    }
  });
  afterAll(async () => { await moto?.stop(); });

  const run = () => logic({ ecs, ssm: new SSMClient({ region: 'us-east-1' }), log: memoryLogger() }, { cluster } as EcsServicesSteadyInput);

  test('as moto reports it (nothing running): not steady', async () => {
    await expect(run()).rejects.toMatchObject({
      name: 'StillInProgressError',
      message: expect.stringMatching(/neo4j-main: rollout IN_PROGRESS .*running 0 of 3; neo4j-slave: rollout IN_PROGRESS .*running 0 of 1/),
    });
  });

  test('a service that does not exist is PreconditionFailedError', async () => {
    await expect(logic({ ecs, ssm: new SSMClient({ region: 'us-east-1' }), log: memoryLogger() }, { cluster: { ...cluster, groups: [...cluster.groups.slice(0, 1), { role: 'slave', serviceName: 'nope' }] } } as EcsServicesSteadyInput))
      .rejects.toMatchObject({ name: 'PreconditionFailedError' });
  });

  test('looking every second, an abort request written between two looks stops the next look', async () => {
    const ssm = new SSMClient(motoClientConfig(moto));
    const abortRequest = { parameterName: '/neo4j-upgrades/neo4j-prod/lock/abort', executionArn: 'arn:aws:states:us-east-1:123456789012:execution:upgrade:run-1' };
    let t = 0;
    const sleeps: number[] = [];
    const sleep = async (ms: number) => {
      sleeps.push(ms);
      t += ms;
      if (sleeps.length === 2) {
        await ssm.send(new PutParameterCommand({
          Name: abortRequest.parameterName, Type: 'String', Overwrite: true, Value: JSON.stringify({ executionArn: abortRequest.executionArn, by: 'ops' }),
        }));
      }
    };
    await expect(logic({ ecs, ssm, log: memoryLogger(), now: () => new Date(t), sleep },
      { cluster, abortRequest, poll: { everySeconds: 1, withinSeconds: 240 } } as EcsServicesSteadyInput))
      .rejects.toMatchObject({ name: 'AbortRequestedError', message: expect.stringContaining('abort requested by "ops"') });
    // Three looks: two saw the services unsteady, the third read the request before describing them.
    expect(sleeps).toEqual([1000, 1000]);
  });
});
