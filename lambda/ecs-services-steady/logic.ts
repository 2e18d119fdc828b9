import { DescribeServicesCommand, ECSClient, Service } from '@aws-sdk/client-ecs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { AbortCheck, optionalAbortCheck, stopIfAbortRequested } from '../shared/abort-request';
import { TargetContext } from '../shared/context';
import { InvalidInputError, PreconditionFailedError, StillInProgressError } from '../shared/errors';
import { requireString } from '../shared/input-checks';
import { Logger } from '../shared/log';
import { LookClock, LookOptions, lookOptions, lookUntilDone } from '../shared/look-until-done';

export interface EcsServicesSteadyDeps extends LookClock {
  readonly ecs: ECSClient;
  /** Reads the abort request (`abortRequest`). */
  readonly ssm: SSMClient;
  readonly log: Logger;
}

export interface EcsServicesSteadyInput {
  readonly cluster: Pick<TargetContext, 'ecsClusterName' | 'groups'>;
  /** Roles of the groups whose services to check. Default: every group that has a service. */
  readonly groups?: string[];
  /**
   * A safe point: with it, every look first reads the operator's abort request for this execution and
   * throws AbortRequestedError (the procedure's rollback) when there is one. Absent: not read.
   */
  readonly abortRequest?: AbortCheck;
  /** Look again every second within this invocation (written by the state machine); absent: one look. */
  readonly poll?: LookOptions;
}

export interface ServiceState {
  readonly role: string;
  readonly serviceName: string;
  readonly desiredCount: number;
  readonly runningCount: number;
  readonly taskDefinition?: string;
  readonly deploymentId?: string;
}

export interface EcsServicesSteadyOutput {
  readonly ecsClusterName: string;
  readonly services: ServiceState[];
}

/**
 * One look (or one every `poll.everySeconds` within `poll.withinSeconds`): every service is steady when
 * it has exactly one deployment, that deployment is PRIMARY (with rolloutState COMPLETED where ECS reports one) and runningCount == desiredCount. Otherwise
 * StillInProgressError listing what each unsteady service is waiting for. A service that is missing or
 * not ACTIVE, or whose deployment rollout FAILED, is PreconditionFailedError (waiting will not help).
 */
export async function logic(deps: EcsServicesSteadyDeps, input: EcsServicesSteadyInput): Promise<EcsServicesSteadyOutput> {
  const cluster = input?.cluster;
  requireString(cluster?.ecsClusterName, 'cluster.ecsClusterName');
  if (!Array.isArray(cluster.groups)) throw new InvalidInputError(`cluster.groups must be a list, got ${JSON.stringify(cluster.groups)}`);
  const withService = cluster.groups.filter((g) => typeof g?.serviceName === 'string' && g.serviceName !== '');
  if (withService.length === 0) throw new InvalidInputError('cluster.groups has no group with an ECS service: nothing to wait for');
  const roles = input.groups ?? withService.map((g) => g.role);
  if (!Array.isArray(roles) || roles.length === 0) {
    throw new InvalidInputError(`groups must be a non-empty list of group roles, got ${JSON.stringify(input.groups)}`);
  }
  const wanted = roles.map((role) => {
    const group = withService.find((g) => g.role === role);
    if (!group) {
      throw new InvalidInputError(`groups names ${JSON.stringify(role)}, which is not a group with an ECS service (${withService.map((g) => g.role).join(', ') || 'none'})`);
    }
    return { role, name: group.serviceName as string };
  });
  const abort = optionalAbortCheck(input.abortRequest);
  const poll = lookOptions(input.poll);
  return lookUntilDone(deps, poll, (e) => e instanceof StillInProgressError, () => look(deps, abort, cluster.ecsClusterName, wanted));
}

/** One look; the abort request is read on every look, so a loop of looks still stops within a second. */
async function look(
  deps: EcsServicesSteadyDeps, abort: AbortCheck | undefined, ecsClusterName: string, wanted: Array<{ role: string; name: string }>,
): Promise<EcsServicesSteadyOutput> {
  await stopIfAbortRequested(deps.ssm, deps.log, abort);
  const res = await deps.ecs.send(new DescribeServicesCommand({ cluster: ecsClusterName, services: wanted.map((w) => w.name) }));
  const failures = res.failures ?? [];
  if (failures.length > 0) {
    const list = failures.map((f) => `${f.arn}: ${f.reason}${f.detail ? ` (${f.detail})` : ''}`).join('; ');
    throw new PreconditionFailedError(`ECS services not found in cluster ${ecsClusterName}: ${list}`);
  }

  const states: ServiceState[] = [];
  const waiting: string[] = [];
  for (const { role, name } of wanted) {
    const svc = (res.services ?? []).find((s) => s.serviceName === name || s.serviceArn?.endsWith(`/${name}`));
    if (!svc) throw new PreconditionFailedError(`ECS service ${name} not found in cluster ${ecsClusterName}`);
    const state = judge(role, name, svc, waiting);
    states.push(state);
  }
  if (waiting.length > 0) {
    throw new StillInProgressError(`ECS services in ${ecsClusterName} not steady yet: ${waiting.join('; ')}`);
  }
  deps.log.info('ECS services steady', { services: states });
  return { ecsClusterName, services: states };
}

function judge(role: string, name: string, svc: Service, waiting: string[]): ServiceState {
  if (svc.status !== 'ACTIVE') throw new PreconditionFailedError(`ECS service ${name} is ${svc.status}, not ACTIVE`);
  const deployments = svc.deployments ?? [];
  const primary = deployments.find((d) => d.status === 'PRIMARY');
  if (primary?.rolloutState === 'FAILED') {
    throw new PreconditionFailedError(`ECS service ${name} deployment ${primary.id} failed: ${primary.rolloutStateReason ?? 'no reason given'}`);
  }
  const desiredCount = svc.desiredCount ?? 0;
  const runningCount = svc.runningCount ?? 0;
  const problems: string[] = [];
  if (deployments.length !== 1) {
    problems.push(`${deployments.length} deployments (${deployments.map((d) => `${d.id} ${d.status}`).join(', ')})`);
  } else if (!primary) {
    problems.push(`its deployment is ${deployments[0].status}, not PRIMARY`);
  } else if (primary.rolloutState !== undefined && primary.rolloutState !== 'COMPLETED') {
    problems.push(`rollout ${primary.rolloutState}${primary.rolloutStateReason ? ` (${primary.rolloutStateReason})` : ''}`);
  }
  if (runningCount !== desiredCount) problems.push(`running ${runningCount} of ${desiredCount}`);
  if (problems.length > 0) waiting.push(`${name}: ${problems.join(', ')}`);
  return {
    role, serviceName: name, desiredCount, runningCount,
    ...(svc.taskDefinition && { taskDefinition: svc.taskDefinition }),
    ...(primary?.id && { deploymentId: primary.id }),
  };
}
