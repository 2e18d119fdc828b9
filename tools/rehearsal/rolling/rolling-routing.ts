/**
 * Where a routing driver sends the client's transactions in the per-server world: writes to the leader's
 * real server, reads to the servers that are up (in turn). When the leader's server goes down the cluster
 * state elects another primary (simulated, at once) and the next attempt goes there: a write in flight on
 * the stopping server fails for real (REAL) and is retried on the new leader. With no leader, or no server
 * up, the attempt fails as the driver's does without reaching a server (DERIVED).
 */
import type { Operation } from '../workload/downtime';
import type { Router } from '../workload/client-workload';
import { RollingWorld } from './rolling-world';

export class RollingRouting implements Router {
  private nextReader = 0;

  constructor(private readonly world: RollingWorld) {}

  public check(op: Operation): string | undefined {
    if (op === 'write') return this.world.state.leader() === undefined ? 'no writer: no primary server is up' : undefined;
    return this.world.state.upServers().length === 0 ? 'no reader: no server is up' : undefined;
  }

  public target(op: Operation): string {
    const servers = this.world.servers;
    if (op === 'write') return servers.boltUri(this.world.state.leader() ?? servers.servers[0].index);
    const up = this.world.state.upServers();
    const index = up.length > 0 ? up[this.nextReader++ % up.length] : servers.servers[0].index;
    return servers.boltUri(index);
  }

  public playedMs(): number {
    return this.world.waits().reduce((sum, w) => sum + w.playedMs(), 0);
  }

  /** Every server's store: a write lands on the leader of its moment (no replication between Community servers). */
  public readBackUris(): string[] {
    return this.world.servers.servers.map((s) => s.player.boltUri);
  }
}
