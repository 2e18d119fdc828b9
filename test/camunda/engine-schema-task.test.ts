import { DescribeTasksCommand, ECSClient, ListTasksCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { EngineSchemaTaskInput, logic } from '../../lambda/engine-schema-task/logic';
import { EngineFleetContext, EngineFleetPlan } from '../../lambda/shared/engine-fleet-context';
import { memoryLogger } from '../../lambda/shared/log';

const ecsMock = mockClient(ECSClient);
const ssmMock = mockClient(SSMClient);
const TASK = 'arn:aws:ecs:us-east-1:123456789012:task/camunda/schema-1';
const cluster = {
  ecsClusterName: 'camunda',
  schemaTask: { taskDefinition: 'camunda-schema', containerName: 'schema', subnets: ['subnet-1'], securityGroups: ['sg-1'], databaseType: 'postgres' },
} as unknown as EngineFleetContext;
const plan = { toVersion: '7.24.0', schemaStep: true } as EngineFleetPlan;
const input = (over: Partial<EngineSchemaTaskInput> = {}): EngineSchemaTaskInput => ({
  cluster, plan, executionArn: 'arn:aws:states:us-east-1:1:execution:m:run-1', ledgerPrefix: '/engine-upgrades/f/lock', ...over,
});

/** SSM parameters kept in memory: the schema record as the handler writes and reads it. */
let parameters: Record<string, string>;
let status: string;
let exitCode: number | undefined;
const deps = () => ({ ecs: new ECSClient({}), ssm: new SSMClient({}), now: () => new Date('2026-01-01T00:00:00Z'), log: memoryLogger() });

beforeEach(() => {
  ecsMock.reset();
  ssmMock.reset();
  parameters = {};
  status = 'PROVISIONING';
  exitCode = undefined;
  ssmMock.on(GetParameterCommand).callsFake(({ Name }) => {
    if (!(Name in parameters)) throw Object.assign(new Error('not found'), { name: 'ParameterNotFound' });
    return { Parameter: { Value: parameters[Name], Version: 1 } };
  });
  ssmMock.on(PutParameterCommand).callsFake(({ Name, Value }) => { parameters[Name] = Value; return {}; });
  ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });
  ecsMock.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK }] });
  ecsMock.on(DescribeTasksCommand).callsFake(() => ({ tasks: [{ taskArn: TASK, lastStatus: status, containers: [{ name: 'schema', exitCode }] }] }));
});

const record = () => JSON.parse(parameters['/engine-upgrades/f/lock/schema']);

test('the schema task runs once with the target version, is polled until it exits 0, and is recorded applied', async () => {
  await expect(logic(deps(), input())).rejects.toMatchObject({ name: 'StillInProgressError' });
  expect(record()).toMatchObject({ toMinor: '7.24', state: 'running', taskArn: TASK });
  status = 'RUNNING';
  await expect(logic(deps(), input())).rejects.toMatchObject({ name: 'StillInProgressError' });
  status = 'STOPPED';
  exitCode = 0;
  expect(await logic(deps(), input())).toEqual({ state: 'applied', toMinor: '7.24', taskArn: TASK, alreadyApplied: false });
  expect(ecsMock.commandCalls(RunTaskCommand)).toHaveLength(1);
  const run = ecsMock.commandCalls(RunTaskCommand)[0].args[0].input;
  expect(run.overrides?.containerOverrides?.[0]).toEqual({ name: 'schema', environment: [
    { name: 'CAMUNDA_TARGET_VERSION', value: '7.24.0' }, { name: 'CAMUNDA_DATABASE_TYPE', value: 'postgres' }] });
  expect(record()).toMatchObject({ state: 'applied', exitCode: 0 });
});

test('an applied record of the same minor runs nothing, for this execution or a later one', async () => {
  parameters['/engine-upgrades/f/lock/schema'] = JSON.stringify({ toMinor: '7.24', state: 'applied', taskArn: TASK, executionArn: 'arn:aws:states:us-east-1:1:execution:m:earlier' });
  expect(await logic(deps(), input())).toEqual({ state: 'applied', toMinor: '7.24', taskArn: TASK, alreadyApplied: true });
  expect(ecsMock.commandCalls(RunTaskCommand)).toHaveLength(0);
  expect(ecsMock.commandCalls(DescribeTasksCommand)).toHaveLength(0);
});

test('a call that died after RunTask finds its task again by startedBy instead of starting another', async () => {
  ecsMock.on(ListTasksCommand, { startedBy: 'schema-run-1', desiredStatus: 'RUNNING' }).resolves({ taskArns: [TASK] });
  status = 'RUNNING';
  await expect(logic(deps(), input())).rejects.toMatchObject({ name: 'StillInProgressError' });
  expect(ecsMock.commandCalls(RunTaskCommand)).toHaveLength(0);
  expect(record()).toMatchObject({ state: 'running', taskArn: TASK });
});

test('a task that exits non-zero is SchemaStepFailedError (to the rollback) and is recorded failed', async () => {
  await expect(logic(deps(), input())).rejects.toMatchObject({ name: 'StillInProgressError' });
  status = 'STOPPED';
  exitCode = 1;
  await expect(logic(deps(), input())).rejects.toMatchObject({ name: 'SchemaStepFailedError', message: expect.stringContaining(`schema task ${TASK} exited 1`) });
  expect(record()).toMatchObject({ state: 'failed', exitCode: 1 });
});

test('a patch step needs no schema task: nothing is called', async () => {
  expect(await logic(deps(), input({ plan: { ...plan, toVersion: '7.23.4', schemaStep: false } }))).toEqual({ state: 'not-needed', toMinor: '7.23', alreadyApplied: false });
  expect(ecsMock.calls()).toHaveLength(0);
  expect(ssmMock.calls()).toHaveLength(0);
});
