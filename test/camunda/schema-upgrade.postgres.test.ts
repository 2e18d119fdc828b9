/**
 * The schema step with real parts: a throwaway PostgreSQL 15, the create scripts of camunda-engine 7.23.0
 * and the upgrade scripts of 7.24.0 from their jars (Maven Central, cached in ~/.m2), and the same
 * upgradeSchema + psql code the ECS task runs.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { upgradeSchema } from '../../lambda/camunda-schema-upgrade/logic';
import { PsqlDatabase } from '../../lambda/camunda-schema-upgrade/psql-database';
import { createScripts, engineSql } from '../../tools/camunda/camunda-engine-sql';
import { POSTGRES_BIN, ThrowawayPostgres, startThrowawayPostgres } from '../../tools/postgres/throwaway-postgres';

const FROM = '7.23.0';
const TO = '7.24.0';

describe('the Camunda schema step on a real PostgreSQL', () => {
  let pg: ThrowawayPostgres;
  let work: string;
  let upgradeDir: string;
  const logged: string[] = [];
  const deps = () => ({ db: new PsqlDatabase(path.join(POSTGRES_BIN, 'psql'), pg.env('camunda')), log: (m: string) => { logged.push(m); } });

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'camunda-sql-'));
    const old = engineSql(FROM, path.join(work, FROM));
    upgradeDir = engineSql(TO, path.join(work, TO)).upgrade;
    pg = await startThrowawayPostgres();
    pg.psql('create database camunda');
    const db = new PsqlDatabase(path.join(POSTGRES_BIN, 'psql'), pg.env('camunda'));
    for (const script of createScripts(old.create, 'postgres')) await db.runScript(script);
  });

  afterAll(() => {
    pg?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  test('7.23 -> 7.24 applies the one minor script, records 7.24.0 in ACT_GE_SCHEMA_LOG, and a second run applies nothing', async () => {
    expect(pg.psql('select VERSION_ from ACT_GE_SCHEMA_LOG order by TIMESTAMP_', 'camunda').trim().split('\n')).toEqual(['7.23.0']);

    const first = await upgradeSchema(deps(), { targetVersion: TO, databaseType: 'postgres', scriptsDir: upgradeDir });
    expect(first).toEqual({ from: '7.23.0', to: '7.24.0', applied: ['postgres_engine_7.23_to_7.24.sql'] });
    expect(pg.psql("select VERSION_ from ACT_GE_SCHEMA_LOG where VERSION_ like '7.24%'", 'camunda').trim()).toBe('7.24.0');

    const second = await upgradeSchema(deps(), { targetVersion: TO, databaseType: 'postgres', scriptsDir: upgradeDir });
    expect(second).toEqual({ from: '7.24.0', to: '7.24.0', applied: [] });
    // The schema log holds one row per version: the script ran once.
    expect(pg.psql('select VERSION_, count(*) from ACT_GE_SCHEMA_LOG group by VERSION_ order by VERSION_', 'camunda').trim().split('\n'))
      .toEqual(['7.23.0|1', '7.24.0|1']);
  });

  test('a downgrade and a missing minor script are refused before any script runs', async () => {
    await expect(upgradeSchema(deps(), { targetVersion: '7.23.5', databaseType: 'postgres', scriptsDir: upgradeDir }))
      .rejects.toThrow('the schema is 7.24, newer than the target 7.23: no downgrade');
    await expect(upgradeSchema(deps(), { targetVersion: '7.26.0', databaseType: 'postgres', scriptsDir: upgradeDir }))
      .rejects.toThrow(`no upgrade script postgres_engine_7.24_to_7.25.sql in ${upgradeDir}: steps are never skipped`);
    expect(pg.psql('select count(*) from ACT_GE_SCHEMA_LOG', 'camunda').trim()).toBe('2');
  });

  test('a script that fails halfway leaves nothing of it applied (one transaction) and the step fails', async () => {
    const broken = fs.mkdtempSync(path.join(work, 'broken-'));
    fs.writeFileSync(path.join(broken, 'postgres_engine_7.24_to_7.25.sql'),
      "insert into ACT_GE_SCHEMA_LOG values ('1400', CURRENT_TIMESTAMP, '7.25.0');\nalter table NO_SUCH_TABLE add column X_ integer;\n");
    await expect(upgradeSchema(deps(), { targetVersion: '7.25.0', databaseType: 'postgres', scriptsDir: broken }))
      .rejects.toThrow(/psql exited 3: .*NO_SUCH_TABLE|no_such_table/i);
    expect(pg.psql("select count(*) from ACT_GE_SCHEMA_LOG where VERSION_ = '7.25.0'", 'camunda').trim()).toBe('0');
  });
});
