import * as fs from 'node:fs';
import * as path from 'node:path';
import { CamundaVersion, compareCamundaVersions, minorOf, parseCamundaVersion } from '../shared/camunda-version';
import { SchemaDatabase } from './schema-database';

export interface SchemaUpgradeInput {
  /** The engine version the fleet is upgraded to, e.g. `7.24.0`; its minor is the schema's target. */
  readonly targetVersion: string;
  /** Camunda's database type in the script names: `postgres`, `mysql`, `oracle`, ... */
  readonly databaseType: string;
  /** The folder with the new engine's upgrade scripts (`org/camunda/bpm/engine/db/upgrade` of its jar). */
  readonly scriptsDir: string;
}

export interface SchemaUpgradeDeps {
  readonly db: SchemaDatabase;
  readonly log: (message: string, fields: Record<string, unknown>) => void;
}

export interface SchemaUpgradeOutput {
  /** The schema version before, from ACT_GE_SCHEMA_LOG. */
  readonly from: string;
  /** The schema version after. */
  readonly to: string;
  /** The scripts applied, in order; empty when the schema was already at the target minor. */
  readonly applied: string[];
}

/** The schema step failed; the message says which script or check. */
export class SchemaUpgradeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchemaUpgradeError';
  }
}

/**
 * Seed 002 step 1: brings the engine's schema to the target minor with the engine's own upgrade scripts,
 * one minor step at a time, in order. Each script records its version in ACT_GE_SCHEMA_LOG in the same
 * transaction, so the schema log is the record: a second run finds the target minor there and applies
 * nothing. Never downgrades: a schema newer than the target is refused (old engines need no older schema).
 */
export async function upgradeSchema(deps: SchemaUpgradeDeps, input: SchemaUpgradeInput): Promise<SchemaUpgradeOutput> {
  const target = parseCamundaVersion(input.targetVersion);
  if (!target) throw new SchemaUpgradeError(`targetVersion must be a Camunda version like 7.24.0, got ${JSON.stringify(input.targetVersion)}`);
  if (!/^[a-z0-9]+$/.test(input.databaseType ?? '')) throw new SchemaUpgradeError(`databaseType must be a Camunda database name like postgres, got ${JSON.stringify(input.databaseType)}`);
  const from = await schemaVersion(deps.db);
  if (from.major !== target.major) throw new SchemaUpgradeError(`the schema is ${minorOf(from)}, the target ${minorOf(target)}: a major upgrade is not a rolling upgrade`);
  if (from.minor > target.minor) throw new SchemaUpgradeError(`the schema is ${minorOf(from)}, newer than the target ${minorOf(target)}: no downgrade`);
  const applied: string[] = [];
  let current = from;
  for (let minor = from.minor; minor < target.minor; minor++) {
    const script = `${input.databaseType}_engine_${target.major}.${minor}_to_${target.major}.${minor + 1}.sql`;
    const file = path.join(input.scriptsDir, script);
    if (!fs.existsSync(file)) throw new SchemaUpgradeError(`no upgrade script ${script} in ${input.scriptsDir}: steps are never skipped`);
    deps.log('applying', { script });
    await deps.db.runScript(file);
    current = await schemaVersion(deps.db);
    if (current.minor !== minor + 1) throw new SchemaUpgradeError(`after ${script} the schema log says ${minorOf(current)}, not ${target.major}.${minor + 1}`);
    applied.push(script);
  }
  deps.log('schema at target', { from: version(from), to: version(current), applied });
  return { from: version(from), to: version(current), applied };
}

/** The newest version ACT_GE_SCHEMA_LOG records (the create script writes the first row, each upgrade script one more). */
export async function schemaVersion(db: SchemaDatabase): Promise<CamundaVersion> {
  const rows = await db.query('select VERSION_ from ACT_GE_SCHEMA_LOG');
  const versions = rows.map((r) => parseCamundaVersion(r[0])).filter((v): v is CamundaVersion => v !== undefined);
  if (versions.length === 0) throw new SchemaUpgradeError('ACT_GE_SCHEMA_LOG records no version: this is no Camunda 7 schema');
  return versions.sort(compareCamundaVersions)[versions.length - 1];
}

function version(v: CamundaVersion): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}
