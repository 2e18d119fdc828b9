/**
 * The offline world with the offline matrix's world faults, armed for one run:
 * - `migration-fails`: every start that runs the store migration (start-neo4j.sh's `neo4j-admin database
 *   migrate`, while AllowUpgrade is true) fails: the stand-in entrypoint exits 1 on that call, the REAL
 *   start-neo4j.sh stops there (set -e), the server never starts. The stage 3 gate finds no member and
 *   times out into the rollback.
 * - `database-stays-starting`: the migrating server comes up for real (its store really migrated) but the
 *   gate's SHOW DATABASES reports its `neo4j` database `starting` (requested online) until that server is
 *   started again (the rollback's restore). SIMULATED at the Bolt seam, as in the rolling matrix: Community
 *   has no START/STOP DATABASE.
 */
import type { BoltConnect } from '../../../lambda/shared/bolt';
import { STUCK_STARTING_SIMULATED } from '../rolling/rolling-fault-world';
import { OfflineWorld, ServerStart } from './offline-world';

export type OfflineWorldFault = 'migration-fails' | 'database-stays-starting';

const MIGRATE = 'database migrate';
const migrates = (s: ServerStart) => s.calls.some((c) => c.includes(MIGRATE));

export const MIGRATION_FAILS_SIMULATED = {
  what: 'neo4j-admin database migrate fails (the stand-in entrypoint exits 1 on that call; start-neo4j.sh stops, the server does not start)',
  why: 'a world fault: the embedded Neo4j has no neo4j-admin whose failure could be provoked',
} as const;

export class OfflineFaultWorld extends OfflineWorld {
  private armed: OfflineWorldFault | undefined;
  /** Where in `starts` the armed run began. */
  private armedFrom = 0;
  /** How many SHOW DATABASES answers reported the migrated server's database `starting`. */
  public stuckAnswers = 0;

  /** Arms `fault` for the next run (undefined: none). */
  public arm(fault: OfflineWorldFault | undefined): void {
    this.armed = fault;
    this.armedFrom = this.starts.length;
  }

  /** The starts of the armed run that ran the migration, and whether the fault played out: what the verdict reads. */
  public faultPlay(): { fault?: OfflineWorldFault; migrationStarts: ServerStart[]; failedMigrations: number; stuckServer?: number; released: boolean } {
    const run = this.starts.slice(this.armedFrom);
    const migrationStarts = run.filter(migrates);
    const stuck = this.armed === 'database-stays-starting' ? migrationStarts[0] : undefined;
    return {
      ...(this.armed && { fault: this.armed }), migrationStarts,
      failedMigrations: migrationStarts.filter((s) => s.upAt === undefined && s.error !== undefined).length,
      ...(stuck && { stuckServer: stuck.server }),
      released: stuck !== undefined && run.some((s) => s.server === stuck.server && s.at > stuck.at),
    };
  }

  protected override failingCall(): string | undefined {
    if (this.armed !== 'migration-fails') return undefined;
    this.note({ key: 'offline-migration-fails', ...MIGRATION_FAILS_SIMULATED });
    return MIGRATE;
  }

  /** The server whose database stays `starting` now: the armed run's migrating server, until it starts again. */
  private stuckNow(): number | undefined {
    const play = this.faultPlay();
    return play.stuckServer !== undefined && !play.released && this.servers.isUp(play.stuckServer) ? play.stuckServer : undefined;
  }

  public override gateConnect(): BoltConnect {
    const connect = super.gateConnect();
    return (uri, credentials, options) => {
      const client = connect(uri, credentials, options);
      return {
        ...client,
        query: async (...args: Parameters<typeof client.query>) => {
          const rows = await client.query(...args);
          const stuck = this.stuckNow();
          if (stuck === undefined || !/^\s*SHOW\s+DATABASES\b/i.test(args[0])) return rows;
          const address = (await this.addresses()).get(stuck);
          this.note({ key: 'offline-stuck-starting', ...STUCK_STARTING_SIMULATED, what: 'the migrating server reports its neo4j database `starting` (requested online) in SHOW DATABASES until it is started again' });
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
