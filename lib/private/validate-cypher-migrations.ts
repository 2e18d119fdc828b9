import { Neo4jUpgradesValidationError } from '../errors';
import { CypherMigration } from '../upgrade/cypher-migration';

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** The statements travel in the task's input, which Step Functions caps at 256 KiB. */
export const MAX_MIGRATIONS_BYTES = 128 * 1024;

/** Synth-time checks of the `migrations` prop; throws naming the migration and the value. */
export function validateCypherMigrations(migrations: readonly CypherMigration[]): void {
  const seen = new Set<string>();
  let bytes = 0;
  migrations.forEach((m, i) => {
    if (!ID_PATTERN.test(m.id)) {
      throw new Neo4jUpgradesValidationError(`migrations[${i}].id`, JSON.stringify(m.id), "must be 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
    if (seen.has(m.id)) throw new Neo4jUpgradesValidationError(`migrations[${i}].id`, JSON.stringify(m.id), 'is used by an earlier migration');
    seen.add(m.id);
    if (m.cypher.trim() === '') throw new Neo4jUpgradesValidationError(`migrations[${i}].cypher`, JSON.stringify(m.cypher), 'must be a Cypher statement');
    bytes += Buffer.byteLength(m.id) + Buffer.byteLength(m.cypher);
  });
  if (bytes > MAX_MIGRATIONS_BYTES) {
    throw new Neo4jUpgradesValidationError('migrations', `${bytes} bytes`, `must total at most ${MAX_MIGRATIONS_BYTES} bytes (they travel in the task input)`);
  }
}
