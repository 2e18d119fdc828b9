/**
 * The rehearsal of a two-stack app end to end: the cluster stack and the upgrade stack (the Neo4jCluster
 * object passed across) deployed into moto in dependency order, the upgrade stack's cross-stack
 * references resolved from the cluster stack's outputs, and the upgrade rehearsed against the cluster
 * stack. Needs what the happy-path rehearsal needs (moto_server, the aws CLI, a JDK 21+ and Maven).
 * The cluster stack holds a second cluster of the same environment (issue 17): the upgrade leaves every
 * volume and snapshot of it as it was, asserted from the execution's inventories.
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

  test('the other cluster of the environment: every volume and snapshot of it is untouched', () => {
    const IDENTITY = 'neo4j-upgrades:cluster';
    const { before, after } = report.happyPath!.inventory;
    const otherBefore = before.volumes.filter((v) => v.name === 'neo4j-rehearsal-other-data');
    expect(otherBefore.length).toBeGreaterThanOrEqual(1); // its node booted and claimed one
    const otherIdentity = otherBefore[0].tags[IDENTITY];
    const upgradedIdentity = before.volumes.find((v) => v.name === 'neo4j-rehearsal-data')?.tags[IDENTITY];
    expect(otherIdentity).toMatch(/^Neo4jRehearsalCluster\/[0-9a-f]{8}$/);
    expect(upgradedIdentity).toMatch(/^Neo4jRehearsalCluster\/[0-9a-f]{8}$/);
    expect(otherIdentity).not.toBe(upgradedIdentity);

    const othersOf = (volumes: typeof before.volumes) => volumes.filter((v) => v.tags[IDENTITY] === otherIdentity)
      .map(({ state, ...v }) => ({ ...v, inUse: state === 'in-use' })).sort((a, b) => a.volumeId.localeCompare(b.volumeId));
    expect(othersOf(after.volumes)).toEqual(othersOf(before.volumes));
    const otherIds = new Set(otherBefore.map((v) => v.volumeId));
    const touching = after.snapshots.filter((s) => s.tags[IDENTITY] === otherIdentity || otherIds.has(s.volumeId ?? '')
      || otherIds.has(s.tags['neo4j-upgrade:source-volume'] ?? ''));
    expect(touching).toEqual([]);
    // What the upgrade did make carries the upgraded cluster's identity, and its lock is named after it.
    expect(report.happyPath!.snapshots.preUpgrade.length).toBeGreaterThan(0);
    for (const s of [...report.happyPath!.snapshots.preUpgrade, ...report.happyPath!.snapshots.clones]) expect(s.tags[IDENTITY]).toBe(upgradedIdentity);
    for (const v of report.happyPath!.volumes.created) expect(v.tags[IDENTITY]).toBe(upgradedIdentity);
    expect(report.happyPath!.lock.parameterName).toBe(`/neo4j-upgrades/${upgradedIdentity}/lock`);
  });
});
