import {
  CloudFormationClient, DescribeStackDriftDetectionStatusCommand, DescribeStackResourceDriftsCommand,
  DetectStackDriftCommand, StackResourceDrift,
} from '@aws-sdk/client-cloudformation';
import { describeStack } from '../shared/cfn-stack';
import { ClusterContext } from '../shared/context';
import { InvalidInputError, StackNotReadyError, StillInProgressError } from '../shared/errors';
import { Logger } from '../shared/log';
import { STARTABLE_STACK_STATUSES, isStartableStatus } from '../shared/stack-status';

export interface CheckStackReadyDeps {
  readonly cfn: CloudFormationClient;
  readonly log: Logger;
}

/**
 * Two calls of the same handler (a retried call must not start a second detection, and an error
 * carries no output, so the detection id travels in the input):
 * 1. without `driftDetectionId`: checks the stack status and starts DetectStackDrift; returns
 *    `{ ready: false, driftDetectionId }` (or `{ ready: true, drift: 'SKIPPED' }` with skipDriftDetection);
 * 2. with `driftDetectionId`: checks the status again and polls the detection; throws
 *    StillInProgressError while it runs (the state machine's Retry is the poll loop); returns
 *    `{ ready: true, drift: 'IN_SYNC' }`.
 */
export interface CheckStackReadyInput {
  readonly cluster: ClusterContext;
  readonly driftDetectionId?: string;
  /** Skip drift detection (it needs cloudformation:DetectStackDrift and read access to every resource). */
  readonly skipDriftDetection?: boolean;
}

export interface CheckStackReadyOutput {
  readonly stackName: string;
  readonly stackId: string;
  readonly stackStatus: string;
  readonly ready: boolean;
  readonly drift: 'DETECTING' | 'IN_SYNC' | 'SKIPPED';
  readonly driftDetectionId?: string;
  readonly warnings: string[];
}

/** How many drifted resources the error message lists. */
const MAX_LISTED = 20;

/**
 * Refuses (StackNotReadyError) a stack whose status an upgrade may not start from (see
 * shared/stack-status.ts: *_COMPLETE except ROLLBACK_COMPLETE and IMPORT_ROLLBACK_COMPLETE;
 * UPDATE_ROLLBACK_COMPLETE is accepted with a warning) or whose resources drifted from the template.
 */
export async function logic(deps: CheckStackReadyDeps, input: CheckStackReadyInput): Promise<CheckStackReadyOutput> {
  const stackName = input?.cluster?.stackName;
  if (typeof stackName !== 'string' || stackName === '') {
    throw new InvalidInputError(`cluster.stackName must be a non-empty string, got ${JSON.stringify(stackName)}`);
  }
  const stack = await describeStack(deps.cfn, stackName);
  const stackStatus = stack.StackStatus ?? 'UNKNOWN';
  const stackId = stack.StackId ?? stackName;
  if (!isStartableStatus(stackStatus)) {
    throw new StackNotReadyError(
      `stack ${stackName} is ${stackStatus}${stack.StackStatusReason ? ` (${stack.StackStatusReason})` : ''}; ` +
      `an upgrade starts only from ${STARTABLE_STACK_STATUSES.join(', ')}`,
    );
  }
  const warnings = stackStatus === 'UPDATE_ROLLBACK_COMPLETE'
    ? [`stack ${stackName} is UPDATE_ROLLBACK_COMPLETE: its last update failed and was rolled back`]
    : [];
  const base = { stackName, stackId, stackStatus, warnings };

  if (input.skipDriftDetection === true) {
    deps.log.warn('drift detection skipped', { stackName });
    return { ...base, ready: true, drift: 'SKIPPED' };
  }
  if (input.driftDetectionId === undefined) {
    const started = await deps.cfn.send(new DetectStackDriftCommand({ StackName: stackName }));
    deps.log.info('drift detection started', { stackName, driftDetectionId: started.StackDriftDetectionId });
    return { ...base, ready: false, drift: 'DETECTING', driftDetectionId: started.StackDriftDetectionId };
  }

  const driftDetectionId = input.driftDetectionId;
  const status = await deps.cfn.send(new DescribeStackDriftDetectionStatusCommand({ StackDriftDetectionId: driftDetectionId }));
  if (status.StackId && stack.StackId && status.StackId !== stack.StackId) {
    throw new InvalidInputError(`driftDetectionId ${driftDetectionId} belongs to ${status.StackId}, not to ${stack.StackId}`);
  }
  if (status.DetectionStatus === 'DETECTION_IN_PROGRESS') {
    throw new StillInProgressError(`drift detection ${driftDetectionId} on stack ${stackName} is still running`);
  }
  if (status.StackDriftStatus === 'DRIFTED') {
    const drifted = await driftedResources(deps.cfn, stackName);
    const listed = drifted.slice(0, MAX_LISTED).map(describeDrift).join('; ');
    const more = drifted.length > MAX_LISTED ? `; and ${drifted.length - MAX_LISTED} more` : '';
    throw new StackNotReadyError(
      `stack ${stackName} has drifted from its template (${status.DriftedStackResourceCount ?? drifted.length} ` +
      `resource(s)): ${listed}${more}. Bring the resources back to the template (or update the stack) first`,
    );
  }
  if (status.DetectionStatus === 'DETECTION_FAILED' || status.StackDriftStatus !== 'IN_SYNC') {
    throw new StackNotReadyError(
      `drift detection on stack ${stackName} did not finish (${status.DetectionStatus}, stack drift ` +
      `${status.StackDriftStatus ?? 'unknown'}${status.DetectionStatusReason ? `: ${status.DetectionStatusReason}` : ''}); ` +
      'fix its permissions or set skipDriftDetection',
    );
  }
  return { ...base, ready: true, drift: 'IN_SYNC', driftDetectionId };
}

async function driftedResources(cfn: CloudFormationClient, stackName: string): Promise<StackResourceDrift[]> {
  const out: StackResourceDrift[] = [];
  let NextToken: string | undefined;
  do {
    const page = await cfn.send(new DescribeStackResourceDriftsCommand({
      StackName: stackName,
      StackResourceDriftStatusFilters: ['MODIFIED', 'DELETED'],
      NextToken,
    }));
    out.push(...(page.StackResourceDrifts ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return out;
}

function describeDrift(d: StackResourceDrift): string {
  const paths = (d.PropertyDifferences ?? []).map((p) => `${p.PropertyPath} ${p.DifferenceType}`);
  return `${d.LogicalResourceId} (${d.ResourceType} ${d.PhysicalResourceId ?? '-'}) ${d.StackResourceDriftStatus}` +
    (paths.length > 0 ? ` [${paths.join(', ')}]` : '');
}
