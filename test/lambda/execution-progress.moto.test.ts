import { CreateStateMachineCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { logic } from '../../lambda/execution-progress/logic';
import { memoryLogger } from '../../lambda/shared/log';
import { MotoServer, motoClientConfig, startMoto } from '../support/moto';

describe('execution-progress against moto_server (which runs the Wait state)', () => {
  let moto: MotoServer;
  beforeAll(async () => {
    moto = await startMoto();
    const res = await fetch(`${moto.endpoint}/moto-api/config`, { method: 'POST', body: JSON.stringify({ stepfunctions: { execute_state_machine: true } }) });
    expect(res.status).toBe(201);
  });
  afterAll(async () => { await moto?.stop(); });

  test('a running execution sitting in a wait is measured from its newest history event; another machine is not looked at', async () => {
    const sfn = new SFNClient(motoClientConfig(moto));
    const machine = async (name: string) => (await sfn.send(new CreateStateMachineCommand({
      name, roleArn: 'arn:aws:iam::123456789012:role/states',
      definition: JSON.stringify({ StartAt: 'Hold', States: { Hold: { Type: 'Wait', Seconds: 3600, End: true } } }),
    }))).stateMachineArn!;
    const watched = await machine('watched');
    const other = await machine('other');
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: watched, name: 'run-1' }));

    const later = new Date(Date.now() + 45 * 60000);
    const out = await logic({ sfn, log: memoryLogger(), now: () => later }, { stateMachineArn: watched });
    expect(out.running).toHaveLength(1);
    expect(out.running[0]).toMatchObject({ executionArn, awaitingApproval: false });
    expect(out.running[0].lastEventType).toMatch(/Wait|Execution/);
    expect(out.minutesWithoutProgress).toBeGreaterThanOrEqual(44);
    expect(out.minutesWithoutProgress).toBeLessThanOrEqual(45);
    await expect(logic({ sfn, log: memoryLogger(), now: () => later }, { stateMachineArn: other })).resolves.toEqual({ running: [], minutesWithoutProgress: 0 });
  });
});
