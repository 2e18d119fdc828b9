/**
 * Where a routing driver sends the client's transactions while members are replaced: writes to the
 * server the cluster names writer of `neo4j` (SIMULATED leader, member-cluster.ts), reads in turn over the
 * servers hosting it online whose real Neo4j is up. No writer, or no such server: the attempt fails as the
 * driver's does without reaching a server (DERIVED).
 */
import type { Router } from '../workload/client-workload';
import type { Operation } from '../workload/downtime';
import { ReplacingWorld } from './replacing-world';

export class ReplacingRouting implements Router {
  private nextReader = 0;

  constructor(private readonly world: ReplacingWorld) {}

  private writer(): number | undefined {
    const w = this.world.memberCluster.writer();
    return w !== undefined && this.world.servers.isUp(w) ? w : undefined;
  }

  private readers(): number[] {
    return this.world.memberCluster.hosting().filter((i) => this.world.servers.isUp(i));
  }

  public check(op: Operation): string | undefined {
    if (op === 'write') return this.writer() === undefined ? 'no writer: no server hosting neo4j online is up' : undefined;
    return this.readers().length === 0 ? 'no reader: no server hosting neo4j online is up' : undefined;
  }

  public target(op: Operation): string {
    const fallback = this.world.original[0];
    if (op === 'write') return this.world.servers.boltUri(this.writer() ?? fallback);
    const up = this.readers();
    return this.world.servers.boltUri(up.length > 0 ? up[this.nextReader++ % up.length] : fallback);
  }

  public playedMs(): number {
    return this.world.waits().reduce((sum, w) => sum + w.playedMs(), 0);
  }
}
