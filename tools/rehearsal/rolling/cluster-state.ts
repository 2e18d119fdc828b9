/**
 * The Enterprise cluster the per-server world plays around its real servers: which server is a primary
 * or a secondary (the layout), which one leads, and who is a member. Neo4j Community has no clustering, so
 * all of this is SIMULATED: the leader is the layout's first primary until it goes down, then the
 * lowest-numbered primary that is up (an election, played), and it stays leader when the old one returns
 * (Neo4j does not hand leadership back by itself).
 */
export type ServerRole = 'primary' | 'secondary';

export interface ServerLayout {
  /** 1-based, as in `<prefix>Server<N>Image`. */
  readonly index: number;
  /** The server's own ECS service (the per-server layout). */
  readonly serviceName: string;
  readonly role: ServerRole;
}

export class ClusterState {
  private leaderIndex: number;
  /** Each leadership change: when, from, to. */
  public readonly elections: Array<{ at: number; from: number; to: number | undefined }> = [];

  constructor(public readonly layout: readonly ServerLayout[], private readonly isUp: (index: number) => boolean) {
    const first = layout.find((s) => s.role === 'primary');
    if (!first) throw new Error('the layout has no primary server');
    this.leaderIndex = first.index;
  }

  /** The leader now: the current one while up, else a primary that is up (elected now), else none. */
  public leader(): number | undefined {
    if (this.isUp(this.leaderIndex)) return this.leaderIndex;
    const next = this.layout.find((s) => s.role === 'primary' && this.isUp(s.index))?.index;
    if (next !== undefined) {
      this.elections.push({ at: Date.now(), from: this.leaderIndex, to: next });
      this.leaderIndex = next;
    }
    return next;
  }

  public role(index: number): ServerRole {
    const s = this.layout.find((x) => x.index === index);
    if (!s) throw new Error(`server ${index} is not in the layout`);
    return s.role;
  }

  /** The servers that are up, as a routing driver's table lists them. */
  public upServers(): number[] {
    return this.layout.map((s) => s.index).filter((i) => this.isUp(i));
  }
}
