/**
 * What must hold after a server of a role was restarted on the new version, before the next server goes
 * down. Each gate is one check the `arango-role-gate` handler knows (by `id`).
 */
export class RoleGate {
  /** Every agent is in the agency configuration and acknowledged the commit index (seed 003 step 4). */
  public static readonly AGENCY_IN_SYNC = new RoleGate('agency-in-sync');
  /** The DB server is GOOD in the cluster health on the new version, and every shard is in sync. */
  public static readonly DB_SERVER_HEALTHY_SHARDS_IN_SYNC = new RoleGate('db-server-healthy-shards-in-sync');
  /** The coordinator answers on the new version and is GOOD in the cluster health. */
  public static readonly COORDINATOR_ANSWERING = new RoleGate('coordinator-answering');

  private constructor(
    /** The check's name in the handler's input. */
    public readonly id: string,
  ) {}
}
