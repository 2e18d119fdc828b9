import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { SFNClient } from '@aws-sdk/client-sfn';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { ExecutionCleanupInput, logic as cleanup } from '../../lambda/execution-cleanup/logic';
import { logic as keepMaster } from '../../lambda/keep-master/logic';
import { memoryLogger } from '../../lambda/shared/log';
import { logic as upgradeLock } from '../../lambda/upgrade-lock/logic';
import { motoClientConfig } from '../support/moto';
import { createGroup, groupInstances, motoPerFile } from './fixtures/moto-ec2';
import { sentNotifications } from './fixtures/moto-sns';
import { INITIAL_PARAMETERS, clusterContext, createUpgradeStack } from './fixtures/upgrade-stack';
import { CLUSTER } from './fixtures/volume-cluster';

const LOCK = '/neo4j-upgrades/production/lock';
const ABORT = `${LOCK}/abort`;
const STOPPED = 'arn:aws:states:us-east-1:123456789012:execution:upgrade:stopped-run';
const OTHER = 'arn:aws:states:us-east-1:123456789012:execution:upgrade:other-run';

/** An execution stopped from the console: its lock and the master's scale-in protection are freed, the stack is left as it is. */
describe('execution-cleanup against moto_server', () => {
  const env = motoPerFile();
  let deps: Parameters<typeof cleanup>[0];
  let topicArn: string;
  let ids: string[];
  const cluster = { ...clusterContext('neo4j-prod'), ...CLUSTER };
  const input = (detail: Partial<ExecutionCleanupInput['detail']> = {}): ExecutionCleanupInput => ({
    detail: { executionArn: STOPPED, status: 'ABORTED', ...detail }, cluster, lockParameterName: LOCK, abortParameterName: ABORT, topicArn,
  });

  beforeAll(async () => {
    const config = motoClientConfig(env.moto);
    deps = {
      ...env.aws, ssm: new SSMClient(config), sfn: new SFNClient(config), sns: new SNSClient(config), cfn: new CloudFormationClient(config),
      log: memoryLogger(),
    };
    await createUpgradeStack(deps.cfn, 'neo4j-prod');
    topicArn = (await deps.sns.send(new CreateTopicCommand({ Name: 'upgrades' }))).TopicArn!;
    await createGroup(env.aws.ec2, env.aws.autoScaling, { name: CLUSTER.slaveAutoScalingGroupName, desired: 1 });
    ids = (await createGroup(env.aws.ec2, env.aws.autoScaling, { name: CLUSTER.mainAutoScalingGroupName, desired: 3 })).map((i) => i.InstanceId!);
  });

  const protectedIds = async () => (await groupInstances(env.aws.autoScaling, CLUSTER.mainAutoScalingGroupName))
    .filter((i) => i.ProtectedFromScaleIn).map((i) => i.InstanceId);
  const lock = (executionArn: string) => upgradeLock(deps, { cluster, action: 'acquire', parameterName: LOCK, executionArn, ttlSeconds: 3600 });
  const holder = async () => {
    try {
      return JSON.parse((await deps.ssm.send(new GetParameterCommand({ Name: LOCK }))).Parameter!.Value!).executionArn;
    } catch {
      return undefined;
    }
  };

  test('a stopped holder: protection off, lock and its abort request released, stack untouched, the topic told; twice is once', async () => {
    await lock(STOPPED);
    await keepMaster(env.aws, { cluster, masterInstanceId: ids[0] });
    await deps.ssm.send(new PutParameterCommand({ Name: ABORT, Type: 'String', Value: JSON.stringify({ executionArn: STOPPED }) }));
    expect(await protectedIds()).toEqual([ids[0]]);

    const out = await cleanup(deps, input({ status: 'ABORTED' }));
    expect(out).toEqual({
      executionArn: STOPPED, status: 'ABORTED', lock: 'released', unprotected: [...ids].sort(), published: true,
      stack: { status: 'CREATE_COMPLETE', parameters: expect.objectContaining({ Mode: INITIAL_PARAMETERS.Mode }) },
    });
    expect(await protectedIds()).toEqual([]);
    expect(await holder()).toBeUndefined();
    await expect(deps.ssm.send(new GetParameterCommand({ Name: ABORT }))).rejects.toMatchObject({ name: 'ParameterNotFound' });
    const sent = await sentNotifications(env.moto, topicArn);
    expect(sent).toHaveLength(1);
    expect(JSON.parse(sent[0].message)).toMatchObject({ summary: 'execution ABORTED: lock released, stack left as it is (CREATE_COMPLETE)', lock: 'released' });

    await expect(cleanup(deps, input({ status: 'ABORTED' }))).resolves.toMatchObject({ lock: 'not-held', published: false });
    expect(await sentNotifications(env.moto, topicArn)).toHaveLength(1);
  });

  test('a lock held by another execution is left alone, and so is the protection', async () => {
    await lock(OTHER);
    await keepMaster(env.aws, { cluster, masterInstanceId: ids[1] });
    await expect(cleanup(deps, input({ status: 'TIMED_OUT' }))).resolves.toMatchObject({ lock: 'not-held', unprotected: [] });
    expect(await holder()).toBe(OTHER);
    expect(await protectedIds()).toEqual([ids[1]]);
    await upgradeLock(deps, { cluster, action: 'release', parameterName: LOCK, executionArn: OTHER });
  });

  test('a failed rollback keeps its lock (an operator decides) and says so', async () => {
    await lock(STOPPED);
    await expect(cleanup(deps, input({ status: 'FAILED', error: 'RollbackFailed', cause: 'restore failed' }))).resolves.toMatchObject({ lock: 'kept', published: true });
    expect(await holder()).toBe(STOPPED);
    const last = (await sentNotifications(env.moto, topicArn)).pop()!;
    expect(JSON.parse(last.message)).toMatchObject({ lock: 'kept', error: 'RollbackFailed' });
  });
});
