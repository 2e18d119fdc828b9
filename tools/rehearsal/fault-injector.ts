/**
 * Fires one execution's planned faults (types.ts FaultKind) at the task states they name, each at most
 * once: (a) the handler fails before it runs, (b) its first AWS call is throttled, (c) the stack update
 * its wait polls is rolled back, (d) the operator rejects the approval or never answers, (e) the operator
 * asks to abort, (f) a transient error outlasts the task's retries, (g) the Lambda's result is over Step
 * Functions' payload quota.
 */
import { UpdateStackCommand } from '@aws-sdk/client-cloudformation';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { PreconditionFailedError, TransientAwsError } from '../../lambda/shared/errors';
import { TRANSIENT_RETRY_ATTEMPTS } from '../../lib/private/transient-retry';
import { rollbackStatus } from './adaptations';
import { CallHooks, ClientSet } from './aws-clients';
import { TaskInfo } from './definition';
import { FaultSpec } from './types';
import { World } from './world';

/** Past the 262,144-byte payload quota whatever the real output is. */
const OVERSIZED_PADDING_BYTES = 270_000;

export type ApprovalDecision = 'approve' | 'reject' | 'timeout';

export class FaultInjector {
  public readonly fired: FaultSpec[] = [];
  /** (f): the attempts each armed fault has failed so far. */
  private readonly attempts = new Map<FaultSpec, number>();

  constructor(private readonly faults: FaultSpec[], private readonly say: (line: string) => void) {}

  /** (a): throws the non-retryable error instead of running the handler. */
  public failHandler(task: TaskInfo): void {
    const f = this.armed(task, 'handler-error');
    if (!f) return;
    this.fire(f, task);
    throw new PreconditionFailedError(`rehearsal fault (a): ${task.handler} failed in "${task.stateName}" (injected, not retryable)`);
  }

  /** (f): throws TransientAwsError at the first call and at every transient retry, then lets the next run. */
  public outlastRetries(task: TaskInfo): void {
    const f = this.armed(task, 'outlast-retries');
    if (!f) return;
    const attempt = (this.attempts.get(f) ?? 0) + 1;
    this.attempts.set(f, attempt);
    if (attempt > TRANSIENT_RETRY_ATTEMPTS) this.fire(f, task);
    throw new TransientAwsError(`rehearsal fault (f): ${task.handler} in "${task.stateName}" failed transiently, attempt ${attempt} of ${TRANSIENT_RETRY_ATTEMPTS + 1}`);
  }

  /** (b): the client hooks that throttle this invocation's first AWS call. */
  public throttleHooks(task: TaskInfo): Partial<CallHooks> {
    const f = this.armed(task, 'throttle');
    return f ? { throttleFirstCall: true, onThrottled: () => this.fire(f, task) } : {};
  }

  /**
   * (c): before a stack wait looks, CloudFormation "rolls back" the update it waits for: every parameter
   * put back to its value before that update, and UPDATE_ROLLBACK_COMPLETE reported until the next update.
   */
  public async rollBackStack(task: TaskInfo, world: World, harness: ClientSet, revertTo: Record<string, string>): Promise<void> {
    const f = task.handler === 'stack-status' ? this.armed(task, 'stack-rollback') : undefined;
    if (!f) return;
    await world.settle(600_000);
    this.say('  ! fault stack-rollback: CloudFormation "rolls back" the update (parameters put back) and reports UPDATE_ROLLBACK_COMPLETE');
    await revertStack(harness, world, revertTo);
    world.statusOverride = { status: 'UPDATE_ROLLBACK_COMPLETE', reason: 'rehearsal fault (c): the update failed and CloudFormation rolled it back' };
    world.note(rollbackStatus);
    this.fire(f, task);
  }

  /**
   * (e): before the state's handler runs, the operator asks this execution to abort: the abort request the
   * CLI would write, written through the harness's own SSM client. Returns the state it was written before.
   */
  public async requestAbort(task: TaskInfo, harness: ClientSet, abortParameterName: string, executionArn: string): Promise<string | undefined> {
    const f = this.armed(task, 'operator-abort');
    if (!f) return undefined;
    await harness.ssm.send(new PutParameterCommand({
      Name: abortParameterName, Type: 'String', Overwrite: true,
      Value: JSON.stringify({ executionArn, requestedAt: new Date().toISOString(), by: 'rehearsal operator', reason: `abort before "${task.stateName}"` }),
    }));
    this.fire(f, task);
    return task.stateName;
  }

  /**
   * (g): the handler's real output with padding that takes the Lambda response past 256 KiB; the
   * service-limit layer (limited-machine.ts) turns it into States.DataLimitExceeded as Step Functions does.
   */
  public oversizeResult(task: TaskInfo, output: unknown): unknown {
    const f = this.armed(task, 'oversized-result');
    if (!f) return output;
    this.fire(f, task);
    return { ...(output as Record<string, unknown>), rehearsalPadding: 'x'.repeat(OVERSIZED_PADDING_BYTES) };
  }

  /** (d): the operator's decision when a fault decides it, else undefined. */
  public approval(task: TaskInfo): ApprovalDecision | undefined {
    const f = this.armed(task, 'approval-reject') ?? this.armed(task, 'approval-timeout');
    if (!f) return undefined;
    this.fire(f, task);
    return f.kind === 'approval-reject' ? 'reject' : 'timeout';
  }

  private armed(task: TaskInfo, kind: FaultSpec['kind']): FaultSpec | undefined {
    return this.faults.find((f) => f.state === task.stateName && f.kind === kind && !this.fired.includes(f));
  }

  private fire(f: FaultSpec, task: TaskInfo): void {
    this.fired.push(f);
    this.say(`  ! fault ${f.kind} injected into "${task.stateName}"`);
  }
}

/** What CloudFormation does when an update fails: every parameter back to its value before the update. */
async function revertStack(harness: ClientSet, world: World, parameters: Record<string, string>): Promise<void> {
  const current = await world.parameters();
  await harness.cfn.send(new UpdateStackCommand({
    StackName: world.cluster.stackName,
    UsePreviousTemplate: true,
    Parameters: Object.keys(current).map((k) => ({ ParameterKey: k, ParameterValue: parameters[k] ?? current[k] })),
    Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'],
  })).catch((e: Error) => {
    if (!/No updates are to be performed/.test(e.message)) throw e;
  });
  const after = await world.recordParameters();
  world.afterStackChange(current, after);
  await world.idle();
}
