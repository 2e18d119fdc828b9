import {
  CloudFormationClient, DescribeStackDriftDetectionStatusCommand, DescribeStackDriftDetectionStatusCommandOutput,
  DescribeStackResourceDriftsCommand, DetectStackDriftCommand, StackResourceDrift, StackResourceDriftStatus,
} from '@aws-sdk/client-cloudformation';
import { describeStack } from '../shared/cfn-stack';
import { ClusterContext } from '../shared/context';
import { InvalidInputError, StackNotReadyError, StillInProgressError } from '../shared/errors';
import { requireString } from '../shared/input-checks';
import { Logger } from '../shared/log';
import { STARTABLE_STACK_STATUSES, isStartableStatus } from '../shared/stack-status';

export interface CheckStackReadyDeps {
  readonly cfn: CloudFormationClient;
  readonly log: Logger;
  readonly now?: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * One polling step (the state machine's Retry on StillInProgressError is the loop; the retried input
 * is always the same, so nothing can be carried from one attempt to the next):
 * 1. the stack status must be one an upgrade may start from (shared/stack-status.ts);
 * 2. drift: if every resource's latest drift check (DescribeStackResourceDrifts) is younger than
 *    `driftMaxAgeSeconds`, those results decide; otherwise DetectStackDrift starts a detection and this
 *    call polls it for up to `driftWaitSeconds`. Not finished by then -> StillInProgressError; the next
 *    attempt finds that detection's results through step 2 once it has finished (or starts another).
 * With `driftDetectionId` (a caller that keeps the id) that detection is polled once instead.
 */
export interface CheckStackReadyInput {
  readonly cluster: ClusterContext;
  readonly driftDetectionId?: string;
  /** Skip drift detection (it needs cloudformation:DetectStackDrift and read access to every resource). */
  readonly skipDriftDetection?: boolean;
  /** Drift results younger than this are used as they are. Default 600. */
  readonly driftMaxAgeSeconds?: number;
  /** How long one call waits for a detection it started (keep it under the Lambda timeout). Default 40. */
  readonly driftWaitSeconds?: number;
}

export interface CheckStackReadyOutput {
  readonly stackName: string;
  readonly stackId: string;
  readonly stackStatus: string;
  readonly ready: true;
  readonly drift: 'IN_SYNC' | 'SKIPPED';
  /** The detection this call started or polled; absent when recent results were reused. */
  readonly driftDetectionId?: string;
  readonly warnings: string[];
}

/** How many drifted resources the error message lists. */
const MAX_LISTED = 20;
const POLL_MS = 2000;

/**
 * Refuses (StackNotReadyError) a stack whose status an upgrade may not start from (*_COMPLETE except
 * ROLLBACK_COMPLETE and IMPORT_ROLLBACK_COMPLETE; UPDATE_ROLLBACK_COMPLETE is accepted with a warning)
 * or whose resources drifted from the template (listed in the message).
 */
export async function logic(deps: CheckStackReadyDeps, input: CheckStackReadyInput): Promise<CheckStackReadyOutput> {
  const stackName = requireString(input?.cluster?.stackName, 'cluster.stackName');
  const maxAge = seconds(input.driftMaxAgeSeconds, 'driftMaxAgeSeconds', 600, 0, 86400);
  const wait = seconds(input.driftWaitSeconds, 'driftWaitSeconds', 40, 0, 840);
  const now = deps.now ?? (() => new Date());
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));

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
  const ready = (drift: 'IN_SYNC' | 'SKIPPED', driftDetectionId?: string): CheckStackReadyOutput =>
    ({ stackName, stackId, stackStatus, ready: true, drift, ...(driftDetectionId && { driftDetectionId }), warnings });

  if (input.skipDriftDetection === true) {
    deps.log.warn('drift detection skipped', { stackName });
    return ready('SKIPPED');
  }
  if (input.driftDetectionId !== undefined) {
    const status = await detectionStatus(deps.cfn, input.driftDetectionId, stack.StackId);
    if (status.DetectionStatus === 'DETECTION_IN_PROGRESS') {
      throw new StillInProgressError(`drift detection ${input.driftDetectionId} on stack ${stackName} is still running`);
    }
    await judgeDetection(deps.cfn, stackName, status);
    return ready('IN_SYNC', input.driftDetectionId);
  }

  const recent = await recentDrifts(deps.cfn, stackName, now().getTime() - maxAge * 1000);
  if (recent) {
    const drifted = recent.filter(isDrifted);
    judgeResources(stackName, drifted, drifted.length);
    deps.log.info('recent drift results reused', { stackName, resources: recent.length });
    return ready('IN_SYNC');
  }
  const started = await deps.cfn.send(new DetectStackDriftCommand({ StackName: stackName }));
  const id = started.StackDriftDetectionId!;
  deps.log.info('drift detection started', { stackName, driftDetectionId: id });
  const deadline = now().getTime() + wait * 1000;
  for (;;) {
    const status = await detectionStatus(deps.cfn, id, stack.StackId);
    if (status.DetectionStatus !== 'DETECTION_IN_PROGRESS') {
      await judgeDetection(deps.cfn, stackName, status);
      return ready('IN_SYNC', id);
    }
    if (now().getTime() + POLL_MS > deadline) {
      throw new StillInProgressError(
        `drift detection ${id} on stack ${stackName} is still running; the next attempt uses its results once it has finished`,
      );
    }
    await sleep(POLL_MS);
  }
}

function seconds(value: unknown, field: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidInputError(`${field} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

async function detectionStatus(cfn: CloudFormationClient, id: string, stackId: string | undefined) {
  const status = await cfn.send(new DescribeStackDriftDetectionStatusCommand({ StackDriftDetectionId: id }));
  if (status.StackId && stackId && status.StackId !== stackId) {
    throw new InvalidInputError(`driftDetectionId ${id} belongs to ${status.StackId}, not to ${stackId}`);
  }
  return status;
}

async function judgeDetection(
  cfn: CloudFormationClient, stackName: string, status: DescribeStackDriftDetectionStatusCommandOutput,
): Promise<void> {
  if (status.StackDriftStatus === 'DRIFTED') {
    const drifted = await resourceDrifts(cfn, stackName, ['MODIFIED', 'DELETED']);
    judgeResources(stackName, drifted, status.DriftedStackResourceCount ?? drifted.length);
  }
  if (status.DetectionStatus === 'DETECTION_FAILED' || status.StackDriftStatus !== 'IN_SYNC') {
    throw new StackNotReadyError(
      `drift detection on stack ${stackName} did not finish (${status.DetectionStatus}, stack drift ` +
      `${status.StackDriftStatus ?? 'unknown'}${status.DetectionStatusReason ? `: ${status.DetectionStatusReason}` : ''}); ` +
      'fix its permissions or set skipDriftDetection',
    );
  }
}

function judgeResources(stackName: string, drifted: StackResourceDrift[], count: number): void {
  if (drifted.length === 0) return;
  const listed = drifted.slice(0, MAX_LISTED).map(describeDrift).join('; ');
  const more = drifted.length > MAX_LISTED ? `; and ${drifted.length - MAX_LISTED} more` : '';
  throw new StackNotReadyError(
    `stack ${stackName} has drifted from its template (${count} resource(s)): ${listed}${more}. ` +
    'Bring the resources back to the template (or update the stack) first',
  );
}

const isDrifted = (d: StackResourceDrift) => d.StackResourceDriftStatus === 'MODIFIED' || d.StackResourceDriftStatus === 'DELETED';

/** Every resource's latest drift result, if each checked one is newer than `since`; else undefined. */
async function recentDrifts(cfn: CloudFormationClient, stackName: string, since: number): Promise<StackResourceDrift[] | undefined> {
  const all = await resourceDrifts(cfn, stackName);
  const checked = all.filter((d) => d.StackResourceDriftStatus !== 'NOT_CHECKED');
  if (checked.length === 0) return undefined;
  return checked.every((d) => d.Timestamp !== undefined && d.Timestamp.getTime() >= since) ? checked : undefined;
}

async function resourceDrifts(
  cfn: CloudFormationClient, stackName: string, filter?: StackResourceDriftStatus[],
): Promise<StackResourceDrift[]> {
  const out: StackResourceDrift[] = [];
  let NextToken: string | undefined;
  do {
    const page = await cfn.send(new DescribeStackResourceDriftsCommand({
      StackName: stackName,
      ...(filter && { StackResourceDriftStatusFilters: filter }),
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
