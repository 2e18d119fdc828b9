/**
 * The rehearsal of a two-stack app end to end: the cluster stack and the upgrade stack (the Neo4jCluster
 * object passed across) deployed into moto in dependency order, the upgrade stack's cross-stack
 * references resolved from the cluster stack's outputs, and the upgrade rehearsed against the cluster
 * stack. Needs what the happy-path rehearsal needs (moto_server, the aws CLI, a JDK 21+ and Maven).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NEO4J_NEWEST_VERSION } from '../../tools/neo4j-embedded';
import { RehearsalReport, REPO_ROOT, rehearse } from '../../tools/rehearsal';

const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rehearsal-two-stack-'));
const lines: string[] = [];
let report: RehearsalReport;

beforeAll(async () => {
  report = await rehearse({
    app: path.join(REPO_ROOT, 'tools', 'rehearsal', 'apps', 'two-stack-app.ts'), outDir, progress: (l) => lines.push(l), lockContention: false,
  });
}, 25 * 60_000);

afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }));

describe('rehearsal of a cluster stack and its upgrade stack', () => {
  test('deploys both stacks, the cluster first, and the upgrade succeeds in every stage', () => {
    expect(report.stacks).toEqual(['Neo4jRehearsalCluster', 'Neo4jRehearsalUpgrade']);
    expect(report.stackName).toBe('Neo4jRehearsalUpgrade');
    expect({ ok: report.ok, verdict: report.verdict }).toEqual({ ok: true, verdict: [] });
    expect(report.stages?.map((s) => s.status)).toEqual(Array(8).fill('succeeded'));
  });

  test('the upgrade changed the cluster stack\'s parameters', () => {
    expect(report.finalParameters).toMatchObject({
      Mode: 'HA', SlaveMode: 'HA', AllowUpgrade: 'false', DockerImage: `neo4j:${NEO4J_NEWEST_VERSION}-enterprise`,
    });
  });

  test('the cross-stack references were resolved from the cluster stack\'s outputs, and the report says so', () => {
    expect(report.emulatorAdaptations.map((a) => a.what)).toContainEqual(expect.stringMatching(/references to other stacks' outputs .* replaced/));
  });
});
