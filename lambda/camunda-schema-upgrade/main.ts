import { PsqlDatabase } from './psql-database';
import { upgradeSchema } from './logic';

/**
 * The schema step's ECS task (the procedure runs it once with RunTask): the image carries psql, this
 * program and the new engine's upgrade scripts. Settings come from the environment: CAMUNDA_TARGET_VERSION,
 * CAMUNDA_DATABASE_TYPE (default postgres), CAMUNDA_SCRIPTS_DIR, and the PG* connection variables.
 * Exit code 0 when the schema is at the target minor, 1 otherwise; the procedure reads the exit code.
 */
async function main(): Promise<void> {
  const log = (message: string, fields: Record<string, unknown>) => console.log(JSON.stringify({ level: 'info', message, ...fields }));
  try {
    await upgradeSchema({ db: new PsqlDatabase(), log }, {
      targetVersion: process.env.CAMUNDA_TARGET_VERSION ?? '',
      databaseType: process.env.CAMUNDA_DATABASE_TYPE ?? 'postgres',
      scriptsDir: process.env.CAMUNDA_SCRIPTS_DIR ?? '/camunda/sql/upgrade',
    });
  } catch (err) {
    const e = err as Error;
    console.log(JSON.stringify({ level: 'error', message: 'schema step failed', errorName: e.name, errorMessage: e.message }));
    process.exitCode = 1;
  }
}

void main();
