/**
 * The world of the offline upgrade (per-server layout): the rolling world's real servers, membership
 * answers and routing, but a server runs only while a node that claimed its volume is in service. Its seam
 * is the same stack change the executor reports after update-stack: the new instances boot (the real
 * claim-data-volume.sh and claim-server-number.sh, which writes the volume's unbind mark to cluster.env),
 * then every server is brought where the fleet puts it:
 * - no node in service for it (scaled in): its real Neo4j stops, its store is kept;
 * - a node in service on volume V: its Neo4j runs at its effective image on V's store (store-volumes.ts: a
 *   copy of the migrated store for a volume made from its snapshot), restarted when the store, the image
 *   or the task definition's environment (Mode, AllowUpgrade, VersionFamily) changed.
 * Before each start the REAL start-neo4j.sh runs with the task definition's environment, the volume's
 * unbind mark and the store's data directory (container-settings.ts, a stand-in for the image's
 * entrypoint): the entrypoint calls it makes (`neo4j-admin server unbind`, `neo4j-admin database migrate`)
 * are recorded. Their effect on a Community store is SIMULATED: the real Neo4j at the target version
 * migrates a store when it opens an older one, and Community keeps no cluster state to unbind.
 */
import type { BoltClient, BoltConnect } from '../../../lambda/shared/bolt';
import type { CallInfo } from '../aws-clients';
import { mainNodeStart } from '../node-settings';
import { World } from '../world';
import { effectiveImage, RollingWorld } from '../rolling/rolling-world';
import { ACCESS_SIMULATED, accessSeam } from './database-access';
import { StoreVolumes } from './store-volumes';

/** One start of a server's task: on which volume and store, what start-neo4j.sh called, how it ended. */
export interface ServerStart {
  readonly server: number;
  readonly at: number;
  readonly instanceId: string;
  readonly volumeId: string;
  readonly dataDir: string;
  readonly image: string;
  readonly unbindMark?: string;
  /** The entrypoint calls start-neo4j.sh made, in order (e.g. `neo4j-admin server unbind`, `neo4j`). */
  readonly calls: string[];
  readonly scriptExit?: number | null;
  upAt?: number;
  error?: string;
}

export const OFFLINE_SIMULATED = {
  unbind: {
    what: 'neo4j-admin server unbind: start-neo4j.sh calls it (recorded) before the start of a server whose volume carries the unbind mark; nothing is cleared',
    why: 'Neo4j Community keeps no cluster state in its store',
  },
  migrate: {
    what: 'neo4j-admin database migrate: start-neo4j.sh calls it (recorded) while AllowUpgrade is true; the real Neo4j at the target version then upgrades the store as it opens it',
    why: 'the embedded Neo4j has no neo4j-admin; opening an older store at a newer version is its store upgrade',
  },
  singleMember: {
    what: 'SHOW SERVERS / SHOW DATABASES while Mode is SINGLE: only the servers that are up (the migrating server is a cluster of one)',
    why: 'Neo4j Community has no clustering; the procedure\'s SINGLE gate expects exactly one member',
  },
} as const;

export class OfflineWorld extends RollingWorld {
  public readonly starts: ServerStart[] = [];
  public stores: StoreVolumes | undefined;
  /** Per server: what its running task was started with (store, image, environment). */
  private readonly running = new Map<number, string>();
  private reconcile: Promise<void> = Promise.resolve();
  private reconciling = 0;
  private readonly tell: (line: string) => void;

  constructor(...args: ConstructorParameters<typeof RollingWorld>) {
    super(...args);
    this.tell = args[3];
  }

  /** The servers' first stores: the volumes their nodes claimed at deploy, with the directories they run on. */
  public adoptFirstStores(stores: StoreVolumes, images: Record<string, string>): void {
    this.stores = stores;
    for (const b of this.fleet.boots) {
      if (!b.ok || b.server === undefined || !b.volumeId) continue;
      const s = this.servers.server(b.server);
      stores.adopt(b.volumeId, s.dataDir);
      this.running.set(b.server, this.taskKey(s.dataDir, s.image, images));
    }
  }

  /** Moto completes a snapshot at CreateSnapshot: the store of its volume, as it is now, is the snapshot's content (store-volumes.ts). */
  public override async afterCall(call: CallInfo, output: Record<string, unknown>): Promise<void> {
    if (call.service !== 'EC2' || call.operation !== 'CreateSnapshot' || !this.stores) return;
    const { SnapshotId: snapshotId, VolumeId: volumeId } = output as { SnapshotId?: string; VolumeId?: string };
    if (snapshotId && volumeId) this.stores.snapshotCompleted(snapshotId, volumeId);
  }

  public override afterStackChange(before: Record<string, string>, after: Record<string, string>): void {
    World.prototype.afterStackChange.call(this, before, after); // the boots; no image roll here
    this.reconciling++;
    this.reconcile = this.reconcile
      .then(() => this.fleet.bootNewInstances()) // queued behind the boots the change started
      .then(() => this.bringServers())
      .catch((e: Error) => {
        this.worldErrors.push(`offline world: ${e.message.slice(0, 500)}`);
        this.tell(`world: ${e.message.slice(0, 500)}`);
      })
      .finally(() => { this.reconciling--; this.settledAt = Date.now(); });
  }

  public override async settle(ms: number): Promise<boolean> {
    const start = Date.now();
    if (!(await super.settle(ms))) return false;
    if (this.reconciling === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.reconcile, new Promise((r) => { timer = setTimeout(r, Math.max(0, ms - (Date.now() - start))); })]);
    clearTimeout(timer);
    return this.reconciling === 0;
  }

  public override async idle(): Promise<void> {
    await super.idle();
    while (this.reconciling > 0) await this.reconcile;
  }

  /** Per server: the node in service for it and the volume that node claimed (none: scaled in). */
  public async serverNodes(): Promise<Map<number, { instanceId: string; volumeId: string; unbindMark?: string }>> {
    const groups = await this.fleet.inService();
    const live = new Set([...groups.values()].flat().map((i) => i.instanceId));
    const nodes = new Map<number, { instanceId: string; volumeId: string; unbindMark?: string }>();
    for (const b of this.fleet.boots) {
      if (b.ok && b.server !== undefined && b.volumeId && live.has(b.instanceId)) nodes.set(b.server, { instanceId: b.instanceId, volumeId: b.volumeId, unbindMark: b.unbindMark });
    }
    return nodes;
  }

  /** Stops the servers left without a node, then starts (or restarts) the others where their nodes put them. */
  private async bringServers(): Promise<void> {
    if (!this.stores) throw new Error('the offline world has no stores (adoptFirstStores was not called)');
    const stores = this.stores;
    const nodes = await this.serverNodes();
    const layout = this.state.layout;
    await Promise.all(layout.filter((s) => !nodes.has(s.index) && this.servers.isUp(s.index)).map(async (s) => {
      this.running.delete(s.index);
      await this.servers.stopServer(s.index);
    }));
    // Every copy is made before any server starts: their source stores are at rest now.
    const dirs = new Map<number, string>();
    for (const [index, node] of nodes) dirs.set(index, await stores.dirFor(node.volumeId));
    const parameters = await this.parameters();
    const addresses = await this.addresses();
    await Promise.all([...nodes].map(async ([index, node]) => {
      const dataDir = dirs.get(index) as string;
      const image = effectiveImage(parameters, this.cluster.dockerImageParameter, index);
      const key = this.taskKey(dataDir, image, parameters);
      if (this.servers.isUp(index) && this.running.get(index) === key) return;
      if (await this.startServer(index, node, dataDir, image, parameters, addresses)) this.running.set(index, key);
    }));
  }

  private async startServer(
    index: number, node: { instanceId: string; volumeId: string; unbindMark?: string }, dataDir: string, image: string,
    parameters: Record<string, string>, addresses: Map<number, string>,
  ): Promise<boolean> {
    const failingCall = this.failingCall();
    const container = this.containerStart(index, node.unbindMark, dataDir, parameters, addresses, failingCall);
    if (!container) throw new Error(`the template has no task definition for server ${index} (log stream prefix neo4j-server${index})`);
    const start: ServerStart = {
      server: index, at: Date.now(), instanceId: node.instanceId, volumeId: node.volumeId, dataDir, image,
      ...(node.unbindMark && { unbindMark: node.unbindMark }), calls: container?.calls ?? [], scriptExit: container?.code,
    };
    this.starts.push(start);
    if (start.calls.some((c) => /\bunbind\b/.test(c))) this.noteOffline('unbind');
    if (start.calls.some((c) => /\bmigrate\b/.test(c))) this.noteOffline('migrate');
    if (container && container.code !== 0) {
      start.error = `start-neo4j.sh exit ${container.code}: ${container.stderr.trim().slice(-300)}`;
      // The world fault's failing call: ECS replaced the task (the old one stopped), the new one stops at the
      // failing call; the server stays down (ECS would restart it, to fail again).
      if (failingCall && container.calls.some((c) => c.includes(failingCall))) {
        if (this.servers.isUp(index)) await this.servers.stopServer(index);
        return false;
      }
      throw new Error(`server ${index}: ${start.error}`);
    }
    try {
      await this.servers.startServer(index, image, dataDir);
      start.upAt = Date.now();
      return true;
    } catch (e) {
      start.error = (e as Error).message.slice(0, 500);
      this.rollErrors.push(`server ${index}: ${start.error}`);
      throw e;
    }
  }

  /** The real start-neo4j.sh for this server, with its volume's unbind mark and its store's data directory (the container's /data). */
  private containerStart(
    index: number, unbindMark: string | undefined, dataDir: string, parameters: Record<string, string>, addresses: Map<number, string>, failingCall?: string,
  ) {
    if (!this.settingsSource) throw new Error('the offline world needs the template to run start-neo4j.sh');
    const host = (i: number) => (addresses.get(i) ?? '').replace(/:\d+$/, '');
    const node = { selfAddress: host(index), members: this.state.layout.map((s) => host(s.index)), serverId: String(index) };
    return mainNodeStart(this.settingsSource.template, parameters, node, this.settingsSource.secrets, {
      ...(unbindMark && { unbindMark }), dataDir: `${dataDir}/data`, streamPrefix: `neo4j-server${index}`, ...(failingCall && { failingCall }),
    });
  }

  /** A world fault's seam (offline-fault-world.ts): the entrypoint call that fails in the next starts; none here. */
  protected failingCall(): string | undefined {
    return undefined;
  }

  /** What makes ECS replace a running task: another volume's store, another image, another container environment. */
  private taskKey(dataDir: string, image: string, parameters: Record<string, string>): string {
    const steering = Object.entries(parameters).filter(([k]) => /(^|[^e])(Mode|AllowUpgrade|VersionFamily)$/.test(k) && !/SlaveMode$/.test(k)).sort();
    return JSON.stringify({ dataDir, image, steering });
  }

  public noteOffline(key: keyof typeof OFFLINE_SIMULATED): void {
    this.note({ key: `offline-${key}`, ...OFFLINE_SIMULATED[key] });
  }

  /** ALTER DATABASE ... SET ACCESS on Community: the access kept in each running server's store (database-access.ts, SIMULATED). */
  public override writeFreezeConnect(): unknown {
    return accessSeam(this.servers, () => this.note(ACCESS_SIMULATED));
  }

  /** While Mode is SINGLE the migrating server is a cluster of one: the gate sees only the servers that are up. */
  public override gateConnect(): BoltConnect {
    const inner = super.gateConnect();
    return (uri, credentials, options) => {
      const client = inner(uri, credentials, options);
      const note = () => this.noteOffline('singleMember');
      const single = async () => Object.entries(await this.parameters()).some(([k, v]) => /Mode$/.test(k) && !/SlaveMode$/.test(k) && v === 'SINGLE');
      return {
        ...client,
        // Every argument passed on as given (the client's signature may grow, e.g. an access mode).
        async query(...args: Parameters<BoltClient['query']>) {
          const rows = await client.query(...args);
          if (!/^\s*SHOW\s+(SERVERS|DATABASES)\b/i.test(args[0]) || !(await single())) return rows;
          note();
          return rows.filter((r) => r.health !== 'Unavailable' && r.statusMessage !== 'Server is unavailable');
        },
      };
    };
  }
}
