/**
 * One of the application's compatibility queries: Cypher that must return the given rows on the new
 * version (green) before any traffic moves to it.
 */
export interface CompatibilityQuery {
  /** Names the query in errors and reports; unique within a check. */
  readonly name: string;
  /** Read Cypher as the application runs it (it runs in a transaction that is rolled back). */
  readonly cypher: string;
  /**
   * The rows green must return, in order, as plain JSON: integers as numbers, temporal and spatial
   * values as their Cypher string form, nodes and relationships as their property maps.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a row holds any JSON value (jsii's `any`)
  readonly expectedRows: { [column: string]: any }[];
}
