import { DescribeServicesCommand, ECSClient, Service } from '@aws-sdk/client-ecs';
import { ClusterContext } from '../shared/context';
import { InvalidInputError, PreconditionFailedError, StillInProgressError } from '../shared/errors';
import { requireString } from '../shared/input-checks';
import { Logger } from '../shared/log';

export interface EcsServicesSteadyDeps {
  readonly ecs: ECSClient;
  readonly log: Logger;
  /**
   * Local rehearsal only: runningCount per service name, used instead of what ECS reports. moto never
   * starts tasks (its runningCount is always 0, and its rolloutState stays IN_PROGRESS), so the rehearsal
   * plays the ECS agent through this: for a service given here, an IN_PROGRESS rollout counts as done
   * once the observed count reaches desiredCount (what ECS itself would report); FAILED still fails.
   * Deliberately a dependency and not an input field: an execution can never set it, and the deployed
   * Lambda (index.ts) leaves it undefined.
   */
  readonly observedRunningCounts?: Readonly<Record<string, number>>;
}

export type ServiceRole = 'main' | 'slave';

export interface EcsServicesSteadyInput {
  readonly cluster: ClusterContext;
  /** Which of the cluster's services to check. Default both. */
  readonly services?: ServiceRole[];
}

export interface ServiceState {
  readonly role: ServiceRole;
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
 * One poll: every service is steady when it has exactly one deployment, that deployment is PRIMARY
 * (with rolloutState COMPLETED where ECS reports one) and runningCount == desiredCount. Otherwise
 * StillInProgressError listing what each unsteady service is waiting for. A service that is missing or
 * not ACTIVE, or whose deployment rollout FAILED, is PreconditionFailedError (waiting will not help).
 */
export async function logic(deps: EcsServicesSteadyDeps, input: EcsServicesSteadyInput): Promise<EcsServicesSteadyOutput> {
  const cluster = input?.cluster;
  const roles = input?.services ?? ['main', 'slave'];
  if (!Array.isArray(roles) || roles.length === 0 || roles.some((r) => r !== 'main' && r !== 'slave')) {
    throw new InvalidInputError(`services must be a non-empty list of "main" and "slave", got ${JSON.stringify(input?.services)}`);
  }
  const names: Record<ServiceRole, unknown> = { main: cluster?.mainServiceName, slave: cluster?.slaveServiceName };
  for (const role of roles) requireString(names[role], `cluster.${role}ServiceName`);
  requireString(cluster?.ecsClusterName, 'cluster.ecsClusterName');

  const wanted = roles.map((role) => ({ role, name: names[role] as string }));
  const res = await deps.ecs.send(new DescribeServicesCommand({ cluster: cluster.ecsClusterName, services: wanted.map((w) => w.name) }));
  const failures = res.failures ?? [];
  if (failures.length > 0) {
    const list = failures.map((f) => `${f.arn}: ${f.reason}${f.detail ? ` (${f.detail})` : ''}`).join('; ');
    throw new PreconditionFailedError(`ECS services not found in cluster ${cluster.ecsClusterName}: ${list}`);
  }

  const states: ServiceState[] = [];
  const waiting: string[] = [];
  for (const { role, name } of wanted) {
    const svc = (res.services ?? []).find((s) => s.serviceName === name || s.serviceArn?.endsWith(`/${name}`));
    if (!svc) throw new PreconditionFailedError(`ECS service ${name} not found in cluster ${cluster.ecsClusterName}`);
    const state = judge(role, name, svc, deps.observedRunningCounts?.[name], waiting);
    states.push(state);
  }
  if (waiting.length > 0) {
    throw new StillInProgressError(`ECS services in ${cluster.ecsClusterName} not steady yet: ${waiting.join('; ')}`);
  }
  deps.log.info('ECS services steady', { services: states });
  return { ecsClusterName: cluster.ecsClusterName, services: states };
}

function judge(role: ServiceRole, name: string, svc: Service, observed: number | undefined, waiting: string[]): ServiceState {
  if (svc.status !== 'ACTIVE') throw new PreconditionFailedError(`ECS service ${name} is ${svc.status}, not ACTIVE`);
  const deployments = svc.deployments ?? [];
  const primary = deployments.find((d) => d.status === 'PRIMARY');
  if (primary?.rolloutState === 'FAILED') {
    throw new PreconditionFailedError(`ECS service ${name} deployment ${primary.id} failed: ${primary.rolloutStateReason ?? 'no reason given'}`);
  }
  const desiredCount = svc.desiredCount ?? 0;
  const runningCount = observed ?? svc.runningCount ?? 0;
  const problems: string[] = [];
  if (deployments.length !== 1) {
    problems.push(`${deployments.length} deployments (${deployments.map((d) => `${d.id} ${d.status}`).join(', ')})`);
  } else if (!primary) {
    problems.push(`its deployment is ${deployments[0].status}, not PRIMARY`);
  } else if (primary.rolloutState !== undefined && primary.rolloutState !== 'COMPLETED' && observed === undefined) {
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
