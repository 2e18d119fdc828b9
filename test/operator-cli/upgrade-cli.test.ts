/**
 * The operator CLI's verbs with aws-sdk-client-mock: what moto cannot show (RedriveExecution, a terminal's
 * display, the history's approval parameter, a vanished lock holder), and the usage errors.
 */
import { mockClient } from 'aws-sdk-client-mock';
import {
  DescribeExecutionCommand, DescribeStateMachineForExecutionCommand, GetExecutionHistoryCommand, HistoryEvent, ListExecutionsCommand,
  ListTagsForResourceCommand, RedriveExecutionCommand, SFNClient, SendTaskFailureCommand, SendTaskSuccessCommand,
} from '@aws-sdk/client-sfn';
import { DeleteParameterCommand, GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { ABORT_PARAMETER_TAG, LOCK_PARAMETER_TAG } from '../../bin/upgrade/machine-tags';
import { outputUnless, upgradeCli } from './run-upgrade-cli';
import { upgradeMachineDefinition } from './upgrade-machine';

const sfn = mockClient(SFNClient);
const ssm = mockClient(SSMClient);
const MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:upgrade';
const EXECUTION = 'arn:aws:states:eu-west-1:123456789012:execution:upgrade:run-1';
const seams = { clientConfig: { region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } } };
const at = (s: number) => new Date(Date.UTC(2026, 11, 1, 10, 0, s));

function events(...list: Array<Partial<HistoryEvent>>): HistoryEvent[] {
  return list.map((e, i) => ({ id: i + 1, timestamp: at(i), ...e }) as HistoryEvent);
}
const entered = (name: string, type = 'Pass'): Partial<HistoryEvent> => ({ type: `${type}StateEntered` as never, stateEnteredEventDetails: { name } });

beforeEach(() => {
  sfn.reset();
  ssm.reset();
  sfn.on(DescribeStateMachineForExecutionCommand).resolves({ definition: JSON.stringify(upgradeMachineDefinition('arn:aws:lambda:eu-west-1:123456789012:function:f')) } as never);
});

test('redrive: a FAILED execution is redriven; a RUNNING or SUCCEEDED one is refused and not touched', async () => {
  sfn.on(DescribeExecutionCommand).resolvesOnce({ status: 'FAILED', redriveStatus: 'REDRIVABLE' } as never).resolves({ status: 'SUCCEEDED' } as never);
  sfn.on(RedriveExecutionCommand).resolves({ redriveDate: at(5) });
  const ok = await upgradeCli(['redrive', '--execution', EXECUTION], seams);
  expect(outputUnless(ok, 0)).toBe('');
  expect(sfn.commandCalls(RedriveExecutionCommand)[0].args[0].input).toEqual({ executionArn: EXECUTION });
  const refused = await upgradeCli(['redrive', '--execution', EXECUTION], seams);
  expect(refused).toMatchObject({ code: 1, stderr: expect.stringContaining('is SUCCEEDED; only a FAILED, ABORTED, TIMED_OUT execution can be redriven') });
  expect(sfn.commandCalls(RedriveExecutionCommand)).toHaveLength(1);
});

test('approve reads the approval parameter the history names and sends the token from it', async () => {
  sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' } as never);
  sfn.on(GetExecutionHistoryCommand).resolves({ events: events(
    { type: 'ExecutionStarted' }, entered('Stage 1 Upgrade the store: begin'), entered('Wait for the operator decision', 'Task'),
    { type: 'TaskScheduled', taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke.waitForTaskToken', region: 'eu-west-1',
      parameters: JSON.stringify({ FunctionName: 'f', Payload: { parameterName: '/custom/approval', stage: 'after-store-upgrade' } }) } },
  ) });
  ssm.on(GetParameterCommand, { Name: '/custom/approval' }).resolves({ Parameter: { Value: JSON.stringify({ taskToken: 'TOKEN', executionArn: EXECUTION, stage: 'after-store-upgrade' }), Version: 1 } });
  sfn.on(SendTaskSuccessCommand).resolves({});
  const run = await upgradeCli(['approve', '--execution', EXECUTION, '--by', 'bob'], seams);
  expect(outputUnless(run, 0)).toBe('');
  expect(sfn.commandCalls(SendTaskSuccessCommand)[0].args[0].input).toEqual({ taskToken: 'TOKEN', output: '{"approved":true,"by":"bob"}' });
});

test('approve refuses a parameter that holds another execution\'s request, and sends nothing', async () => {
  sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' } as never);
  sfn.on(ListTagsForResourceCommand).resolves({ tags: [{ key: LOCK_PARAMETER_TAG, value: '/l' }] });
  sfn.on(GetExecutionHistoryCommand).resolves({ events: events(
    { type: 'ExecutionStarted' }, entered('Wait for the operator decision', 'Task'),
    { type: 'TaskScheduled', taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke.waitForTaskToken', region: 'eu-west-1', parameters: '' } },
  ) });
  ssm.on(GetParameterCommand, { Name: '/l/approval' }).resolves({ Parameter: { Value: JSON.stringify({ taskToken: 'OLD', executionArn: 'other' }), Version: 1 } });
  const run = await upgradeCli(['approve', '--execution', EXECUTION], seams);
  expect(run).toMatchObject({ code: 1, stderr: expect.stringContaining('approval parameter /l/approval holds a request for "other"') });
  expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
});

test('unlock deletes a lock whose holder no longer exists; refuses an unreadable lock while an execution runs', async () => {
  sfn.on(ListTagsForResourceCommand).resolves({ tags: [{ key: LOCK_PARAMETER_TAG, value: '/l' }] });
  sfn.on(DescribeExecutionCommand).rejects(Object.assign(new Error('no such execution'), { name: 'ExecutionDoesNotExist' }));
  ssm.on(GetParameterCommand).resolves({ Parameter: { Value: JSON.stringify({ executionArn: EXECUTION, expiresAt: '2099-01-01T00:00:00Z' }), Version: 3 } });
  ssm.on(DeleteParameterCommand).resolves({});
  expect(outputUnless(await upgradeCli(['unlock', '--state-machine', MACHINE], seams), 0)).toBe('');
  expect(ssm.commandCalls(DeleteParameterCommand)).toHaveLength(1);

  ssm.on(GetParameterCommand).resolves({ Parameter: { Value: 'garbage', Version: 4 } });
  sfn.on(ListExecutionsCommand).resolves({ executions: [{ executionArn: EXECUTION, status: 'RUNNING' } as never] });
  const refused = await upgradeCli(['unlock', '--state-machine', MACHINE], seams);
  expect(refused).toMatchObject({ code: 1, stderr: expect.stringContaining('names no holder') });
  expect(ssm.commandCalls(DeleteParameterCommand)).toHaveLength(1);
});

test('watch on a terminal redraws the display in place and exits 1 when the execution fails', async () => {
  sfn.on(DescribeExecutionCommand).resolvesOnce({ status: 'RUNNING' } as never).resolves({ status: 'FAILED' } as never);
  const running = events({ type: 'ExecutionStarted' }, entered('Stage 1 Upgrade the store: begin'), entered('Point of no return'));
  sfn.on(GetExecutionHistoryCommand).resolvesOnce({ events: running }).resolves({ events: [...running, ...events(
    {}, {}, {}, entered('Roll back'), { type: 'ExecutionFailed', executionFailedEventDetails: { error: 'UpgradeRolledBack', cause: 'rolled back' } },
  )] });
  let slept = 0;
  const run = await upgradeCli(['watch', '--execution', EXECUTION, '--interval', '2'],
    { ...seams, now: () => at(30), sleep: async (ms) => { slept += ms; } }, { tty: true });
  expect(run).toMatchObject({ code: 1, stdout: `${EXECUTION} FAILED\n` });
  expect(slept).toBe(2000);
  expect(run.stderr).toContain('▶ Stage 1 Upgrade the store (000/1): running');
  expect(run.stderr).toContain(`${String.fromCharCode(27)}[`); // cursor up and clear: the redraw
  expect(run.stderr).toContain('✘ Stage 1 Upgrade the store (000/1): failed in');
  expect(run.stderr).toContain('ended: UpgradeRolledBack: rolled back');
});

test('usage errors exit 2 before any AWS call: unknown verb, missing machine, bad ARN, reject without a reason', async () => {
  for (const [args, message] of [
    [['frobnicate'], 'unknown verb "frobnicate"'],
    [['status'], 'give --stack NAME (the upgrade stack) or --state-machine ARN'],
    [['status', '--state-machine', 'upgrade'], '--state-machine must be a state machine ARN'],
    [['reject', '--state-machine', MACHINE], 'reject needs --reason TEXT'],
    [['start', '--state-machine', MACHINE, '--input', '[1]'], 'the input must be a JSON object'],
  ] as const) {
    const run = await upgradeCli([...args], seams);
    expect(run).toMatchObject({ code: 2, stderr: expect.stringContaining(message) });
  }
  expect(sfn.calls()).toHaveLength(0);
  expect((await upgradeCli(['--help'])).stdout).toContain('start     [--input JSON | --input-file PATH]');
});

test('status counts the current step\'s polls (StillInProgressError) apart from retries after other errors', async () => {
  sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' } as never);
  const scheduled: Partial<HistoryEvent> = { type: 'TaskScheduled', taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke', region: 'eu-west-1', parameters: '{}' } };
  const failed = (error: string): Partial<HistoryEvent> => ({ type: 'TaskFailed', taskFailedEventDetails: { resourceType: 'lambda', resource: 'invoke', error, cause: 'x' } });
  sfn.on(GetExecutionHistoryCommand).resolves({ events: events(
    { type: 'ExecutionStarted' }, entered('Stage 1 Upgrade the store: begin'), entered('Stage 1 Upgrade the store: done'),
    entered('Stage 2 Scale out: begin'), entered('Stage 2 Scale out: wait for the instances', 'Task'),
    scheduled, failed('ThrottlingException'), scheduled, failed('StillInProgressError'), scheduled, failed('StillInProgressError'), scheduled,
  ) });
  const run = await upgradeCli(['status', '--execution', EXECUTION], { ...seams, now: () => at(20) });
  expect(outputUnless(run, 0)).toBe('');
  expect(run.stdout).toContain('stages: 1/2 done\n');
  expect(run.stdout).toContain('  ✔ Stage 1 Upgrade the store (000/1): succeeded in 1s\n');
  expect(run.stdout).toContain('  ▶ Stage 2 Scale out (000/2): running 17s\n');
  expect(run.stdout).toContain('step: Stage 2 Scale out: wait for the instances (since 16s, waiting: 2 poll(s))\n');
  expect(run.stdout).toContain('retries: 1 (last: ThrottlingException)\n');
  expect(run.stdout).toContain('status: RUNNING, elapsed 20s');
});

test('abort writes the request; an execution waiting for an approval has it rejected (the same rollback path), one that is not is left to its next safe point', async () => {
  sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' } as never);
  sfn.on(ListTagsForResourceCommand).resolves({ tags: [{ key: LOCK_PARAMETER_TAG, value: '/l' }, { key: ABORT_PARAMETER_TAG, value: '/l/abort' }] });
  ssm.on(PutParameterCommand).resolves({ Version: 1 });
  sfn.on(SendTaskFailureCommand).resolves({});
  const waiting = events(
    { type: 'ExecutionStarted' }, entered('Wait for the operator decision', 'Task'),
    { type: 'TaskScheduled', taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke.waitForTaskToken', region: 'eu-west-1',
      parameters: JSON.stringify({ FunctionName: 'f', Payload: { parameterName: '/l/approval', stage: 'after-store-upgrade' } }) } },
  );
  sfn.on(GetExecutionHistoryCommand).resolves({ events: waiting });
  ssm.on(GetParameterCommand, { Name: '/l/approval' }).resolves({ Parameter: { Value: JSON.stringify({ taskToken: 'TOKEN', executionArn: EXECUTION, stage: 'after-store-upgrade' }), Version: 1 } });
  const run = await upgradeCli(['abort', '--execution', EXECUTION, '--by', 'bob', '--reason', 'wrong image'], seams);
  expect(outputUnless(run, 0)).toBe('');
  expect(JSON.parse(String(ssm.commandCalls(PutParameterCommand)[0].args[0].input.Value))).toMatchObject({ executionArn: EXECUTION, by: 'bob', reason: 'wrong image' });
  expect(sfn.commandCalls(SendTaskFailureCommand).map((c) => c.args[0].input)).toEqual([
    { taskToken: 'TOKEN', error: 'ApprovalRejected', cause: 'aborted by bob: wrong image' },
  ]);

  sfn.on(GetExecutionHistoryCommand).resolves({ events: events({ type: 'ExecutionStarted' }, entered('Stage 1 Upgrade the store: begin')) });
  expect(outputUnless(await upgradeCli(['abort', '--execution', EXECUTION, '--by', 'bob'], seams), 0)).toBe('');
  expect(ssm.commandCalls(PutParameterCommand)).toHaveLength(2);
  expect(sfn.commandCalls(SendTaskFailureCommand)).toHaveLength(1);
});
