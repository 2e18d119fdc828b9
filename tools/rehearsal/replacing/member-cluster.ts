/**
 * The Enterprise cluster around the replacing world's real servers: tools/neo4j-cluster-emulator (SIMULATED,
 * the documented server-management API) driven by the world's REAL state. A server is discovered (Free) only
 * once its real Neo4j is up; a server whose process stops turns Unavailable, and a Dropped one vanishes from
 * the listings then. A database copy the emulator starts on a server (an allocation) stays `starting` until
 * the harness has copied the store's data from the current members (store-copy.ts, SIMULATED: real
 * clustering would copy the store); only then does the emulator let it come online. The writer of `neo4j`
 * (the leader, SIMULATED) is the lowest-numbered server hosting it online, kept while it does.
 */
import { EmulatedCluster, EmulatedDatabase } from '../../neo4j-cluster-emulator';
import { MemberTimeline } from './member-timeline';

/** One thing that happened to a server, as the world saw it (the verdict's per-server timeline). */
export interface MemberEvent {
  readonly server: number;
  /** 5.x: discovered .. dropped; 4.4 causal (causal-member-cluster.ts): discovered, copy-*, joined, left, writer. */
  readonly what: 'discovered' | 'enabled' | 'copy-started' | 'copy-online' | 'deallocated' | 'drained' | 'dropped' | 'stopped' | 'vanished' | 'writer'
    | 'joined' | 'left';
  readonly at: number;
  readonly detail?: string;
}

/** Copies database `database` from the real servers `from` into the real server `to` (the store copy). */
export type StoreCopy = (from: readonly number[], to: number, database: string) => Promise<void>;

export interface MemberClusterOptions {
  /** The user databases and their topology (`system` is on every server). */
  readonly databases: readonly EmulatedDatabase[];
  readonly copyStore: StoreCopy;
  /** World fault: these servers' Neo4j runs but is never discovered (a replacement that never joins). */
  readonly neverJoins?: ReadonlySet<number>;
  readonly say?: (line: string) => void;
}

/** What the world tells the cluster each time it is asked: each started server's address and whether its real Neo4j is up. */
export interface RealServers {
  readonly addresses: ReadonlyMap<number, string>;
  isUp(index: number): boolean;
}

/**
 * The membership the replacing world drives from its real state and the routing and verdict read: the 5.x
 * server management (MemberCluster) or the 4.4 causal cluster (causal-member-cluster.ts).
 */
export interface ReplacingMembership {
  readonly events: MemberEvent[];
  /** Store copies that failed (the copy stays `starting`). */
  readonly errors: string[];
  /** The cluster as formed before the upgrade: these servers members, each database online on them. */
  form(addresses: ReadonlyMap<number, string>): void;
  /** Brings the model to the world's state: discoveries, process stops, store copies to start. */
  sync(real: RealServers): void;
  indexOf(address: string): number | undefined;
  addressOf(index: number): string | undefined;
  /** The server that takes `database`'s writes now (SIMULATED leader). */
  writer(database?: string): number | undefined;
  /** The servers hosting `database` online now, by number. */
  hosting(database?: string): number[];
  /** The members serving `database` (5.x: Enabled or Deallocating and hosting it online; 4.4: hosting it online). */
  enabledHosting(database?: string): number[];
  /** The members running now (listed and available). */
  members(): number;
  /**
   * Server `index`'s process is about to stop for good (its slot stopped, its instance terminated). 4.4: it
   * leaves the cluster now (true); 5.x: nothing (false: its writes moved at the deallocation).
   */
  stopping(index: number): boolean;
}

export class MemberCluster extends MemberTimeline implements ReplacingMembership {
  /** Empty until form(). */
  public emulator = new EmulatedCluster();

  /** The cluster as formed before the upgrade: these servers Enabled, each database online on them (primaries first). */
  public form(addresses: ReadonlyMap<number, string>): void {
    // One look per statement: a released copy comes online at the next statement.
    this.emulator = EmulatedCluster.formed([...addresses.values()], this.options.databases, { copyStartLooks: 1 });
    for (const [index, address] of addresses) this.indexAt.set(address, index);
  }

  /** Brings the emulator to the world's state: discoveries, process stops and returns, store copies to start. */
  public sync(real: RealServers): void {
    for (const [index, address] of real.addresses) {
      const listed = this.emulator.servers.find((s) => s.address === address);
      if (!this.indexAt.has(address)) {
        if (!real.isUp(index) || this.options.neverJoins?.has(index)) continue;
        this.emulator.start({ address });
        this.indexAt.set(address, index);
        this.event(index, 'discovered', address);
      } else if (!listed) {
        continue; // dropped and its process gone
      } else if (!real.isUp(index) && listed.health === 'Available') {
        this.emulator.stopProcess(address);
        this.event(index, listed.state === 'Dropped' ? 'vanished' : 'stopped');
      } else if (real.isUp(index) && listed.health === 'Unavailable') {
        this.emulator.setHealth(address, 'Available');
      }
    }
    // A server no longer among the world's (its instance terminated: retired, or a surge undone) has no process.
    const current = new Set(real.addresses.values());
    for (const [address, index] of this.indexAt) {
      const listed = this.emulator.servers.find((s) => s.address === address);
      if (current.has(address) || !listed || listed.health !== 'Available') continue;
      this.emulator.stopProcess(address);
      this.event(index, listed.state === 'Dropped' ? 'vanished' : 'stopped');
    }
    // Copies allocated since the last look are held before time moves on (else they would come online uncopied).
    this.startCopies(this.emulator.servers);
    this.emulator.look();
    this.noteDrained();
  }

  /** Records an administration command the emulator accepted (called after it answered). */
  public commanded(what: 'enabled' | 'deallocated' | 'dropped', nameOrId: string): void {
    const server = this.emulator.servers.find((s) => s.serverId === nameOrId || s.name === nameOrId);
    const index = server && this.indexAt.get(server.address);
    if (index !== undefined) this.event(index, what);
  }

  /** The server that takes `database`'s writes now, as a routing table names it (kept while it hosts the database online). */
  public writer(database = 'neo4j'): number | undefined {
    const online = (index: number | undefined) => {
      const server = this.emulator.servers.find((s) => index !== undefined && s.address === this.addressOf(index));
      return server !== undefined && server.health === 'Available' && server.state !== 'Dropped' && server.copies.get(database)?.status === 'online';
    };
    if (online(this.lastWriter)) return this.lastWriter;
    return this.noteWriter(this.hosting(database)[0]);
  }

  /** The servers hosting `database` online now, by number. */
  public hosting(database = 'neo4j'): number[] {
    return this.emulator.servers
      .filter((s) => s.health === 'Available' && s.state !== 'Dropped' && s.copies.get(database)?.status === 'online')
      .map((s) => this.indexAt.get(s.address))
      .filter((i): i is number => i !== undefined)
      .sort((a, b) => a - b);
  }

  /** Servers Enabled (or still Deallocating: they keep serving until drained) and Available, hosting `database` online. */
  public enabledHosting(database = 'neo4j'): number[] {
    return this.hosting(database).filter((i) => ['Enabled', 'Deallocating'].includes(this.emulator.byAddress(this.addressOf(i) as string).state));
  }

  public stopping(): boolean {
    return false;
  }

  public members(): number {
    return this.emulator.servers.filter((s) => s.state !== 'Dropped' && s.health === 'Available').length;
  }

  private noteDrained(): void {
    for (const s of this.emulator.servers) {
      const index = this.indexAt.get(s.address);
      if (index !== undefined && s.state === 'Deallocated' && !this.events.some((e) => e.server === index && e.what === 'drained')) this.event(index, 'drained');
    }
  }
}
