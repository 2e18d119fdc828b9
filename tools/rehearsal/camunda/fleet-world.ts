/**
 * The fleet's AWS side in moto (what the fleet's own stack would have deployed: VPC subnet, the IP target
 * group, the ECS cluster with one awsvpc service per node, the schema task definition, the RDS instance the
 * snapshot is taken of) and the harness's ECS agent seam: moto's ECS runs no containers, so the agent
 * reconciles each node's service with a real JVM. When a service's task definition names another engine
 * version, the agent waits for the node's HAProxy slot to drain, stops the JVM (and its moto task), starts
 * a JVM on the new version's jars, waits until its HTTP front answers (the container health check gating
 * RUNNING), and only then runs the moto task (startedBy = the deployment id, as ECS does) whose ENI address
 * is the node's target. The network seam (`get`) routes a request to a task's address to its JVM.
 */
import { CreateSubnetCommand, CreateVpcCommand } from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, DescribeTaskDefinitionCommand, RegisterTaskDefinitionCommand,
  RunTaskCommand, StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { CreateTargetGroupCommand, ModifyTargetGroupAttributesCommand, RegisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateDBInstanceCommand } from '@aws-sdk/client-rds';
import { CallHooks, CallInfo, ClientSet } from '../aws-clients';
import { CAMUNDA_ECS_CLUSTER } from '../apps/camunda-fleet-app';
import { EngineProcess } from './engine-process';
import { HaproxyFront } from './haproxy';

export const ENGINE_IMAGE = 'camunda/camunda-bpm-platform';
export const ENGINE_CONTAINER = 'camunda';
export const ENGINE_PORT = 8080;
export const SCHEMA_TASK_DEFINITION = 'camunda-schema-upgrade';
export const DEREGISTRATION_DELAY_SECONDS = 10;

export function imageOf(version: string): string {
  return `${ENGINE_IMAGE}:${version}`;
}

/** The fleet's resources in moto; the target group's ARN (moto's) is baked into the app by context. */
export async function createFleetInMoto(harness: ClientSet, nodes: ReadonlyArray<{ serviceName: string }>, fromVersion: string): Promise<{ targetGroupArn: string; subnet: string }> {
  const vpc = (await harness.ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }))).Vpc!.VpcId!;
  const subnet = (await harness.ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.20.1.0/24' }))).Subnet!.SubnetId!;
  const targetGroupArn = (await harness.elb.send(new CreateTargetGroupCommand({
    Name: 'camunda', Protocol: 'HTTP', Port: ENGINE_PORT, VpcId: vpc, TargetType: 'ip', HealthCheckPath: '/health',
  }))).TargetGroups![0].TargetGroupArn!;
  await harness.elb.send(new ModifyTargetGroupAttributesCommand({
    TargetGroupArn: targetGroupArn, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: String(DEREGISTRATION_DELAY_SECONDS) }],
  }));
  await harness.ecs.send(new CreateClusterCommand({ clusterName: CAMUNDA_ECS_CLUSTER }));
  await harness.ecs.send(new RegisterTaskDefinitionCommand({
    family: 'camunda-engine', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '512', memory: '1024',
    containerDefinitions: [{ name: ENGINE_CONTAINER, image: imageOf(fromVersion), essential: true, memory: 1024, portMappings: [{ containerPort: ENGINE_PORT }] }],
  }));
  await harness.ecs.send(new RegisterTaskDefinitionCommand({
    family: SCHEMA_TASK_DEFINITION, networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
    containerDefinitions: [{ name: 'schema', image: 'camunda-schema-upgrade:rehearsal', essential: true, memory: 512 }],
  }));
  for (const node of nodes) {
    await harness.ecs.send(new CreateServiceCommand({
      cluster: CAMUNDA_ECS_CLUSTER, serviceName: node.serviceName, taskDefinition: 'camunda-engine', desiredCount: 1, launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: [subnet], securityGroups: [] } },
    }));
  }
  await harness.rds.send(new CreateDBInstanceCommand({
    DBInstanceIdentifier: 'camunda-db', Engine: 'postgres', DBInstanceClass: 'db.t3.micro', AllocatedStorage: 20, MasterUsername: 'camunda', MasterUserPassword: 'camunda-pw-1',
  }));
  return { targetGroupArn, subnet };
}

/** One node's engine process and the moto task standing for it. */
interface NodeRun {
  readonly engine: EngineProcess;
  readonly taskDefinitionArn: string;
  readonly taskArn: string;
  readonly ip: string;
}

/** What the agent did to one node: the stop and start of its engine (epoch ms). */
export interface NodeRestart {
  readonly nodeId: string;
  readonly fromVersion: string;
  readonly toVersion: string;
  readonly drainStartedAt: number;
  readonly stoppedAt: number;
  readonly startedAt: number;
  readonly healthyAt: number;
  readonly drainMs: number;
  /** Sessions still open on the node's slot when the engine was stopped (0: drained). */
  readonly sessionsAtStop: number;
  /** The slot was still in service when ECS stopped the task: the procedure had not isolated the node. */
  readonly inServiceAtStop: boolean;
}

export interface EngineLauncher {
  start(nodeId: string, version: string): Promise<EngineProcess>;
}

/**
 * The ECS agent seam and the load balancer follower: both poll moto (the ECS services, the target group's
 * registrations) and drive the JVMs and HAProxy. `sync()` applies the registrations at once.
 */
export class FleetAgent {
  public readonly restarts: NodeRestart[] = [];
  /** HAProxy slot transitions: when each node went in or out of service, and why. */
  public readonly lbEvents: Array<{ at: number; nodeId: string; state: 'ready' | 'maint'; port?: number; version?: string }> = [];
  public readonly errors: string[] = [];
  private readonly runs = new Map<string, NodeRun>();
  private readonly slot = new Map<string, number | undefined>();
  private timer?: NodeJS.Timeout;
  private busy?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly harness: ClientSet,
    private readonly lb: HaproxyFront,
    private readonly launcher: EngineLauncher,
    private readonly nodes: ReadonlyArray<{ nodeId: string; serviceName: string }>,
    private readonly targetGroupArn: string,
    private readonly subnet: string,
    /** How long a new engine may take to pass its check before its task is given up (ECS replaces an unhealthy task). */
    private readonly healthTimeoutMs = 120_000,
  ) {}

  /**
   * The rollout as ECS reports it to the handlers (DescribeServices rewritten): a service's deployment is
   * IN_PROGRESS, with no task running, until the agent has the node's engine up and healthy on the service's
   * task definition. moto completes every rollout at once (MOTO_ECS_SERVICE_RUNNING), before any engine moved.
   */
  public readonly hooks: Pick<CallHooks, 'rewrite'> = {
    rewrite: (call: CallInfo, output: Record<string, unknown>) => {
      if (call.service !== 'ECS' || call.operation !== 'DescribeServices') return output;
      const services = (output.services as Array<Record<string, unknown>> | undefined) ?? [];
      return {
        ...output,
        services: services.map((service) => {
          const node = this.nodes.find((n) => n.serviceName === service.serviceName);
          if (!node) return service;
          const run = this.runs.get(node.nodeId);
          if (run && run.engine.running && run.taskDefinitionArn === service.taskDefinition) return service;
          const deployments = (service.deployments as Array<Record<string, unknown>> | undefined) ?? [];
          return {
            ...service, runningCount: 0, pendingCount: 1,
            deployments: deployments.map((d) => (d.status === 'PRIMARY' ? { ...d, rolloutState: 'IN_PROGRESS', runningCount: 0, pendingCount: 1 } : d)),
          };
        }),
      };
    },
  };

  /** Every node's engine on its service's version, its task running, registered and in HAProxy. */
  public async boot(): Promise<void> {
    await Promise.all(this.nodes.map((n) => this.reconcileNode(n)));
    await this.harness.elb.send(new RegisterTargetsCommand({
      TargetGroupArn: this.targetGroupArn, Targets: [...this.runs.values()].map((r) => ({ Id: r.ip, Port: ENGINE_PORT })),
    }));
    await this.sync();
  }

  public versions(): Record<string, string> {
    return Object.fromEntries(this.nodes.map((n) => [n.nodeId, this.runs.get(n.nodeId)?.engine.version ?? '-']));
  }

  /** Per node: its running engine's version ('-' when none), its task's address, whether its HAProxy slot is in service. */
  public view(): Record<string, { engine: string; ip?: string; inLoadBalancer: boolean }> {
    return Object.fromEntries(this.nodes.map((n) => {
      const run = this.runs.get(n.nodeId);
      const engine = run?.engine.running ? run.engine.version : '-';
      return [n.nodeId, { engine, ...(run && { ip: run.ip }), inLoadBalancer: this.slot.get(n.nodeId) !== undefined }];
    }));
  }

  /** The network seam: a request to a node task's address (moto's ENI address) goes to that node's JVM. */
  public readonly get = async (url: string, timeoutMs: number): Promise<{ status: number }> => {
    const u = new URL(url);
    const run = [...this.runs.values()].find((r) => r.ip === u.hostname && r.engine.running);
    if (!run) return { status: 0 };
    const res = await fetch(`http://127.0.0.1:${run.engine.port}${u.pathname}${u.search}`, { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return { status: res.status };
  };

  public startPolling(intervalMs = 150): void {
    const tick = () => {
      if (this.stopped) return;
      this.busy = this.reconcile().catch((e) => { this.errors.push(String((e as Error).message ?? e)); }).finally(() => {
        if (!this.stopped) this.timer = setTimeout(tick, intervalMs);
      });
    };
    tick();
  }

  public async stopPolling(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.busy;
  }

  public async shutdown(): Promise<void> {
    await this.stopPolling();
    await Promise.all([...this.runs.values()].map((r) => r.engine.stop(5_000)));
  }

  private async reconcile(): Promise<void> {
    await this.sync();
    for (const node of this.nodes) await this.reconcileNode(node);
    await this.sync();
  }

  /** HAProxy follows the target group: a slot is ready while its node's running task's address is registered. */
  public async sync(): Promise<void> {
    const { DescribeTargetHealthCommand } = await import('@aws-sdk/client-elastic-load-balancing-v2');
    const health = (await this.harness.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: this.targetGroupArn }))).TargetHealthDescriptions ?? [];
    const registered = new Set(health.filter((h) => h.TargetHealth?.State !== 'draining').map((h) => h.Target?.Id));
    for (const node of this.nodes) {
      const run = this.runs.get(node.nodeId);
      const want = run && run.engine.running && registered.has(run.ip) ? run.engine.port : undefined;
      if (want === this.slot.get(node.nodeId)) continue;
      if (want !== undefined) await this.lb.ready(node.nodeId, want);
      else await this.lb.maint(node.nodeId);
      this.slot.set(node.nodeId, want);
      this.lbEvents.push({ at: Date.now(), nodeId: node.nodeId, state: want === undefined ? 'maint' : 'ready', ...(want !== undefined && { port: want, version: run?.engine.version }) });
    }
  }

  private async reconcileNode(node: { nodeId: string; serviceName: string }): Promise<void> {
    const service = (await this.harness.ecs.send(new DescribeServicesCommand({ cluster: CAMUNDA_ECS_CLUSTER, services: [node.serviceName] }))).services![0];
    const deployment = service.deployments?.find((d) => d.status === 'PRIMARY') ?? service.deployments?.[0];
    const definition = (await this.harness.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: service.taskDefinition }))).taskDefinition!;
    const image = definition.containerDefinitions?.find((c) => c.name === ENGINE_CONTAINER)?.image ?? '';
    const version = image.split(':').pop() ?? '';
    const current = this.runs.get(node.nodeId);
    if (current && current.engine.version === version && current.engine.running) return;
    let restart: Partial<NodeRestart> | undefined;
    if (current) {
      restart = await this.drainAndStop(node.nodeId, current);
      await this.harness.ecs.send(new StopTaskCommand({ cluster: CAMUNDA_ECS_CLUSTER, task: current.taskArn, reason: 'replaced by the deployment' }));
      this.runs.delete(node.nodeId);
    }
    const startedAt = Date.now();
    const engine = await this.launcher.start(node.nodeId, version);
    // The container health check: the engine's front answers (the engine-level check is the procedure's).
    await engine.healthy(this.healthTimeoutMs, true).catch(async (e: Error) => {
      await engine.stop();
      throw e;
    });
    const task = (await this.harness.ecs.send(new RunTaskCommand({
      cluster: CAMUNDA_ECS_CLUSTER, taskDefinition: definition.taskDefinitionArn, startedBy: deployment?.id, launchType: 'FARGATE', group: `service:${node.serviceName}`,
      networkConfiguration: { awsvpcConfiguration: { subnets: [this.subnet], securityGroups: [] } },
    }))).tasks![0];
    const ip = task.attachments?.flatMap((a) => a.details ?? []).find((d) => d.name === 'privateIPv4Address')?.value ?? '';
    this.runs.set(node.nodeId, { engine, taskDefinitionArn: definition.taskDefinitionArn!, taskArn: task.taskArn!, ip });
    if (restart) this.restarts.push({ ...restart, toVersion: version, startedAt, healthyAt: Date.now() } as NodeRestart);
  }

  /**
   * ECS stops the old task when the service moves on; the ALB has drained it during the deregistration delay
   * (moto reports no draining). Here: the follower applies the registrations now, and the in-flight requests
   * on the node's slot finish (bounded by the deregistration delay) before SIGTERM.
   */
  private async drainAndStop(nodeId: string, run: NodeRun): Promise<Partial<NodeRestart>> {
    const drainStartedAt = Date.now();
    await this.sync();
    let sessions = (await this.lb.servers()).get(nodeId)?.sessions ?? 0;
    while (sessions > 0 && Date.now() - drainStartedAt < DEREGISTRATION_DELAY_SECONDS * 1000) {
      await new Promise((r) => setTimeout(r, 50));
      sessions = (await this.lb.servers()).get(nodeId)?.sessions ?? 0;
    }
    const inServiceAtStop = this.slot.get(nodeId) !== undefined;
    const drainMs = Date.now() - drainStartedAt;
    await run.engine.stop();
    return { nodeId, fromVersion: run.engine.version, drainStartedAt, stoppedAt: Date.now(), drainMs, sessionsAtStop: sessions, inServiceAtStop };
  }
}
