/**
 * The world of a roll with replaceable resources: the per-server world (rolling-world.ts: boots, one REAL
 * Neo4j per server) where a new member can join and an old one be retired.
 * - Join: after a stack update the ASG may grow (moto's UpdateStack changes its capacity); the new instance
 *   boots for real (claim-data-volume.sh, claim-server-number.sh: a fresh volume or a clone, tagged with a
 *   free slot number). A booted slot with no server running gets one: a REAL Neo4j at the slot's effective
 *   image on its own store, empty (its data arrives by the SIMULATED store copy, member-cluster.ts).
 * - Retire: a server whose instance left its Auto Scaling group (TerminateInstanceInAutoScalingGroup) has
 *   its Neo4j stopped for good; before that its client writes are copied to the members that remain
 *   (SIMULATED replication: a write lands on the writer's store only).
 * - The handlers' Bolt seam is the emulator driven by this state (member-bolt.ts; a 4.4 causal cluster:
 *   causal-member-bolt.ts); each time a handler asks, the membership is sampled for the verdict.
 */
import * as path from 'node:path';
import neo4j from 'neo4j-driver';
import type { BoltConnect } from '../../../lambda/shared/bolt';
import type { EmulatedDatabase } from '../../neo4j-cluster-emulator';
import { ClientSet } from '../aws-clients';
import { imageVersion } from '../neo4j-player';
import { NodeFleet } from '../nodes';
import { ServerLayout } from '../rolling/cluster-state';
import { effectiveImage, RollingWorld, serverImageParameter } from '../rolling/rolling-world';
import { ServerSet } from '../rolling/server-set';
import { ClusterView, SettingsSource, World } from '../world';
import { causalMemberConnect } from './causal-member-bolt';
import { CausalMemberCluster } from './causal-member-cluster';
import { memberConnect, REPLACING_SIMULATED, ReplacingSimulatedKey } from './member-bolt';
import { MemberCluster, ReplacingMembership } from './member-cluster';
import type { FinalStore, MembershipSample } from './replacing-verdict';
import { CopyRecord, storeCopy } from './store-copy';

/** How long a 4.4 member that left at the start of its shutdown keeps finishing the transactions in flight on it. */
const STOPPING_SETTLE_MS = 1000;

/** `<prefix>Server<N>DesiredCount` (a cluster with a spare slot): `1` runs the slot's service, `0` stops it. */
export function slotDesiredCountParameter(dockerImageParameter: string, index: number): string {
  return serverImageParameter(dockerImageParameter, index).replace(/Image$/, 'DesiredCount');
}

/** Whether slot `index` runs its service under `parameters` (no desired-count parameter: it always does). */
export function slotRuns(parameters: Record<string, string>, dockerImageParameter: string, index: number): boolean {
  return parameters[slotDesiredCountParameter(dockerImageParameter, index)] !== '0';
}

export interface ReplacingExtras {
  readonly password: string;
  /** Where new members' stores go. */
  readonly workDir: string;
  /** World fault: slots whose new member runs but is never discovered (a replacement that never joins). */
  readonly neverJoins?: ReadonlySet<number>;
  /** Default: `neo4j` on every original server as a primary. */
  readonly databases?: readonly EmulatedDatabase[];
  /** The cluster's family: '5' (default: server management) or '4.4' (a causal cluster: cores join through discovery). */
  readonly family?: ReplacingFamily;
}

/** The Neo4j family the replacing rehearsal plays (replacing/cli.ts --family). */
export type ReplacingFamily = '5' | '4.4';

export class ReplacingWorld extends RollingWorld {
  public readonly memberCluster: ReplacingMembership;
  public readonly copies: CopyRecord[] = [];
  public readonly samples: MembershipSample[] = [];
  /** The servers running when the world was made (the cluster before the upgrade). */
  public readonly original: number[];
  private formed = false;

  constructor(
    fleet: NodeFleet, harness: ClientSet, cluster: ClusterView, private readonly tell: (line: string) => void,
    servers: ServerSet, layout: readonly ServerLayout[], settingsSource: SettingsSource | undefined, private readonly extras: ReplacingExtras,
  ) {
    super(fleet, harness, cluster, tell, servers, layout, settingsSource);
    this.original = servers.servers.map((s) => s.index);
    const options = {
      databases: extras.databases ?? [{ name: 'neo4j', primaries: this.original.length, secondaries: 0 }],
      copyStore: (from: readonly number[], to: number, database: string) => this.copyStore(from, to, database),
      ...(extras.neverJoins && { neverJoins: extras.neverJoins }),
      say: tell,
    };
    this.memberCluster = extras.family === '4.4' ? new CausalMemberCluster(options) : new MemberCluster(options);
  }

  public noteReplacing(key: ReplacingSimulatedKey): void {
    this.note({ key: `replacing-${key}`, ...REPLACING_SIMULATED[key] });
  }

  private copyStore(from: readonly number[], to: number, database: string): Promise<void> {
    this.noteReplacing('store-copy');
    return storeCopy(this.servers, this.extras.password, this.copies)(from, to, database);
  }

  /** The cluster as formed before the upgrade (the original servers, Enabled, hosting neo4j); idempotent. */
  public async formCluster(): Promise<void> {
    if (this.formed) return;
    const addresses = await this.addresses();
    this.memberCluster.form(new Map(this.original.map((i) => [i, addresses.get(i) as string])));
    this.formed = true;
  }

  /** Brings the emulator to the world's state (retirements first), then samples the membership. */
  public async sync(): Promise<void> {
    await this.formCluster();
    await this.retireTerminated();
    const all = await this.addresses();
    const addresses = new Map([...all].filter(([i]) => this.servers.has(i)));
    this.memberCluster.sync({ addresses, isUp: (i) => this.servers.isUp(i) });
    this.samples.push({ at: Date.now(), enabledHosting: this.memberCluster.enabledHosting().length, members: this.memberCluster.members() });
  }

  /**
   * A slot whose desired count went to 0 has its task stopped: its Neo4j stops for good (the old member
   * retired, or a rollback's surge stopped). Then, once the new instances booted, a slot claimed by one and
   * running starts a new member.
   */
  public override afterStackChange(before: Record<string, string>, after: Record<string, string>): void {
    super.afterStackChange(before, after);
    const key = this.cluster.dockerImageParameter;
    const stopped = this.state.layout.map((s) => s.index).filter((i) => slotRuns(before, key, i) && !slotRuns(after, key, i) && this.servers.has(i));
    const work = (async () => {
      for (const index of stopped) await this.retire(index);
      await this.joinBooted(after);
    })();
    this.track(work.catch((e: Error) => { this.worldErrors.push(`a slot did not start or stop: ${e.message.slice(0, 300)}`); }));
  }

  /** The newest boot of each slot, among the instances in service. */
  private async bootsInService(): Promise<Map<number, NodeFleet['boots'][number]>> {
    const inService = new Set([...(await this.fleet.inService()).values()].flat().map((i) => i.instanceId));
    const out = new Map<number, NodeFleet['boots'][number]>();
    for (const b of this.fleet.boots) if (b.ok && b.server !== undefined && inService.has(b.instanceId)) out.set(b.server, b);
    return out;
  }

  /** Once the new instances booted: each slot claimed by one with no server running starts a new member. */
  private async joinBooted(after: Record<string, string>): Promise<void> {
    await World.prototype.idle.call(this); // the boots of this change
    for (const [index, boot] of await this.bootsInService()) {
      if (this.servers.has(index) || !slotRuns(after, this.cluster.dockerImageParameter, index)) continue;
      const image = effectiveImage(after, this.cluster.dockerImageParameter, index);
      const dataDir = path.join(this.extras.workDir, `server-${index}-${boot.volumeId ?? boot.instanceId}`, 'neo4j');
      this.tell(`world: slot ${index} booted (${boot.instanceId}, volume ${boot.volumeId ?? '?'} ${boot.claimed ?? ''}): a new member starts at ${image}`);
      await this.servers.join(index, image, dataDir);
    }
  }

  /** Servers whose instance left the group (their slot was not stopped first): retired too. */
  private async retireTerminated(): Promise<void> {
    const inService = await this.bootsInService();
    for (const s of [...this.servers.servers]) {
      if (this.servers.has(s.index) && !inService.has(s.index) && this.fleet.boots.some((b) => b.server === s.index)) await this.retire(s.index);
    }
  }

  /** A server stops for good; first its client writes go to the members that remain (SIMULATED replication). */
  private async retire(index: number): Promise<void> {
    // Only a server that was a member can hold writes the others lack (a surge that never joined holds none).
    const address = (await this.addresses()).get(index);
    const wasMember = address === undefined || this.memberCluster.indexOf(address) === index;
    if (this.servers.isUp(index) && wasMember) {
      // 4.4: the member leaves at the start of its shutdown (a leader steps down), so the client's writes go to
      // the new leader; the writes in flight on it settle before its store's writes are copied.
      if (this.memberCluster.stopping(index)) await new Promise((r) => setTimeout(r, STOPPING_SETTLE_MS));
      for (const to of this.memberCluster.hosting().filter((i) => i !== index && this.servers.isUp(i))) await this.copyStore([index], to, 'neo4j');
    }
    await this.servers.retire(index);
  }

  /** ECS: a slot's service wants the task its desired-count parameter says, and runs it while the slot's Neo4j is up. */
  public override async ecsView(): Promise<{ desired: Record<string, number>; running: Record<string, number> }> {
    const view = await super.ecsView();
    const parameters = await this.parameters();
    for (const s of this.state.layout) {
      view.desired[s.serviceName] = slotRuns(parameters, this.cluster.dockerImageParameter, s.index) ? 1 : 0;
      view.running[s.serviceName] = this.servers.isUp(s.index) ? 1 : 0;
    }
    return view;
  }

  public override gateConnect(): BoltConnect {
    const seam = { sync: () => this.sync(), realUri: (i: number) => this.servers.boltUri(i), note: (key: ReplacingSimulatedKey) => this.noteReplacing(key) };
    return this.memberCluster instanceof CausalMemberCluster
      ? causalMemberConnect(this.memberCluster, { ...seam, imageOf: (i) => (this.servers.has(i) ? this.servers.server(i).image : undefined) })
      : memberConnect(this.memberCluster as MemberCluster, seam);
  }

  /** The members at the end: each running server's version (4.4: its image's, SIMULATED) and the marker nodes its store holds. */
  public async finalStores(): Promise<FinalStore[]> {
    const out: FinalStore[] = [];
    for (const s of this.servers.servers.filter((x) => this.servers.has(x.index) && this.servers.isUp(x.index))) {
      const driver = neo4j.driver(s.player.boltUri, neo4j.auth.basic('neo4j', this.extras.password), { disableLosslessIntegers: true });
      try {
        const rows = await driver.executeQuery('MATCH (n:RehearsalMarker) RETURN count(n) AS c');
        const version = this.extras.family === '4.4' ? imageVersion(s.image) : s.player.runningVersion;
        out.push({ server: s.index, ...(version && { version }), markers: Number(rows.records[0].get('c')) });
      } finally {
        await driver.close();
      }
    }
    return out;
  }

  /** The Bolt URIs of the members running now (where the client's writes are read back at the end). */
  public liveUris(): string[] {
    return this.servers.servers.filter((s) => this.servers.has(s.index)).map((s) => s.player.boltUri);
  }
}
