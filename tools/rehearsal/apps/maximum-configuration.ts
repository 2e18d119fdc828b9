/**
 * The largest configuration Neo4jStagedUpgrade accepts (lib/private/procedure-limits.ts): every prop and
 * execution-input field that grows the state or the history at its cap. `maximum-app.ts` synthesizes it,
 * `maximum-input.json` is its execution input; test/rehearsal/maximum-configuration.test.ts rehearses both.
 */
import { CypherMigration } from '../../../lib';
import { PROCEDURE_LIMITS, jsonBytes } from '../../../lib/private/procedure-limits';

/** Regions whose AZ letters (a, b, c) match the rehearsal's home region us-east-1, as moto knows them. */
export const MAXIMUM_CLONE_REGIONS = [
  'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'us-east-2', 'us-west-2', 'ap-southeast-1', 'ap-southeast-2',
].slice(0, PROCEDURE_LIMITS.cloneRegions);

/**
 * PROCEDURE_LIMITS.migrations idempotent statements whose JSON fills the byte cap to within one
 * migration's padding: each MERGEs one node and sets a padded note.
 */
export function maximumMigrations(): CypherMigration[] {
  const count = PROCEDURE_LIMITS.migrations;
  const statement = (i: number, pad: string) => ({
    id: `limits-${String(i).padStart(3, '0')}`,
    cypher: `MERGE (m:LimitsMigration {id: ${i}}) SET m.note = '${pad}'`,
  });
  const perMigration = Math.floor((PROCEDURE_LIMITS.migrationsBytes - 2) / count) - 1; // '[' ']' and the commas
  return Array.from({ length: count }, (_, i) => statement(i, 'x'.repeat(perMigration - jsonBytes(statement(i, '')))));
}
