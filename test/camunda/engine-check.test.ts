/**
 * The engine-check handler against a real HTTP server standing for two engines (127.0.0.1 answers 200,
 * 127.0.0.2 answers 503, as CamundaNode's /health does with its job executor off), through the real
 * `httpGet`; ECS (which task runs where) with aws-sdk-client-mock. The real engines answer it in the
 * Camunda rehearsal (tools/rehearsal/camunda).
 */
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { DescribeServicesCommand, DescribeTasksCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { httpGet } from '../../lambda/engine-check/http-get';
import { EngineCheckInput, logic } from '../../lambda/engine-check/logic';
import { EngineFleetContext } from '../../lambda/shared/engine-fleet-context';
import { memoryLogger } from '../../lambda/shared/log';

const ecsMock = mockClient(ECSClient);
let server: http.Server;
let port: number;
const asked: string[] = [];
/** Node id -> its task's address (none: no running task). */
let addresses: Record<string, string | undefined>;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    asked.push(`${req.socket.localAddress} ${req.url}`);
    res.statusCode = req.socket.localAddress === '127.0.0.1' ? 200 : 503;
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => {
  server.closeAllConnections();
  server.close(() => resolve());
}));

beforeEach(() => {
  ecsMock.reset();
  asked.length = 0;
  addresses = { 'engine-1': '127.0.0.1', 'engine-2': '127.0.0.2' };
  ecsMock.on(DescribeServicesCommand).callsFake(({ services }) => ({ services: [{ serviceName: services[0], deployments: [{ id: `ecs-svc/${services[0]}`, status: 'PRIMARY' }] }] }));
  ecsMock.on(ListTasksCommand).callsFake(({ startedBy }) => {
    const nodeId = String(startedBy).replace('ecs-svc/camunda-', '');
    return { taskArns: addresses[nodeId] ? [`arn:task/${nodeId}`] : [] };
  });
  ecsMock.on(DescribeTasksCommand).callsFake(({ tasks }) => ({
    tasks: tasks.map((arn: string) => ({
      taskArn: arn, lastStatus: 'RUNNING', attachments: [{ details: [{ name: 'privateIPv4Address', value: addresses[arn.split('/').pop()!] }] }],
    })),
  }));
});

const node = (nodeId: string) => ({ nodeId, serviceName: `camunda-${nodeId}` });
const input = (nodeIds: string[], over: Partial<EngineCheckInput> = {}): EngineCheckInput => ({
  cluster: { ecsClusterName: 'camunda', enginePort: port } as EngineFleetContext, groupId: 'group-1', nodes: nodeIds.map(node), checkPath: '/health', ...over,
});
const deps = () => ({ ecs: new ECSClient({}), get: httpGet, log: memoryLogger() });

test('a group whose engines all answer 200 on their own task address passes, each asked directly on the engine port', async () => {
  expect(await logic(deps(), input(['engine-1']))).toEqual({ groupId: 'group-1', engines: [{ nodeId: 'engine-1', target: '127.0.0.1', status: 200 }] });
  expect(asked).toEqual(['127.0.0.1 /health']);
});

test('an engine answering 503 fails the check (EngineCheckFailedError, polled then rolled back), naming the node and its answer', async () => {
  await expect(logic(deps(), input(['engine-1', 'engine-2']))).rejects.toMatchObject({
    name: 'EngineCheckFailedError', message: 'group-1: the engine check /health did not pass for engine-2 (127.0.0.2): HTTP 503',
  });
  expect(asked.sort()).toEqual(['127.0.0.1 /health', '127.0.0.2 /health']);
});

test('a node without a running task, or whose engine does not answer, fails the check', async () => {
  addresses['engine-2'] = undefined;
  await expect(logic(deps(), input(['engine-1', 'engine-2']))).rejects.toThrow('did not pass for engine-2: no running task');
  await expect(logic({ ...deps(), get: async () => { throw new Error('connect ECONNREFUSED'); } }, input(['engine-1']))).rejects.toThrow('engine-1 (127.0.0.1): no answer');
});

test('bad input is refused naming the field before any call', async () => {
  await expect(logic(deps(), input(['engine-1'], { checkPath: 'health' }))).rejects.toMatchObject({ name: 'InvalidInputError', message: 'checkPath must be an absolute path like /actuator/health, got "health"' });
  await expect(logic(deps(), input([]))).rejects.toMatchObject({ name: 'InvalidInputError', message: expect.stringMatching(/^nodes must be an array of at least 1/) });
  await expect(logic(deps(), { ...input(['engine-1']), cluster: { ecsClusterName: 'camunda', enginePort: 70000 } as EngineFleetContext })).rejects.toThrow('cluster.enginePort must be a TCP port (1-65535), got 70000');
  expect(ecsMock.calls()).toHaveLength(0);
  expect(asked).toEqual([]);
});
