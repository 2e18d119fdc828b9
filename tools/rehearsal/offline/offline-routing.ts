/**
 * The rolling routing (writes to the leader, reads to the servers up) with the write freeze: a write to a
 * leader whose store holds `neo4j` READ ONLY (database-access.ts, SIMULATED) is refused before it reaches
 * Neo4j, as Enterprise refuses it: never acknowledged, retried by the client until the thaw or its budget.
 */
import type { Operation } from '../workload/downtime';
import { RollingRouting } from '../rolling/rolling-routing';
import { RollingWorld } from '../rolling/rolling-world';
import { refusesWrites } from './database-access';

export class OfflineRouting extends RollingRouting {
  constructor(private readonly offline: RollingWorld) {
    super(offline);
  }

  public override check(op: Operation): string | undefined {
    const unroutable = super.check(op);
    if (unroutable || op !== 'write') return unroutable;
    const leader = this.offline.state.leader();
    return leader === undefined ? undefined : refusesWrites(this.offline.servers.server(leader).dataDir);
  }
}

/** A write given up because the freeze refused it (its last attempt's error). */
export function refusedByFreeze(lastError: string | undefined): boolean {
  return /ForbiddenOnReadOnlyDatabase/.test(lastError ?? '');
}
