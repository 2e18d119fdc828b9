/**
 * The offline fault matrix's pure pieces (no Neo4j, no moto): the plan of runs from a definition, the
 * verdict of one run, and the harness's snapshot-time store copies.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ClientSet } from '../../tools/rehearsal/aws-clients';
import { failurePathOf, MachineModel, TaskInfo } from '../../tools/rehearsal/definition';
import { OfflineRunLook, offlineRunProblems } from '../../tools/rehearsal/offline/offline-fault-verdict';
import { buildOfflineFaultMatrix } from '../../tools/rehearsal/offline/offline-faults';
import { StoreVolumes } from '../../tools/rehearsal/offline/store-volumes';

const task = (stateName: string, handler: string, over: Partial<TaskInfo> = {}): TaskInfo => ({
  stateName, handler, functionLogicalId: handler, functionArn: handler, waitsForTaskToken: false, hasRetry: true, retriesThrottling: true,
  onFailurePath: false, nested: false, ...over,
});

/** The offline procedure's shape: input check, lock, migration, the copy, a backup whose failure the procedure accepts, the rollback. */
function model(): MachineModel {
  const tasks = [
    task('Check input', 'validate-input', { retriesThrottling: false }),
    task('Take the lock', 'upgrade-lock'),
    task('Migrate', 'update-stack'),
    task('Copy the store', 'clone-server-volumes'),
    task('Backup', 'snapshot-volumes'),
    task('Restore', 'restore-volumes', { onFailurePath: true }),
  ];
  const States: Record<string, { Type: string; Catch?: Array<{ ErrorEquals: string[]; Next: string }> }> = {
    'Check input': { Type: 'Task', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Refused before any change' }] },
    'Take the lock': { Type: 'Task', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Refused before any change' }] },
    Migrate: { Type: 'Task', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Restore' }] },
    'Copy the store': { Type: 'Task', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Restore' }] },
    Backup: { Type: 'Task', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Upgraded' }] },
    Upgraded: { Type: 'Succeed' }, 'Refused before any change': { Type: 'Fail' }, Restore: { Type: 'Task' },
  };
  return { definition: { StartAt: 'Check input', States }, tasks } as unknown as MachineModel;
}

describe('the offline fault matrix plan', () => {
  const runs = buildOfflineFaultMatrix(model());
  const names = runs.map((r) => r.name);

  test('the world faults first, both expected to roll back', () => {
    expect(runs.slice(0, 2).map((r) => [r.name, r.world, r.expect])).toEqual([
      ['01-w-migration-fails', 'migration-fails', ['rolled-back']],
      ['02-w-migrated-database-stays-starting', 'database-stays-starting', ['rolled-back']],
    ]);
  });

  test('every forward task state gets its error, as its Catch predicts; the runs that end SUCCEEDED go last', () => {
    expect(runs.map((r) => [r.name, r.expect.join()])).toEqual([
      ['01-w-migration-fails', 'rolled-back'],
      ['02-w-migrated-database-stays-starting', 'rolled-back'],
      ['03-a-Check-input', 'refused'],
      ['04-a-Take-the-lock', 'refused'],
      ['05-a-Migrate', 'rolled-back'],
      ['06-a-Copy-the-store', 'rolled-back'],
      ['07-b-throttle-failure-path', 'rolled-back'],
      ['08-a-Backup', 'succeeded'],
      ['09-b-throttle-every-forward-state', 'succeeded'],
    ]);
    expect(new Set(names).size).toBe(names.length);
  });

  test('the final thaw, whose failure goes on to the lock and the result, is forward; its run ends upgraded with writes frozen, last', () => {
    const withThaw = model();
    const States = withThaw.definition.States as Record<string, unknown>;
    const chain = ['Check input', 'Take the lock', 'Migrate', 'Copy the store', 'Backup'];
    chain.slice(0, -1).forEach((name, i) => { States[name] = { ...(States[name] as object), Next: chain[i + 1] }; });
    States.Backup = { Type: 'Task', Next: 'Thaw', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Upgraded' }] };
    States.Thaw = { Type: 'Task', Next: 'Release', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Release', ResultPath: '$.writeFreeze.thawError' }] };
    States.Release = { Type: 'Task', Next: 'Publish', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Restore' }] };
    States.Publish = { Type: 'Task', Next: 'Upgraded', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Upgraded' }] };
    const failurePath = failurePathOf(withThaw.definition);
    expect(['Thaw', 'Release', 'Publish'].filter((s) => failurePath.has(s))).toEqual([]);
    expect(failurePath.has('Restore')).toBe(true);
    const tasks = [...withThaw.tasks.filter((t) => !t.onFailurePath), task('Thaw', 'write-freeze'), task('Release', 'upgrade-lock'), task('Publish', 'publish-result'),
      ...withThaw.tasks.filter((t) => t.onFailurePath)];
    const planned = buildOfflineFaultMatrix({ ...withThaw, tasks }).map((r) => [r.name, r.expect.join()]);
    expect(planned.slice(6)).toEqual([
      ['07-a-Release', 'rolled-back'],
      ['08-b-throttle-failure-path', 'rolled-back'],
      ['09-a-Backup', 'succeeded'],
      ['10-a-Thaw', 'upgraded-writes-frozen'],
      ['11-a-Publish', 'succeeded'],
      ['12-b-throttle-every-forward-state', 'succeeded'],
    ]);
  });

  test('the failure path is throttled after a failure in the copy to the others (past the migration)', () => {
    const failurePath = runs.find((r) => /throttle-failure-path/.test(r.name));
    expect(failurePath?.faults).toEqual([{ kind: 'handler-error', state: 'Copy the store' }, { kind: 'throttle', state: 'Restore' }]);
  });
});

const versions = { fromImage: 'neo4j:5.26.30-enterprise', toImage: 'neo4j:2026.08.1-enterprise', fromVersion: '5.26.30', toVersion: '2026.08.1' };
const evidence = (openedBy: string[], upgrades = 0) => ({ dir: '/x', openedBy, opened: [], upgrades: Array.from({ length: upgrades }, () => ({ database: 'neo4j', from: 'V5_25', to: 'V2026_08', at: '' })) });

function restoredLook(over: Partial<OfflineRunLook> = {}): OfflineRunLook {
  return {
    outcome: 'rolled-back', expected: ['rolled-back'], volumesDeleted: [], snapshotsDeleted: [], lockHeldAtEnd: false, pastPointOfNoReturn: true,
    images: { 1: versions.fromImage, 2: versions.fromImage }, versions: { 1: '5.26.30', 2: '5.26.30' },
    stores: [
      { server: 1, startVolumeId: 'vol-1', endVolumeId: 'vol-r1', restoredFrom: { snapshotId: 'snap-1', sourceVolumeId: 'vol-1' }, evidence: evidence(['5.26.30']) },
      { server: 2, startVolumeId: 'vol-2', endVolumeId: 'vol-r2', restoredFrom: { snapshotId: 'snap-2', sourceVolumeId: 'vol-2' }, evidence: evidence(['5.26.30']) },
    ],
    preUpgradeSnapshots: ['snap-1', 'snap-2'], volumesAfter: ['vol-1', 'vol-2', 'vol-r1', 'vol-r2'],
    client: { givenUpOutsideDowntime: 0, committedWrites: 40, missingBeforeSnapshot: 0, missingAfterSnapshot: 0 },
    world: { fault: 'migration-fails', failedMigrations: 1, stuckAnswers: 0, released: false }, worldErrors: [],
    ...over,
  };
}

describe('the verdict of one offline fault run', () => {
  test('a rollback past the migration: every server on its restored pre-upgrade store, writes the freeze refused until the client gave up not a problem', () => {
    expect(offlineRunProblems(restoredLook(), versions)).toEqual([]);
  });

  test('a restore from the wrong snapshot, a store opened at the target or upgraded, a start volume gone, are named', () => {
    const look = restoredLook({
      stores: [
        { server: 1, startVolumeId: 'vol-1', endVolumeId: 'vol-r1', restoredFrom: { snapshotId: 'snap-9', sourceVolumeId: 'vol-1' }, evidence: evidence(['5.26.30']) },
        { server: 2, startVolumeId: 'vol-2', endVolumeId: 'vol-r2', restoredFrom: { snapshotId: 'snap-2', sourceVolumeId: 'vol-2' }, evidence: evidence(['5.26.30', '2026.08.1'], 2) },
      ],
      volumesAfter: ['vol-2', 'vol-r1', 'vol-r2'],
    });
    expect(offlineRunProblems(look, versions)).toEqual([
      'server 1\'s volume vol-1 from before the run is gone',
      'server 1 runs on vol-r1, not a restore of the pre-upgrade snapshot of its volume vol-1 (made from snap-9 of vol-1)',
      'server 2\'s restored store vol-r2 was opened by 5.26.30, 2026.08.1',
      'server 2\'s restored store vol-r2 was upgraded (2 upgrade transactions)',
    ]);
  });

  test('any acknowledged write missing (before or after the snapshots), a write given up outside the declared downtime, a store left READ ONLY, are problems', () => {
    expect(offlineRunProblems(restoredLook({ client: { givenUpOutsideDowntime: 1, committedWrites: 3, missingBeforeSnapshot: 2, missingAfterSnapshot: 1 }, frozenAtEnd: [2] }), versions)).toEqual([
      'client: 1 transactions given up outside the procedure\'s declared downtime',
      'client: 3 acknowledged writes missing (2 acknowledged before the pre-upgrade snapshots began, 1 after)',
      'servers 2 still hold a user database READ ONLY (not thawed)',
    ]);
    const early = restoredLook({ pastPointOfNoReturn: false, stores: [], world: undefined, client: { givenUpOutsideDowntime: 0, committedWrites: 3, missingBeforeSnapshot: 0, missingAfterSnapshot: 12 } });
    expect(offlineRunProblems(early, versions)).toEqual(['client: 12 acknowledged writes missing (0 acknowledged before the pre-upgrade snapshots began, 12 after)']);
  });

  test('the final thaw failed: every server upgraded and still frozen, the lock released; a server taking writes is named', () => {
    const frozenUpgrade = (frozenAtEnd: number[]) => restoredLook({
      outcome: 'upgraded-writes-frozen', expected: ['upgraded-writes-frozen'], pastPointOfNoReturn: false, stores: [], world: undefined, frozenAtEnd,
      versions: { 1: versions.toVersion, 2: versions.toVersion }, images: { 1: versions.toImage, 2: versions.toImage },
    });
    expect(offlineRunProblems(frozenUpgrade([1, 2]), versions)).toEqual([]);
    expect(offlineRunProblems(frozenUpgrade([1]), versions)).toEqual(['servers 2 take writes although the thaw failed (the freeze must stay for an operator)']);
  });

  test('the wrong outcome, the wrong version, a deletion, a held lock and a world fault that did not play are named', () => {
    const look = restoredLook({
      outcome: 'succeeded', volumesDeleted: ['vol-1'], lockHeldAtEnd: true, versions: { 1: '2026.08.1', 2: undefined },
      images: { 1: versions.toImage, 2: versions.toImage }, world: { fault: 'database-stays-starting', failedMigrations: 0, stuckAnswers: 0, released: false },
    });
    expect(offlineRunProblems(look, versions)).toEqual([
      'ended succeeded, expected rolled-back',
      'volumes deleted: vol-1',
      'the lock is still held',
      'server 2 runs nothing (down), expected 2026.08.1',
      'no gate saw the migrated server\'s database `starting`',
      'the server whose database stayed `starting` was never started again',
    ]);
  });
});

describe('the harness\'s snapshot-time store copies', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'store-volumes-'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
  const write = (dir: string, text: string) => {
    fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'data', 'store'), text);
  };
  const read = (dir: string) => fs.readFileSync(path.join(dir, 'data', 'store'), 'utf8');

  test('a volume made from a snapshot gets the store as it was when the snapshot completed, not as it is later', async () => {
    const volumes: Record<string, string> = { 'vol-restored': 'snap-1', 'vol-unknown': 'snap-9', 'vol-none': '' };
    const harness = {
      ec2: { send: async (cmd: { input: { VolumeIds: string[] } }) => ({ Volumes: [{ VolumeId: cmd.input.VolumeIds[0], SnapshotId: volumes[cmd.input.VolumeIds[0]] || undefined }] }) },
    } as unknown as ClientSet;
    const stores = new StoreVolumes(harness, path.join(root, 'volumes'));
    const first = path.join(root, 'server1');
    write(first, 'before the upgrade');
    stores.adopt('vol-1', first);
    stores.snapshotCompleted('snap-1', 'vol-1');
    stores.snapshotCompleted('snap-x', 'vol-of-another-cluster');
    write(first, 'migrated');
    const restored = await stores.dirFor('vol-restored');
    expect(read(restored)).toBe('before the upgrade');
    expect(read(first)).toBe('migrated');
    expect(stores.copies).toEqual([expect.objectContaining({ volumeId: 'vol-restored', snapshotId: 'snap-1', sourceVolumeId: 'vol-1', sourceDir: first })]);
    expect(stores.taken().map((s) => s.snapshotId)).toEqual(['snap-1']);
    await expect(stores.dirFor('vol-unknown')).rejects.toThrow(/snap-9, whose content the harness did not capture/);
    await expect(stores.dirFor('vol-none')).rejects.toThrow(/neither a server's first store nor made from a snapshot/);
    stores.dispose();
    expect(fs.existsSync(path.join(root, 'volumes', 'snapshots'))).toBe(false);
    expect(read(restored)).toBe('before the upgrade');
  });
});
