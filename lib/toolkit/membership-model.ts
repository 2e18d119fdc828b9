import { Neo4jVersionFamily } from '../cluster/neo4j-version-family';

/**
 * How a Neo4j cluster adds and removes a member, which decides the membership steps of a replacement
 * ({@link MemberReplacement}, docs/rolling-upgrade.md "Replaceable resources").
 */
export class MembershipModel {
  /**
   * Neo4j 5.x / 2025.x server management: a new server is discovered Free and must be enabled
   * (`ENABLE SERVER`); an old one gives up its databases (`DEALLOCATE DATABASES FROM SERVER`), is drained and
   * dropped (`DROP SERVER`) before its process stops.
   */
  public static readonly SERVER_MANAGEMENT = new MembershipModel('SERVER_MANAGEMENT');

  /**
   * Neo4j 4.4 causal clustering: a new core joins the Raft group through discovery
   * (`causal_clustering.initial_discovery_members`) and copies every database when its process starts; an old
   * core leaves when its process stops, and the leader removes it from the membership (down to
   * `causal_clustering.minimum_core_cluster_size_at_runtime`). There is no command to send: the steps wait
   * on `dbms.cluster.overview()` and `SHOW DATABASES`.
   */
  public static readonly CORE_DISCOVERY = new MembershipModel('CORE_DISCOVERY');

  /** The model of a version family's clusters; undefined where a member cannot be added first (3.5 HA). */
  public static of(family: Neo4jVersionFamily): MembershipModel | undefined {
    if (family === Neo4jVersionFamily.V4_4_CAUSAL) return MembershipModel.CORE_DISCOVERY;
    if (family === Neo4jVersionFamily.V5 || family === Neo4jVersionFamily.V2025) return MembershipModel.SERVER_MANAGEMENT;
    return undefined;
  }

  private constructor(
    /** The model's name. */
    public readonly name: string,
  ) {}
}
