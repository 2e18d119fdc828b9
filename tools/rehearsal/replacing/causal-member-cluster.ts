/**
 * The Neo4j 4.4 causal cluster around the replacing world's real servers (the 5.x sibling: member-cluster.ts):
 * tools/neo4j-cluster-emulator's causal model (SIMULATED: members, discovery, one leader per database)
 * driven by the world's REAL state. A server is discovered (listed in `dbms.cluster.overview()`) only once
 * its real Neo4j is up; its copies stay `starting` until the harness has copied the store's data from the
 * current members (store-copy.ts, SIMULATED), then come online (the member `joined`: listed with every
 * database). A server whose process stops, or whose instance is no longer the world's, leaves the overview
 * and SHOW DATABASES at once (`left`); a database it led elects another core (the leader: SIMULATED).
 */
import { CausalCluster } from '../../neo4j-cluster-emulator';
import { RealServers, ReplacingMembership } from './member-cluster';
import { MemberTimeline } from './member-timeline';

export class CausalMemberCluster extends MemberTimeline implements ReplacingMembership {
  /** Empty until form(). */
  public emulator = new CausalCluster([]);
  private readonly joined = new Set<string>();

  /** The cores as formed before the upgrade, every database online on them; the first one leads each. */
  public form(addresses: ReadonlyMap<number, string>): void {
    // One look per statement: a released copy comes online at the next statement.
    this.emulator = CausalCluster.formed([...addresses.values()], this.options.databases.map((d) => d.name), { copyStartLooks: 1 });
    for (const [index, address] of addresses) {
      this.indexAt.set(address, index);
      this.joined.add(address);
    }
  }

  public sync(real: RealServers): void {
    const current = new Set(real.addresses.values());
    for (const [index, address] of real.addresses) {
      const listed = this.emulator.members.some((m) => m.address === address);
      if (!this.indexAt.has(address)) {
        if (!real.isUp(index) || this.options.neverJoins?.has(index)) continue;
        this.emulator.start({ address });
        this.indexAt.set(address, index);
        this.event(index, 'discovered', address);
      } else if (listed && !real.isUp(index)) {
        this.leave(address, index);
      }
    }
    // A member no longer among the world's servers (its instance terminated, its slot stopped) has no process.
    for (const [address, index] of this.indexAt) {
      if (!current.has(address) && this.emulator.members.some((m) => m.address === address)) this.leave(address, index);
    }
    this.startCopies(this.emulator.members);
    this.emulator.look();
    this.noteJoined();
  }

  /** The leader of `database` (the emulator's: the first core running it online, kept while it runs). */
  public writer(database = 'neo4j'): number | undefined {
    const id = this.emulator.leaders.get(database);
    const member = this.emulator.members.find((m) => m.id === id);
    return this.noteWriter(member && this.indexAt.get(member.address));
  }

  public hosting(database = 'neo4j'): number[] {
    return this.emulator.members
      .filter((m) => m.copies.get(database)?.status === 'online')
      .map((m) => this.indexAt.get(m.address))
      .filter((i): i is number => i !== undefined)
      .sort((a, b) => a - b);
  }

  /** 4.4 has no server states: every member hosting the database online serves it. */
  public enabledHosting(database = 'neo4j'): number[] {
    return this.hosting(database);
  }

  /** The member leaves at the start of its shutdown: a database it led elects another core. */
  public stopping(index: number): boolean {
    const address = this.addressOf(index);
    if (address === undefined || !this.emulator.members.some((m) => m.address === address)) return false;
    this.leave(address, index);
    return true;
  }

  public members(): number {
    return this.emulator.members.length;
  }

  private leave(address: string, index: number): void {
    this.emulator.stopProcess(address);
    this.event(index, 'left');
  }

  /** A member listed with every database online: it has joined (what `wait-joined` waits for). */
  private noteJoined(): void {
    for (const m of this.emulator.members) {
      const index = this.indexAt.get(m.address);
      if (index === undefined || this.joined.has(m.address) || ![...m.copies.values()].every((c) => c.status === 'online')) continue;
      this.joined.add(m.address);
      this.event(index, 'joined');
    }
  }
}
