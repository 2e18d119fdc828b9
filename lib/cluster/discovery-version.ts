/**
 * Which discovery service a 5.x cluster's members run (Neo4j operations manual, "Cluster server discovery":
 * https://neo4j.com/docs/operations-manual/current/clustering/setup/discovery/). Discovery v1 (5.x until
 * 2025.01) lists the members in `dbms.cluster.discovery.endpoints` on port 5000; discovery v2 (5.23+, the
 * only one calendar versions have) in `dbms.cluster.discovery.v2.endpoints` on the cluster port 6000, with
 * `dbms.cluster.discovery.version=V2_ONLY`. Neo4j rolls 5.26 to a calendar version only on discovery v2.
 */
export class DiscoveryVersion {
  /** Discovery v1: the 5.x settings family as it always was (`dbms.cluster.discovery.endpoints`, port 5000). */
  public static readonly V1 = new DiscoveryVersion('V1');
  /**
   * Discovery v2: `dbms.cluster.discovery.version=V2_ONLY` and `dbms.cluster.discovery.v2.endpoints` on port
   * 6000 for 5.x (5.23 or later); calendar versions run it whatever this is.
   */
  public static readonly V2 = new DiscoveryVersion('V2');

  /** Every value the `<prefix>DiscoveryVersion` stack parameter allows. */
  public static readonly ALLOWED_VALUES: string[] = ['V1', 'V2'];

  private constructor(
    /** The stack parameter value. */
    public readonly value: string,
  ) {}
}
