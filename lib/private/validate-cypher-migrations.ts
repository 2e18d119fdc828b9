import { Neo4jUpgradesValidationError } from '../errors';
import { CypherMigration } from '../upgrade/cypher-migration';
import { PROCEDURE_LIMITS, jsonBytes } from './procedure-limits';

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Synth-time checks of the `migrations` prop; throws naming the migration and the value. */
export function validateCypherMigrations(migrations: readonly CypherMigration[]): void {
  if (migrations.length > PROCEDURE_LIMITS.migrations) {
    throw new Neo4jUpgradesValidationError('migrations', `${migrations.length} migrations`,
      `at most ${PROCEDURE_LIMITS.migrations} (each is one loop of the run-migrations task in the execution history)`);
  }
  const seen = new Set<string>();
  migrations.forEach((m, i) => {
    if (!ID_PATTERN.test(m.id)) {
      throw new Neo4jUpgradesValidationError(`migrations[${i}].id`, JSON.stringify(m.id), "must be 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
    if (seen.has(m.id)) throw new Neo4jUpgradesValidationError(`migrations[${i}].id`, JSON.stringify(m.id), 'is used by an earlier migration');
    seen.add(m.id);
    if (m.cypher.trim() === '') throw new Neo4jUpgradesValidationError(`migrations[${i}].cypher`, JSON.stringify(m.cypher), 'must be a Cypher statement');
  });
  // As the task input carries them: JSON, escapes included.
  const bytes = jsonBytes(migrations.map((m) => ({ id: m.id, cypher: m.cypher })));
  if (bytes > PROCEDURE_LIMITS.migrationsBytes) {
    throw new Neo4jUpgradesValidationError('migrations', `${bytes} bytes as JSON`,
      `must total at most ${PROCEDURE_LIMITS.migrationsBytes} bytes as JSON (they travel in the run-migrations task input, capped at 256 KiB)`);
  }
}
