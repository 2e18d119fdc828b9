/**
 * The world of the per-server layout: the harness's World (boots, ECS agent, stack timeline) with ONE REAL
 * Neo4j per server (server-set.ts) instead of the one shared server. Its seam is the stack change the
 * executor reports after update-stack (as the shared world's): when a server's effective image changes
 * (its `<prefix>Server<N>Image` parameter, or the cluster's DockerImage while that one is empty), that
 * server's service gets a new task definition and ECS replaces its task: THAT server's Neo4j restarts on
 * its own store at the new version; the others are not touched. Several servers changed by one update roll
 * at the same time, as ECS would roll several services.
 * Membership, roles and replication are simulated (cluster-state.ts, cluster-answers.ts).
 */
import type { BoltConnect } from '../../../lambda/shared/bolt';
import { ClientSet } from '../aws-clients';
import { NodeFleet } from '../nodes';
import { ClusterView, SettingsSource, World } from '../world';
import { ROLLING_SIMULATED, RollingSimulatedKey, clusterConnect } from './cluster-answers';
import { ClusterState, ServerLayout } from './cluster-state';
import { Outage, ServerSet } from './server-set';

/** `<prefix>Server<N>Image` for the cluster whose image parameter is `<prefix>DockerImage`. */
export function serverImageParameter(dockerImageParameter: string, index: number): string {
  return `${dockerImageParameter.replace(/DockerImage$/, '')}Server${index}Image`;
}

/** The image server `index` runs under `parameters`: its own parameter, or the cluster's when that is empty. */
export function effectiveImage(parameters: Record<string, string>, dockerImageParameter: string, index: number): string {
  return parameters[serverImageParameter(dockerImageParameter, index)] || parameters[dockerImageParameter] || '';
}

/** The servers whose effective image differs between `before` and `after` (their services get a new task definition). */
export function changedServers(
  layout: readonly ServerLayout[], dockerImageParameter: string, before: Record<string, string>, after: Record<string, string>,
): Array<{ index: number; image: string }> {
  return layout
    .map((s) => ({ index: s.index, before: effectiveImage(before, dockerImageParameter, s.index), image: effectiveImage(after, dockerImageParameter, s.index) }))
    .filter((s) => s.image !== s.before)
    .map(({ index, image }) => ({ index, image }));
}

export class RollingWorld extends World {
  public readonly state: ClusterState;
  private readonly rolls = new Set<Promise<unknown>>();
  /** Servers whose restart failed (their Neo4j stays down), with why. */
  public readonly rollErrors: string[] = [];

  constructor(
    fleet: NodeFleet, harness: ClientSet, cluster: ClusterView, private readonly say: (line: string) => void,
    public readonly servers: ServerSet, layout: readonly ServerLayout[], settingsSource?: SettingsSource,
  ) {
    super(fleet, undefined, harness, cluster, say, settingsSource);
    this.state = new ClusterState(layout, (i) => servers.isUp(i));
  }

  public noteRolling(key: RollingSimulatedKey): void {
    this.note({ key: `rolling-${key}`, ...ROLLING_SIMULATED[key] });
  }

  public override afterStackChange(before: Record<string, string>, after: Record<string, string>): void {
    super.afterStackChange(before, after); // boots (no shared Neo4j in this world)
    // A slot with no server running (a spare, a retired one) has no task to replace.
    for (const { index, image } of changedServers(this.state.layout, this.cluster.dockerImageParameter, before, after).filter((s) => this.servers.has(s.index))) {
      const roll: Promise<Outage | undefined> = this.servers.roll(index, image).catch((e: Error) => {
        this.rollErrors.push(`server ${index}: ${e.message.slice(0, 300)}`);
        this.worldErrors.push(`server ${index} did not start on ${image}: ${e.message.slice(0, 300)}`);
        this.say(`world: server ${index} did not start on ${image}: ${e.message.slice(0, 300)}`);
        return undefined;
      });
      this.track(roll);
    }
  }

  /** Work the cluster does in reaction to a change: settle() and idle() wait for it. */
  protected track(work: Promise<unknown>): void {
    this.rolls.add(work);
    void work.finally(() => { this.rolls.delete(work); this.settledAt = Date.now(); });
  }

  public override async settle(ms: number): Promise<boolean> {
    const start = Date.now();
    if (!(await super.settle(ms))) return false;
    if (this.rolls.size === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(this.rolls), new Promise((r) => { timer = setTimeout(r, Math.max(0, ms - (Date.now() - start))); })]);
    clearTimeout(timer);
    return this.rolls.size === 0;
  }

  public override async idle(): Promise<void> {
    await super.idle();
    while (this.rolls.size > 0) await Promise.all(this.rolls);
  }

  /**
   * Each server's advertised address: the private IP of the instance claim-server-number.sh made that server
   * (port 7687); a server no node has become yet (no deployed cluster) answers on its local port.
   */
  public async addresses(): Promise<Map<number, string>> {
    const boots = this.fleet.boots.filter((b) => b.ok && b.server !== undefined);
    const info = await this.fleet.describe(boots.map((b) => b.instanceId));
    const out = new Map<number, string>();
    for (const b of boots) {
      const ip = info.get(b.instanceId)?.privateIp;
      if (ip) out.set(b.server as number, `${ip}:7687`);
    }
    for (const s of this.servers.servers) if (!out.has(s.index)) out.set(s.index, `127.0.0.1:${s.port}`);
    return out;
  }

  /** The routing table: the servers that are up, the leader as the writer. */
  public override async members(): Promise<{ members: Array<{ id: string; address: string; role: 'primary' | 'secondary'; writer: boolean }>; leaderAddress: string }> {
    const leader = this.state.leader();
    const addresses = await this.addresses();
    const address = (i: number) => addresses.get(i) as string;
    return {
      members: this.state.upServers().map((i) => ({ id: `server-${i}`, address: address(i), role: this.state.role(i), writer: i === leader })),
      leaderAddress: leader === undefined ? '0.0.0.0:7687' : address(leader),
    };
  }

  /** ECS as the agent would report it, plus each server's own service: 1 desired, running while its Neo4j is up. */
  public override async ecsView(): Promise<{ desired: Record<string, number>; running: Record<string, number> }> {
    const view = await super.ecsView();
    for (const s of this.state.layout) {
      view.desired[s.serviceName] = 1;
      view.running[s.serviceName] = this.servers.isUp(s.index) ? 1 : 0;
    }
    return view;
  }

  public override gateConnect(): BoltConnect {
    return clusterConnect(this.servers, this.state, () => this.addresses(), (key) => this.noteRolling(key));
  }
}
