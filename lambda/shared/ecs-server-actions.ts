import {
  ContainerDefinition, DescribeServicesCommand, DescribeTaskDefinitionCommand, DescribeTasksCommand, ECSClient,
  ListTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, Service, StopTaskCommand, Task, TaskDefinition,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { PreconditionFailedError } from './errors';
import { RoleOrderedServer } from './role-ordered-context';
import { AUTO_UPGRADE_FLAG, ServerActions, ServerRun, isUpgradeRunOf } from './server-actions';
import { sameTaskDefinition, taskDefinitionWithImage } from './task-definition-image';

/**
 * The server actions on ECS: each server is a service with desired count 1.
 * - stop: desired count 0 (and any upgrade run of the server stopped) until every task of both has reached
 *   STOPPED: a task that is still stopping may hold the data directory's lock, and the upgrade run would
 *   exit 22 (EXIT_COULD_NOT_LOCK).
 * - the upgrade run: RunTask of the service's task definition with the new image, on the service's launch
 *   settings (capacity, network, placement: the task must land where the server's data volume is), the
 *   auto-upgrade flag appended to the database container's command; found again by its `startedBy`.
 * - start: the service on the task definition with the new image and desired count 1 until its deployment
 *   completed; a task of it that exited non-zero is reported with its exit code.
 */
export class EcsServerActions implements ServerActions {
  constructor(private readonly ecs: ECSClient, private readonly clusterName: string, private readonly containerName?: string) {}

  public async currentImage(server: RoleOrderedServer): Promise<string> {
    return this.container(await this.taskDefinition(server)).image ?? '';
  }

  public async stop(server: RoleOrderedServer): Promise<ServerRun> {
    const service = await this.service(server);
    if ((service.desiredCount ?? 0) !== 0) {
      await this.ecs.send(new UpdateServiceCommand({ cluster: this.clusterName, service: server.serviceName, desiredCount: 0 }));
      return { done: false, detail: 'desired count set to 0' };
    }
    const family = (await this.taskDefinition(server)).family ?? '';
    const runs = (await this.tasksOfFamily(family, 'RUNNING')).filter((t) => isUpgradeRunOf(t.startedBy, server.serverId) && t.lastStatus !== 'STOPPED');
    for (const run of runs) {
      await this.ecs.send(new StopTaskCommand({ cluster: this.clusterName, task: run.taskArn, reason: `${server.serverId} is being stopped` }));
    }
    const stopped = await this.tasksOfFamily(family, 'STOPPED');
    const stopping = stopped.filter((t) => (t.group === `service:${server.serviceName}` || isUpgradeRunOf(t.startedBy, server.serverId)) && t.lastStatus !== 'STOPPED');
    const left = (service.runningCount ?? 0) + (service.pendingCount ?? 0) + runs.length + stopping.length;
    return { done: left === 0, detail: `${left} task(s) not yet stopped` };
  }

  public async runAutoUpgrade(server: RoleOrderedServer, image: string, runId: string): Promise<ServerRun> {
    const service = await this.service(server);
    const current = await this.taskDefinition(server, service);
    // Listed by family and matched on startedBy: ListTasks takes startedBy only as its sole filter, and then
    // lists running tasks only. A stopped run is listed for at least an hour, far beyond the poll interval.
    const earlier = [...await this.tasksOfFamily(current.family ?? '', 'RUNNING'), ...await this.tasksOfFamily(current.family ?? '', 'STOPPED')]
      .filter((t) => t.startedBy === runId);
    const task = earlier[0];
    if (!task) return this.startUpgradeRun(service, current, image, runId);
    if (task.lastStatus !== 'STOPPED') return { done: false, detail: `upgrade run ${task.lastStatus ?? 'unknown'}` };
    const exitCode = task.containers?.find((c) => c.name === this.container(current).name)?.exitCode;
    return { done: true, ...(exitCode !== undefined && { exitCode }), detail: task.stoppedReason };
  }

  public async start(server: RoleOrderedServer, image: string): Promise<ServerRun> {
    const definition = await this.withImage(server, image);
    const service = await this.service(server);
    if (service.taskDefinition !== definition.taskDefinitionArn || (service.desiredCount ?? 0) !== 1) {
      await this.ecs.send(new UpdateServiceCommand({
        cluster: this.clusterName, service: server.serviceName, taskDefinition: definition.taskDefinitionArn, desiredCount: 1,
      }));
      return { done: false, detail: 'service updated' };
    }
    const primary = service.deployments?.find((d) => d.status === 'PRIMARY');
    if ((primary?.failedTasks ?? 0) > 0) {
      const failed = (await this.tasksOfFamily(definition.family ?? '', 'STOPPED'))
        .filter((t) => t.group === `service:${server.serviceName}` && t.taskDefinitionArn === definition.taskDefinitionArn && t.lastStatus === 'STOPPED')
        .map((t) => ({ t, exitCode: t.containers?.find((c) => c.name === this.container(definition).name)?.exitCode }))
        .find((f) => f.exitCode !== undefined && f.exitCode !== 0);
      if (failed) return { done: false, exitCode: failed.exitCode, detail: failed.t.stoppedReason };
    }
    const done = (service.runningCount ?? 0) === 1 && (primary?.rolloutState ?? 'COMPLETED') === 'COMPLETED';
    return { done, detail: `running ${service.runningCount}, rollout ${primary?.rolloutState}` };
  }

  private async startUpgradeRun(service: Service, current: TaskDefinition, image: string, runId: string): Promise<ServerRun> {
    const definition = await this.withImageFrom(current, image);
    const container = this.container(definition);
    const out = await this.ecs.send(new RunTaskCommand({
      cluster: this.clusterName, taskDefinition: definition.taskDefinitionArn, startedBy: runId, count: 1,
      ...(service.capacityProviderStrategy?.length ? { capacityProviderStrategy: service.capacityProviderStrategy } : { launchType: service.launchType }),
      networkConfiguration: service.networkConfiguration,
      placementConstraints: service.placementConstraints,
      placementStrategy: service.placementStrategy,
      overrides: { containerOverrides: [{ name: container.name, command: [...(container.command ?? []), AUTO_UPGRADE_FLAG] }] },
    }));
    if ((out.tasks ?? []).length > 0) return { done: false, detail: 'upgrade run started' };
    const reasons = (out.failures ?? []).map((f) => `${f.reason ?? 'unknown'}${f.detail ? ` (${f.detail})` : ''}`);
    // No room yet (resources, agent): asked again at the next poll. Anything else will not pass by waiting.
    if (reasons.length > 0 && reasons.every((r) => /^(RESOURCE:|AGENT)/.test(r))) return { done: false, detail: `upgrade run not placed: ${reasons.join('; ')}` };
    throw new PreconditionFailedError(`RunTask of ${definition.taskDefinitionArn} for ${service.serviceName} placed no task: ${reasons.join('; ') || 'no failure given'}`);
  }

  /** Tasks of the family (every revision) with that desired status, described. */
  private async tasksOfFamily(family: string, desiredStatus: 'RUNNING' | 'STOPPED'): Promise<Task[]> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.ecs.send(new ListTasksCommand({ cluster: this.clusterName, family, desiredStatus, nextToken }));
      arns.push(...page.taskArns ?? []);
      nextToken = page.nextToken;
    } while (nextToken);
    const tasks: Task[] = [];
    for (let i = 0; i < arns.length; i += 100) {
      tasks.push(...(await this.ecs.send(new DescribeTasksCommand({ cluster: this.clusterName, tasks: arns.slice(i, i + 100) }))).tasks ?? []);
    }
    return tasks;
  }

  private async service(server: RoleOrderedServer): Promise<Service> {
    const out = await this.ecs.send(new DescribeServicesCommand({ cluster: this.clusterName, services: [server.serviceName] }));
    const service = out.services?.[0];
    if (!service || service.status === 'INACTIVE') throw new PreconditionFailedError(`ECS service ${server.serviceName} of ${server.serverId} does not exist in ${this.clusterName}`);
    return service;
  }

  private async taskDefinition(server: RoleOrderedServer, known?: Service): Promise<TaskDefinition> {
    const service = known ?? await this.service(server);
    return this.describeTaskDefinition(service.taskDefinition ?? '', `of ${server.serviceName}`);
  }

  private async describeTaskDefinition(name: string, of: string): Promise<TaskDefinition> {
    const out = await this.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: name }));
    if (!out.taskDefinition) throw new PreconditionFailedError(`task definition ${name} ${of} cannot be read`);
    return out.taskDefinition;
  }

  private container(definition: TaskDefinition): ContainerDefinition {
    const containers = definition.containerDefinitions ?? [];
    const found = this.containerName ? containers.find((c) => c.name === this.containerName) : containers.find((c) => c.essential !== false);
    if (!found) throw new PreconditionFailedError(`task definition ${definition.taskDefinitionArn} has no container ${this.containerName ?? '(essential)'}`);
    return found;
  }

  /** The service's task definition with the database container on `image`. */
  private async withImage(server: RoleOrderedServer, image: string): Promise<TaskDefinition> {
    return this.withImageFrom(await this.taskDefinition(server), image);
  }

  /**
   * `current` with the database container on `image`: `current` itself, else the family's latest revision
   * when it is exactly that (a repeated call, or the upgrade run's revision reused by the start), else a
   * new revision. So the upgrade run and the start use one revision, and a retry registers none.
   */
  private async withImageFrom(current: TaskDefinition, image: string): Promise<TaskDefinition> {
    const container = this.container(current);
    if (container.image === image) return current;
    const wanted = taskDefinitionWithImage(current, container.name ?? '', image);
    const latest = await this.describeTaskDefinition(current.family ?? '', `(family of ${current.taskDefinitionArn})`);
    if (sameTaskDefinition(taskDefinitionWithImage(latest, container.name ?? '', image), wanted) && this.container(latest).image === image) return latest;
    const out = await this.ecs.send(new RegisterTaskDefinitionCommand(wanted));
    if (!out.taskDefinition) throw new PreconditionFailedError(`registering ${current.family} with ${image} returned no task definition`);
    return out.taskDefinition;
  }
}
