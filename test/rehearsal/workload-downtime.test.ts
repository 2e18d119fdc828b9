/**
 * The client workload's accounting (tools/rehearsal/workload/): attempts -> failure windows per stage,
 * REAL vs DERIVED, retried and lost transactions; the world's routing (who serves a write); the
 * validator seam's query rewrite. Pure: no moto, no Neo4j.
 */
import { Attempt, OUTSIDE_STAGES, Transaction, downtimeByStage, failureWindows, stageAt } from '../../tools/rehearsal/workload/downtime';
import { withoutWorkload } from '../../tools/rehearsal/workload/hidden-from-validator';
import { Member, masterRestart, unroutable } from '../../tools/rehearsal/workload/world-routing';
import { WaitEpisode } from '../../tools/rehearsal/wait-episodes';
import { StageReport } from '../../tools/rehearsal/types';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const iso = (s: number) => new Date(T0 + s * 1000).toISOString();
const stages: StageReport[] = [
  { key: 'rollImage', name: 'Roll DockerImage', seedStep: '1', status: 'succeeded', startedAt: iso(10), endedAt: iso(20) },
  { key: 'singleMaster', name: 'Single master', seedStep: '2', status: 'succeeded', startedAt: iso(21), endedAt: iso(40) },
];

/** An attempt at second `s` lasting 0.1 s; `played`: ms the waits had played by then. */
function attempt(op: Attempt['op'], tx: number, s: number, failure?: Attempt['failure'], played = 0): Attempt {
  return { op, tx, at: T0 + s * 1000, endedAt: T0 + s * 1000 + 100, playedAt: played, playedEnd: played, ...(failure && { failure, error: `${failure} error` }) };
}

describe('failure windows', () => {
  test('a window runs from the first failed attempt to the end of the next committed one, one kind at a time', () => {
    const attempts = [
      attempt('write', 1, 11), attempt('write', 2, 12, 'real'), attempt('write', 2, 13, 'real'), attempt('write', 2, 15.5),
      attempt('write', 3, 22, 'derived', 1000), attempt('write', 3, 23, 'derived', 9000), attempt('write', 3, 25, 'real', 20_000), attempt('write', 3, 29, undefined, 30_000),
    ];
    const w = failureWindows(attempts, stageAt(stages));
    expect(w.map((x) => [x.kind, x.stage, x.durationMs, x.onWaitClocksMs, x.failedAttempts, x.reason])).toEqual([
      ['real', 'rollImage', 3600, 3600, 2, 'real error'],
      // derived until the real failure at 25 s; the waits played 19 s meanwhile
      ['derived', 'singleMaster', 3000, 22_000, 2, 'derived error'],
      ['real', 'singleMaster', 4100, 14_100, 1, 'real error'],
    ]);
    expect(w[0].start).toBe(iso(12));
    expect(w[0].end).toBe(new Date(T0 + 15_600).toISOString());
    expect(w[0].lastFailure).toBe(iso(13));
  });

  test('a window still failing when the workload stopped is open at the end', () => {
    const w = failureWindows([attempt('read', 1, 30, 'derived'), attempt('read', 1, 31, 'derived')], stageAt(stages));
    expect(w).toEqual([expect.objectContaining({ openAtEnd: true, durationMs: 1100, failedAttempts: 2, stage: 'singleMaster' })]);
  });

  test('moments outside every stage belong to OUTSIDE_STAGES', () => {
    const of = stageAt(stages);
    expect([of(T0), of(T0 + 10_000), of(T0 + 20_500), of(T0 + 40_000), of(T0 + 41_000)]).toEqual([OUTSIDE_STAGES, 'rollImage', OUTSIDE_STAGES, 'singleMaster', OUTSIDE_STAGES]);
  });
});

describe('downtime by stage', () => {
  test('counts failed attempts, retried and lost transactions in the stage of their first attempt', () => {
    const attempts = [attempt('write', 1, 22, 'derived'), attempt('write', 1, 24), attempt('write', 2, 30, 'derived'), attempt('read', 1, 31, 'real'), attempt('read', 1, 33)];
    const txs: Transaction[] = [
      // committed after retrying for 40 s: lost with a 30 s budget
      { op: 'write', tx: 1, attempts: 2, outcome: 'committed', firstAttemptAt: T0 + 22_000, lastAttemptEndedAt: T0 + 62_000 },
      { op: 'write', tx: 2, attempts: 1, outcome: 'lost', firstAttemptAt: T0 + 30_000, lastAttemptEndedAt: T0 + 30_100, lastError: 'Terminated' },
      { op: 'read', tx: 1, attempts: 2, outcome: 'committed', firstAttemptAt: T0 + 31_000, lastAttemptEndedAt: T0 + 33_100 },
      { op: 'write', tx: 3, attempts: 1, outcome: 'committed', firstAttemptAt: T0 + 15_000, lastAttemptEndedAt: T0 + 15_100 },
    ];
    const rows = downtimeByStage(attempts, txs, stages, 30_000);
    expect(rows.map((r) => r.stage)).toEqual(['rollImage', 'singleMaster']);
    const single = rows[1];
    expect({ ...single.writes, windows: single.writes.windows.length }).toEqual({ windows: 2, failedAttempts: 2, retriedTransactions: 1, lostTransactions: 1, lostAtDriverDefault: 2, lostBecause: ['Terminated'] });
    expect({ ...single.reads, windows: single.reads.windows.map((w) => w.kind) }).toEqual({ windows: ['real'], failedAttempts: 1, retriedTransactions: 1, lostTransactions: 0, lostAtDriverDefault: 0, lostBecause: [] });
    expect(rows[0].writes).toEqual({ windows: [], failedAttempts: 0, retriedTransactions: 0, lostTransactions: 0, lostAtDriverDefault: 0, lostBecause: [] });
  });

  test('a failure outside the stages adds an OUTSIDE_STAGES row', () => {
    const rows = downtimeByStage([attempt('write', 1, 5, 'real'), attempt('write', 1, 6)], [], stages, 30_000);
    expect(rows.map((r) => [r.stage, r.writes.failedAttempts])).toEqual([['rollImage', 0], ['singleMaster', 0], [OUTSIDE_STAGES, 1]]);
  });
});

describe('routing from the world', () => {
  const master: Member = { role: 'primary', writer: true };
  const follower: Member = { role: 'primary', writer: false };
  const slave: Member = { role: 'secondary', writer: false };
  const single = { at: 1000, before: { Mode: 'HA', AllowUpgrade: 'false', SlaveMode: 'HA' }, after: { Mode: 'SINGLE', AllowUpgrade: 'true', SlaveMode: 'SINGLE' } };

  function gate(startedAt: number, pending: boolean): WaitEpisode {
    const w = new WaitEpisode('gate', 'health-gate', startedAt, pending ? 3_600_000 : 0);
    return w;
  }

  test('the single master is down after a change of its settings until a later health gate sees it', () => {
    const reason = masterRestart([single], [], [master]);
    expect(reason).toMatch(/master serves alone .*Mode=SINGLE AllowUpgrade=true/);
    expect(masterRestart([single], [gate(Date.now(), true)], [master])).toBe(reason);
    expect(masterRestart([single], [gate(500, false)], [master])).toBe(reason); // a gate from before the change
    expect(masterRestart([single], [gate(Date.now(), false)], [master])).toBeUndefined();
  });

  test('no derived restart with several primaries, or when only SlaveMode or capacity changed', () => {
    expect(masterRestart([single], [], [master, follower, slave])).toBeUndefined();
    expect(masterRestart([{ at: 1, before: { SlaveMode: 'SINGLE', DesiredCapacity: '1' }, after: { SlaveMode: 'HA', DesiredCapacity: '3' } }], [], [master])).toBeUndefined();
    expect(masterRestart([], [], [master])).toBeUndefined();
  });

  test('writes need a writer that is up; reads any member that is up', () => {
    expect(unroutable('write', [master, slave], undefined)).toBeUndefined();
    expect(unroutable('write', [follower, slave], undefined)).toMatch(/no writer/);
    expect(unroutable('write', [master], 'restarting')).toBe('restarting');
    expect(unroutable('read', [master], 'restarting')).toBe('restarting');
    expect(unroutable('read', [master, slave], 'restarting')).toBeUndefined();
    expect(unroutable('read', [], undefined)).toMatch(/no reader/);
  });
});

test('the validator seam skips the workload\'s nodes in node queries only', () => {
  expect(withoutWorkload('MATCH (n) RETURN count(n) AS c')).toBe('MATCH (n) WHERE NOT n:RehearsalClientWrite WITH n RETURN count(n) AS c');
  expect(withoutWorkload('MATCH (n) WHERE id(n) % $partitionCount = $partitionIndex RETURN labels(n) AS l'))
    .toBe('MATCH (n) WHERE NOT n:RehearsalClientWrite WITH n WHERE id(n) % $partitionCount = $partitionIndex RETURN labels(n) AS l');
  expect(withoutWorkload('MATCH ()-[r]->() RETURN count(r) AS c')).toBe('MATCH ()-[r]->() RETURN count(r) AS c');
});
