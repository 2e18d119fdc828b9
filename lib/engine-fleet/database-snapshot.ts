/**
 * The database snapshot taken before anything changes (seed 002 upgrades the schema first: the snapshot
 * is what an operator restores from if the schema step itself goes wrong).
 */
export class DatabaseSnapshot {
  /** An Amazon RDS DB instance (CreateDBSnapshot). */
  public static rdsInstance(dbInstanceIdentifier: string): DatabaseSnapshot {
    return new DatabaseSnapshot('rds-instance', dbInstanceIdentifier);
  }

  /** An Amazon Aurora DB cluster (CreateDBClusterSnapshot). */
  public static rdsCluster(dbClusterIdentifier: string): DatabaseSnapshot {
    return new DatabaseSnapshot('rds-cluster', dbClusterIdentifier);
  }

  private constructor(
    /** `rds-instance` or `rds-cluster`. */
    public readonly kind: string,
    /** The DB instance or cluster identifier. */
    public readonly identifier: string,
  ) {}
}
