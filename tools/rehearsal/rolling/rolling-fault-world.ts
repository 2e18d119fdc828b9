/**
 * The per-server world with the rolling matrix's world fault: "a rolled server whose database stays
 * `starting`". When armed, the first server the run rolls comes up for real (its Neo4j answers) but the
 * cluster answers report its `neo4j` database as `starting` (requested `online`) until that server is
 * rolled again (the rollback restarts it, and it comes up online). SIMULATED at the Bolt seam: Community
 * has no START/STOP DATABASE, so a database cannot be held in `starting` on a real server.
 */
import type { BoltConnect } from '../../../lambda/shared/bolt';
import { RollingWorld, changedServers } from './rolling-world';

export const STUCK_STARTING_SIMULATED = {
  what: 'the first server a run rolls reports its neo4j database `starting` (requested online) in SHOW DATABASES until it is rolled again',
  why: 'Neo4j Community has no START/STOP DATABASE: a real database cannot be held in `starting`',
} as const;

export class RollingFaultWorld extends RollingWorld {
  /** Armed for one run: the next server rolled stays `starting`. */
  public stuckStartingArmed = false;
  /** The server whose database stays `starting` now. */
  public stuckServer: number | undefined;
  /** How many SHOW DATABASES answers reported it `starting` (the gate saw it and held). */
  public stuckAnswers = 0;
  /** Each server the fault held, and whether a later roll released it. */
  public readonly stuckHistory: Array<{ server: number; released: boolean }> = [];

  public override afterStackChange(before: Record<string, string>, after: Record<string, string>): void {
    const changed = changedServers(this.state.layout, this.cluster.dockerImageParameter, before, after).map((c) => c.index);
    if (this.stuckServer !== undefined && changed.includes(this.stuckServer)) {
      this.stuckHistory[this.stuckHistory.length - 1].released = true;
      this.stuckServer = undefined;
    } else if (this.stuckStartingArmed && changed.length > 0) {
      this.stuckStartingArmed = false;
      this.stuckServer = changed[0];
      this.stuckHistory.push({ server: changed[0], released: false });
    }
    super.afterStackChange(before, after);
  }

  public override gateConnect(): BoltConnect {
    const connect = super.gateConnect();
    return (uri, credentials, options) => {
      const client = connect(uri, credentials, options);
      return {
        serverInfo: () => client.serverInfo(),
        close: () => client.close(),
        query: async (cypher, params, database) => {
          const rows = await client.query(cypher, params, database);
          const stuck = this.stuckServer;
          if (stuck === undefined || !/^\s*SHOW\s+DATABASES\b/i.test(cypher) || !this.servers.isUp(stuck)) return rows;
          const address = (await this.addresses()).get(stuck);
          this.note({ key: 'rolling-stuck-starting', ...STUCK_STARTING_SIMULATED });
          return rows.map((r) => {
            if (r.address !== address || r.name !== 'neo4j') return r;
            this.stuckAnswers++;
            return { ...r, currentStatus: 'starting', statusMessage: 'rehearsal world fault: the database stays starting' };
          });
        },
      };
    };
  }
}
