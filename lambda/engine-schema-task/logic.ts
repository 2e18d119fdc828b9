import { DescribeTasksCommand, ECSClient, ListTasksCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { parseCamundaVersion } from '../shared/camunda-version';
import { EngineFleetContext, EngineFleetPlan } from '../shared/engine-fleet-context';
import { InvalidInputError, SchemaStepFailedError, StillInProgressError } from '../shared/errors';
import { shortExecutionId } from '../shared/execution-id';
import { requireString } from '../shared/input-checks';
import { Logger } from '../shared/log';
import { readJsonParameter } from '../shared/ssm-json';

export interface EngineSchemaTaskDeps {
  readonly ecs: ECSClient;
  readonly ssm: SSMClient;
  readonly now: () => Date;
  readonly log: Logger;
}

export interface EngineSchemaTaskInput {
  readonly cluster: EngineFleetContext;
  readonly plan: EngineFleetPlan;
  readonly executionArn: string;
  /** The lock parameter: the schema record lives at `<ledgerPrefix>/schema`. */
  readonly ledgerPrefix: string;
}

/** The schema record: which minor the schema task brought the database to, and the task that did it. */
export interface SchemaRecord {
  readonly toMinor: string;
  readonly state: 'running' | 'applied' | 'failed';
  readonly taskArn: string;
  readonly executionArn: string;
  readonly at: string;
  readonly exitCode?: number;
}

export interface EngineSchemaTaskOutput {
  readonly state: 'applied' | 'not-needed';
  readonly toMinor: string;
  readonly taskArn?: string;
  /** The schema was applied by an earlier execution or call: this one ran nothing. */
  readonly alreadyApplied: boolean;
}

/**
 * Seed 002 step 1: the schema first, by a one-off ECS task that runs the new engine's upgrade scripts. The
 * record (`<lock>/schema`) is written before the task is waited on: a retry, or a later execution, finds the
 * applied minor and runs nothing; a retry after RunTask finds its task again by `startedBy`. Polled.
 */
export async function logic(deps: EngineSchemaTaskDeps, input: EngineSchemaTaskInput): Promise<EngineSchemaTaskOutput> {
  const plan = input?.plan;
  const to = parseCamundaVersion(plan?.toVersion);
  if (!to) throw new InvalidInputError(`plan.toVersion must be a Camunda version, got ${JSON.stringify(plan?.toVersion)}`);
  const toMinor = `${to.major}.${to.minor}`;
  if (!plan.schemaStep) return { state: 'not-needed', toMinor, alreadyApplied: false };
  const executionArn = requireString(input.executionArn, 'executionArn');
  const name = `${requireString(input.ledgerPrefix, 'ledgerPrefix')}/schema`;
  const cluster = input.cluster;
  const task = cluster.schemaTask;

  const record = (await readJsonParameter<SchemaRecord>(deps.ssm, name))?.value;
  if (record?.toMinor === toMinor && record.state === 'applied') {
    return { state: 'applied', toMinor, taskArn: record.taskArn, alreadyApplied: record.executionArn !== executionArn };
  }
  const write = (r: Omit<SchemaRecord, 'at'>) => deps.ssm.send(new PutParameterCommand({
    Name: name, Type: 'String', Overwrite: true, Value: JSON.stringify({ ...r, at: deps.now().toISOString() }),
  }));

  const startedBy = `schema-${shortExecutionId(executionArn)}`.slice(0, 128);
  let taskArn = record?.toMinor === toMinor && record.state === 'running' && record.executionArn === executionArn ? record.taskArn : undefined;
  // A call that died between RunTask and the record: its task is found again, running or stopped.
  for (const desiredStatus of ['RUNNING', 'STOPPED'] as const) {
    taskArn ??= (await deps.ecs.send(new ListTasksCommand({ cluster: cluster.ecsClusterName, startedBy, desiredStatus }))).taskArns?.[0];
  }
  if (taskArn === undefined) {
    const out = await deps.ecs.send(new RunTaskCommand({
      cluster: cluster.ecsClusterName, taskDefinition: task.taskDefinition, startedBy, count: 1, launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: [...task.subnets], securityGroups: [...task.securityGroups], assignPublicIp: 'DISABLED' } },
      overrides: {
        containerOverrides: [{
          name: task.containerName,
          environment: [{ name: 'CAMUNDA_TARGET_VERSION', value: plan.toVersion }, { name: 'CAMUNDA_DATABASE_TYPE', value: task.databaseType }],
        }],
      },
    }));
    taskArn = out.tasks?.[0]?.taskArn;
    if (!taskArn) throw new SchemaStepFailedError(`RunTask of ${task.taskDefinition} started no task: ${JSON.stringify(out.failures ?? [])}`);
    deps.log.info('schema task started', { taskArn, toVersion: plan.toVersion });
  }
  if (record?.taskArn !== taskArn || record.state !== 'running') await write({ toMinor, state: 'running', taskArn, executionArn });

  const described = (await deps.ecs.send(new DescribeTasksCommand({ cluster: cluster.ecsClusterName, tasks: [taskArn] }))).tasks?.[0];
  if (described?.lastStatus !== 'STOPPED') throw new StillInProgressError(`schema task ${taskArn} is ${described?.lastStatus ?? 'unknown'}`);
  const exitCode = described.containers?.find((c) => c.name === task.containerName)?.exitCode;
  if (exitCode !== 0) {
    await write({ toMinor, state: 'failed', taskArn, executionArn, exitCode: exitCode ?? -1 });
    throw new SchemaStepFailedError(`schema task ${taskArn} exited ${exitCode ?? 'without an exit code'}${described.stoppedReason ? `: ${described.stoppedReason}` : ''}`);
  }
  await write({ toMinor, state: 'applied', taskArn, executionArn, exitCode });
  deps.log.info('schema applied', { toMinor, taskArn });
  return { state: 'applied', toMinor, taskArn, alreadyApplied: false };
}
