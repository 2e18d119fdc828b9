import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OfflineInputs, offlineFigures, offlineProblems } from '../../tools/rehearsal/offline/offline-verdict';
import { storeEvidence } from '../../tools/rehearsal/offline/store-evidence';

/** debug.log lines as Neo4j writes them (JSON lines; the diagnostics block holds the kernel version). */
function debugLog(lines: Array<{ db: string; message: string }>): string {
  return lines.map((l) => JSON.stringify({ time: '2026-12-02 05:40:49.190+0000', level: 'INFO', message: l.message, databaseName: l.db })).join('\n') + '\n';
}
const opened = (db: string, v: string) => ({ db, message: `[${db}/00000000] Current KernelVersion=KernelVersion{${v},version=20}, LogFormat= V9` });
const diagnostics = (version: string) => ({ db: 'system', message: `[system/00000000] \n   [system/00000000] Kernel version: ${version}\n` });
const upgrade = (db: string) => ({ db, message: `[${db}/00000000] Upgrade transaction from KernelVersion{V5_25,version=20} to KernelVersion{V2026_08,version=32} started` });

function home(log: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'offline-verdict-'));
  fs.mkdirSync(path.join(dir, 'logs'));
  fs.writeFileSync(path.join(dir, 'logs', 'debug.log'), log);
  return dir;
}

const FROZEN = 'ServiceUnavailable (routing): Neo.ClientError.General.ForbiddenOnReadOnlyDatabase: database neo4j is READ ONLY (the write freeze, SIMULATED)';

describe('the offline rehearsal\'s evidence and verdict', () => {
  const migrated = home(debugLog([diagnostics('5.26.30'), opened('system', 'V5_25'), diagnostics('2026.08.1'), opened('system', 'V5_25'), upgrade('system'), upgrade('neo4j')]));
  const copy = home(debugLog([diagnostics('2026.08.1'), opened('system', 'V2026_08'), opened('neo4j', 'V2026_08')]));
  const retained = home(debugLog([diagnostics('5.26.30'), opened('system', 'V5_25')]));
  afterAll(() => [migrated, copy, retained].forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  test('a store\'s log tells who opened it, at which kernel version, and its upgrade transactions', () => {
    expect(storeEvidence(migrated)).toEqual({
      dir: migrated, openedBy: ['5.26.30', '2026.08.1'],
      opened: [{ database: 'system', kernel: 'V5_25' }, { database: 'system', kernel: 'V5_25' }],
      upgrades: [
        { database: 'system', from: 'V5_25', to: 'V2026_08', at: '2026-12-02 05:40:49.190+0000' },
        { database: 'neo4j', from: 'V5_25', to: 'V2026_08', at: '2026-12-02 05:40:49.190+0000' },
      ],
    });
    expect(storeEvidence(copy).upgrades).toEqual([]);
  });

  const inputs = (over: Partial<OfflineInputs> = {}): OfflineInputs => ({
    report: {
      status: 'SUCCEEDED', startedAt: '2026-12-02T06:00:00.000Z', volumes: { before: 3, after: 5, renamed: [], created: [], deleted: [] },
      stages: [{ key: 'migrate', name: 'Stage 3', seedStep: '001', status: 'succeeded', startedAt: '2026-12-02T06:00:00.000Z', endedAt: '2026-12-02T06:01:00.000Z', durationMs: 60_000 }],
    },
    outages: [{ server: 2, image: 'neo4j:5.26.30-enterprise', downAt: Date.parse('2026-12-02T06:00:10.000Z'), upAt: Date.parse('2026-12-02T06:02:00.000Z') }],
    starts: [{ server: 1, at: 0, instanceId: 'i-1', volumeId: 'vol-m', dataDir: migrated, image: 'neo4j:2026.08.1-enterprise', calls: ['neo4j-admin database migrate *', 'neo4j'] },
      { server: 2, at: 1, instanceId: 'i-2', volumeId: 'vol-c', dataDir: copy, image: 'neo4j:2026.08.1-enterprise', unbindMark: 'x', calls: ['neo4j-admin server unbind', 'neo4j'] }],
    copies: [{ volumeId: 'vol-c', snapshotId: 'snap-1', snapshotTakenAt: 10, sourceVolumeId: 'vol-m', sourceDir: migrated, dir: copy, copiedAt: 20 }],
    stores: [{ volumeId: 'vol-m', evidence: storeEvidence(migrated) }, { volumeId: 'vol-c', evidence: storeEvidence(copy) }, { volumeId: 'vol-r', evidence: storeEvidence(retained) }],
    finalServers: [{ server: 1, version: '2026.08.1', dataDir: migrated, markerNodes: 100 }, { server: 2, version: '2026.08.1', dataDir: copy, markerNodes: 100 }],
    seededMarkers: 100, target: '2026.08.1', worldErrors: [],
    finalAccess: [{ server: 1, access: { neo4j: 'read-write' } }, { server: 2, access: { neo4j: 'read-write' } }],
    workload: {
      retryPolicy: { maxTransactionRetryTimeMs: 30_000, initialDelayMs: 1000, multiplier: 2, jitter: 0.2 },
      attempts: [
        { op: 'write', tx: 1, at: Date.parse('2026-12-02T06:00:30.000Z'), endedAt: Date.parse('2026-12-02T06:00:31.000Z'), failure: 'derived', error: FROZEN, playedAt: 0, playedEnd: 0 },
        { op: 'write', tx: 1, at: Date.parse('2026-12-02T06:00:33.000Z'), endedAt: Date.parse('2026-12-02T06:00:35.000Z'), failure: 'real', error: 'ServiceUnavailable: gone', playedAt: 0, playedEnd: 0 },
      ],
      transactions: [{ op: 'write', tx: 1, attempts: 3, outcome: 'committed', firstAttemptAt: 0, lastAttemptEndedAt: 0 }],
      readBack: { writesInStore: 1, acknowledgedMissing: [], lostButStored: [] },
    },
    ...over,
  });

  test('one store migrated, every other server on an unbound copy opened without an upgrade, the old store untouched: no problem', () => {
    const f = offlineFigures(inputs());
    expect(f.migrations.map((m) => `${m.volumeId} ${m.database}`)).toEqual(['vol-m system', 'vol-m neo4j']);
    expect(f.copies).toEqual([expect.objectContaining({ server: 2, unbindMark: 'x', unbindCalled: true, upgrades: 0, markerNodes: 100 })]);
    expect(f.retainedStores).toEqual([{ volumeId: 'vol-r', openedBy: ['5.26.30'] }]);
    expect(f.stages).toEqual([expect.objectContaining({ name: 'Stage 3', failedWrites: 2, failedReads: 0 })]);
    expect(f.freeze).toEqual({ refusedAttempts: 1, refusedWritesGivenUp: 0, firstRefusedMs: 30_000, lastRefusedMs: 30_000, writeFailureWindowMs: 5_000 });
    expect(offlineProblems(f, inputs())).toEqual([]);
  });

  test('a freeze that refused nothing, or a store left READ ONLY, is named', () => {
    const i = inputs({ finalAccess: [{ server: 1, access: { neo4j: 'read-only' } }] });
    i.workload.attempts.splice(0, 1);
    expect(offlineProblems(offlineFigures(i), i)).toEqual(['the write freeze refused no client write', 'server 1\'s store still holds neo4j READ ONLY (not thawed)']);
  });

  test('a copy migrated again or started without its unbind is named', () => {
    const i = inputs({
      stores: [{ volumeId: 'vol-m', evidence: storeEvidence(migrated) }, { volumeId: 'vol-c', evidence: storeEvidence(migrated) }],
      starts: [{ server: 2, at: 15, instanceId: 'i-2', volumeId: 'vol-c', dataDir: migrated, image: 'x', calls: ['neo4j'] }],
    });
    expect(offlineProblems(offlineFigures(i), i)).toEqual([
      'stores upgraded: vol-m, vol-c (expected exactly one)',
      'database system upgraded 2 times',
      'database neo4j upgraded 2 times',
      'start-neo4j.sh called neo4j-admin database migrate on 0 starts (servers none), expected 1',
      'server 2\'s copy vol-c started without the unbind (mark none)',
      'server 2\'s copy vol-c was upgraded again (2 upgrade transactions)',
      'server 2\'s copy opened at kernel [{"database":"system","kernel":"V5_25"},{"database":"system","kernel":"V5_25"}]',
    ]);
  });
});
