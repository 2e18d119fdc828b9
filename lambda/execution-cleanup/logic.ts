import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { logic as keepMaster } from '../keep-master/logic';
import { describeStack, stackParameters } from '../shared/cfn-stack';
import { ClusterContext } from '../shared/context';
import { InvalidInputError } from '../shared/errors';
import { requireCluster, requireString, show } from '../shared/input-checks';
import { Logger } from '../shared/log';
import { requireParameterName, requireTopicArn } from '../shared/name-checks';
import { readJsonParameter } from '../shared/ssm-json';
import { ROLLBACK_FAILED_ERROR } from '../upgrade-lock/holder-status';
import { LockRecord, logic as upgradeLock } from '../upgrade-lock/logic';

export interface ExecutionCleanupDeps {
  readonly ssm: SSMClient;
  readonly sfn: SFNClient;
  readonly sns: SNSClient;
  readonly cfn: CloudFormationClient;
  readonly ec2: EC2Client;
  readonly autoScaling: AutoScalingClient;
  readonly log: Logger;
}

/** The rule's target input: the event's detail and what the procedure's construct baked in. */
export interface ExecutionCleanupInput {
  /** `detail` of the Step Functions "Execution Status Change" event. */
  readonly detail: { readonly executionArn: string; readonly status: string; readonly error?: string | null; readonly cause?: string | null };
  /** The target: stack, main group, data volume tags (keep-master's release). */
  readonly cluster: ClusterContext;
  readonly lockParameterName: string;
  readonly abortParameterName: string;
  readonly topicArn: string;
}

export interface ExecutionCleanupOutput {
  readonly executionArn: string;
  readonly status: string;
  /** released: it held the lock; kept: its rollback failed (an operator decides); not-held: nothing to do. */
  readonly lock: 'released' | 'kept' | 'not-held';
  /** Instances whose scale-in protection was turned off (main group). */
  readonly unprotected: string[];
  /** The stack as the execution left it (never changed here). */
  readonly stack?: { readonly status: string; readonly parameters: Record<string, string> };
  readonly published: boolean;
}

const ENDED_ABNORMALLY = ['ABORTED', 'TIMED_OUT', 'FAILED'];

/**
 * After an execution ended without its own cleanup (stopped from the console or the API, timed out, or
 * failed where no Catch applies): if it still holds the upgrade lock, release the lock and the master's
 * scale-in protection, leave the stack as it is, and publish what was done and the stack's status and
 * parameters. An execution whose rollback failed keeps its lock on purpose (a half-restored cluster: an
 * operator decides); one that released its lock itself (every rollback does) needs nothing. Idempotent:
 * a second delivery finds the lock no longer held and does nothing.
 */
export async function logic(deps: ExecutionCleanupDeps, input: ExecutionCleanupInput): Promise<ExecutionCleanupOutput> {
  const { executionArn, status } = checkInput(input);
  const base = { executionArn, status, unprotected: [] as string[] };
  const held = await readJsonParameter<LockRecord>(deps.ssm, input.lockParameterName);
  if (held?.value?.executionArn !== executionArn) {
    deps.log.info('execution ended without the lock; nothing to clean up', { executionArn, status });
    return { ...base, lock: 'not-held', published: false };
  }
  const stack = await stackNow(deps, input.cluster.stackName);
  if (status === 'FAILED' && input.detail.error === ROLLBACK_FAILED_ERROR) {
    await publish(deps, input, `rollback failed: lock ${input.lockParameterName} kept for an operator`, { ...base, lock: 'kept', stack });
    return { ...base, lock: 'kept', stack, published: true };
  }
  // Protection first: with the lock gone another upgrade may start, and it must find the group unprotected.
  const { unprotected } = await keepMaster(deps, { cluster: input.cluster, release: true });
  await upgradeLock(deps, {
    cluster: input.cluster, action: 'release', parameterName: input.lockParameterName, executionArn,
    abortParameterName: input.abortParameterName,
  });
  const out = { ...base, lock: 'released' as const, unprotected, stack };
  await publish(deps, input, `execution ${status}: lock released, stack left as it is (${stack.status})`, out);
  deps.log.warn('cleaned up after an execution that ended without its own cleanup', { ...out });
  return { ...out, published: true };
}

function checkInput(input: ExecutionCleanupInput): { executionArn: string; status: string } {
  if (typeof input?.detail !== 'object' || input.detail === null) {
    throw new InvalidInputError(`detail must be the event's detail object, got ${show(input?.detail)}`);
  }
  const executionArn = requireString(input.detail.executionArn, 'detail.executionArn');
  const status = requireString(input.detail.status, 'detail.status');
  if (!ENDED_ABNORMALLY.includes(status)) {
    throw new InvalidInputError(`detail.status must be one of ${ENDED_ABNORMALLY.join(', ')}, got ${show(status)}`);
  }
  requireCluster(input.cluster, ['dataVolumeName', 'environmentName', 'mainAutoScalingGroupName']);
  requireString(input.cluster.stackName, 'cluster.stackName');
  requireParameterName(input.lockParameterName, 'lockParameterName');
  requireParameterName(input.abortParameterName, 'abortParameterName');
  requireTopicArn(input.topicArn, 'topicArn');
  return { executionArn, status };
}

async function stackNow(deps: ExecutionCleanupDeps, stackName: string): Promise<{ status: string; parameters: Record<string, string> }> {
  const stack = await describeStack(deps.cfn, stackName);
  return { status: stack.StackStatus ?? 'UNKNOWN', parameters: stackParameters(stack) };
}

async function publish(deps: ExecutionCleanupDeps, input: ExecutionCleanupInput, summary: string, what: Omit<ExecutionCleanupOutput, 'published'>) {
  const name = input.detail.executionArn.split(':').pop();
  await deps.sns.send(new PublishCommand({
    TopicArn: input.topicArn,
    Subject: `Neo4j upgrade ${name}: ${what.status}, cleaned up`.slice(0, 99),
    Message: JSON.stringify({
      summary, ...what, error: input.detail.error ?? undefined, cause: input.detail.cause?.slice(0, 1000) ?? undefined,
      preUpgradeParameters: 'in the execution\'s history: output of "Preflight: record the pre-upgrade parameters"',
    }, null, 2),
  }));
}
