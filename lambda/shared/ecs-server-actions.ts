import {
  ContainerDefinition, DescribeServicesCommand, DescribeTaskDefinitionCommand, DescribeTasksCommand, ECSClient,
  ListTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, TaskDefinition, UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { PreconditionFailedError } from './errors';
import { RoleOrderedServer } from './role-ordered-context';
import { AUTO_UPGRADE_FLAG, ServerActions, ServerRun } from './server-actions';

/**
 * The server actions on ECS: each server is a service with desired count 1. Stop = desired count 0 until no
 * task runs; the upgrade run = RunTask of the service's task definition with the new image and the
 * auto-upgrade flag appended to the arangod container's command (found again by `startedBy`); start = the
 * service on a task definition with the new image and desired count 1 until its deployment completed.
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
    }
    const left = (service.runningCount ?? 0) + (service.pendingCount ?? 0);
    return { done: (service.desiredCount ?? 0) === 0 && left === 0, detail: `${left} task(s) still running` };
  }

  public async runAutoUpgrade(server: RoleOrderedServer, image: string, runId: string): Promise<ServerRun> {
    const startedBy = runId.slice(0, 128);
    const earlier = [
      ...(await this.ecs.send(new ListTasksCommand({ cluster: this.clusterName, startedBy, desiredStatus: 'RUNNING' }))).taskArns ?? [],
      ...(await this.ecs.send(new ListTasksCommand({ cluster: this.clusterName, startedBy, desiredStatus: 'STOPPED' }))).taskArns ?? [],
    ];
    if (earlier.length === 0) {
      const definition = await this.withImage(server, image);
      const container = this.container(definition);
      await this.ecs.send(new RunTaskCommand({
        cluster: this.clusterName, taskDefinition: definition.taskDefinitionArn, startedBy, count: 1,
        overrides: { containerOverrides: [{ name: container.name, command: [...(container.command ?? []), AUTO_UPGRADE_FLAG] }] },
      }));
      return { done: false, detail: 'upgrade run started' };
    }
    const tasks = (await this.ecs.send(new DescribeTasksCommand({ cluster: this.clusterName, tasks: earlier }))).tasks ?? [];
    const task = tasks[0];
    if (task?.lastStatus !== 'STOPPED') return { done: false, detail: `upgrade run ${task?.lastStatus ?? 'unknown'}` };
    const exit = task.containers?.find((c) => c.name === (this.containerName ?? c.name))?.exitCode;
    return { done: true, exitCode: exit ?? 1, detail: task.stoppedReason };
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
    const done = (service.runningCount ?? 0) === 1 && (primary?.rolloutState ?? 'COMPLETED') === 'COMPLETED';
    return { done, detail: `running ${service.runningCount}, rollout ${primary?.rolloutState}` };
  }

  private async service(server: RoleOrderedServer) {
    const out = await this.ecs.send(new DescribeServicesCommand({ cluster: this.clusterName, services: [server.serviceName] }));
    const service = out.services?.[0];
    if (!service) throw new PreconditionFailedError(`ECS service ${server.serviceName} of ${server.serverId} does not exist in ${this.clusterName}`);
    return service;
  }

  private async taskDefinition(server: RoleOrderedServer): Promise<TaskDefinition> {
    const service = await this.service(server);
    const out = await this.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: service.taskDefinition }));
    if (!out.taskDefinition) throw new PreconditionFailedError(`task definition ${service.taskDefinition} of ${server.serviceName} cannot be read`);
    return out.taskDefinition;
  }

  private container(definition: TaskDefinition): ContainerDefinition {
    const containers = definition.containerDefinitions ?? [];
    const found = this.containerName ? containers.find((c) => c.name === this.containerName) : containers.find((c) => c.essential !== false);
    if (!found) throw new PreconditionFailedError(`task definition ${definition.taskDefinitionArn} has no container ${this.containerName ?? '(essential)'}`);
    return found;
  }

  /** The service's task definition with the database container on `image` (registered once per image). */
  private async withImage(server: RoleOrderedServer, image: string): Promise<TaskDefinition> {
    const current = await this.taskDefinition(server);
    const container = this.container(current);
    if (container.image === image) return current;
    const out = await this.ecs.send(new RegisterTaskDefinitionCommand({
      family: current.family, taskRoleArn: current.taskRoleArn, executionRoleArn: current.executionRoleArn,
      networkMode: current.networkMode, volumes: current.volumes, placementConstraints: current.placementConstraints,
      requiresCompatibilities: current.requiresCompatibilities, cpu: current.cpu, memory: current.memory,
      containerDefinitions: (current.containerDefinitions ?? []).map((c) => (c.name === container.name ? { ...c, image } : c)),
    }));
    if (!out.taskDefinition) throw new PreconditionFailedError(`registering ${current.family} with ${image} returned no task definition`);
    return out.taskDefinition;
  }
}
