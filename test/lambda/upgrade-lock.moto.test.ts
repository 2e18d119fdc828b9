import { CreateStateMachineCommand, SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { GetParameterCommand, GetParameterHistoryCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { memoryLogger } from '../../lambda/shared/log';
import { UpgradeLockInput, logic } from '../../lambda/upgrade-lock/logic';
import { MotoServer, motoClientConfig, startMoto } from '../support/moto';
import { clusterContext } from './fixtures/upgrade-stack';

const A = 'arn:aws:states:us-east-1:123456789012:execution:upgrade:run-a';
const B = 'arn:aws:states:us-east-1:123456789012:execution:upgrade:run-b';
const C = 'arn:aws:states:us-east-1:123456789012:execution:upgrade:run-c';
const D = 'arn:aws:states:us-east-1:123456789012:execution:upgrade:run-d';
const T0 = new Date('2026-06-01T12:00:00Z');

describe('upgrade-lock against moto_server', () => {
  let moto: MotoServer;
  let ssm: SSMClient;
  let sfn: SFNClient;
  beforeAll(async () => {
    moto = await startMoto();
    ssm = new SSMClient(motoClientConfig(moto));
    sfn = new SFNClient(motoClientConfig(moto));
    // Real executions in moto's Step Functions (RUNNING until stopped), so DescribeExecution answers for the holders.
    const machine = await sfn.send(new CreateStateMachineCommand({
      name: 'upgrade', roleArn: 'arn:aws:iam::123456789012:role/upgrade',
      definition: JSON.stringify({ StartAt: 'Wait', States: { Wait: { Type: 'Wait', Seconds: 3600, End: true } } }),
    }));
    for (const name of ['run-a', 'run-b', 'run-c', 'run-d']) {
      await sfn.send(new StartExecutionCommand({ stateMachineArn: machine.stateMachineArn, name }));
    }
  });
  afterAll(async () => { await moto?.stop(); });

  const lock = (parameterName: string, executionArn: string, action: 'acquire' | 'release', now = T0, client: SSMClient = ssm) =>
    logic({ ssm: client, sfn, log: memoryLogger(), now: () => now },
      { cluster: clusterContext('neo4j-prod'), parameterName, executionArn, action, ttlSeconds: 3600 } as UpgradeLockInput);
  const read = async (name: string) => {
    const p = (await ssm.send(new GetParameterCommand({ Name: name }))).Parameter!;
    return { value: JSON.parse(p.Value!), version: p.Version };
  };

  test('second execution fails fast and changes nothing; release is holder-only and idempotent', async () => {
    const name = '/neo4j-upgrades/neo4j-prod/lock';
    await expect(lock(name, A, 'acquire')).resolves.toMatchObject({ outcome: 'created', version: 1 });
    const before = await read(name);
    expect(before.value).toMatchObject({ executionArn: A, expiresAt: '2026-06-01T13:00:00.000Z', stackName: 'neo4j-prod' });

    await expect(lock(name, A, 'acquire')).resolves.toMatchObject({ outcome: 'already-held', version: 1 });
    await expect(lock(name, B, 'acquire')).rejects.toMatchObject({
      name: 'LockHeldError', message: `lock ${name} is held by ${A} until 2026-06-01T13:00:00.000Z (it is RUNNING)`,
    });
    await expect(lock(name, B, 'release')).resolves.toMatchObject({ outcome: 'not-held', holder: A });
    expect(await read(name)).toEqual(before);

    await expect(lock(name, A, 'release')).resolves.toMatchObject({ outcome: 'released' });
    await expect(ssm.send(new GetParameterCommand({ Name: name }))).rejects.toMatchObject({ name: 'ParameterNotFound' });
    await expect(lock(name, A, 'release')).resolves.toMatchObject({ outcome: 'absent' });
    await expect(lock(name, B, 'acquire')).resolves.toMatchObject({ outcome: 'created' });
  });

  test('an expired lock is taken over', async () => {
    const name = '/neo4j-upgrades/expired/lock';
    await lock(name, A, 'acquire');
    const later = new Date(T0.getTime() + 3601_000);
    await expect(lock(name, B, 'acquire', later)).resolves.toMatchObject({ outcome: 'taken-over', version: 2, previousHolder: A });
    expect((await read(name)).value.executionArn).toBe(B);
    await expect(lock(name, A, 'release', later)).resolves.toMatchObject({ outcome: 'not-held', holder: B });
    await expect(lock(name, C, 'acquire', later)).rejects.toMatchObject({ name: 'LockHeldError' });
  });

  test('two takers of one expired lock: exactly one wins and the record names the winner', async () => {
    const name = '/neo4j-upgrades/race/lock';
    await lock(name, A, 'acquire');
    const later = new Date(T0.getTime() + 7200_000);
    // C's client lets B take the lock over between C's read of the expired record and C's own write.
    let raced = false;
    const racing = {
      send: async (command: unknown) => {
        if (!raced && command instanceof PutParameterCommand && command.input.Overwrite === true) {
          raced = true;
          await expect(lock(name, B, 'acquire', later)).resolves.toMatchObject({ outcome: 'taken-over', version: 2 });
        }
        return ssm.send(command as PutParameterCommand);
      },
    } as unknown as SSMClient;
    await expect(lock(name, C, 'acquire', later, racing)).rejects.toMatchObject({
      name: 'LockHeldError', message: expect.stringContaining(`taken over by ${B} at the same time`),
    });
    const after = await read(name);
    expect(after.value.executionArn).toBe(B);
    const history = (await ssm.send(new GetParameterHistoryCommand({ Name: name }))).Parameters!;
    expect(history.map((h) => JSON.parse(h.Value!).executionArn)).toEqual([A, B, C, B]);
    await expect(lock(name, B, 'acquire', later)).resolves.toMatchObject({ outcome: 'already-held' });
  });

  test('a stopped holder frees the lock at once: the next execution takes it over before its expiry', async () => {
    const name = '/neo4j-upgrades/stopped/lock';
    await expect(lock(name, D, 'acquire')).resolves.toMatchObject({ outcome: 'created' });
    await expect(lock(name, C, 'acquire')).rejects.toMatchObject({ name: 'LockHeldError', message: expect.stringContaining('(it is RUNNING)') });
    await sfn.send(new StopExecutionCommand({ executionArn: D, error: 'Stopped', cause: 'console' }));
    await expect(lock(name, C, 'acquire')).resolves.toMatchObject({ outcome: 'taken-over', version: 2, previousHolder: D });
    expect((await read(name)).value).toMatchObject({ executionArn: C, expiresAt: '2026-06-01T13:00:00.000Z' });
  });

  test('a holder Step Functions does not know keeps the lock until its expiry', async () => {
    const name = '/neo4j-upgrades/unknown/lock';
    const ghost = 'arn:aws:states:us-east-1:123456789012:execution:upgrade:never-started';
    await lock(name, ghost, 'acquire');
    await expect(lock(name, A, 'acquire')).rejects.toMatchObject({
      name: 'LockHeldError', message: expect.stringContaining('Step Functions cannot describe that execution (ExecutionDoesNotExist)'),
    });
    await expect(lock(name, A, 'acquire', new Date(T0.getTime() + 3601_000))).resolves.toMatchObject({ outcome: 'taken-over', previousHolder: ghost });
  });

  test('release consumes this execution\'s abort request and leaves another\'s', async () => {
    const name = '/neo4j-upgrades/abort/lock';
    const abortParameterName = `${name}/abort`;
    const release = (executionArn: string) => logic({ ssm, sfn, log: memoryLogger(), now: () => T0 },
      { cluster: clusterContext('neo4j-prod'), parameterName: name, executionArn, action: 'release', abortParameterName });
    await lock(name, A, 'acquire');
    await ssm.send(new PutParameterCommand({ Name: abortParameterName, Type: 'String', Value: JSON.stringify({ executionArn: B, by: 'ops' }) }));
    await expect(release(A)).resolves.toEqual({ action: 'release', parameterName: name, outcome: 'released', holder: A });
    expect(JSON.parse((await ssm.send(new GetParameterCommand({ Name: abortParameterName }))).Parameter!.Value!)).toMatchObject({ executionArn: B });
    await lock(name, A, 'acquire');
    await ssm.send(new PutParameterCommand({ Name: abortParameterName, Type: 'String', Overwrite: true, Value: JSON.stringify({ executionArn: A, by: 'ops' }) }));
    await expect(release(A)).resolves.toMatchObject({ outcome: 'released', abortRequestConsumed: true });
    await expect(ssm.send(new GetParameterCommand({ Name: abortParameterName }))).rejects.toMatchObject({ name: 'ParameterNotFound' });
  });

  test('an unreadable value blocks acquire and is left for an operator', async () => {
    const name = '/neo4j-upgrades/garbage/lock';
    await ssm.send(new PutParameterCommand({ Name: name, Value: 'manual hold', Type: 'String' }));
    await expect(lock(name, A, 'acquire')).rejects.toMatchObject({ name: 'LockHeldError', message: expect.stringMatching(/unreadable/) });
    await expect(lock(name, A, 'release')).resolves.toMatchObject({ outcome: 'not-held' });
    expect((await ssm.send(new GetParameterCommand({ Name: name }))).Parameter!.Value).toBe('manual hold');
  });
});
