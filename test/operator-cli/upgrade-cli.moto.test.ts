/**
 * The operator CLI against moto_server: a stack (CloudFormation) holding a state machine of the
 * upgrade's shape (upgrade-machine.ts) with the CLI's tags, run by moto's Step Functions
 * (`execute_state_machine`). That mode keeps its state machines apart from the ones CloudFormation
 * creates, so each machine is also created with CreateStateMachine under the same name (the same ARN):
 * the stack answers ListStackResources, the API's machine runs. moto's parser fails every
 * StartExecution after a first run (it cannot deepcopy its state), so each test has its own moto_server. moto's Lambda does not run code (`use_docker: false` echoes the payload), so
 * this test plays the request-approval Lambda: it runs the real request-approval logic with the payload
 * the task scheduled (from the history), as Step Functions would invoke it. moto has no RedriveExecution
 * (see upgrade-cli.test.ts).
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CreateStackCommand, CloudFormationClient } from '@aws-sdk/client-cloudformation';
import {
  CreateStateMachineCommand, DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient,
} from '@aws-sdk/client-sfn';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { logic as requestApproval, RequestApprovalInput } from '../../lambda/request-approval/logic';
import { memoryLogger } from '../../lambda/shared/log';
import { ABORT_PARAMETER_TAG, LOCK_PARAMETER_TAG } from '../../bin/upgrade/machine-tags';
import { MotoServer, motoClientConfig, startMoto } from '../support/moto';
import { outputUnless, upgradeCli } from './run-upgrade-cli';
import { LOCK, upgradeMachineDefinition } from './upgrade-machine';

jest.setTimeout(180_000);

const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:cli-test-request-approval';
const ABORT = `${LOCK}/abort`;

let moto: MotoServer;
let sfn: SFNClient;
let ssm: SSMClient;
let sns: SNSClient;
let topicArn: string;
const cli = (...args: string[]) => upgradeCli(args, { clientConfig: motoClientConfig(moto) });

const definition = JSON.stringify(upgradeMachineDefinition(FUNCTION_ARN));
const tags = [{ key: LOCK_PARAMETER_TAG, value: LOCK }, { key: ABORT_PARAMETER_TAG, value: ABORT }];

function machine(name: string) {
  return {
    Type: 'AWS::StepFunctions::StateMachine',
    Properties: {
      StateMachineName: name,
      RoleArn: { 'Fn::GetAtt': ['Role', 'Arn'] },
      DefinitionString: definition,
    },
  };
}

const role = {
  Type: 'AWS::IAM::Role',
  Properties: { AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'states.amazonaws.com' }, Action: 'sts:AssumeRole' }] } },
};

beforeEach(async () => {
  moto = await startMoto();
  const res = await fetch(`${moto.endpoint}/moto-api/config`, {
    method: 'POST', body: JSON.stringify({ stepfunctions: { execute_state_machine: true }, lambda: { use_docker: false } }),
  });
  expect(res.status).toBe(201);
  const config = motoClientConfig(moto);
  sfn = new SFNClient(config);
  ssm = new SSMClient(config);
  sns = new SNSClient(config);
  topicArn = String((await sns.send(new CreateTopicCommand({ Name: 'cli-test' }))).TopicArn);
  const cfn = new CloudFormationClient(config);
  await cfn.send(new CreateStackCommand({
    StackName: 'cli-test',
    TemplateBody: JSON.stringify({
      Resources: {
        Role: role,
        Function: {
          Type: 'AWS::Lambda::Function',
          Properties: {
            FunctionName: 'cli-test-request-approval', Runtime: 'nodejs20.x', Handler: 'index.handler',
            Role: { 'Fn::GetAtt': ['Role', 'Arn'] }, Code: { ZipFile: 'exports.handler = async () => ({})' },
          },
        },
        Machine: machine('cli-test-upgrade'),
      },
    }),
  }));
  await createMachine('cli-test-upgrade');
  await cfn.send(new CreateStackCommand({
    StackName: 'two-machines',
    TemplateBody: JSON.stringify({ Resources: { Role: role, First: machine('two-first'), Second: machine('two-second') } }),
  }));
});

afterEach(async () => {
  if (process.env.MOTO_LOG) console.log(moto.log().slice(moto.log().indexOf('Traceback'), moto.log().indexOf('Traceback') + 6000));
  await moto?.stop();
});

async function createMachine(name: string): Promise<string> {
  const out = await sfn.send(new CreateStateMachineCommand({ name, definition, roleArn: 'arn:aws:iam::123456789012:role/cli-test', tags }));
  return String(out.stateMachineArn);
}

/** Plays the request-approval Lambda: the real logic with the payload the pending task scheduled. */
async function invokeRequestApproval(executionArn: string): Promise<void> {
  const events = (await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events ?? [];
  const scheduled = events.filter((e) => e.type === 'TaskScheduled').pop();
  const payload = JSON.parse(String(scheduled?.taskScheduledEventDetails?.parameters)).Payload;
  await requestApproval({ sns, ssm, events: new EventBridgeClient(motoClientConfig(moto)), log: memoryLogger() }, { ...payload, topicArn } as RequestApprovalInput);
}

/** `--stack cli-test`, or a machine of its own for a test. */
async function startUntilApproval(name: string, machine: string[] = ['--stack', 'cli-test']): Promise<string> {
  const started = await cli('start', ...machine, '--image', 'neo4j:5.26.2-enterprise', '--name', name);
  expect(outputUnless(started, 0)).toBe('');
  expect(started).toBeDefined();
  const executionArn = started.stdout.trim();
  expect(executionArn).toMatch(new RegExp(`^arn:aws:states:us-east-1:123456789012:execution:cli-test-[a-z]+:${name}$`));
  const watched = await cli('watch', '--execution', executionArn, '--until-approval', '--interval', '1', '--timeout', '60');
  expect(outputUnless(watched, 0)).toBe('');
  expect(watched).toMatchObject({ stdout: `${executionArn} WAITING_FOR_APPROVAL after-store-upgrade\n` });
  expect(watched.stderr).toMatch(/▶ Stage 1 Upgrade the store \(000\/1\): running/);
  expect(watched.stderr).toContain('approval pending: after-store-upgrade');
  await invokeRequestApproval(executionArn);
  return executionArn;
}

test('start refuses input the local checks refuse, naming the field; nothing is started', async () => {
  const latest = await cli('start', '--stack', 'cli-test', '--image', 'neo4j:latest');
  expect(outputUnless(latest, 1)).toBe('');
  expect(latest.stderr).toContain('dockerImage must not use the tag "latest"');
  // The construct's baked defaults apply: cloneRegions other than its own are refused.
  const region = await cli('start', '--stack', 'cli-test', '--image', 'neo4j:5.26.2-enterprise', '--clone-region', 'eu-west-1');
  expect(outputUnless(region, 1)).toBe('');
  expect(region.stderr).toContain("cloneRegions[0] is \"eu-west-1\", which is not one of the construct's cloneRegions (us-west-2)");
  const history = await cli('history', '--stack', 'cli-test');
  expect(outputUnless(history, 0)).toBe('');
  expect(history).toMatchObject({ stdout: expect.stringContaining('no executions') });
});

test('--stack with several state machines lists them to choose from', async () => {
  const two = await cli('status', '--stack', 'two-machines');
  expect(outputUnless(two, 2)).toBe('');
  expect(two.stderr).toContain('stack two-machines has 2 state machines; choose one with --state-machine');
  expect(two.stderr).toContain(':stateMachine:two-first');
  expect(two.stderr).toContain(':stateMachine:two-second');
});

test('start, watch until the approval, status, approve, watch to the end, history', async () => {
  const executionArn = await startUntilApproval('run-approve');
  const status = await cli('status', '--stack', 'cli-test');
  expect(outputUnless(status, 0)).toBe('');
  expect(status.stdout).toContain(`${executionArn}\nstatus: RUNNING`);
  expect(status.stdout).toContain('stages: 0/2 done, past the point of no return');
  expect(status.stdout).toContain('step: Wait for the operator decision');
  expect(status.stdout).toMatch(/approval pending: after-store-upgrade \(waiting \d+s, expires in (59m\d\ds|1h00m)\)/);

  const approved = await cli('approve', '--stack', 'cli-test', '--by', 'alice');
  expect(outputUnless(approved, 0)).toBe('');
  expect(approved).toMatchObject({ stdout: `${executionArn}\n` });
  expect(approved.stderr).toContain(`approved "after-store-upgrade" of ${executionArn} as alice (request in ${LOCK}/approval)`);
  const end = await cli('watch', '--execution', executionArn, '--interval', '1', '--timeout', '60');
  expect(outputUnless(end, 0)).toBe('');
  expect(end).toMatchObject({ stdout: `${executionArn} SUCCEEDED\n` });
  const output = JSON.parse(String((await sfn.send(new DescribeExecutionCommand({ executionArn }))).output));
  expect(output.results.storeUpgrade.decision).toEqual({ approved: true, by: 'alice' });

  // Nothing pending any more: a second approve is refused.
  expect(await cli('approve', '--execution', executionArn)).toMatchObject({ code: 1, stderr: expect.stringContaining('is SUCCEEDED, not RUNNING') });

  const history = await cli('history', '--stack', 'cli-test', '--json');
  const [run] = JSON.parse(history.stdout);
  expect(run).toMatchObject({ name: 'run-approve', status: 'SUCCEEDED' });
  expect(run.stages.map((s: { key: string; status: string }) => `${s.key}:${s.status}`)).toEqual(['storeUpgrade:succeeded', 'scaleOut:succeeded']);
  // Stage 2 waits one second (its Wait state).
  expect(run.stages[1].durationMs).toBeGreaterThanOrEqual(1000);
});

test('reject answers ApprovalRejected: the execution takes its rollback path; status exits 1 naming it', async () => {
  const machine = ['--state-machine', await createMachine('cli-test-reject')];
  const executionArn = await startUntilApproval('run-reject', machine);
  const rejected = await cli('reject', ...machine, '--reason', 'the store upgrade log shows errors');
  expect(outputUnless(rejected, 0)).toBe('');
  const end = await cli('watch', '--execution', executionArn, '--interval', '1', '--timeout', '60');
  expect(outputUnless(end, 1)).toBe('');
  expect(end).toMatchObject({ stdout: `${executionArn} FAILED\n` });
  const events = (await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events ?? [];
  const failed = events.find((e) => e.type === 'TaskFailed')?.taskFailedEventDetails;
  expect(failed).toMatchObject({ error: 'ApprovalRejected' }); // moto's history leaves the cause out
  expect(events.some((e) => e.stateEnteredEventDetails?.name === 'Roll back')).toBe(true);
  const status = await cli('status', '--execution', executionArn);
  expect(outputUnless(status, 1)).toBe('');
  expect(status.stdout).toContain('✘ Stage 1 Upgrade the store (000/1): failed in');
  expect(status.stdout).toContain('failed at: Wait for the operator decision: ApprovalRejected');
});

test('unlock refuses while the holder runs; abort at the approval writes the request and rejects the approval (the rollback path, never StopExecution); unlock frees the lock after', async () => {
  const machine = ['--state-machine', await createMachine('cli-test-abort')];
  const executionArn = await startUntilApproval('run-abort', machine);
  await ssm.send(new PutParameterCommand({
    Name: LOCK, Type: 'String', Overwrite: true,
    Value: JSON.stringify({ executionArn, expiresAt: '2099-01-01T00:00:00.000Z', acquiredAt: new Date().toISOString(), stackName: 'cli-test' }),
  }));
  const refused = await cli('unlock', ...machine);
  expect(outputUnless(refused, 1)).toBe('');
  expect(refused.stderr).toContain(`lock ${LOCK} is held by ${executionArn}, which is RUNNING`);
  expect((await ssm.send(new GetParameterCommand({ Name: LOCK }))).Parameter?.Value).toContain(executionArn);

  const aborted = await cli('abort', ...machine, '--reason', 'maintenance window over');
  expect(outputUnless(aborted, 0)).toBe('');
  expect(aborted).toMatchObject({ stdout: `${executionArn}\n`, stderr: expect.stringContaining('rejected it, which takes the rollback path now') });
  const request = JSON.parse(String((await ssm.send(new GetParameterCommand({ Name: ABORT }))).Parameter?.Value));
  expect(request).toEqual({ executionArn, requestedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), by: 'test-operator', reason: 'maintenance window over' });
  // The execution waited on a task token, so the approval was rejected: it takes its own rollback path.
  expect(outputUnless(await cli('watch', '--execution', executionArn, '--interval', '1', '--timeout', '60'), 1)).toBe('');
  const events = (await sfn.send(new GetExecutionHistoryCommand({ executionArn }))).events ?? [];
  expect(events.find((e) => e.type === 'TaskFailed')?.taskFailedEventDetails).toMatchObject({ error: 'ApprovalRejected' });
  expect(events.some((e) => e.stateEnteredEventDetails?.name === 'Roll back')).toBe(true);

  // Its lock is left behind here (the test plays no lock release), as a stopped execution leaves it: unlock
  // frees it, and again finds it free.
  const freed = await cli('unlock', ...machine);
  expect(outputUnless(freed, 0)).toBe('');
  expect(freed.stderr).toContain('which is FAILED');
  await expect(ssm.send(new GetParameterCommand({ Name: LOCK }))).rejects.toMatchObject({ name: 'ParameterNotFound' });
  expect(await cli('unlock', ...machine)).toMatchObject({ code: 0, stderr: expect.stringContaining('is free') });
  // No running execution is left to abort.
  expect(await cli('abort', ...machine)).toMatchObject({ code: 1, stderr: expect.stringContaining('has no RUNNING execution') });
});
