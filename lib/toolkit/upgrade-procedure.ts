/**
 * The procedure a state machine runs, checked against the version path by the preflight before any
 * change: a rolling upgrade is refused where Neo4j cannot roll (a store-format change, or 5.26 -> 2025.x
 * on discovery v1), naming the offline procedure.
 */
export class UpgradeProcedure {
  /** One server at a time, the cluster available throughout (Neo4jRollingUpgrade). */
  public static readonly ROLLING = new UpgradeProcedure('rolling');
  /** The offline procedure (Neo4jStagedUpgrade): runs on every path Neo4j supports. */
  public static readonly OFFLINE = new UpgradeProcedure('offline');

  private constructor(
    /** The id validate-input reads: `rolling` or `offline`. */
    public readonly id: string,
  ) {}
}
