import { SSMClient } from '@aws-sdk/client-ssm';
import {
  CancelUpdateStackCommand, Change, CloudFormationClient, CreateChangeSetCommand, DeleteChangeSetCommand,
  DescribeChangeSetCommand, DescribeStackEventsCommand, DescribeStacksCommand, ExecuteChangeSetCommand,
  ListChangeSetsCommand, UpdateStackCommand,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { memoryLogger } from '../../lambda/shared/log';
import { isTokenOfExecution, stackRequestToken } from '../../lambda/shared/stack-request-token';
import { CHANGE_SET_POLLS } from '../../lambda/update-stack/change-set';
import { GUARDED_RESOURCE_TYPES } from '../../lambda/update-stack/change-set-guard';
import { UpdateStackInput, logic } from '../../lambda/update-stack/logic';
import { INITIAL_PARAMETERS, awsError, clusterContext, describeStacksOutput } from './fixtures/upgrade-stack';

const cfnMock = mockClient(CloudFormationClient);
const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/neo4j-prod/1111';
const CS_ID = 'arn:aws:cloudformation:us-east-1:123456789012:changeSet/cs/2222';
const NOW = new Date('2026-06-01T12:00:00Z');
let log = memoryLogger();
let sleeps = 0;
const run = (input: Partial<UpdateStackInput>) => logic(
  { cfn: new CloudFormationClient({}), ssm: new SSMClient({}), log, now: () => NOW, sleep: async () => { sleeps++; } },
  { cluster: clusterContext('neo4j-prod'), executionName: 'run-1', stage: 'single-master', ...input } as UpdateStackInput,
);
const TOKEN = stackRequestToken('run-1', 'single-master');
const KEYS = Object.keys(INITIAL_PARAMETERS);

const RECREATION: Record<string, 'Always' | 'Conditionally' | 'Never'> = { True: 'Always', Conditional: 'Conditionally', False: 'Never' };
/** A resource change as DescribeChangeSet lists it; `cause` is the parameter the detail names. */
const change = (id: string, type: string, action: string, replacement?: string, cause?: string): Change => ({
  Type: 'Resource',
  ResourceChange: {
    Action: action as never, LogicalResourceId: id, ResourceType: type, PhysicalResourceId: `${id.toLowerCase()}-phys`,
    ...(replacement && { Replacement: replacement as never }),
    Details: cause ? [{
      Target: { Attribute: 'Properties', Name: `${id}Name`, RequiresRecreation: RECREATION[replacement ?? 'False'] },
      Evaluation: 'Static', ChangeSource: 'ParameterReference', CausingEntity: cause,
    }] : [],
  },
});
const ALLOWED = change('MainGroup', 'AWS::AutoScaling::AutoScalingGroup', 'Modify', 'False', 'DesiredCapacity');
const computed = (changes: Change[], extra: Record<string, unknown> = {}) => ({
  ChangeSetId: CS_ID, ChangeSetName: TOKEN, StackId: STACK_ID, Status: 'CREATE_COMPLETE' as const,
  ExecutionStatus: 'AVAILABLE' as const, Changes: changes, ...extra,
});

beforeEach(() => {
  cfnMock.reset();
  log = memoryLogger();
  sleeps = 0;
  cfnMock.on(DescribeStacksCommand).resolves(describeStacksOutput('neo4j-prod', 'UPDATE_COMPLETE'));
  cfnMock.on(ListChangeSetsCommand).resolves({ Summaries: [] });
  cfnMock.on(CreateChangeSetCommand).resolves({ Id: CS_ID, StackId: STACK_ID });
  cfnMock.on(DescribeChangeSetCommand).resolves(computed([ALLOWED]));
  cfnMock.on(ExecuteChangeSetCommand).resolves({});
  cfnMock.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
});

const nothingExecuted = () => {
  expect(cfnMock).toHaveReceivedCommandTimes(ExecuteChangeSetCommand, 0);
  expect(cfnMock).toHaveReceivedCommandTimes(UpdateStackCommand, 0);
};

describe('update-stack apply', () => {
  test('a change set with the overrides by role, UsePreviousValue for the rest, capabilities, named by the stage token; then that change set is executed', async () => {
    const out = await run({ parameters: { mode: 'SINGLE', allowUpgrade: 'True', maxSize: 1, desiredCapacity: 1 } });
    const requested = { Mode: 'SINGLE', AllowUpgrade: 'True', MaxSize: '1', DesiredCapacity: '1' };
    expect(out).toEqual({
      stackId: STACK_ID, changed: true, requestedParameters: requested, clientRequestToken: TOKEN,
      stage: 'single-master', mode: 'apply', requestedAt: '2026-06-01T12:00:00.000Z', alreadyStarted: false,
      changeSet: {
        name: TOKEN, id: CS_ID, changeCount: 1,
        changes: [{
          logicalResourceId: 'MainGroup', resourceType: 'AWS::AutoScaling::AutoScalingGroup', action: 'Modify',
          replacement: 'False', physicalResourceId: 'maingroup-phys', guarded: false,
          causes: ['MainGroupName (recreation Never) <- ParameterReference DesiredCapacity'],
        }],
      },
    });
    expect(cfnMock).toHaveReceivedCommandWith(CreateChangeSetCommand, {
      StackName: 'neo4j-prod',
      ChangeSetName: TOKEN,
      ChangeSetType: 'UPDATE',
      UsePreviousTemplate: true,
      Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'],
      Parameters: KEYS.map((k) => (k in requested
        ? { ParameterKey: k, ParameterValue: requested[k as keyof typeof requested] }
        : { ParameterKey: k, UsePreviousValue: true })),
    });
    expect(cfnMock).toHaveReceivedCommandWith(ExecuteChangeSetCommand, { ChangeSetName: CS_ID, StackName: 'neo4j-prod', ClientRequestToken: TOKEN });
    expect(cfnMock).toHaveReceivedCommandTimes(UpdateStackCommand, 0);
  });

  test('the token is valid for CloudFormation (and as a ChangeSetName), stable per (execution, stage) and differs between stages and modes', () => {
    const long = stackRequestToken(`arn:aws:states:us-east-1:1:execution:sm:${'x'.repeat(80)}_v2`, 'roll.image');
    expect(long).toMatch(/^[A-Za-z][-A-Za-z0-9]*$/);
    expect(long.length).toBeLessThanOrEqual(128);
    expect(TOKEN).toBe(stackRequestToken('run-1', 'single-master'));
    expect(TOKEN).toMatch(/^neo4j-upgrade-single-master-run-1-[0-9a-f]{16}$/);
    expect(isTokenOfExecution(TOKEN, 'run-1')).toBe(true);
    expect(isTokenOfExecution(stackRequestToken('run-1', 'other-stage'), 'run-1')).toBe(true);
    expect(isTokenOfExecution(TOKEN, 'run-2')).toBe(false);
    expect(isTokenOfExecution('Console-UpdateStack-7f59c3cf', 'run-1')).toBe(false);
    expect(isTokenOfExecution(undefined, 'run-1')).toBe(false);
    expect(stackRequestToken('run-1', 'ha-master')).not.toBe(TOKEN);
    expect(stackRequestToken('run-1', 'rollback-single-master')).not.toBe(TOKEN);
    expect(stackRequestToken('run_1', 's')).not.toBe(stackRequestToken('run-1', 's'));
  });

  test('"No updates are to be performed" from CreateChangeSet is success with changed: false', async () => {
    cfnMock.on(CreateChangeSetCommand).rejects(awsError('ValidationError', 'No updates are to be performed.'));
    await expect(run({ parameters: { dockerImage: 'neo4j:3.5.34-enterprise' } }))
      .resolves.toMatchObject({ changed: false, alreadyStarted: false, requestedParameters: { DockerImage: 'neo4j:3.5.34-enterprise' } });
    nothingExecuted();
  });

  test('a FAILED change set that "didn\'t contain changes" is changed: false; any other FAILED one is InvalidInputError naming its reason', async () => {
    cfnMock.on(DescribeChangeSetCommand).resolves(computed([], {
      Status: 'FAILED', ExecutionStatus: 'UNAVAILABLE',
      StatusReason: "The submitted information didn't contain changes. Submit different information to create a change set.",
    }));
    const out = await run({ parameters: { mode: 'HA' } });
    expect(out).toMatchObject({ changed: false, alreadyStarted: false });
    expect(out.changeSet).toBeUndefined();
    cfnMock.on(DescribeChangeSetCommand).resolves(computed([], {
      Status: 'FAILED', ExecutionStatus: 'UNAVAILABLE', StatusReason: 'Parameter MaxSize must be a number',
    }));
    await expect(run({ parameters: { maxSize: 'x' } })).rejects.toMatchObject({
      name: 'InvalidInputError', message: expect.stringMatching(/change set neo4j-upgrade-single-master-.* failed: Parameter MaxSize must be a number/),
    });
    nothingExecuted();
  });

  test('"No updates" after this token\'s update already ran: changed, alreadyStarted', async () => {
    cfnMock.on(CreateChangeSetCommand).rejects(awsError('ValidationError', 'No updates are to be performed.'));
    cfnMock.on(DescribeStackEventsCommand)
      .resolvesOnce({ NextToken: 'p2', StackEvents: [{ StackId: STACK_ID, EventId: '1', StackName: 'neo4j-prod', Timestamp: NOW, ClientRequestToken: 'other' }] })
      .resolvesOnce({ StackEvents: [{ StackId: STACK_ID, EventId: '2', StackName: 'neo4j-prod', Timestamp: NOW, ClientRequestToken: TOKEN }] });
    await expect(run({ parameters: { mode: 'SINGLE' } })).resolves.toMatchObject({ changed: true, alreadyStarted: true });
    expect(cfnMock).toHaveReceivedCommandWith(DescribeStackEventsCommand, { StackName: 'neo4j-prod', NextToken: 'p2' });
  });

  test('already UPDATE_IN_PROGRESS with our token: treated as started, no change set', async () => {
    cfnMock.on(DescribeStacksCommand).resolves(describeStacksOutput('neo4j-prod', 'UPDATE_IN_PROGRESS'));
    cfnMock.on(DescribeStackEventsCommand).resolves({
      StackEvents: [{ StackId: STACK_ID, EventId: '1', StackName: 'neo4j-prod', Timestamp: NOW, ClientRequestToken: TOKEN }],
    });
    await expect(run({ parameters: { mode: 'SINGLE' } })).resolves.toMatchObject({ changed: true, alreadyStarted: true });
    expect(cfnMock).toHaveReceivedCommandTimes(CreateChangeSetCommand, 0);
    nothingExecuted();
  });

  test('in progress because of someone else: StackNotReadyError, no change set', async () => {
    cfnMock.on(DescribeStacksCommand).resolves(describeStacksOutput('neo4j-prod', 'UPDATE_IN_PROGRESS'));
    await expect(run({ parameters: { mode: 'SINGLE' } }))
      .rejects.toMatchObject({ name: 'StackNotReadyError', message: expect.stringMatching(/UPDATE_IN_PROGRESS \(another operation\)/) });
    expect(cfnMock).toHaveReceivedCommandTimes(CreateChangeSetCommand, 0);
    nothingExecuted();
  });

  test('a state that cannot be updated is StackNotReadyError; TokenAlreadyExists on execute is "already started"', async () => {
    cfnMock.on(CreateChangeSetCommand).rejects(awsError('ValidationError',
      'Stack:arn:... is in UPDATE_ROLLBACK_FAILED state and can not be updated.'));
    await expect(run({ parameters: { mode: 'SINGLE' } }))
      .rejects.toMatchObject({ name: 'StackNotReadyError', message: expect.stringMatching(/UPDATE_ROLLBACK_FAILED state/) });
    cfnMock.on(CreateChangeSetCommand).resolves({ Id: CS_ID, StackId: STACK_ID });
    cfnMock.on(ExecuteChangeSetCommand).rejects(awsError('TokenAlreadyExistsException', 'token exists'));
    await expect(run({ parameters: { mode: 'SINGLE' } })).resolves.toMatchObject({ changed: true, alreadyStarted: true });
  });

  test('an execute refused because the change set was executed meanwhile: started if our token shows, else StackNotReadyError', async () => {
    cfnMock.on(ExecuteChangeSetCommand).rejects(awsError('InvalidChangeSetStatusException', 'ChangeSet cannot be executed in its current status of [EXECUTE_COMPLETE]'));
    await expect(run({ parameters: { mode: 'SINGLE' } })).rejects.toMatchObject({ name: 'StackNotReadyError', message: expect.stringMatching(/cannot be executed now/) });
    cfnMock.on(DescribeStackEventsCommand).resolves({
      StackEvents: [{ StackId: STACK_ID, EventId: '1', StackName: 'neo4j-prod', Timestamp: NOW, ClientRequestToken: TOKEN }],
    });
    await expect(run({ parameters: { mode: 'SINGLE' } })).resolves.toMatchObject({ changed: true, alreadyStarted: true });
  });

  test('other errors pass through by name', async () => {
    cfnMock.on(CreateChangeSetCommand).rejects(awsError('InsufficientCapabilitiesException', 'Requires capabilities'));
    await expect(run({ parameters: { mode: 'SINGLE' } })).rejects.toMatchObject({ name: 'InsufficientCapabilitiesException' });
    nothingExecuted();
  });

  test.each([
    [{ parameters: {} }, /parameters must name at least one parameter/],
    [{ parameters: { image: 'x' } }, /parameters\.image is not a parameter role; known: dockerImage, mode/],
    [{ parameters: { allowUpgrade: true } }, /parameters\.allowUpgrade must be a string or a number, got true/],
    [{ stage: 'bad stage!', parameters: { mode: 'HA' } }, /stage must be 1-64 characters/],
    [{ executionName: '', parameters: { mode: 'HA' } }, /executionName must be a non-empty string/],
    [{ mode: 'undo' }, /mode must be "apply" or "rollback", got "undo"/],
    [{ mode: 'rollback' }, /restore must be the recorded parameters/],
    [{ mode: 'rollback', restore: { Mode: 1 } }, /restore\.Mode must be a string/],
    [{ parameters: { mode: 'HA' }, guard: ['AWS::EFS::FileSystem'] }, /guard must be an object with resourceTypes and\/or logicalResourceIds, got \["AWS::EFS::FileSystem"\]/],
    [{ parameters: { mode: 'HA' }, guard: { resourceTypes: 'AWS::EFS::FileSystem' } }, /guard\.resourceTypes must be a list, got "AWS::EFS::FileSystem"/],
    [{ parameters: { mode: 'HA' }, guard: { resourceTypes: ['EFS'] } }, /guard\.resourceTypes\[0\] must be a resource type like AWS::EFS::FileSystem, got "EFS"/],
    [{ parameters: { mode: 'HA' }, guard: { logicalResourceIds: ['Data', 'bad-id'] } }, /guard\.logicalResourceIds\[1\] must be an alphanumeric logical id, got "bad-id"/],
  ])('%j is InvalidInputError before any call', async (input, message) => {
    await expect(run(input as Partial<UpdateStackInput>)).rejects.toMatchObject({ name: 'InvalidInputError', message: expect.stringMatching(message) });
    expect(cfnMock.calls()).toHaveLength(0);
  });

  test('a role whose key the stack lacks is InvalidInputError, no change set', async () => {
    const params = { ...INITIAL_PARAMETERS };
    delete params.SlaveMode;
    cfnMock.on(DescribeStacksCommand).resolves(describeStacksOutput('neo4j-prod', 'UPDATE_COMPLETE', params));
    await expect(run({ parameters: { slaveMode: 'SINGLE' } }))
      .rejects.toMatchObject({ name: 'InvalidInputError', message: expect.stringMatching(/parameters\.slaveMode maps to "SlaveMode", which stack neo4j-prod does not have/) });
    expect(cfnMock).toHaveReceivedCommandTimes(CreateChangeSetCommand, 0);
  });
});

describe('update-stack change-set guard', () => {
  test.each(GUARDED_RESOURCE_TYPES.map((t) => [t]))('a replacement of %s is refused before anything is executed; the change set is kept', async (type) => {
    cfnMock.on(DescribeChangeSetCommand).resolves(computed([ALLOWED, change('Guarded', type, 'Modify', 'True', 'EnvironmentName')]));
    const err = await run({ parameters: { mode: 'SINGLE' } }).catch((e: Error) => e);
    expect(err).toMatchObject({ name: 'ChangeSetRefusedError' });
    expect((err as Error).message).toContain(`stage single-master: change set ${TOKEN} of stack neo4j-prod refused, nothing executed`);
    expect((err as Error).message).toContain(
      `Guarded (${type} guarded-phys): Modify with Replacement True; caused by GuardedName (recreation Always) <- ParameterReference EnvironmentName`);
    expect((err as Error).message).not.toContain('MainGroup');
    nothingExecuted();
    expect(cfnMock).toHaveReceivedCommandTimes(DeleteChangeSetCommand, 0);
    expect(log.lines).toContainEqual(expect.objectContaining({ level: 'ERROR', message: 'change set refused' }));
  });

  test('Replacement Conditional and Remove are refused too, each named', async () => {
    cfnMock.on(DescribeChangeSetCommand).resolves(computed([
      change('DataKey', 'AWS::KMS::Key', 'Modify', 'Conditional', 'KeySpec'),
      change('AdminSecret', 'AWS::SecretsManager::Secret', 'Remove'),
    ]));
    await expect(run({ parameters: { mode: 'SINGLE' } })).rejects.toMatchObject({
      name: 'ChangeSetRefusedError',
      message: expect.stringMatching(/DataKey \(AWS::KMS::Key datakey-phys\): Modify with Replacement Conditional; caused by DataKeyName \(recreation Conditionally\) <- ParameterReference KeySpec; AdminSecret \(AWS::SecretsManager::Secret adminsecret-phys\): Remove$/),
    });
    nothingExecuted();
  });

  test('in-place changes of guarded types, replacements of unguarded ones and additions are allowed', async () => {
    cfnMock.on(DescribeChangeSetCommand).resolves(computed([
      ALLOWED,
      change('MainService', 'AWS::ECS::Service', 'Modify', 'False', 'DockerImage'),
      change('TaskDef', 'AWS::ECS::TaskDefinition', 'Modify', 'True', 'DockerImage'),
      change('NewKey', 'AWS::KMS::Key', 'Add'),
    ]));
    const out = await run({ parameters: { dockerImage: 'neo4j:3.5.35-enterprise' } });
    expect(out).toMatchObject({ changed: true, alreadyStarted: false });
    expect(out.changeSet?.changes.map((c) => [c.logicalResourceId, c.guarded])).toEqual([
      ['MainGroup', false], ['MainService', false], ['TaskDef', false], ['NewKey', false],
    ]);
    expect(cfnMock).toHaveReceivedCommandTimes(ExecuteChangeSetCommand, 1);
  });

  test('the input adds resource types and logical ids to guard', async () => {
    cfnMock.on(DescribeChangeSetCommand).resolves(computed([change('Files', 'AWS::EFS::FileSystem', 'Modify', 'True', 'EnvironmentName')]));
    await expect(run({ parameters: { mode: 'SINGLE' } })).resolves.toMatchObject({ changed: true });
    await expect(run({ parameters: { mode: 'SINGLE' }, guard: { resourceTypes: ['AWS::EFS::FileSystem'] } }))
      .rejects.toMatchObject({ name: 'ChangeSetRefusedError', message: expect.stringMatching(/Files \(AWS::EFS::FileSystem/) });
    await expect(run({ parameters: { mode: 'SINGLE' }, guard: { logicalResourceIds: ['Files'] } }))
      .rejects.toMatchObject({ name: 'ChangeSetRefusedError' });
  });

  test('every page of changes is read: a guarded change on page 2 is refused', async () => {
    cfnMock.on(DescribeChangeSetCommand)
      .resolvesOnce(computed([ALLOWED], { NextToken: 'c2' }))
      .resolvesOnce(computed([change('Ecs', 'AWS::ECS::Cluster', 'Modify', 'True', 'EnvironmentName')]));
    await expect(run({ parameters: { mode: 'SINGLE' } })).rejects.toMatchObject({ name: 'ChangeSetRefusedError', message: expect.stringMatching(/Ecs \(AWS::ECS::Cluster/) });
    expect(cfnMock).toHaveReceivedCommandWith(DescribeChangeSetCommand, { ChangeSetName: CS_ID, NextToken: 'c2' });
    nothingExecuted();
  });

  test('a change set too long to read in full is refused in apply', async () => {
    cfnMock.on(DescribeChangeSetCommand).resolves(computed([ALLOWED], { NextToken: 'more' }));
    await expect(run({ parameters: { mode: 'SINGLE' } })).rejects.toMatchObject({
      name: 'ChangeSetRefusedError', message: expect.stringMatching(/only the first 50 changes could be read/),
    });
    nothingExecuted();
  });

  test('a retry reuses its change set (found by name on the second page of ListChangeSets), never creating a second', async () => {
    cfnMock.on(ListChangeSetsCommand)
      .resolvesOnce({ NextToken: 'l2', Summaries: [{ ChangeSetName: 'someone-elses', ChangeSetId: 'arn:other' }] })
      .resolvesOnce({ Summaries: [{ ChangeSetName: TOKEN, ChangeSetId: CS_ID }] });
    await expect(run({ parameters: { mode: 'SINGLE' } })).resolves.toMatchObject({ changed: true, alreadyStarted: false });
    expect(cfnMock).toHaveReceivedCommandWith(ListChangeSetsCommand, { StackName: 'neo4j-prod', NextToken: 'l2' });
    expect(cfnMock).toHaveReceivedCommandTimes(CreateChangeSetCommand, 0);
    expect(cfnMock).toHaveReceivedCommandWith(ExecuteChangeSetCommand, { ChangeSetName: CS_ID });
  });

  test('a refused stage retried is refused again from the same change set', async () => {
    cfnMock.on(DescribeChangeSetCommand).resolves(computed([change('Ecs', 'AWS::ECS::Cluster', 'Modify', 'True', 'EnvironmentName')]));
    await expect(run({ parameters: { mode: 'SINGLE' } })).rejects.toMatchObject({ name: 'ChangeSetRefusedError' });
    cfnMock.on(ListChangeSetsCommand).resolves({ Summaries: [{ ChangeSetName: TOKEN, ChangeSetId: CS_ID }] });
    await expect(run({ parameters: { mode: 'SINGLE' } })).rejects.toMatchObject({ name: 'ChangeSetRefusedError' });
    expect(cfnMock).toHaveReceivedCommandTimes(CreateChangeSetCommand, 1);
    nothingExecuted();
  });

  test('a change set created by a concurrent invocation (AlreadyExists) is found and used', async () => {
    cfnMock.on(ListChangeSetsCommand)
      .resolvesOnce({ Summaries: [] })
      .resolvesOnce({ Summaries: [{ ChangeSetName: TOKEN, ChangeSetId: CS_ID }] });
    cfnMock.on(CreateChangeSetCommand).rejects(awsError('AlreadyExistsException', `ChangeSet ${TOKEN} already exists`));
    await expect(run({ parameters: { mode: 'SINGLE' } })).resolves.toMatchObject({ changed: true, changeSet: { id: CS_ID } });
    expect(cfnMock).toHaveReceivedCommandTimes(ExecuteChangeSetCommand, 1);
  });

  test('waits for CREATE_COMPLETE in-process; still computing after the budget is StillInProgressError and nothing runs', async () => {
    cfnMock.on(DescribeChangeSetCommand)
      .resolvesOnce(computed([], { Status: 'CREATE_PENDING', ExecutionStatus: 'UNAVAILABLE' }))
      .resolvesOnce(computed([], { Status: 'CREATE_IN_PROGRESS', ExecutionStatus: 'UNAVAILABLE' }))
      .resolves(computed([ALLOWED]));
    await expect(run({ parameters: { mode: 'SINGLE' } })).resolves.toMatchObject({ changed: true });
    expect(sleeps).toBe(2);

    cfnMock.reset();
    cfnMock.on(DescribeStacksCommand).resolves(describeStacksOutput('neo4j-prod', 'UPDATE_COMPLETE'));
    cfnMock.on(ListChangeSetsCommand).resolves({ Summaries: [{ ChangeSetName: TOKEN, ChangeSetId: CS_ID }] });
    cfnMock.on(DescribeChangeSetCommand).resolves(computed([], { Status: 'CREATE_IN_PROGRESS', ExecutionStatus: 'UNAVAILABLE' }));
    await expect(run({ parameters: { mode: 'SINGLE' } })).rejects.toMatchObject({
      name: 'StillInProgressError', message: expect.stringMatching(/is still CREATE_IN_PROGRESS/),
    });
    expect(cfnMock).toHaveReceivedCommandTimes(DescribeChangeSetCommand, CHANGE_SET_POLLS);
    nothingExecuted();
  });

  test('a change set already executing or executed is "already started"; an OBSOLETE one is StackNotReadyError', async () => {
    cfnMock.on(ListChangeSetsCommand).resolves({ Summaries: [{ ChangeSetName: TOKEN, ChangeSetId: CS_ID }] });
    cfnMock.on(DescribeChangeSetCommand).resolves(computed([ALLOWED], { ExecutionStatus: 'EXECUTE_IN_PROGRESS' }));
    await expect(run({ parameters: { mode: 'SINGLE' } })).resolves.toMatchObject({ changed: true, alreadyStarted: true, changeSet: { id: CS_ID } });
    cfnMock.on(DescribeChangeSetCommand).resolves(computed([ALLOWED], { ExecutionStatus: 'OBSOLETE' }));
    await expect(run({ parameters: { mode: 'SINGLE' } })).rejects.toMatchObject({ name: 'StackNotReadyError', message: expect.stringMatching(/is OBSOLETE; nothing executed/) });
    nothingExecuted();
  });
});

describe('update-stack rollback', () => {
  test('every recorded value is explicit except NoEcho ones; unknown keys are skipped; its own token', async () => {
    const restore = { ...INITIAL_PARAMETERS, AdminPassword: '****', Removed: 'x' };
    const out = await run({ mode: 'rollback', stage: 'single-master', restore });
    const explicit = { ...INITIAL_PARAMETERS } as Record<string, string>;
    delete explicit.AdminPassword;
    const token = stackRequestToken('run-1', 'rollback-single-master');
    expect(out).toMatchObject({ mode: 'rollback', changed: true, requestedParameters: explicit, skippedKeys: ['Removed'], clientRequestToken: token });
    expect(cfnMock).toHaveReceivedCommandWith(CreateChangeSetCommand, {
      ChangeSetName: token,
      UsePreviousTemplate: true,
      Parameters: KEYS.map((k) => (k === 'AdminPassword'
        ? { ParameterKey: k, UsePreviousValue: true }
        : { ParameterKey: k, ParameterValue: INITIAL_PARAMETERS[k] })),
    });
    expect(cfnMock).toHaveReceivedCommandWith(ExecuteChangeSetCommand, { ChangeSetName: CS_ID, ClientRequestToken: token });
  });

  test('is never refused: a guarded replacement is executed, reported in the output and logged as a warning', async () => {
    const replaced = change('Ecs', 'AWS::ECS::Cluster', 'Modify', 'True', 'EnvironmentName');
    cfnMock.on(DescribeChangeSetCommand).resolves(computed([ALLOWED, replaced]));
    const out = await run({ mode: 'rollback', stage: 'rollback', restore: { ...INITIAL_PARAMETERS } });
    expect(out).toMatchObject({ changed: true, alreadyStarted: false });
    expect(out.changeSet?.executedDespiteGuard).toEqual([expect.objectContaining({ logicalResourceId: 'Ecs', guarded: true, replacement: 'True' })]);
    expect(cfnMock).toHaveReceivedCommandTimes(ExecuteChangeSetCommand, 1);
    expect(log.lines).toContainEqual(expect.objectContaining({ level: 'WARN', message: 'rollback executes a change set the guard would refuse' }));
  });
});

describe('update-stack rollback while the stack is busy', () => {
  const restore = { ...INITIAL_PARAMETERS };
  const busy = (status: string, token: string) => {
    cfnMock.on(DescribeStacksCommand).resolves(describeStacksOutput('neo4j-prod', status));
    cfnMock.on(DescribeStackEventsCommand).resolves({
      StackEvents: [{ StackId: STACK_ID, EventId: '1', StackName: 'neo4j-prod', Timestamp: NOW, ClientRequestToken: token }],
    });
  };

  test('our own stage still updating (its wait timed out): cancelled, then StillInProgressError', async () => {
    busy('UPDATE_IN_PROGRESS', stackRequestToken('run-1', 'scaleOut'));
    await expect(run({ mode: 'rollback', stage: 'rollback', restore })).rejects.toMatchObject({
      name: 'StillInProgressError', message: expect.stringMatching(/cancelled the in-progress update neo4j-upgrade-scaleOut-run-1-/),
    });
    expect(cfnMock).toHaveReceivedCommandWith(CancelUpdateStackCommand, {
      StackName: 'neo4j-prod', ClientRequestToken: stackRequestToken('run-1', 'cancel-rollback'),
    });
    expect(cfnMock).toHaveReceivedCommandTimes(CreateChangeSetCommand, 0);
    nothingExecuted();
  });

  test('a cancel that comes too late (status moved on) still waits', async () => {
    busy('UPDATE_IN_PROGRESS', stackRequestToken('run-1', 'scaleOut'));
    cfnMock.on(CancelUpdateStackCommand).rejects(awsError('ValidationError', 'CancelUpdateStack cannot be called from current stack status'));
    await expect(run({ mode: 'rollback', stage: 'rollback', restore })).rejects.toMatchObject({ name: 'StillInProgressError' });
  });

  test('our stage rolling back: StillInProgressError without a cancel', async () => {
    busy('UPDATE_ROLLBACK_IN_PROGRESS', stackRequestToken('run-1', 'scaleOut'));
    await expect(run({ mode: 'rollback', stage: 'rollback', restore })).rejects.toMatchObject({
      name: 'StillInProgressError', message: expect.stringMatching(/UPDATE_ROLLBACK_IN_PROGRESS .*settled/),
    });
    expect(cfnMock).toHaveReceivedCommandTimes(CancelUpdateStackCommand, 0);
  });

  test('someone else\'s operation: StackNotReadyError, nothing cancelled', async () => {
    busy('UPDATE_IN_PROGRESS', 'Console-UpdateStack-7f59c3cf');
    await expect(run({ mode: 'rollback', stage: 'rollback', restore })).rejects.toMatchObject({ name: 'StackNotReadyError' });
    expect(cfnMock).toHaveReceivedCommandTimes(CancelUpdateStackCommand, 0);
  });

  test('apply never cancels', async () => {
    busy('UPDATE_IN_PROGRESS', stackRequestToken('run-1', 'scaleOut'));
    await expect(run({ parameters: { mode: 'HA' } })).rejects.toMatchObject({ name: 'StackNotReadyError' });
    expect(cfnMock).toHaveReceivedCommandTimes(CancelUpdateStackCommand, 0);
  });
});
