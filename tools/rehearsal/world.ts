/**
 * What happens around the state machine in AWS, played by the harness for one deployed stack:
 * - after a stack update: new instances boot (claim script), and when DockerImage changed, ECS rolls the
 *   tasks (the real Neo4j restarts with the version playing the new image, on the same store, with the
 *   settings the synthesized task definition hands the master's container under the new parameters);
 * - the ECS agent: how many tasks of each daemon service run (moto runs none; adaptations.ts answers it);
 * - which member is the master (Enterprise clustering cannot run locally).
 * Every simulated answer is counted in `simulated` for the report.
 */
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import type { BoltConnect } from '../../lambda/shared/bolt';
import { CallInfo, ClientSet } from './aws-clients';
import { NodeIdentity } from './container-settings';
import { ContainerSettings, Neo4jPlayer } from './neo4j-player';
import { mainNodeStart } from './node-settings';
import { NodeFleet } from './nodes';
import { CfnTemplate } from './synth';
import { Simulated } from './types';
import { WaitEpisode, WaitEpisodes } from './wait-episodes';

export interface ClusterView {
  readonly stackName: string;
  /** The stack's ARN, as DescribeStacks gives it. */
  readonly stackId: string;
  readonly mainAutoScalingGroupName: string;
  readonly slaveAutoScalingGroupName: string;
  readonly mainServiceName: string;
  readonly slaveServiceName: string;
  readonly dockerImageParameter: string;
}

/** Where a node's container settings come from: the synthesized template and the credentials ECS injects. */
export interface SettingsSource {
  readonly template: CfnTemplate;
  readonly secrets: Readonly<Record<string, string>>;
}

/** What the Bolt seam answers for Enterprise clustering (the call adaptations carry their own, adaptations.ts). */
export const SIMULATED = {
  leader: {
    what: 'health-gate leader address mapped from the local server (127.0.0.1) to the master\'s private IP (oldest or scale-in-protected InService main instance)',
    why: 'Enterprise clustering cannot run locally; the master is derived from moto\'s Auto Scaling state',
  },
  edition: {
    what: 'health-gate dbms.components() edition community reported as the edition the image names (enterprise)',
    why: 'the embedded Neo4j is Community; the version it reports is real',
  },
  membership: {
    what: 'health-gate SHOW SERVERS / SHOW DATABASES: one Enabled, Available member per booted instance that the modes make a member (Mode SINGLE: the master alone; SlaveMode SINGLE: no slave), the real server\'s database statuses on each, the master as writer',
    why: 'Enterprise clustering cannot run locally; membership is derived from moto\'s Auto Scaling state and the stack\'s Mode/SlaveMode',
  },
} as const;

/** The parameters that steer the main container's settings (a change replaces the main service's tasks). */
export function steeringParameters(parameters: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(parameters).filter(([k]) => /(DockerImage|VersionFamily|(?<!Slave)Mode|AllowUpgrade)$/.test(k)));
}

export class World {
  public readonly simulated = new Map<string, Simulated>();
  private pending: Promise<unknown> | undefined;
  private pendingDone = true;
  /** When the cluster's reaction to the last change ended (ms). */
  public settledAt = 0;
  /** Set by fault (c): every DescribeStacks answers this status until the next UpdateStack. */
  public statusOverride: { status: string; reason: string } | undefined;
  /** Parameters observed after each change, with the time. */
  public readonly timeline: Array<{ at: number; parameters: Record<string, string> }> = [];
  public worldErrors: string[] = [];
  /** Every stack change the world reacted to: when, and the parameters before and after. */
  public readonly changes: Array<{ at: number; before: Record<string, string>; after: Record<string, string> }> = [];
  /** The waits of the executions run on this world (their clocks say what the simulated answers say now). */
  public readonly waitSets = new Set<WaitEpisodes>();

  constructor(
    public readonly fleet: NodeFleet,
    public readonly neo4j: Neo4jPlayer | undefined,
    private readonly harness: ClientSet,
    public readonly cluster: ClusterView,
    private readonly log: (line: string) => void,
    /** Absent: Neo4j starts without the container's settings (an app without a Neo4jCluster). */
    public readonly settingsSource?: SettingsSource,
  ) {}

  /** Counts one simulated answer: a Bolt-seam one by key, or a call adaptation. */
  public note(what: keyof typeof SIMULATED | { key: string; what: string; why: string }, n = 1): void {
    const s = typeof what === 'string' ? { key: what, ...SIMULATED[what] } : what;
    const entry = this.simulated.get(s.key) ?? { what: s.what, why: s.why, count: 0 };
    entry.count += n;
    this.simulated.set(s.key, entry);
  }

  public async parameters(): Promise<Record<string, string>> {
    const out = await this.harness.cfn.send(new DescribeStacksCommand({ StackName: this.cluster.stackName }));
    const params: Record<string, string> = {};
    for (const p of out.Stacks?.[0]?.Parameters ?? []) params[p.ParameterKey as string] = p.ParameterValue ?? '';
    return params;
  }

  public async recordParameters(): Promise<Record<string, string>> {
    const parameters = await this.parameters();
    this.timeline.push({ at: Date.now(), parameters });
    return parameters;
  }

  /** Parameters in force at `time` (ms). */
  public parametersAt(time: number): Record<string, string> | undefined {
    let found: Record<string, string> | undefined;
    for (const t of this.timeline) if (t.at <= time) found = t.parameters;
    return found;
  }

  /** Sees every AWS call a handler made, with moto's answer (e.g. a completed snapshot); nothing by default. */
  public async afterCall(_call: CallInfo, _output: Record<string, unknown>): Promise<void> {}

  /** The cluster's reaction to a stack change, started in the background. */
  public afterStackChange(before: Record<string, string>, after: Record<string, string>): void {
    const key = this.cluster.dockerImageParameter;
    const imageChanged = before[key] !== after[key];
    this.changes.push({ at: Date.now(), before, after });
    this.pendingDone = false;
    const work = (async () => {
      await this.fleet.bootNewInstances();
      if (imageChanged && this.neo4j) await this.neo4j.play(after[key], await this.containerSettings(after));
    })();
    this.pending = work.then(
      () => { this.pendingDone = true; this.settledAt = Date.now(); },
      (e: Error) => {
        this.pendingDone = true;
        this.settledAt = Date.now();
        this.worldErrors.push(e.message);
        this.log(`world: ${e.message}`);
      },
    );
  }

  /** Waits up to `ms` for the cluster's reaction to the last change; true when it is over. */
  public async settle(ms: number): Promise<boolean> {
    if (!this.pending || this.pendingDone) return true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.pending, new Promise((r) => { timer = setTimeout(r, ms); })]);
    clearTimeout(timer);
    return this.pendingDone;
  }

  /** The health gate's and the membership handler's Bolt seam when this world answers it itself (rolling/rolling-world.ts); undefined: simulated-bolt.ts's. */
  public gateConnect(): BoltConnect | undefined {
    return undefined;
  }

  /** The write-freeze handler's `connect` when this world emulates ALTER DATABASE (offline/database-access.ts); undefined: its real default. */
  public writeFreezeConnect(): unknown {
    return undefined;
  }

  /** Every wait of the executions on this world. */
  public waits(): WaitEpisode[] {
    return [...this.waitSets].flatMap((set) => set.all());
  }

  public async idle(): Promise<void> {
    await this.pending;
  }

  /**
   * The settings the master's container would start Neo4j with under `parameters`: the real start-neo4j.sh
   * run with the main task definition's environment (resolved) and the master's membership.
   */
  public async containerSettings(parameters: Record<string, string>): Promise<ContainerSettings | undefined> {
    if (!this.settingsSource) return undefined;
    const start = mainNodeStart(this.settingsSource.template, parameters, await this.nodeIdentity(), this.settingsSource.secrets);
    if (!start) return undefined;
    const steering = Object.entries(steeringParameters(parameters));
    const source = `the main task definition with ${steering.map(([k, v]) => `${k}=${v}`).join(' ')}`;
    if (start.code !== 0) throw new Error(`start-neo4j.sh would not start Neo4j (exit ${start.code}) under ${source}: ${start.stderr.trim()}`);
    return { settings: start.settings, source };
  }

  /** The master's address and the booted members' (the cluster.env discover-cluster-members.sh would write). */
  private async nodeIdentity(): Promise<NodeIdentity> {
    const groups = await this.fleet.inService();
    const ids = [this.cluster.mainAutoScalingGroupName, this.cluster.slaveAutoScalingGroupName]
      .flatMap((g) => (groups.get(g) ?? []).map((i) => i.instanceId));
    const info = await this.fleet.describe(ids);
    const members = ids.map((id) => info.get(id)?.privateIp).filter((ip): ip is string => !!ip).sort();
    const self = (await this.master())?.privateIp || members[0] || '10.0.0.10';
    return { selfAddress: self, members: members.length > 0 ? members : [self], serverId: '1' };
  }

  /** The master: the scale-in-protected InService main instance, else the oldest (ties: instance id). */
  public async master(): Promise<{ instanceId: string; privateIp: string } | undefined> {
    const groups = await this.fleet.inService();
    const main = groups.get(this.cluster.mainAutoScalingGroupName) ?? [];
    if (main.length === 0) return undefined;
    const info = await this.fleet.describe(main.map((m) => m.instanceId));
    const ranked = [...main].sort((a, b) =>
      Number(b.protectedFromScaleIn) - Number(a.protectedFromScaleIn)
      || (info.get(a.instanceId)?.launchTime ?? 0) - (info.get(b.instanceId)?.launchTime ?? 0)
      || a.instanceId.localeCompare(b.instanceId));
    const m = ranked[0];
    return { instanceId: m.instanceId, privateIp: info.get(m.instanceId)?.privateIp ?? '' };
  }

  /**
   * The Enterprise cluster's members as the nodes' modes make it: the main group's booted instances when
   * Mode is HA (only the master when SINGLE: each node is its own cluster), plus the slave-only group's
   * when SlaveMode is HA. The master is the writer.
   */
  public async members(parameterNames: Record<string, string>): Promise<{ members: Array<{ id: string; address: string; role: 'primary' | 'secondary'; writer: boolean }>; leaderAddress: string }> {
    const params = await this.parameters();
    const groups = await this.fleet.inService();
    const master = await this.master();
    const booted = (name: string) => (groups.get(name) ?? []).filter((i) => this.fleet.hasBooted(i.instanceId)).map((i) => i.instanceId);
    const main = params[parameterNames.mode ?? 'Mode'] === 'SINGLE' ? booted(this.cluster.mainAutoScalingGroupName).filter((id) => id === master?.instanceId) : booted(this.cluster.mainAutoScalingGroupName);
    const slave = params[parameterNames.slaveMode ?? 'SlaveMode'] === 'SINGLE' ? [] : booted(this.cluster.slaveAutoScalingGroupName);
    const info = await this.fleet.describe([...main, ...slave]);
    const address = (id: string) => `${info.get(id)?.privateIp ?? '0.0.0.0'}:7687`;
    const members = [
      ...main.map((id) => ({ id, address: address(id), role: 'primary' as const, writer: id === master?.instanceId })),
      ...slave.map((id) => ({ id, address: address(id), role: 'secondary' as const, writer: false })),
    ];
    return { members, leaderAddress: master ? `${master.privateIp}:7687` : '0.0.0.0:7687' };
  }

  /** ECS as the agent would report it: desired = InService instances, running = booted ones, per service. */
  public async ecsView(): Promise<{ desired: Record<string, number>; running: Record<string, number> }> {
    const groups = await this.fleet.inService();
    const pairs: Array<[string, string]> = [
      [this.cluster.mainServiceName, this.cluster.mainAutoScalingGroupName],
      [this.cluster.slaveServiceName, this.cluster.slaveAutoScalingGroupName],
    ];
    const desired: Record<string, number> = {};
    const running: Record<string, number> = {};
    for (const [service, group] of pairs) {
      const members = groups.get(group) ?? [];
      desired[service] = members.length;
      running[service] = members.filter((m) => this.fleet.hasBooted(m.instanceId)).length;
    }
    return { desired, running };
  }
}
