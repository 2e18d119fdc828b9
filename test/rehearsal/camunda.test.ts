/**
 * The schema-first rolling upgrade rehearsed end to end with real parts (tools/rehearsal/camunda): the
 * synthesized state machine with the real handlers against moto_server, a real PostgreSQL, three real
 * Camunda engine JVMs (7.23.0 -> 7.24.0 from Maven Central) and a real HAProxy following the target group,
 * a client workload through HAProxy for the whole run. The CLI prints the same report:
 * `npx ts-node --transpile-only tools/rehearsal/camunda/cli.ts`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CamundaRehearsalReport, rehearseCamunda } from '../../tools/rehearsal/camunda';

let report: CamundaRehearsalReport;

beforeAll(async () => {
  report = await rehearseCamunda({ outDir: fs.mkdtempSync(path.join(os.tmpdir(), 'camunda-rehearsal-')), progress: () => undefined });
}, 900_000);

test('the fleet is upgraded 7.23 -> 7.24 in groups of one, schema first and once, with zero failed requests and every instance completed', () => {
  const happy = report.happyPath!;
  const f = happy.figures;
  expect({ outcome: happy.outcome, problems: happy.problems }).toEqual({ outcome: 'succeeded', problems: [] });
  // The schema step: one run, one script, recorded once in ACT_GE_SCHEMA_LOG, before the first engine stopped.
  expect(f.schema).toMatchObject({ runs: 1, exitCodes: [0], applied: ['postgres_engine_7.23_to_7.24.sql'], beforeFirstEngineStop: true });
  expect(f.schema.log.map((l) => l.split('|').slice(0, 2).join('|'))).toEqual(['7.23.0|1', '7.24.0|1']);
  // Groups of one in node order, each engine out of HAProxy and drained before its JVM stopped.
  expect(f.groups.map((g) => [g.groupId, g.nodes, g.fromVersion, g.toVersion])).toEqual([
    ['group-1', ['engine-1'], '7.23.0', '7.24.0'], ['group-2', ['engine-2'], '7.23.0', '7.24.0'], ['group-3', ['engine-3'], '7.23.0', '7.24.0'],
  ]);
  // The procedure's engine check, answered by each new real engine (query answered, job executor active) before it took traffic.
  expect(f.engineChecksPassed).toEqual(['group-1', 'group-2', 'group-3']);
  expect(f.restarts.map((r) => [r.nodeId, r.inServiceAtStop, r.sessionsAtStop])).toEqual([['engine-1', false, 0], ['engine-2', false, 0], ['engine-3', false, 0]]);
  expect(f.finalVersions).toEqual({ 'engine-1': '7.24.0', 'engine-2': '7.24.0', 'engine-3': '7.24.0' });
  // The workload: raw failures (no retries), every instance started before or during the run completed.
  expect(f.requests.failed).toBe(0);
  expect(f.requests.served).toBeGreaterThan(50);
  expect(f.instances.startedBefore).toBeGreaterThan(0);
  expect(f.instances.startedDuring).toBeGreaterThan(0);
  expect(f.instances.completed).toBe(f.instances.started);
  expect({ open: f.instances.openInDatabase, all: f.instances.inDatabase }).toEqual({ open: 0, all: f.instances.started });
  // Seed 002's guarantees with real engines: old engines serve on the new schema; an instance started on an old engine completes on a new one.
  expect(f.requests.oldEnginesOnNewSchema).toBeGreaterThan(0);
  expect(f.instances.startedOldCompletedNew).toBeGreaterThan(0);
});

test('the version guard refuses a skipped minor and a downgrade before any change', () => {
  expect(report.guard.map((g) => [g.name, g.outcome, g.problems])).toEqual([['guard-skipped-minor', 'refused', []], ['guard-downgrade', 'refused', []]]);
  expect(report.contractFindings).toEqual([]);
  expect(report.ok).toBe(true);
});
