/**
 * The upgrade at the largest configuration it accepts (lib/private/procedure-limits.ts). The input file
 * (tools/rehearsal/apps/maximum-input.json) is checked to be at every cap. The rehearsal runs the
 * representative cut tools/rehearsal/apps/maximum-cut-app.ts: clone regions, Cypher migrations (count and
 * bytes), validation partitions and the comment at their caps, members at 3 + 1, because booting 12 nodes
 * (maximum-app.ts) takes 20-30 minutes here and each member adds only a few hundred bytes to a few lists.
 * It must succeed with its largest state under half of Step Functions' 256 KiB and its history under half
 * of the 25,000 events. Needs what the happy path needs (moto_server, the aws CLI, a JDK 21+, Maven).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CypherMigration } from '../../lib';
import { PROCEDURE_LIMITS, jsonBytes } from '../../lib/private/procedure-limits';
import { DEFAULT_INPUT, RehearsalReport, rehearse } from '../../tools/rehearsal';
import { MAXIMUM_CLONE_REGIONS, maximumMigrations } from '../../tools/rehearsal/apps/maximum-configuration';
import { SERVICE_LIMITS } from '../../tools/rehearsal/service-limits';

const APP = path.join(__dirname, '..', '..', 'tools', 'rehearsal', 'apps', 'maximum-cut-app.ts');
/** The cut's members (maximum-cut-app.ts). */
const CUT_MEMBERS = { targetCapacity: 3, slaveCapacity: 1 };
const INPUT_FILE = path.join(__dirname, '..', '..', 'tools', 'rehearsal', 'apps', 'maximum-input.json');
const input = JSON.parse(fs.readFileSync(INPUT_FILE, 'utf8')) as Record<string, unknown>;

describe('the maximum configuration is at every cap', () => {
  test('the input file: members, regions and comment at their caps, the rehearsal\'s target image', () => {
    expect(input).toMatchObject({
      dockerImage: DEFAULT_INPUT.dockerImage,
      targetCapacity: PROCEDURE_LIMITS.mainMembers,
      slaveCapacity: PROCEDURE_LIMITS.slaveMembers,
      cloneRegions: MAXIMUM_CLONE_REGIONS,
    });
    expect(MAXIMUM_CLONE_REGIONS).toHaveLength(PROCEDURE_LIMITS.cloneRegions);
    const comment = String(input.comment);
    expect({ characters: comment.length, bytes: jsonBytes(comment) - 2 })
      .toEqual({ characters: PROCEDURE_LIMITS.commentCharacters, bytes: PROCEDURE_LIMITS.commentBytes });
  });

  test('the migrations: as many as accepted, filling the byte cap to within one migration\'s padding', () => {
    const migrations: CypherMigration[] = maximumMigrations();
    expect(migrations).toHaveLength(PROCEDURE_LIMITS.migrations);
    const bytes = jsonBytes(migrations);
    expect(bytes).toBeLessThanOrEqual(PROCEDURE_LIMITS.migrationsBytes);
    expect(bytes).toBeGreaterThan(PROCEDURE_LIMITS.migrationsBytes - 2 * PROCEDURE_LIMITS.migrations);
  });
});

describe('rehearsal of the maximum configuration (members cut to 3 + 1)', () => {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rehearsal-maximum-'));
  let report: RehearsalReport;

  beforeAll(async () => {
    // No lock-contention probe: it runs inside the lock task and, on a loaded machine, outlasts its timeout.
    report = await rehearse({ app: APP, input: { ...input, ...CUT_MEMBERS }, outDir, lockContention: false, progress: () => undefined });
  }, 45 * 60_000);

  afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }));

  test('succeeds, every stage, with the cut\'s members at the end and a volume in every clone region', () => {
    expect({ ok: report.ok, verdict: report.verdict }).toEqual({ ok: true, verdict: [] });
    expect(report.stages?.map((s) => s.status)).toEqual(Array(8).fill('succeeded'));
    expect(report.finalParameters).toMatchObject({
      DesiredCapacity: String(CUT_MEMBERS.targetCapacity), SlaveDesiredCapacity: String(CUT_MEMBERS.slaveCapacity),
    });
    expect(new Set(report.volumes?.created.map((v) => v.region))).toEqual(new Set(['us-east-1', ...MAXIMUM_CLONE_REGIONS]));
  });

  test('its largest state stays under half of 256 KiB, its history under half of 25,000 events', () => {
    const counts = report.happyPath!.counts;
    expect(counts.largestStateBytes).toBeLessThan(SERVICE_LIMITS.payloadBytes / 2);
    expect(counts.historyEvents).toBeLessThan(SERVICE_LIMITS.historyEvents / 2);
  });

  test('every Map stays within its MaxConcurrency, and each partition pass fans out to every partition', () => {
    const maps = report.happyPath!.counts.mapConcurrency;
    for (const [name, m] of Object.entries(maps)) expect({ name, within: m.peak <= (m.maxConcurrency ?? Infinity) }).toEqual({ name, within: true });
    expect(Object.keys(maps).filter((n) => / by partition$/.test(n)).length).toBe(4);
  });
});
