/**
 * The engine's database as the schema step sees it: read rows, run one upgrade script in one transaction.
 * Production: psql (psql-database.ts), the client Camunda's own documentation runs its scripts with.
 */
export interface SchemaDatabase {
  /** Rows of a query, each a list of column texts. */
  query(sql: string): Promise<string[][]>;
  /** Runs a script file as one transaction, stopping at its first error (nothing of it stays then). */
  runScript(path: string): Promise<void>;
}
