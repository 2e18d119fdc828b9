/**
 * The role-ordered upgrade rehearsed end to end (tools/rehearsal/arango): the synthesized state machine with
 * the real handlers against moto_server and the ArangoDB emulator (simulated). The happy path 3.3.23 -> 3.4.2
 * on 3 agents / 3 DB servers / 2 coordinators, the version guard's refusals, and a slice of the fault matrix:
 * the emulator's three world faults and a failure inside the servers' Map after a store was upgraded.
 * The whole matrix: `npx ts-node --transpile-only tools/rehearsal/arango/cli.ts --faults all`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ArangoRehearsalReport, ArangoRunSpec, rehearseArango } from '../../tools/rehearsal/arango';

let report: ArangoRehearsalReport;
const slice = (runs: ArangoRunSpec[]) => runs.filter((r) => /^\d+-w-|a-Server-the-role-gate-passes$/.test(r.name));

beforeAll(async () => {
  report = await rehearseArango({ outDir: fs.mkdtempSync(path.join(os.tmpdir(), 'arango-rehearsal-')), faults: slice, progress: () => undefined });
}, 600_000);

test('the happy path upgrades every server in the seed\'s order, one at a time, maintenance only around the DB servers', () => {
  const happy = report.happyPath;
  expect(happy).toMatchObject({ outcome: 'succeeded', problems: [], asExpected: true });
  expect(happy?.order.map((o) => `${o.role}:${o.serverId}`)).toEqual([
    'agents:AGNT-0001', 'agents:AGNT-0002', 'agents:AGNT-0003', 'dbServers:PRMR-0001', 'dbServers:PRMR-0002', 'dbServers:PRMR-0003',
    'coordinators:CRDN-0001', 'coordinators:CRDN-0002',
  ]);
  expect(happy?.order.every((o) => o.upgradeRunExit === 0 && o.gatePassedAt)).toBe(true);
  expect(happy?.maintenance).toMatchObject({ seconds: 3600, aroundServers: ['PRMR-0001', 'PRMR-0002', 'PRMR-0003'] });
});

test('the version guard refuses a downgrade, a skipped minor and a patch below the minimum before any change', () => {
  expect(report.guard.map((g) => [g.name, g.outcome, g.problems])).toEqual([
    ['guard-downgrade', 'refused', []], ['guard-skipped-minor', 'refused', []], ['guard-below-the-minimum-patch', 'refused', []],
  ]);
});

test('every fault run ends as expected with maintenance off, hooks restored, one version on matching stores, nothing lost', () => {
  const runs = report.faults?.results ?? [];
  expect(runs.map((r) => r.name.replace(/^\d+-/, ''))).toEqual([
    'a-Server-the-role-gate-passes', 'w-agent-never-back-in-sync', 'w-dbserver-auto-upgrade-exit-10', 'w-maintenance-already-on',
  ]);
  expect(runs.map((r) => [r.name, r.outcome, r.problems])).toEqual([
    [runs[0].name, 'rolled-back', []], [runs[1].name, 'rolled-back', []], [runs[2].name, 'rolled-back', []], [runs[3].name, 'succeeded', []],
  ]);
  expect(report.ok).toBe(true);
});
