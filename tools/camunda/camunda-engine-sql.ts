import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The engine artifact on Maven Central whose jar carries the SQL scripts per database. */
export const CAMUNDA_ENGINE_ARTIFACT = 'org.camunda.bpm:camunda-engine';

/** Where the jar of `version` lies in the local Maven repository. */
export function engineJarPath(version: string): string {
  const repo = process.env.MAVEN_REPOSITORY ?? path.join(os.homedir(), '.m2', 'repository');
  return path.join(repo, 'org', 'camunda', 'bpm', 'camunda-engine', version, `camunda-engine-${version}.jar`);
}

/** The engine jar of `version`, fetched once with `mvn dependency:get` (about a minute) into ~/.m2. */
export function engineJar(version: string): string {
  const jar = engineJarPath(version);
  if (!fs.existsSync(jar)) {
    execFileSync('mvn', ['-q', '-B', 'dependency:get', `-Dartifact=${CAMUNDA_ENGINE_ARTIFACT}:${version}`, '-Dtransitive=false'], { stdio: 'inherit' });
  }
  return jar;
}

/** The engine's SQL folders (`create`, `upgrade`, `drop`) of `version`, unpacked from its jar into `into`. */
export function engineSql(version: string, into: string): { create: string; upgrade: string } {
  execFileSync('unzip', ['-oq', engineJar(version), 'org/camunda/bpm/engine/db/create/*', 'org/camunda/bpm/engine/db/upgrade/*', '-d', into]);
  const db = path.join(into, 'org', 'camunda', 'bpm', 'engine', 'db');
  return { create: path.join(db, 'create'), upgrade: path.join(db, 'upgrade') };
}

/** The order Camunda's installation guide runs the create scripts in. */
export const CREATE_SCRIPT_ORDER = ['engine', 'history', 'identity', 'case.engine', 'case.history', 'decision.engine', 'decision.history'];

/** The create scripts of `databaseType` (e.g. `postgres`) in that order. */
export function createScripts(createDir: string, databaseType: string): string[] {
  return CREATE_SCRIPT_ORDER.map((part) => path.join(createDir, `activiti.${databaseType}.create.${part}.sql`));
}
