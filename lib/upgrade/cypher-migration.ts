/**
 * One Cypher statement the staged upgrade runs in stage 3 (seed 000 "manual migrations"), after the
 * master's store is upgraded and before the cluster goes back to HA.
 *
 * The statement runs in an auto-commit transaction on the single master, so schema commands and
 * `CALL { ... } IN TRANSACTIONS` are allowed. Once applied it is recorded in the database as a
 * `(:__Neo4jUpgradeMigration {id, checksum, appliedAt, executionId})` node and never runs again; changing
 * the text of an applied id fails the upgrade. Write statements that can safely run twice (MERGE,
 * IF NOT EXISTS): a failure between the statement and its record repeats it on retry.
 */
export interface CypherMigration {
  /** Stable identifier: letters, digits, `.`, `_` and `-`, at most 128. Applied in the order given. */
  readonly id: string;
  /** One Cypher statement in the syntax of the target version. */
  readonly cypher: string;
}
